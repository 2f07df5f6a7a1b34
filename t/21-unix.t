#!/bin/sh
# Rooms on a Unix-domain socket (-U PATH): chat clients and nc -U talk
# there as over TCP, with every rule of the room; the host removes a
# stale socket file it can prove dead, never a live room's or a file
# that is not a socket, and removes its own when it goes; the file's
# permissions decide who may join; -r, -P and the usage errors.
. "$(dirname "$0")/lib.sh"

plan 69

# unix_host LABEL PATH [ARGS...] : host a room as "host" on the socket
# PATH, with -C and -v; true once it says it listens there (false if it
# exits first).
unix_host() {
	local _h="$1" _p="$2"; shift 2
	spawn "$_h" "$CHAT" -l -C -v -n host -U "$_p" "$@" || return 1
	waits 10 line "$T/$_h.err" "chat: listening on $_p" or size "$T/$_h.rc"
	has_line "$T/$_h.err" "chat: listening on $_p"
}

# unix_join LABEL NICK PATH [ARGS...] : a chat client named NICK in the
# room at PATH, welcomed.
unix_join() {
	local _l="$1" _nick="$2" _p="$3"; shift 3
	spawn "$_l" "$CHAT" -C -n "$_nick" "$@" -U "$_p" || return 1
	wait_for "$T/$_l.out" '^\*\*\* welcome '
}

# probe PATH NICK : connect to the socket at PATH as a raw peer named
# NICK and print the first line the host sends, or why connecting
# failed (exit 1).
cat >"$T/probe.pl" <<'EOF'
use Socket;
socket(my $s, PF_UNIX, SOCK_STREAM, 0) or die "socket: $!\n";
connect($s, pack_sockaddr_un($ARGV[0])) or do { print "connect: $!\n"; exit 1 };
syswrite $s, "/nick $ARGV[1]\n";
alarm 10;
print scalar <$s>;
EOF
probe() { perl "$T/probe.pl" "$@"; }

# dead_socket PATH : a socket file at PATH that nobody listens on, as a
# process killed while it listened leaves one.
dead_socket() {
	perl -MSocket -e '
		socket(my $s, PF_UNIX, SOCK_STREAM, 0) or die "socket: $!\n";
		bind($s, pack_sockaddr_un($ARGV[0])) or die "bind: $!\n";
		listen($s, 1) or die "listen: $!\n";' "$1"
}

# cloexec PID : every socket PID has open is close-on-exec (Linux /proc).
cloexec() {
	perl -e '
		my ($pid, $n) = (@ARGV, 0);
		for my $fd (glob "/proc/$pid/fd/*") {
			next unless (readlink($fd) // "") =~ /^socket:/;
			my ($num) = $fd =~ m{(\d+)$};
			open my $f, "<", "/proc/$pid/fdinfo/$num" or exit 1;
			my ($fl) = join("", <$f>) =~ /^flags:\s+(\d+)/m;
			exit 1 unless oct($fl) & 02000000;
			$n++;
		}
		exit($n ? 0 : 1);' "$1"
}

S=$T/room.sock

# --- a room on a socket ------------------------------------------------------

check "chat -l -U PATH -v says: chat: listening on PATH" unix_host host "$S" ||
    give_up "host -U did not start"
check "the room is a socket file at PATH" test -S "$S"

unix_join alice alice "$S" -v
check "chat -U PATH joins: the welcome lists who is here" \
    welcomed alice '^\*\*\* welcome alice\. here: host\. type /help for commands$'
check "-v client says: chat: connected to PATH" \
    wait_line "$T/alice.err" "chat: connected to $S"
unix_join bob bob "$S"
wait_line "$T/alice.out" "*** bob joined"
if command -v nc >/dev/null 2>&1 && nc -h 2>&1 | grep -q -- '-U'; then
	spawn_typed carol '/nick carol\n' nc -U "$S"
	check "nc -U PATH joins with /nick" wait_line "$T/alice.out" "*** carol joined"
	HAVE_NC=1
else
	# the same peer, in perl
	spawn_typed carol '/nick carol\n' perl -MSocket -MIO::Select -e '
		socket(my $s, PF_UNIX, SOCK_STREAM, 0) or die "$!\n";
		connect($s, pack_sockaddr_un($ARGV[0])) or die "$!\n";
		$| = 1;
		my $sel = IO::Select->new($s, \*STDIN);
		while (my @r = $sel->can_read) { for (@r) {
			sysread($_, my $b, 65536) or exit 0;
			$_ == $s ? print $b : syswrite $s, $b } }' "$S"
	check "a raw peer on PATH joins with /nick (no nc -U here)" \
	    wait_line "$T/alice.out" "*** carol joined"
	HAVE_NC=
fi

say alice "hello over a socket"
check "a room line reaches a chat client, stamped <alice>" \
    wait_line "$T/bob.out" "<alice> hello over a socket"
check "and nc, stamped the same" wait_line "$T/carol.out" "<alice> hello over a socket"
check "and the host's stdout" wait_line "$T/host.out" "<alice> hello over a socket"
send carol 'hi\n<bob> fake\n'
check "nc's lines are stamped with its nick, each line of a write" \
    eval 'wait_line "$T/alice.out" "<carol> <bob> fake" && has_line "$T/alice.out" "<carol> hi"'
check "no line appears to come from the spoofed nick" \
    absent "$T/bob.out" "<carol> <bob> fake" '^<bob> fake'
send carol 'a\033[2J\007b\r\n'
check "control bytes and the CR are taken out" wait_line "$T/bob.out" "<carol> a[2Jb"
check "what the clients print is clean UTF-8" \
    eval 'clean_utf8 "$T/alice.out" && clean_utf8 "$T/bob.out"'
perl_send carol '"x" x 5000 . "\n"'
check "an overlong line is cut to 4096 bytes, and its sender told" \
    eval 'wait_line "$T/carol.out" "*** line too long, cut to 4096 bytes" &&
	wait_line "$T/alice.out" "<carol> $(printf "x%.0s" $(seq 4096))"'
say bob "/msg alice psst"
check "/msg works over the socket" wait_line "$T/alice.out" "*bob* psst"
say alice "/who"
check "/who lists everyone" \
    eval 'wait_for "$T/alice.out" "^\*\*\* here: " &&
	[ "$(here_of "$(grep "^\*\*\* here: " "$T/alice.out")")" = "alice bob carol host" ]'
spawn_in /dev/null late "$CHAT" -H -n late -q 1 -U "$S"
check "a newcomer gets the history, each line after its time" \
    wait_for "$T/late.out" '^[0-9][0-9]:[0-9][0-9] <alice> hello over a socket$'
check "-q: it leaves after stdin EOF and exits 0" \
    eval 'wait_exit late && [ "$RC" -eq 0 ] && wait_line "$T/alice.out" "*** late left"'
# Half a megabyte through the room while nc stops reading for a moment: the
# host queues what the socket does not take, and loses nothing.
signal carol STOP
perl -e 'print "flood $_\n" for 1 .. 20000' 1<>"$T/alice.in"
sleep 0.3	# not synchronisation: the pause is what makes nc fall behind
signal carol CONT
check "a flood reaches nc, after it stopped reading for a while" \
    wait_line "$T/carol.out" "<alice> flood 20000" 30
check "every line of it, once, in order" \
    eval '[ "$(sed -n "s/^<alice> flood //p" "$T/carol.out" |
	awk "\$1 != NR { bad = 1 } END { print NR, bad + 0 }")" = "20000 0" ]'
unix_join waiter waiter "$S" -w 5
check "-w: a client with a time limit per attempt joins too" \
    wait_line "$T/alice.out" "*** waiter joined"
run done 10 sh -c 'echo "build done" | "$1" -n ci -U "$2"' sh "$CHAT" "$S"
check "echo | chat -U PATH exits 0 once the host has the line" \
    eval '[ "$RC" -eq 0 ] && has_line "$T/host.out" "<ci> build done"'

pid=$(plain_chat_pid host) && cpid=$(plain_chat_pid alice)
if [ -n "$pid" ] && [ -n "$cpid" ]; then
	check "the host's sockets, the listener too, are close-on-exec" cloexec "$pid"
	check "so is the client's" cloexec "$cpid"
else
	skip "close-on-exec: needs /proc and a plain chat build"
	skip "close-on-exec: needs /proc and a plain chat build"
fi

# --- a live room is not stolen; what is not a socket is not removed -------

run second 10 "$CHAT" -l -n host2 -U "$S" </dev/null
check "a second host on a live room's path exits 1" eval '[ "$RC" -eq 1 ]'
is "$(cat "$T/second.err")" "chat: $S: a room is already open there" \
    "saying a room is already open there"
say alice "still the first room"
check "the first room goes on, on the same socket" \
    eval 'test -S "$S" && wait_line "$T/bob.out" "<alice> still the first room"'
check "and never heard of the second host's look at it" \
    absent "$T/host.out" "<alice> still the first room" 'guest'
unix_join alice2 alice2 "$S"
check "newcomers still join it" wait_line "$T/bob.out" "*** alice2 joined"

printf 'precious\n' >"$T/file"
run notsock 10 "$CHAT" -l -n host -U "$T/file" </dev/null
check "a host on a path that is a plain file exits 1" eval '[ "$RC" -eq 1 ]'
is "$(cat "$T/notsock.err")" "chat: $T/file: exists and is not a socket; not removed" \
    "saying it is not a socket"
is "$(cat "$T/file")" "precious" "and the file is left as it was"
mkfifo "$T/fifo"
run notsock2 10 "$CHAT" -l -n host -U "$T/fifo" </dev/null
check "a FIFO there is refused too, and kept" eval '[ "$RC" -eq 1 ] && test -p "$T/fifo"'
run nodir 10 "$CHAT" -l -n host -U "$T/none/room.sock" </dev/null
check "a path in no directory: exit 1, cannot listen, and why" \
    eval '[ "$RC" -eq 1 ] &&
	[ "$(cat "$T/nodir.err")" = "chat: cannot listen on $T/none/room.sock: No such file or directory" ]'
run noroom 10 "$CHAT" -n a -U "$T/none.sock" </dev/null
check "a client where no room is: exit 1, cannot connect to PATH, and why" \
    eval '[ "$RC" -eq 1 ] &&
	[ "$(cat "$T/noroom.err")" = "chat: cannot connect to $T/none.sock: No such file or directory" ]'

# --- the host removes its socket file when it goes ----------------------------

say host "/quit"
check "/quit at the host: the room is told, the host exits 0" \
    eval 'wait_line "$T/bob.out" "*** host shutting down" && wait_exit host && [ "$RC" -eq 0 ]'
check "and the socket file is gone" test ! -e "$S"

unix_host term "$T/term.sock" || diag "host did not start"
signal term TERM
check "SIGTERM: the host exits 0 and removes its socket file" \
    eval 'wait_exit term && [ "$RC" -eq 0 ] && test ! -e "$T/term.sock"'

unix_host hup "$T/hup.sock" || diag "host did not start"
unix_join hupper hupper "$T/hup.sock"
signal hup HUP
check "SIGHUP too, with a member still there when it closed" \
    eval 'wait_exit hup && [ "$RC" -eq 0 ] && test ! -e "$T/hup.sock" &&
	wait_exit hupper && [ "$RC" -eq 0 ]'

# A host whose file was replaced by another host's leaves that one be.
unix_host old "$T/swap.sock" || diag "host did not start"
rm -f "$T/swap.sock"
unix_host new "$T/swap.sock" || diag "host did not start"
signal old TERM
wait_exit old
check "a host that goes does not remove a socket another host put at its path" \
    test -S "$T/swap.sock"
check "and that host's room still takes newcomers" \
    eval 'test "$(probe "$T/swap.sock" x)" = "*** welcome x. here: host. type /help for commands"'

# --- a stale socket file is removed ---------------------------------------

unix_host killed "$T/stale.sock" || diag "host did not start"
signal killed KILL
wait_exit killed
check "a host killed with SIGKILL leaves its socket file behind" test -S "$T/stale.sock"
check "a host started there finds it dead, removes it and listens" \
    unix_host revived "$T/stale.sock"
check "and its room takes newcomers" \
    eval 'test "$(probe "$T/stale.sock" y)" = "*** welcome y. here: host. type /help for commands"'
dead_socket "$T/dead.sock"
check "a socket nobody listens on (left by another program) is removed too" \
    eval 'test -S "$T/dead.sock" && unix_host dead "$T/dead.sock"'

# --- permissions decide who may join ----------------------------------------

spawn masked sh -c 'umask 077 && exec "$@"' sh "$CHAT" -l -v -n host -U "$T/mask.sock"
wait_line "$T/masked.err" "chat: listening on $T/mask.sock"
is "$(ls -l "$T/mask.sock" | cut -c1-10)" "srwx------" \
    "the socket file gets its permissions from the umask"

if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1 && id nobody >/dev/null 2>&1; then
	# root passes every permission check: try as nobody, through a
	# directory it may enter
	chmod 711 "$T"
	as_other() { setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups "$@"; }
	who="nobody"
elif [ "$(id -u)" != 0 ]; then
	# the owner is shut out as well by mode 000
	as_other() { "$@"; }
	who="its owner"
fi
if [ -n "${who:-}" ]; then
	if [ "$who" = nobody ]; then mode=600; else mode=000; fi
	chmod "$mode" "$T/mask.sock"
	got=$(as_other perl "$T/probe.pl" "$T/mask.sock" z)
	is "$got" "connect: Permission denied" "chmod $mode on the socket file: $who cannot join"
	chmod 666 "$T/mask.sock"
	got=$(as_other perl "$T/probe.pl" "$T/mask.sock" z)
	is "$got" "*** welcome z. here: host. type /help for commands" \
	    "chmod 666 on it: $who joins"
else
	skip "permissions: root, and no setpriv or no user nobody"
	skip "permissions: root, and no setpriv or no user nobody"
fi

# --- -r reconnects to a room started again at the path -----------------------

R=$T/redial.sock
unix_host rhost "$R" || diag "host did not start"
unix_join rc rc "$R" -r
signal rhost TERM
check "-r: the host closed the room, the client says it reconnects" \
    wait_line "$T/rc.err" "chat: the host closed the room; reconnecting"
check "while no room is there it keeps trying, naming the path" \
    wait_for "$T/rc.err" "^chat: cannot connect to $R: .*; trying again in [0-9.]+ s$"
unix_host rhost2 "$R" || diag "host did not start"
check "once a host is there again it reconnects: chat: reconnected to PATH" \
    wait_line "$T/rc.err" "chat: reconnected to $R"
check "and is welcomed in the new room" wait_count "$T/rc.out" '^\*\*\* welcome rc\. ' 2
say rc "back again"
check "what it says reaches the new room" wait_line "$T/rhost2.out" "<rc> back again"

# --- a password room on a socket -------------------------------------------

P=$T/pass.sock
unix_host phost "$P" -P sekrit || diag "host -P did not start"
unix_join pa pa "$P" -P sekrit
check "chat -U -P with the password joins, without the password notice" \
    eval 'welcomed pa "^\*\*\* welcome pa\. here: host\. " && lacks "$T/pa.out" "needs a password"'
run pbad 10 "$CHAT" -n pbad -P wrong -U "$P" </dev/null
check "a wrong password: exit 1, chat: wrong password" \
    eval '[ "$RC" -eq 1 ] && [ "$(cat "$T/pbad.err")" = "chat: wrong password" ]'
check "raw, no /pass first: *** wrong password" \
    eval 'test "$(probe "$P" raw)" = "*** this room needs a password: send /pass PASSWORD"'
say pa "marker after the wrong ones"
check "the room never heard of those turned away" \
    absent "$T/phost.out" "<pa> marker after the wrong ones" 'pbad|raw'
# Unix-domain peers are told apart by the user they run as. Eight idle
# connections of one user, renewed all the while, do not keep out one
# of that user who gives the password: the oldest waiting makes room.
# (First the pause after the wrong passwords above ends: a join is read.)
unix_join pb pb "$P" -P sekrit
spawn waiters perl -MSocket -MTime::HiRes=sleep -e '
	my @s;
	$| = 1;
	for my $i (1 .. 400) {
		socket(my $s, PF_UNIX, SOCK_STREAM, 0) or die "$!\n";
		connect($s, pack_sockaddr_un($ARGV[0])) or die "$!\n";
		push @s, $s;
		shift @s if @s > 8;
		print "waiting\n" if $i == 8;
		sleep 0.05;
	}' "$P"
wait_line "$T/waiters.out" "waiting"
ins=0
for i in 1 2 3; do
	got=$(perl -MSocket -e '
		socket(my $s, PF_UNIX, SOCK_STREAM, 0) or die "$!\n";
		connect($s, pack_sockaddr_un($ARGV[0])) or die "$!\n";
		syswrite($s, "/pass sekrit\n/nick v$ARGV[1]\n");
		alarm 5;
		while (<$s>) { print, last if /^\*\*\* (welcome|too many)/ }' "$P" "$i")
	case $got in "*** welcome v$i. "*) ins=$((ins + 1)) ;; *) diag "try $i: $got" ;; esac
done
is "$ins" 3 "eight idle connections of one user, renewed, keep out none of that user with the password"
kill "$(pid_of waiters)" 2>/dev/null
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1 && id nobody >/dev/null 2>&1; then
	# eight of nobody's wait; a connection of root's is another user's,
	# and makes none of them go
	chmod 711 "$T"
	chmod 666 "$P"
	spawn_in /dev/null others setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups \
	    perl -MSocket -e '
		my @s = map {
			socket(my $s, PF_UNIX, SOCK_STREAM, 0) or die "$!\n";
			connect($s, pack_sockaddr_un($ARGV[0])) or die "$!\n"; $s } 1 .. 8;
		$| = 1;
		print "waiting\n";
		sleep 1 until -e $ARGV[1];
		my $told = 0;
		for my $s (@s) {
			my $rin = "";
			vec($rin, fileno $s, 1) = 1;
			select(my $r = $rin, undef, undef, 0.2) or next;
			sysread($s, my $buf, 4096);
			$told++ if $buf =~ /too many/;
		}
		print "told $told\n";' "$P" "$T/others.go"
	wait_line "$T/others.out" "waiting"
	got=$(perl -MSocket -e '
		socket(my $s, PF_UNIX, SOCK_STREAM, 0) or die "$!\n";
		connect($s, pack_sockaddr_un($ARGV[0])) or die "$!\n";
		alarm 5;
		print scalar <$s>;' "$P")
	touch "$T/others.go"
	wait_for "$T/others.out" '^told ' 10
	check "another user's connection is not counted with theirs: none of the eight made room" \
	    eval '[ "$got" = "*** this room needs a password: send /pass PASSWORD" ] &&
		has_line "$T/others.out" "told 0"'
else
	skip "Unix-domain users told apart: needs root, setpriv and the user nobody"
fi

# --- usage ----------------------------------------------------------------

# usage_error NAME WANT ARGS... : chat ARGS exits 2 with WANT as the
# first line on stderr, and nothing on stdout.
usage_error() {
	local _name="$1" _want="$2"; shift 2
	run usage 5 "$CHAT" "$@" </dev/null
	if [ "$RC" -eq 2 ] && [ "$(head -n 1 "$T/usage.err")" = "$_want" ] &&
	    has "$T/usage.err" '^usage: ' && [ ! -s "$T/usage.out" ]; then
		ok "$_name: error on stderr, usage, exit 2"
	else
		not_ok "$_name: error on stderr, usage, exit 2"
		diag "chat $*: exit $RC"; show "$T/usage.out"; show "$T/usage.err"
	fi
}
usage_error "-l -U with a port" "chat: -U PATH takes the place of the port" \
    -l -n a -U "$T/u.sock" 0
usage_error "-U with a host" "chat: -U PATH takes the place of the host and port" \
    -n a -U "$T/u.sock" 127.0.0.1
usage_error "-U with a host and port" "chat: -U PATH takes the place of the host and port" \
    -n a -U "$T/u.sock" 127.0.0.1 1
usage_error "-U with -s" "chat: cannot use -4, -6 or -s with -U" \
    -l -n a -s 127.0.0.1 -U "$T/u.sock"
usage_error "-U with -4" "chat: cannot use -4, -6 or -s with -U" -4 -n a -U "$T/u.sock"
usage_error "-U with -6" "chat: cannot use -4, -6 or -s with -U" -l -6 -n a -U "$T/u.sock"
long=$T/$(printf 'l%.0s' $(seq 120)).sock
usage_error "-U with a path too long for a socket" \
    "chat: invalid -U path (1 to 107 bytes): $long" -l -n a -U "$long"
usage_error "-U with an empty path" "chat: invalid -U path (1 to 107 bytes): " -n a -U ''
check "no socket file was made by any of them" \
    eval 'test ! -e "$T/u.sock" && test ! -e "$long"'

# --- at a terminal --------------------------------------------------------

if command -v tmux >/dev/null 2>&1; then
	tmux_up 0 200 10	# wide enough for the sign on one row
	tm respawn-pane -k -t t "'$CHAT' -l -n host -U '$T/tty.sock'; echo \$? >'$T/tty.rc'; sleep 100000"
	check "at a terminal the host says how to join: chat -U PATH (or nc -U PATH)" \
	    wait_screen "^chat: room open on $T/tty.sock; join with: chat -U $T/tty.sock \\(or nc -U $T/tty.sock\\)\$"
	keys C-c
	check "Ctrl-C closes the room: exit 0, the socket file gone" \
	    eval 'poll 10 test -s "$T/tty.rc" && [ "$(cat "$T/tty.rc")" = 0 ] && test ! -e "$T/tty.sock"'
else
	skip "tmux not installed"
	skip "tmux not installed"
fi
