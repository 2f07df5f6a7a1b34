#!/bin/sh
# Hostile peers (issue 10): nobody can forge a line, take a name that
# looks like another's or freeze the room, and a piped file arrives line
# by line (t/20-exhaust.t: nobody can exhaust the host or keep others
# out).  Each check is sized to find the limit and says the figure it
# found.
. "$(dirname "$0")/lib.sh"

plan 55

TAB=$(printf '\t')
chat=$CHAT

# want_perl PERL : $T/want holds one line, made by a perl expression.
want_perl() { perl -e "binmode STDOUT; print $1, qq(\n)" >"$T/want"; }
has_want() { LC_ALL=C grep -Fxqf "$T/want" "$1"; }

# marker LABEL : raw peer LABEL asks /who and waits for the answer;
# everything the host sent LABEL before it has then arrived.
marker() {
	local _c
	_c=$(count "$T/$1.out" '^\*\*\* here: ')
	send "$1" '/who\n'
	wait_count "$T/$1.out" '^\*\*\* here: ' $((_c + 1))
}

# joined_or_gone LABEL NICK [ARGS...] : a chat client on the room; true
# once it is welcomed, false as soon as it has exited instead.
joined_or_gone() {
	local _l="$1" _nick="$2"; shift 2
	spawn "$_l" "$CHAT" -n "$_nick" "$@" 127.0.0.1 "$PORT" || return 1
	poll 10 eval 'has "$T/$_l.out" "^\*\*\* welcome " || ! running "$_l"'
	has "$T/$_l.out" '^\*\*\* welcome '
}

# longest_text FILE NICK : bytes of text after "<NICK> " in the longest
# such line of FILE (after the time, in a history line).
longest_text() {
	LC_ALL=C awk -v p="<$2> " '{ sub(/^[0-2][0-9]:[0-5][0-9] /, "") } index($0, p) == 1 {
		l = length($0) - length(p); if (l > m) m = l }
	    END { print m + 0 }' "$1"
}

# size FILE : its length in bytes.
size() { wc -c <"$1" | tr -d ' '; }

# grows_to FILE BYTES SECS : until FILE holds BYTES; fails as soon as it
# has not grown for 2 s (what feeds it has stopped), or after SECS.
grows_to() {
	local _last=-1 _same=0 _end=$(($(date +%s) + $3)) _size
	while :; do
		_size=$(size "$1")
		[ "$_size" -ge "$2" ] && return 0
		if [ "$_size" -eq "$_last" ]; then _same=$((_same + 1)); else _same=0; fi
		if [ "$_same" -ge 20 ]; then
			diag "$(basename "$1") stopped growing at $_size bytes"
			return 1
		fi
		if [ "$(date +%s)" -gt "$_end" ]; then
			diag "$(basename "$1") at $_size bytes after ${3}s"
			return 1
		fi
		_last=$_size
		sleep 0.1
	done
}

# === 9. -r backs off from a host that accepts and drops at once ==========

# Started first and checked last: the connections are counted over the
# first 5 s, while the rest of the script runs.
spawn_in /dev/null dropper perl -e '
	use IO::Socket::IP;
	use Time::HiRes qw(time);
	$| = 1;
	my $l = IO::Socket::IP->new(LocalHost => "127.0.0.1", LocalPort => 0,
	    Listen => 16, ReuseAddr => 1) or die "$@\n";
	print "port ", $l->sockport, "\n";
	while (my $c = $l->accept) { printf "connection %.3f\n", time; close $c }'
wait_for "$T/dropper.out" '^port [0-9]+$'
dport=$(sed -n 's/^port //p' "$T/dropper.out")
spawn rdrop "$CHAT" -n r -r 127.0.0.1 "$dport"

# === 5. A /help flood from a slow reader does not freeze the room ==========

# mallory: a 4 KiB receive buffer, 40,000 /help lines sent as the host
# takes them, and 4 KiB read every 200 ms: she always drains a little.
# Meanwhile alice says "tick I" once a second, six times, noting when
# she sent each, and bob notes when each arrives; that too runs beside
# the rest of the script, and is checked at the end.
start_host help || diag "host did not start"
HELP_PORT=$PORT
spawn_in /dev/null fbob perl $PEER -e '
	my $s = dial($ARGV[0]);
	syswrite($s, "/nick bob\n");
	my $buf = "";
	while (sysread($s, $buf, 65536, length $buf)) {
		while ($buf =~ s/^([^\n]*)\n//) {
			my $l = $1;
			printf "%s at %.3f\n", $l, time if $l =~ /^<alice> tick /;
			print "$l\n" if $l =~ /^\*\*\* /;
		}
	}' "$PORT"
wait_for "$T/fbob.out" '^\*\*\* welcome bob\. '
spawn_in /dev/null mallory perl $PEER -e '
	my $s = dial($ARGV[0], 4096);
	syswrite($s, "/nick mallory\n");
	nonblocking($s);
	my ($out, $off, $next) = ("/help\n" x 40000, 0, time + 0.2);
	while (1) {
		my ($w, $t) = ("", $next - time);
		vec($w, fileno $s, 1) = 1 if $off < length $out;
		select(undef, my $wo = $w, undef, $t > 0 ? $t : 0);
		if ($off < length $out && vec($wo, fileno $s, 1)) {
			my $n = syswrite($s, $out, 65536, $off);
			$off += $n if $n;
			print STDERR "mallory: sent all\n" if $off >= length $out;
		}
		if (time >= $next) {
			my $n = sysread($s, my $b, 4096);
			if (defined $n && !$n) { print STDERR "mallory: closed\n"; exit 0 }
			syswrite(STDOUT, $b) if $n;
			$next += 0.2;
		}
	}' "$PORT"
wait_for "$T/mallory.out" '^\*\*\* commands:'
spawn_in /dev/null falice perl $PEER -e '
	my $s = dial($ARGV[0]);
	syswrite($s, "/nick alice\n");
	read_until($s, qr/^\*\*\* welcome /m, 10);
	for my $i (1 .. 6) {
		sleep 1;	# not synchronisation: alice speaks once a second
		syswrite($s, "tick $i\n");
		printf "tick %d at %.3f\n", $i, time;
	}
	sleep 1000' "$PORT"

# === 1. Forged lines: the client splits long lines ========================

# The host relays "<NAME> " and up to 4096 bytes of text; the client must
# show what it receives as one line, so nobody can choose what a second
# "line" says.  A 32-byte name makes the stamp 35 bytes, just the length
# of the kick notice; 0xFF bytes, 3 each once sanitised, place a cut
# anywhere.
KICK='*** you were kicked out by the host'
long32=eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeev	# 32 bytes: the stamp is 35
long21=eeeeeeeeeeeeeeeeeeeev		# 21 bytes: the stamp is 24
start_host forge || give_up "host did not start"
spawn_in /dev/null logger "$CHAT" -n logger -q -1 127.0.0.1 "$PORT"
wait_for "$T/logger.out" '^\*\*\* welcome logger\. '
spawn redial "$CHAT" -n redialer -r 127.0.0.1 "$PORT"
wait_for "$T/redial.out" '^\*\*\* welcome redialer\. '
raw_join eve "$long32"
perl_send eve "'x' x 4061, '$KICK', qq(\n)"
send eve "/nick $long21\n"
perl_send eve "'y' x 4072, '<bob> !deploy production', qq(\n)"
send eve "/nick eve\n"
# "<eve> " + 1363 U+FFFD + "z" is 4096 bytes; the forged line follows.
perl_send eve "qq(\xff) x 1363, 'z<bob> !rollback production', qq(\n)"
send eve "end of forgeries\n"
wait_line "$T/logger.out" "<eve> end of forgeries"
check "a 4131-byte line (35-byte stamp) is one line at the client: no forged '$KICK'" \
    lacks_line "$T/logger.out" "$KICK"
check "a 4120-byte line (24-byte stamp) is one line: no forged '<bob> !deploy production'" \
    lacks "$T/logger.out" '^<bob> !deploy'
check "0xFF bytes (U+FFFD once sanitised) cannot place a cut: no forged '<bob> !rollback'" \
    lacks "$T/logger.out" '^<bob> !rollback'
signal forge TERM
wait_exit logger 10
is "$RC" 0 "-q -1: the client exits 0 when the host goes, whatever a line said"
poll 5 eval 'has "$T/redial.err" "reconnecting" || ! running redial'
check "-r: the client reconnects after the host goes, a forged kick notwithstanding" \
    eval 'has "$T/redial.err" "reconnecting" && running redial'
has "$T/redial.err" 'the host said' && diag "$(grep 'the host said' "$T/redial.err")"
kill "$(pid_of redial)" 2>/dev/null

# Another host may send longer lines than chat's: the client cuts one
# at RECV_MAX, marks the cut with U+2026, and drops the rest; nothing of
# it becomes a line of its own.
perl -e 'binmode STDOUT; print "x" x 9000, "*** you were kicked out by the host\n<bob> after\n"' >"$T/longline"
fake_host longhost "$T/longline" || diag "fake host did not start"
spawn_in /dev/null longc "$CHAT" -n longc -q -1 127.0.0.1 "$PORT"
wait_line "$T/longc.out" "<bob> after"
check "a line longer than any chat host sends is shown cut, marked, as one line" \
    eval '[ "$(count "$T/longc.out" "^x+…\$")" -eq 1 ] &&
	lacks "$T/longc.out" "^\*\*\* you were kicked"'

# === 2. The line limit holds after sanitising ==============================

start_host san || diag "host did not start"
raw_join watch watch
raw_join eve2 eve
perl_send eve2 'qq(\xff) x 4096, qq(\n)'
send eve2 "after the invalid bytes\n"
wait_line "$T/watch.out" "<eve> after the invalid bytes"
got=$(longest_text "$T/watch.out" eve)
check "a 4096-byte line of 0xFF is relayed with at most 4096 bytes of text (got $got)" \
    eval 'test "$got" -gt 4000 && test "$got" -le 4096'
raw_join late late
wait_line "$T/late.out" "*** end of history"
got=$(longest_text "$T/late.out" eve)
check "and so is its history line, replayed to a newcomer (got $got)" \
    eval 'test "$got" -gt 4000 && test "$got" -le 4096'
check "a chat client joining after it gets the whole history and stays" \
    eval 'joined_or_gone late2 late2 -H && wait_line "$T/late2.out" "*** end of history" &&
	running late2'

# A right-to-left override after "<eve> " could draw the rest of the
# line as "<alice> ..." on a terminal that applies bidi: the host takes
# out overrides, embeddings, isolates and line separators, from the
# text, the topic and an away reason alike.
rlo=$(printf '\342\200\256') pdf=$(printf '\342\200\254') lri=$(printf '\342\201\246')
pdi=$(printf '\342\201\251') lsep=$(printf '\342\200\250') psep=$(printf '\342\200\251')
# eve's own /who answers once her reason is set; watch asks after that.
send eve2 "ih ${rlo}>ecila<${pdf} ${lri}x${pdi}${lsep}y${psep}z\n/topic ${rlo}cipot${pdf}\n/away ${rlo}yawa\n/who\n"
wait_for "$T/eve2.out" '^\*\*\* here: .*eve \(away\)'
send watch "/who\n"
wait_for "$T/watch.out" '^\*\*\* eve is away'
check "no bidi control or line separator a peer sends reaches the room, in text, topic or away reason" \
    eval 'has_line "$T/watch.out" "<eve> ih >ecila< xyz" && has "$T/watch.out" "cipot" &&
	has "$T/watch.out" "eve is away: yawa" &&
	! LC_ALL=C grep -aq "$rlo\|$pdf\|$lri\|$pdi\|$lsep\|$psep" "$T/watch.out"'

# === 3. Nicknames that look like others, or like the marks ================

# nick_probe PERLSTRING : join the room asking for that name (a perl
# string, \x{...} for code points) and print "WANT<TAB>GOT", the name's
# bytes and the name the welcome gave.
nick_probe() {
	perl $PEER -e '
		my $want = eval qq{"$ARGV[1]"};
		utf8::encode($want);
		my $s = dial($ARGV[0]);
		syswrite($s, "/nick $want\n");
		my $got = read_until($s, qr/^\*\*\* welcome [^\n]*\n/m, 5);
		my ($who) = $got =~ /^\*\*\* welcome (\S+?)(?: \([^\n]*\))?\. here: /m;
		syswrite($s, "/quit\n");
		print $want, "\t", $who // "(no welcome)", "\n";
	' "$PORT" "$1"
}

# refused_asis LABEL PERLSTRING : one test, passing when the name is not
# given as asked.
refused_asis() {
	local _r _want _got
	_r=$(nick_probe "$2")
	_want=${_r%%"$TAB"*} _got=${_r#*"$TAB"}
	if [ -n "$_want" ] && [ "$_want" != "$_got" ]; then
		ok "nickname $1 is not accepted as-is beside bob and alice (got $_got)"
	else
		not_ok "nickname $1 is not accepted as-is beside bob and alice (got $_got)"
	fi
}

start_host nicks || diag "host did not start"
raw_join bob bob
raw_join alice alice
for vs in FE0F FE00 E0062 E0101 061C 180B 17B4 1D173; do
	refused_asis "bob+U+$vs" "bob\\x{$vs}"
done
for filler in 115F 1160 FFA0 2800; do
	refused_asis "U+$filler alone" "\\x{$filler}"
	refused_asis "bob+U+$filler" "bob\\x{$filler}"
done
refused_asis "b(Cyrillic o U+043E)b" 'b\x{43E}b'
refused_asis "(Cyrillic a U+0430)lice" '\x{430}lice'
refused_asis "b(mathematical sans-serif o U+1D5C8)b" 'b\x{1D5C8}b'
refused_asis "U+02C2 bob U+02C3 (looks like <bob>)" '\x{2C2}bob\x{2C3}'
refused_asis "U+276E bob U+276F (looks like <bob>)" '\x{276E}bob\x{276F}'
refused_asis "U+1438 bob U+1433 (looks like <bob>)" '\x{1438}bob\x{1433}'
refused_asis "U+2733 x3 (looks like ***)" '\x{2733}\x{2733}\x{2733}'
refused_asis "U+066D x3 (looks like ***)" '\x{66D}\x{66D}\x{66D}'
refused_asis "U+22C6 x3 (looks like ***)" '\x{22C6}\x{22C6}\x{22C6}'
r=$(nick_probe '\x{5F20}\x{4F1F}\x{738B}\x{82B3}\x{674E}\x{5A1C}\x{5218}\x{6D0B}\x{9648}\x{9759}\x{6768}\x{78CA}\x{8D75}\x{654F}\x{9EC4}\x{5F3A}')
is "${r#*"$TAB"}" "${r%%"$TAB"*}" \
    "a nickname of 16 Chinese characters (48 bytes) is accepted whole"

# === 4. /r follows the person, not the name ================================

# Raw peers: what they send is a command whatever a client would do.
start_host reply || diag "host did not start"
raw_join ralice alice
raw_join rbob bob
send ralice "/msg bob psst\n"
wait_line "$T/rbob.out" "*alice* psst"
send ralice "/nick alice2\n"
wait_line "$T/rbob.out" "*** alice is now alice2"
raw_join reve alice
wait_line "$T/rbob.out" "*** alice joined"
send rbob "/r got it\ndone replying\n"
check "bob's /r does not reach eve, who took the name alice afterwards" \
    absent "$T/reve.out" "<bob> done replying" '^\*bob\* '
check "it reaches the one who wrote, now alice2" \
    wait_line "$T/ralice.out" "*bob* got it" 3

# === 6. The host's own stdout stalled does not freeze the room =============

# The host writes to a FIFO that a process holds open and never reads.
mkfifo "$T/stall"
sleep 100000 <>"$T/stall" &
PIDS="$PIDS $!"
cat >"$T/stallchat" <<EOF
#!/bin/sh
exec "$CHAT" "\$@" >"$T/stall"
EOF
chmod +x "$T/stallchat"
chat=$CHAT
CHAT=$T/stallchat
start_host stalled || diag "host did not start"
CHAT=$chat
join_room salice alice
join_room sbob bob
# 110,000 lines of 89 bytes at bob (FLOOD=full: 130,000): 9.3 MiB, past
# the 8 MiB at which the host's queue for its own stdout would hold the
# room, and past the 9 MiB bob is to get.
NF=$(sized 110000 130000)
awk -v n="$NF" 'BEGIN { for (i = 1; i <= n; i++) printf "%06d %073d\n", i, 0 }' >"$T/flood.big"
spawn_in "$T/flood.big" sflood "$CHAT" -n flood 127.0.0.1 "$PORT"
check "with the host's stdout stalled, 9 MiB of room lines still reach bob" \
    grows_to "$T/sbob.out" 9437184 30
say salice "is the room moving?"
check "and alice's line reaches bob within 3 s" \
    wait_line "$T/sbob.out" "<alice> is the room moving?" 3
# As much again: past the 16 MiB the host's stdout may fall behind, so it
# misses lines, and is told how many once it is read again.
spawn_in "$T/flood.big" sflood2 "$CHAT" -n flood2 127.0.0.1 "$PORT"
wait_line "$T/sbob.out" "<flood2> $(printf %06d "$NF") $(printf %073d 0)" 60
cat "$T/stall" >"$T/stall.out" &
PIDS="$PIDS $!"
check "once its stdout is read again, the host is told how many lines it missed" \
    wait_for "$T/stall.out" '^\*\*\* [1-9][0-9]* lines not shown$' 60
kill "$(pid_of sflood)" "$(pid_of sflood2)" "$(pid_of stalled)" 2>/dev/null

# The same at a terminal: the host's screen in tmux, and the tmux server
# stopped, so nothing reads the terminal any more.
if command -v tmux >/dev/null 2>&1; then
	tms=chat-stall-$$
	tmux -L "$tms" -f /dev/null new-session -d -x 80 -y 24 \
	    "exec '$CHAT' -l -v -n host 0 2>'$T/th.err'"
	tpid=$(tmux -L "$tms" display-message -p '#{pid}')
	PIDS="$PIDS $tpid"
	poll 10 has "$T/th.err" '^chat: listening on .* port [0-9]+$'
	PORT=$(sed -n 's/^chat: listening on .* port \([0-9]*\)$/\1/p' "$T/th.err" | head -n 1)
	raw_join ta alice
	raw_join tb bob
	kill -STOP "$tpid"
	perl_send ta 'join("", ("x" x 1000 . "\n") x 4000)'
	send ta "still moving\n"
	check "with the host's terminal not read, 4 MB later the room still moves" \
	    wait_line "$T/tb.out" "<alice> still moving" 15
	kill -CONT "$tpid"
	tmux -L "$tms" kill-server 2>/dev/null
else
	skip "tmux not installed"
fi

# === 7. Started with stdin and stdout closed ================================

cat >"$T/closedchat" <<EOF
#!/bin/sh
exec "$CHAT" "\$@" <&- >&-
EOF
chmod +x "$T/closedchat"
CHAT=$T/closedchat
start_host closed || diag "host with stdin and stdout closed did not start"
CHAT=$chat
if joined_or_gone calice alice && joined_or_gone cbob bob; then
	say calice "hello bob"
	check "a host started <&- >&- serves a room: two peers join and talk" \
	    wait_line "$T/cbob.out" "<alice> hello bob" 5
else
	not_ok "a host started <&- >&- serves a room: two peers join and talk"
	show "$T/calice.out"
fi
check "and a newcomer is welcomed there, the others told" \
    eval 'joined_or_gone ccarol carol && wait_line "$T/calice.out" "*** carol joined"'

start_host open || diag "host did not start"
join_room oalice alice
join_room obob bob
CHAT=$T/closedchat
spawn carol "$CHAT" -n carol -q -1 127.0.0.1 "$PORT"
CHAT=$chat
wait_line "$T/oalice.out" "*** carol joined"
say oalice "hello carol"
say obob "after carol"
wait_line "$T/oalice.out" "<bob> after carol"
check "a client started <&- >&- with -q -1 stays in the room" \
    eval 'lacks "$T/oalice.out" "^\*\*\* carol left" && running carol'

# === 8. A piped file is sent as text, every line =============================

start_host pipe || diag "host did not start"
join_room pbob bob
join_room palice alice
printf '/usr/bin/ld: cannot find -lssl\n/me hi\n/nick hacked\n/quit\nlast\n' >"$T/build.in"
run build 10 "$CHAT" -n build 127.0.0.1 "$PORT" <"$T/build.in"
say palice "after the build"
wait_line "$T/pbob.out" "<alice> after the build"
for l in '/usr/bin/ld: cannot find -lssl' '/me hi' '/nick hacked' '/quit' 'last'; do
	check "a piped line '$l' reaches the room as text" \
	    has_line "$T/pbob.out" "<build> $l"
done

# === 10. The cut at the line limit ========================================

start_host cut || diag "host did not start"
raw_join cwatch watch
raw_join ceve eve
perl_send ceve '"c" x 4096, "\r"'
sleep 0.3	# not synchronisation: the pause is what makes it a split write
send ceve '\n'
want_perl '"<eve> ", "c" x 4096'
wait_for "$T/cwatch.out" '^<eve> c'
marker ceve
check "4096 bytes, then CR and LF in separate writes: relayed whole, and no 'line too long'" \
    eval 'has_want "$T/cwatch.out" && lacks "$T/ceve.out" "line too long"'

cuts=$(count "$T/ceve.out" '^\*\*\* line too long')
perl_send ceve '"k" x 4096, "\x80\n"'
wait_count "$T/ceve.out" '^\*\*\* line too long' $((cuts + 1))
marker cwatch
want_perl '"<eve> ", "k" x 4096'
got=$(grep '^<eve> k' "$T/cwatch.out" | LC_ALL=C awk '{ print length($0) - 6 }')
check "4096 bytes then a stray continuation byte: all 4096 are kept (got ${got:-none})" \
    has_want "$T/cwatch.out"

# === 5, 9. Checked last ====================================================

# late_ticks : the ticks of alice that took more than 2 s to reach bob,
# or did not (as "I(-)").
late_ticks() {
	awk '/^tick / { sent[$2] = $4 }
	     /^<alice> tick / { got[$3] = $5 }
	     END { for (i = 1; i <= 6; i++)
		if (!(i in got)) printf " %d(-)", i
		else if (got[i] - sent[i] > 2) printf " %d(%.1f s)", i, got[i] - sent[i] }' \
	    "$T/falice.out" "$T/fbob.out"
}
wait_count "$T/falice.out" '^tick ' 6 20
wait_count "$T/fbob.out" '^<alice> tick ' 6 10
late=$(late_ticks)
check "during mallory's /help flood, each of alice's lines reaches bob within 2 s${late:+ (late:$late)}" \
    eval 'test -z "$late" && [ "$(count "$T/falice.out" "^tick ")" -eq 6 ]'
kill "$(pid_of mallory)" 2>/dev/null

# The connections in the first 5 s after the first one: with waits of
# 0.5, 1 and 2 s (give or take a quarter) between them, 4 of them; at
# most 5, and at least 3 (a client that never reconnects makes 1).
# Each gap is longer than the one before it.
waits 20 count "$T/dropper.out" '^connection ' 4
# until 5 s after the first connection
perl -MTime::HiRes=time,sleep -e 'open my $f, "<", $ARGV[0] or exit 1;
    while (<$f>) { next unless /^connection (\S+)/; my $d = $1 + 5.1 - time;
	sleep $d if $d > 0; last }' "$T/dropper.out"
set -- $(awk '/^connection / { if (!t) t = $2; if ($2 < t + 5) { n++; printf "%s ", $2 } }
    END { print "" }' "$T/dropper.out")
c=$#
check "chat -r against a host that drops at once backs off: $c connections in 5 s (3 to 5)" \
    eval '[ "$c" -ge 3 ] && [ "$c" -le 5 ]'
gaps=$(printf '%s\n' "$@" | awk 'NR > 1 { printf "%s%.2f", sep, $1 - p; sep = " " } { p = $1 }')
check "and waits longer each time: gaps of $gaps s" \
    eval 'printf "%s\n" $gaps | awk '"'"'NR > 1 && $1 <= p { bad = 1 } { p = $1 } END { exit bad || NR < 2 }'"'"
kill "$(pid_of rdrop)" "$(pid_of dropper)" 2>/dev/null || :
