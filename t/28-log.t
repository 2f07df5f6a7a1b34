#!/bin/sh
# The room's log (-L FILE): every room line, stamped in UTC, appended
# before anyone is sent it; read back at start, the history and the
# topic come back; bad lines, files that cannot be opened and writes
# that fail do not stop the room.
. "$(dirname "$0")/lib.sh"

plan 40

TZ=UTC0
export TZ
S='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z'	# a stamp
LOG=$T/room.log

# mode_of FILE : its permission bits, in octal.
mode_of() { perl -e 'printf "%o\n", (stat $ARGV[0])[2] & 07777' "$1"; }
# stopped LABEL : SIGTERM, and the host has exited.
stopped() { signal "$1" TERM && wait_exit "$1"; }
# unstamped FILE : the log's lines without their stamps.
unstamped() { sed -E "s/^$S //" "$1"; }

# --- what is logged ----------------------------------------------------------

start_host h -P sekrit -L "$LOG" || give_up "host with -L did not start"
join_room alice alice -P sekrit
join_room bob bob -P sekrit
check "the log is made with mode 0600" eval '[ "$(mode_of "$LOG")" = 600 ]'
say alice "hi there"
say alice "/me waves"
say alice "/topic plans: ünïcode, 50% * <x>"
say alice "/msg bob psst"
say alice "marker"
check "a message is logged after the time it was said, in UTC with the date" \
    wait_for "$LOG" "^$S <alice> hi there\$"
check "the time is now's" perl -e '
	open my $f, "<", $ARGV[0] or die; my $l = <$f>;
	my ($y, $mo, $d, $h, $mi, $s) = $l =~ /^(\d+)-(\d+)-(\d+)T(\d+):(\d+):(\d+)Z /;
	use Time::Local; exit(abs(timegm($s, $mi, $h, $d, $mo - 1, $y) - time) > 60)' "$LOG"
check "so are actions, topic changes and joins, as the room saw them" \
    eval 'wait_for "$LOG" "^$S <alice> marker\$" && has "$LOG" "^$S \* alice waves\$" &&
	has_line "$T/bob.out" "*** alice set the topic: plans: ünïcode, 50% * <x>" &&
	has "$LOG" "^$S \*\*\* alice set the topic: plans: ünïcode, 50% \* <x>\$" &&
	has "$LOG" "^$S \*\*\* bob joined\$"'
check "never a private message, the password or a session key" \
    eval 'lacks "$LOG" psst && lacks "$LOG" sekrit && lacks "$LOG" "session|pass|[0-9a-f]{32}"'
say bob "/quit gone fishing"
check "leaves, with the reason" wait_for "$LOG" "^$S \*\*\* bob left \(gone fishing\)\$"
check "every line has a stamp" eval '[ "$(count "$LOG" "^$S ")" = "$(wc -l <"$LOG" | tr -d " ")" ]'
stopped h
check "the host's end is logged too" wait_for "$LOG" "^$S \*\*\* host shutting down\$"
first=$(head -n 1 "$LOG")

# --- read back at start --------------------------------------------------------

start_host h2 -b 2 -L "$LOG" || give_up "host did not start again"
join_room carol carol -H
check "the topic is back, exactly" \
    wait_line "$T/carol.out" "*** topic: plans: ünïcode, 50% * <x>"
check "the last -b messages and actions are the history, with the times they were said" \
    eval 'wait_line "$T/carol.out" "*** end of history" &&
	[ "$(sed -n "/history follows/,/end of history/p" "$T/carol.out" | sed 1d | sed "\$d")" = \
	  "$(grep -E "^$S (<alice>|\* alice)" "$LOG" | tail -n 2 |
	     sed -E "s/^[0-9-]{10}T([0-9]{2}:[0-9]{2}):[0-9]{2}Z /\1 /")" ]'
check "and nothing else of the log" eval '[ "$(sed -n "/history follows/,/end of history/p" "$T/carol.out" | wc -l)" -eq 4 ]'
check "the log was not truncated" eval '[ "$(head -n 1 "$LOG")" = "$first" ]'
check "it goes on at its end" eval 'wait_for "$LOG" "^$S \*\*\* carol joined\$" &&
	[ "$(tail -n 1 "$LOG" | unstamped /dev/stdin)" = "*** carol joined" ]'

say carol '*** host set the topic: forged'
say carol "/me *** host set the topic: forged too"
say carol '/nick x'
wait_for "$LOG" "^$S \*\*\* carol is now x\$"
say carol "/topic -"
say carol "/topic"
wait_line "$T/carol.out" "*** no topic is set"
stopped h2
start_host h3 -L "$LOG" || give_up "host did not start a third time"
join_room dave dave -H
say dave /topic
check "a topic cleared stays cleared; what a peer typed is not a topic line" \
    eval 'wait_line "$T/dave.out" "*** no topic is set" && lacks "$T/dave.out" "^\*\*\* topic:"'
say dave "/topic set anew"
check "the host's own lines are logged" \
    eval 'say h3 "from the host" && wait_for "$LOG" "^$S <host> from the host\$"'
stopped h3
cp "$LOG" "$T/kept.log"

# --- the log, rotated or read back from far away --------------------------------

start_host h4 -b 0 -L "$LOG" || give_up "host did not start a fourth time"
raw_join big big
perl_send big 'map { "y" x 4000 . "\n" } 1 .. 300'
say big "after the flood"
check "while a topic is set the log says it again after each MiB" \
    eval 'wait_for "$LOG" "^$S <big> after the flood\$" 20 &&
	unstamped "$LOG" | grep -Fx "*** topic: set anew" >/dev/null'
: >"$LOG"
say big "rotated"
check "a log truncated under the host (copytruncate) is appended to at its new end, topic first" \
    eval 'wait_for "$LOG" "^$S <big> rotated\$" &&
	[ "$(unstamped "$LOG")" = "*** topic: set anew
<big> rotated" ]'
perl_send big 'map { "z" x 4000 . "\n" } 1 .. 300'
say big "last"
wait_for "$LOG" "^$S <big> last\$" 20
stopped h4
start_host h5 -b 1 -L "$LOG" || give_up "host did not start a fifth time"
join_room erin erin -H
check "the topic set more than a MiB of log ago is found reading only the end" \
    wait_line "$T/erin.out" "*** topic: set anew"
check "with the last line as the history" eval 'wait_line "$T/erin.out" "*** end of history" &&
	has "$T/erin.out" "^[0-9]{2}:[0-9]{2} <big> last\$"'
stopped h5

# --- bad lines ------------------------------------------------------------------

BAD=$T/bad.log
perl -e 'binmode STDOUT; print
	"2026-01-02T03:04:05Z <old> first\n",
	"no time here\n",
	"2026-01-02T03:04:06Z <old> bad \xff byte\n",
	"2026-01-02T03:04:07Z <old> " . ("x" x 5000) . "\n",
	"2026-01-02T03:04:08Z <old> ctrl \x1b[31m\n",
	"2026-13-02T03:04:08Z <old> no such month\n",
	"2026-01-02T03:04:09Z <old> last\n",
	"2026-01-02T03:04:10Z *** old set the topic: restored\n",
	"2026-01-02T03:04:11Z <old> torn"' >"$BAD"
spawn hb env TZ=JST-9 "$CHAT" -l -v -n host -L "$BAD" 0 || give_up "spawn"
host_port hb || give_up "the host did not start on a log with bad lines"
join_room fay fay -H
check "bad lines are skipped: the history is the good ones, at the local time (TZ)" \
    eval 'wait_line "$T/fay.out" "*** end of history" &&
	[ "$(sed -n "/history follows/,/end of history/p" "$T/fay.out")" = "*** history follows
12:04 <old> first
12:04 <old> last
*** end of history" ]'
check "the topic after them is read" has_line "$T/fay.out" "*** topic: restored"
check "they are counted and said once on stderr" \
    eval '[ "$(grep -c skipped "$T/hb.err")" = 1 ] &&
	has_line "$T/hb.err" "chat: $BAD: 6 lines skipped: not UTF-8, longer than a host line or without a time"'
check "a last line cut short is ended, and the next line logged on a line of its own" \
    eval 'wait_for "$BAD" "^$S \*\*\* fay joined\$" &&
	has_line "$BAD" "2026-01-02T03:04:11Z <old> torn"'
stopped hb

# --- joins gathered (-J) -------------------------------------------------------

GL=$T/gathered.log
start_host hg -J 0 -L "$GL" || give_up "host with -J 0 -L did not start"
join_room wes wes
raw_join xa xavier
raw_join ya yvonne
check "joins gathered into one notice are logged as the room saw that notice" \
    eval 'waits 10 line "$T/wes.out" "*** 3 joined: wes, xavier, yvonne" &&
	wait_for "$GL" "^$S \*\*\* 3 joined: wes, xavier, yvonne\$" &&
	lacks "$GL" "^$S \*\*\* xavier joined" || { show "$T/wes.out"; show "$GL"; false; }'
stopped hg

# --- files that cannot be the log ---------------------------------------------------

mkdir "$T/dir"
run nd 5 "$CHAT" -l -s 127.0.0.1 -L "$T/dir" 0 </dev/null
check "a directory ends the host at start: exit 1 and the reason" \
    eval '[ "$RC" = 1 ] && has_line "$T/nd.err" "chat: $T/dir: Is a directory"'
run nx 5 "$CHAT" -l -s 127.0.0.1 -L "$T/no/such/file" 0 </dev/null
check "so does a path that cannot be made" \
    eval '[ "$RC" = 1 ] && has_line "$T/nx.err" "chat: $T/no/such/file: No such file or directory"'
if [ "$(id -u)" != 0 ]; then
	: >"$T/ro.log"
	chmod 444 "$T/ro.log"
	run ro 5 "$CHAT" -l -s 127.0.0.1 -L "$T/ro.log" 0 </dev/null
	check "and a file we may not write" \
	    eval '[ "$RC" = 1 ] && has_line "$T/ro.err" "chat: $T/ro.log: Permission denied"'
elif unshare -m true 2>/dev/null; then
	# root may write any file, but not on a read-only file system
	mkdir "$T/rofs"
	run rofs 5 unshare -m sh -c 'mount -t tmpfs -o ro none "$1" &&
	    exec "$2" -l -s 127.0.0.1 -L "$1/room.log" 0' sh "$T/rofs" "$CHAT" </dev/null
	check "and a read-only file system" \
	    eval '[ "$RC" = 1 ] && has_line "$T/rofs.err" "chat: $T/rofs/room.log: Read-only file system"'
else
	skip "root may write any file; a read-only file system needs unshare"
fi
start_host hn -L /dev/null || give_up "host with -L /dev/null did not start"
join_room kim kim
say kim "into the void"
check "a file that is not a regular one is written, not read back" \
    eval 'wait_line "$T/hn.out" "<kim> into the void" && stopped hn && [ "$RC" = 0 ]'
run cl 5 "$CHAT" -L "$T/x.log" 127.0.0.1 1 </dev/null
check "-L is the host's: a client with it is a usage error" \
    eval '[ "$RC" = 2 ] && has "$T/cl.err" "need -l" && [ ! -e "$T/x.log" ]'

echo "2026-01-02T03:04:05Z <old> via the link" >"$T/target.log"
ln -s "$T/target.log" "$T/mine.log"
start_host hl -L "$T/mine.log" || give_up "host on our own link did not start"
join_room gus gus -H
check "a symbolic link of our own is followed" \
    eval 'wait_for "$T/gus.out" "<old> via the link\$" && wait_for "$T/target.log" "^$S \*\*\* gus joined\$" &&
	[ -L "$T/mine.log" ]'
stopped hl
if [ "$(id -u)" = 0 ] && chown -h nobody "$T/mine.log" 2>/dev/null; then
	cp "$T/target.log" "$T/target.before"
	run ln 5 "$CHAT" -l -s 127.0.0.1 -L "$T/mine.log" 0 </dev/null
	check "one another user owns is not: exit 1" \
	    eval '[ "$RC" = 1 ] && has_line "$T/ln.err" "chat: $T/mine.log: a symbolic link owned by another user; not followed" &&
		cmp -s "$T/target.log" "$T/target.before"'
	mkdir "$T/real"
	ln -s "$T/real" "$T/theirs"
	chown -h nobody "$T/theirs"
	run ld 5 "$CHAT" -l -s 127.0.0.1 -L "$T/theirs/room.log" 0 </dev/null
	check "nor a directory's on the way to it" \
	    eval '[ "$RC" = 1 ] && has_line "$T/ld.err" "chat: $T/theirs: a symbolic link owned by another user; not followed" &&
		[ ! -e "$T/real/room.log" ]'
else
	skip "making a link another user owns needs root"
	skip "making a link another user owns needs root"
fi

# --- a write that fails ------------------------------------------------------------

# The host may write files of 32 KiB (ulimit -f counts 512-byte blocks),
# and the log is that long already: every write fails with EFBIG.
FULL=$T/full.log
perl -e 'my $l = "2026-01-02T03:04:05Z <old> filler\n"; my $s = $l x (int(32768 / length $l) - 1);
	print $s, "2026-01-02T03:04:06Z *** " . ("f" x (32768 - length($s) - 26)) . "\n"' >"$FULL"
spawn hf sh -c 'ulimit -f 64 && exec "$@"' sh "$CHAT" -l -v -n host -L "$FULL" 0 ||
    give_up "spawn"
host_port hf || give_up "the host with a file size limit did not start"
check "the log is at the limit" eval '[ "$(wc -c <"$FULL" | tr -d " ")" = 32768 ]'
join_room ida ida
join_room jon jon
say ida "during one"
say ida "during two"
check "a write that fails is said on stderr; the room goes on" \
    eval 'wait_line "$T/jon.out" "<ida> during two" && wait_for "$T/hf.err" "cannot write" &&
	has "$T/hf.err" "^chat: $FULL: cannot write, the room goes on and the lines wait: File too large\$"'
say ida "during three"
wait_line "$T/jon.out" "<ida> during three"
check "once" eval '[ "$(grep -c "cannot write" "$T/hf.err")" = 1 ] && running hf'
: >"$FULL"
say ida "after"
check "once writing works again, it says so, and the lines that waited are written" \
    eval 'wait_for "$T/hf.err" "written again" &&
	has_line "$T/hf.err" "chat: $FULL: written again, nothing lost" &&
	[ "$(unstamped "$FULL")" = "*** ida joined
*** jon joined
<ida> during one
<ida> during two
<ida> during three
<ida> after" ]'
stopped hf

# --- kill -9 in a flood ---------------------------------------------------------------

KL=$T/kill.log
start_host hk -L "$KL" || give_up "host did not start for the flood"
# 100 readers in one process, the last one's lines on its stdout: the
# host's turns write 101 queues, and a kill lands among those writes.
spawn reader perl $PEER -e '
	my @s = map { dial($ARGV[0]) } 1 .. 100;
	syswrite $s[$_], "/nick r$_\n" for 0 .. $#s;
	while (@s) {
		my $rin = "";
		vec($rin, fileno $_, 1) = 1 for @s;
		select(my $r = $rin, undef, undef, undef) > 0 or next;
		for my $i (reverse 0 .. $#s) {
			next unless vec($r, fileno $s[$i], 1);
			my $n = sysread($s[$i], my $buf, 65536);
			print $buf if $i == $#s && $n;
			next if $n;
			print STDERR "raw: connection closed\n" if $i == $#s;
			splice @s, $i, 1;
		}
	}' "$PORT"
wait_line "$T/hk.out" "*** r99 joined"
# a flood that goes on until the host is gone
spawn_group flood sh -c 'perl -e "print qq(line \$_\n) for 1 .. 1e9" | "$1" -n flood 127.0.0.1 "$2"' \
    sh "$CHAT" "$PORT"
waits 20 count "$T/reader.out" '^<flood> line ' 5000
kill -9 "$(pid_of hk)"
check "a host killed with SIGKILL in a flood..." \
    eval 'wait_exit hk && waits 10 line "$T/reader.err" "raw: connection closed"'
got=$(count "$T/reader.out" '^<flood> line [0-9]+$')
check "...had sent the reader part of it" eval '[ "$got" -ge 5000 ] ||
	{ diag "the reader got $got lines"; false; }'
check "every line the reader had received is in the log" perl -e '
	open my $l, "<", $ARGV[0] or die; my %logged;
	while (<$l>) { $logged{$1} = 1 if /^\S+Z (<flood> line \d+)$/ }
	open my $r, "<", $ARGV[1] or die; my ($n, $missing) = (0, 0);
	while (<$r>) { next unless /^(<flood> line \d+)\n\z/; $n++; $missing++ unless $logged{$1} }
	print STDERR "# $missing of $n lines received are not in the log\n" if $missing;
	exit($missing || !$n)' "$KL" "$T/reader.out"
check "in the order they were said" perl -e '
	open my $l, "<", $ARGV[0] or die; my $last = 0;
	while (<$l>) { next unless /<flood> line (\d+)$/; exit 1 if $1 != $last + 1; $last = $1 }
	exit !$last' "$KL"
