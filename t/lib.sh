# t/lib.sh - shared helpers for the chat test scripts.
#
# Sourced by every t/NN-area.t as  . "$(dirname "$0")/lib.sh"
# It gives each script a private tmp dir, TAP output helpers, a way to
# start hosts, chat clients and raw byte-level peers in the background
# with their stdin on a FIFO the test can type into, and polling waits
# with deadlines.  Every process started through these helpers is killed
# and the tmp dir removed when the script ends, however it ends.
#
# The scripts run under #!/bin/sh: dash on Debian, bash or an ash on
# most other systems.  Every variable a helper (here or in a script)
# uses for itself is declared `local`, which all of those have, though
# POSIX does not: a helper may run a command that runs the same helper
# again (check NAME wait_line ..., poll N eval 'wait_exit ...'), and a
# shared variable would change under it.  A helper that sets a global
# for its caller says so (RC, PORT).
#
# Processes are known by a LABEL; their files live in $T:
#   $T/LABEL.in   FIFO on the process's stdin (held open until hangup)
#   $T/LABEL.out  its stdout       $T/LABEL.err  its stderr
#   $T/LABEL.pid  its pid          $T/LABEL.rc   its exit status, once it exited

CHAT=${CHAT:-$PWD/chat}
TDIR=$(cd "$(dirname "$0")" && pwd)	# t/, for its helpers
T=$(mktemp -d "${TMPDIR:-/tmp}/chat-test.XXXXXX") || exit 1
mkfifo "$T/pid.fifo" || exit 1	# spawn_in learns pids on it
PIDS=
PGIDS=	# process groups of their own (spawn_group), ended whole
n=0

# Everything gets SIGTERM and up to 5 s to end on its own before SIGKILL:
# a sanitiser build checks for leaks as it exits, and a SIGKILL in the
# middle of that leaves a report of its own ("Unable to get registers").
cleanup() {
	local p
	for p in $PGIDS; do
		kill -- "-$p" 2>/dev/null
	done
	for p in $PIDS $POLL_TIMERS; do
		kill "$p" 2>/dev/null
	done
	waits 5 gone "$PIDS"
	for p in $PGIDS; do
		kill -9 -- "-$p" 2>/dev/null
	done
	for p in $PIDS; do
		kill -9 "$p" 2>/dev/null
	done
	wait 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
# A write to a peer that has gone must fail the test, not kill the script.
trap '' PIPE

if [ ! -x "$CHAT" ]; then
	echo "Bail out! no executable $CHAT (run make, or set CHAT)"
	exit 1
fi

# --- TAP ---------------------------------------------------------------

plan() { PLAN=$1; echo "1..$1"; }
diag() { printf '# %s\n' "$*" >&2; }
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $*"; }
skip() { n=$((n + 1)); echo "ok $n # skip $*"; }

# give_up REASON : fail every test still planned, at once, and exit;
# for when nothing after this point can work (the host did not start).
give_up() {
	diag "giving up: $*"
	while [ "$n" -lt "${PLAN:-0}" ]; do not_ok "$*"; done
	exit 1
}

# check NAME CMD... : one test, passing when CMD succeeds.
check() {
	local _name="$1"; shift
	if "$@"; then ok "$_name"; else not_ok "$_name"; fi
}

# is GOT WANT NAME : one test, passing when the two strings are equal.
is() {
	if [ "$1" = "$2" ]; then
		ok "$3"
	else
		not_ok "$3"
		diag "     got: '$1'"
		diag "expected: '$2'"
	fi
}

# show FILE : the file (control bytes made visible) as TAP diagnostics.
show() {
	diag "--- $(basename "$1") ---"
	if [ -s "$1" ]; then
		tail -n 15 "$1" | cat -v | sed 's/^/#   /' >&2
	fi
}

# --- waiting -------------------------------------------------------------

# Every wait is one process, waits (perl t/wait.pl), that blocks until
# what it waits for holds, or its deadline passes: SECS counted by the
# clock, not in ticks.  It reads a file as the file grows, 10 ms apart,
# and the terminal only when tmux says the pane wrote something; it
# starts no process per look.  Its conditions, any of which will do
# (COND or COND ...):
#   line FILE TEXT      FILE has a line that is exactly TEXT
#   re FILE REGEX       a line of FILE matches the regex (Perl's, which
#                       for every pattern here means what grep -E does)
#   count FILE REGEX N  N lines of FILE match it
#   size FILE           FILE is there and not empty
#   exists FILE         FILE is there
#   gone "PID..."       none of these processes runs (a zombie has ended)
#   screen REGEX        a row of the terminal (tmux_up) matches
#   showing TEXT COL    the cursor's row reads TEXT, the cursor at COL
#   sent TEXT           the row above the cursor's reads TEXT, the
#                       cursor's row is empty and the cursor at 0
# All on bytes, as LC_ALL=C grep would match them.
waits() { TM=${TM:-} perl "$TDIR/wait.pl" "$@"; }

# poll SECS CMD... : for what no condition of waits can see: run CMD
# until it succeeds, 10 ms after the first try and then ever less often
# (at most 200 ms apart), for at most SECS, timed by a sleep of SECS.
POLL_TIMERS=
poll() {
	local _poll_s="$1" _poll_p=0.01 _poll_t
	shift
	"$@" && return 0
	sleep "$_poll_s" &
	_poll_t=$!
	POLL_TIMERS="$POLL_TIMERS $_poll_t"
	# a foreground sleep lets the shell reap the timer once it is done
	while kill -0 "$_poll_t" 2>/dev/null; do
		sleep "$_poll_p"
		if "$@"; then
			kill "$_poll_t" 2>/dev/null
			return 0
		fi
		case $_poll_p in
		0.01) _poll_p=0.02 ;; 0.02) _poll_p=0.05 ;; 0.05) _poll_p=0.1 ;; *) _poll_p=0.2 ;;
		esac
	done
	return 1
}

# Matching is on bytes (LC_ALL=C) so UTF-8 and stray bytes compare exactly.
has() { LC_ALL=C grep -Eq -- "$2" "$1" 2>/dev/null; }
has_line() { LC_ALL=C grep -Fxq -- "$2" "$1" 2>/dev/null; }
lacks() { ! has "$@"; }
lacks_line() { ! has_line "$@"; }
count() { LC_ALL=C grep -Ec -- "$2" "$1" 2>/dev/null; }
count_at_least() { [ "$(count "$1" "$2")" -ge "$3" ]; }

# absent FILE MARKER REGEX : once the line MARKER is in FILE (waiting
# for it), no line of FILE matches REGEX.  Send MARKER after whatever
# must not arrive: then its absence means it will not come.  Without
# the marker this fails, so a dead peer cannot pass for a quiet one.
absent() { wait_line "$1" "$2" && lacks "$1" "$3"; }

# wait_for FILE REGEX [SECS] : until a line of FILE matches the ERE.
wait_for() {
	waits "${3:-10}" re "$1" "$2" && return 0
	diag "timed out after ${3:-10}s waiting for /$2/ in $(basename "$1")"
	show "$1"
	return 1
}

# wait_line FILE LINE [SECS] : until FILE has exactly this line.
wait_line() {
	waits "${3:-10}" line "$1" "$2" && return 0
	diag "timed out after ${3:-10}s waiting for line '$2' in $(basename "$1")"
	show "$1"
	return 1
}

# wait_count FILE REGEX N [SECS] : until N lines of FILE match the ERE.
wait_count() {
	waits "${4:-10}" count "$1" "$2" "$3" && return 0
	diag "timed out after ${4:-10}s waiting for $3 lines /$2/ in $(basename "$1")"
	show "$1"
	return 1
}

# wait_exit LABEL [SECS] : until LABEL's process exits; its status in RC.
wait_exit() {
	if waits "${2:-10}" size "$T/$1.rc"; then
		read -r RC <"$T/$1.rc"
		return 0
	fi
	RC=
	diag "timed out after ${2:-10}s waiting for $1 to exit"
	return 1
}

# running LABEL : LABEL's process has not exited (yet).
running() { [ ! -s "$T/$1.rc" ]; }

# sized SMALL FULL : the lines of a flood: SMALL, the fewest that still
# cross the limit the flood is for, or with FLOOD=full (make check) the
# FULL size, well past it.
sized() { if [ "${FLOOD:-}" = full ]; then echo "$2"; else echo "$1"; fi; }

# --- processes -----------------------------------------------------------

# spawn LABEL CMD... : run CMD in the background.  Its stdin is the FIFO
# $T/LABEL.in, held open by a sleeping writer so the test can type lines
# later (say, send) and close it (hangup).  The exit status lands in
# $T/LABEL.rc.
spawn() {
	mkfifo "$T/$1.in" || return 1
	# O_RDWR never blocks on a FIFO and keeps a writer alive.  It is
	# opened here and the holder inherits it, so the FIFO is held before
	# spawn returns: bytes written to a FIFO that nobody holds open are
	# lost when the writer closes it.
	exec 9<>"$T/$1.in"
	sleep 100000 1>&9 &
	exec 9>&-
	echo $! >"$T/$1.hold"
	PIDS="$PIDS $!"
	spawn_in "$T/$1.in" "$@"
}

# spawn_typed LABEL FORMAT CMD... : spawn, with the bytes of FORMAT (a
# printf format) already waiting on stdin, so a tool that names itself
# with them (nc, socat...) sends them the moment it connects: a peer
# silent for 250 ms joins as guestN, and a busy test can take that long
# to type.  The holder writes them itself, so they cannot be lost before
# it holds the FIFO open.
spawn_typed() {
	local _t="$1" _f="$2"; shift 2
	mkfifo "$T/$_t.in" || return 1
	{ printf "$_f"; exec sleep 100000; } 1<>"$T/$_t.in" &
	echo $! >"$T/$_t.hold"
	PIDS="$PIDS $!"
	spawn_in "$T/$_t.in" "$_t" "$@"
}

# spawn_in FILE LABEL CMD... : spawn with stdin from FILE.
spawn_in() {
	local _in="$1" _l="$2" _pid; shift 2
	: >"$T/$_l.out"
	(
		"$@" <"$_in" >"$T/$_l.out" 2>"$T/$_l.err" &
		echo $! >"$T/pid.fifo"
		wait $!
		echo $? >"$T/$_l.rc"
	) 2>/dev/null &
	PIDS="$PIDS $!"
	# The subshell writes the pid on the FIFO as soon as it has started
	# CMD; until then the read blocks (no process, no polling).  One
	# spawn at a time: the FIFO is the script's.
	read -r _pid <"$T/pid.fifo"
	echo "$_pid" >"$T/$_l.pid"
	PIDS="$PIDS $_pid"
}

# spawn_group LABEL CMD... : spawn, with CMD in a process group of its
# own: a shell running a pipeline, say, whose every process is ended
# with it when the script ends.
spawn_group() {
	local _l="$1"; shift
	spawn "$_l" perl -e 'setpgrp(0, 0); exec @ARGV or die "exec $ARGV[0]: $!\n"' "$@" ||
		return 1
	PGIDS="$PGIDS $(pid_of "$_l")"
}

pid_of() { local _p; read -r _p <"$T/$1.pid" && echo "$_p"; }
out() { echo "$T/$1.out"; }
err() { echo "$T/$1.err"; }

# signal LABEL SIG : send a signal to LABEL's process.
signal() { kill -s "$2" "$(pid_of "$1")"; }

# say LABEL TEXT : type one line on LABEL's stdin.
say() { printf '%s\n' "$2" 1<>"$T/$1.in"; }

# send LABEL FORMAT : write raw bytes (a printf format) on LABEL's stdin,
# in one write.
send() { printf "$2" 1<>"$T/$1.in"; }

# hangup LABEL : end of file on LABEL's stdin.
hangup() { local _p; read -r _p <"$T/$1.hold" && kill "$_p" 2>/dev/null; }

# run LABEL SECS CMD... : run CMD in the foreground with a time limit;
# stdout and stderr go to $T/LABEL.out/.err and the status to RC
# (124 if it had to be killed).  Stdin is the caller's: redirect it.
run() {
	local _l="$1" _s="$2"; shift 2
	timeout -k 2 "$_s" "$@" >"$T/$_l.out" 2>"$T/$_l.err"
	RC=$?
	[ "$RC" -eq 124 ] && diag "$_l: killed after ${_s}s"
	return 0
}

# start_host LABEL [ARGS...] : host a room as nick "host" on a port the
# system picks, with -v; returns once it is listening, with the port in
# PORT.  ARGS go before the port (e.g. -s 127.0.0.1).  A background job
# of sh starts with SIGINT ignored, but chat sets its own handler, so
# SIGINT reaches it all the same.
# With HOST_IN set, the host's stdin is that file instead of a FIFO.
start_host() {
	local _h="$1" _spawn=spawn; shift
	[ -n "${HOST_IN:-}" ] && _spawn="spawn_in $HOST_IN"
	$_spawn "$_h" "$CHAT" -l -C -v -n host "$@" 0 || return 1
	host_port "$_h"
}

# host_port LABEL : wait for LABEL's "chat: listening on ADDR port N" on
# stderr (or its exit); the first such port in PORT, and false without one.
host_port() {
	local _line
	PORT=
	waits 10 re "$T/$1.err" '^chat: listening on .* port [0-9]+$' or size "$T/$1.rc"
	while read -r _line; do
		case $_line in
		"chat: listening on "*" port "*[0-9]) PORT=${_line##* port }; break ;;
		esac
	done <"$T/$1.err"
	case $PORT in
	'' | *[!0-9]*)
		PORT=
		diag "$1: no 'chat: listening on ADDR port N' on stderr"
		show "$T/$1.err"
		return 1 ;;
	esac
}

# join_room LABEL NICK [ARGS...] : start a chat client named NICK on the
# room at 127.0.0.1 $PORT (ADDR overrides the address) and wait for its
# welcome.
join_room() {
	local _l="$1" _nick="$2"; shift 2
	spawn "$_l" "$CHAT" -C -n "$_nick" "$@" "${ADDR:-127.0.0.1}" "$PORT" || return 1
	wait_for "$T/$_l.out" '^\*\*\* welcome '
}

# raw_peer LABEL [ADDR [FIRST [FROM]]] : connect a raw byte-level peer to
# the room, from the IPv4 address FROM if given (127.0.0.2, say: a
# loopback address other than the host's). FIRST (a printf format) is
# sent as soon as it connects, well
# within the 250 ms a newcomer has to name itself, however slow the
# test is meanwhile. Bytes written on its stdin (send, say) go to the
# host unchanged, in the writes they arrive in; everything received
# goes to its .out unchanged. When the host closes, it notes
# "raw: connection closed" on .err and exits 0.
raw_peer() {
	spawn "$1" perl "$T/raw.pl" "${2:-127.0.0.1}" "$PORT" \
	    "$(printf "${3:-}" | od -An -tx1 | tr -d ' \n')" "${4:-}"
}

# raw_join LABEL NICK : a raw peer that names itself NICK, welcomed.
raw_join() {
	raw_peer "$1" 127.0.0.1 "/nick $2\n" || return 1
	wait_for "$T/$1.out" "^\*\*\* welcome $2\. "
}

# perl_send LABEL PERL : the bytes the perl expression gives, on LABEL's
# stdin, in one write (for lines too long to write as a printf format).
perl_send() { perl -e "binmode STDOUT; print $2" 1<>"$T/$1.in"; }

# perl $PEER -e PERL : perl with peer.pm, helpers for peers written in
# perl.  Each connects to 127.0.0.1 PORT (the first argument); those
# with a small receive buffer set it before connecting, so the window
# stays small.
cat >"$T/peer.pm" <<'EOF'
use strict;
use warnings;
use Socket;
use Time::HiRes qw(time sleep);
$SIG{PIPE} = 'IGNORE';
$| = 1;
binmode STDOUT;
sub dial {
	my ($port, $rcvbuf, $from) = @_;
	socket(my $s, PF_INET, SOCK_STREAM, 0) or die "socket: $!\n";
	setsockopt($s, SOL_SOCKET, SO_RCVBUF, $rcvbuf) or die "rcvbuf: $!\n"
		if $rcvbuf;
	bind($s, pack_sockaddr_in(0, inet_aton($from))) or die "bind: $!\n"
		if $from;
	connect($s, pack_sockaddr_in($port, inet_aton("127.0.0.1")))
		or die "connect: $!\n";
	return $s;
}
sub nonblocking { my $f = fcntl($_[0], 3, 0); fcntl($_[0], 4, $f | 04000); }
sub status {
	open my $f, "<", "/proc/$_[0]/status" or return 0;
	while (<$f>) { return $1 if /^$_[1]:\s+(\d+)/ }
	return 0;
}
sub rss { status($_[0], "VmRSS") }
sub hwm { status($_[0], "VmHWM") }
# read_until SOCKET REGEX SECS : what arrives until it matches, EOF or SECS.
sub read_until {
	my ($s, $re, $secs) = @_;
	my ($got, $end) = ("", time + $secs);
	while ($got !~ $re && time < $end) {
		my $rin = '';
		vec($rin, fileno $s, 1) = 1;
		select(my $r = $rin, undef, undef, $end - time) or next;
		my $n = sysread($s, $got, 65536, length $got);
		last unless $n;
	}
	return $got;
}
1;
EOF
PEER="-I$T -mpeer"

# raw.pl loads Socket alone: IO::Socket::IP and IO::Select took 20 ms of
# CPU to load, for each of a hundred and more raw peers a run.
cat >"$T/raw.pl" <<'EOF'
use strict;
use Socket qw(:addrinfo SOCK_STREAM IPPROTO_TCP TCP_NODELAY inet_aton
    pack_sockaddr_in);

my ($host, $port, $first, $from) = @ARGV;
my ($err, @ai) = getaddrinfo($host, $port, { socktype => SOCK_STREAM });
die "raw: $host $port: $err\n" if $err;
socket(my $s, $ai[0]{family}, SOCK_STREAM, 0) or die "raw: socket: $!\n";
bind($s, pack_sockaddr_in(0, inet_aton($from))) or die "raw: bind $from: $!\n"
	if $from;
connect($s, $ai[0]{addr}) or die "raw: connect $host $port: $!\n";
setsockopt($s, IPPROTO_TCP, TCP_NODELAY, 1);
syswrite($s, pack("H*", $first)) if defined $first && length $first;
binmode STDIN;
binmode STDOUT;
$| = 1;
my $stdin = 1;
while (1) {
	my $rin = '';
	vec($rin, fileno $s, 1) = 1;
	vec($rin, 0, 1) = 1 if $stdin;
	select(my $r = $rin, undef, undef, undef) > 0 or next;
	if (vec($r, fileno $s, 1)) {
		my $n = sysread($s, my $buf, 65536);
		if (!$n) {
			print STDERR "raw: connection closed\n";
			exit 0;
		}
		syswrite(STDOUT, $buf) or die "raw: stdout: $!\n";
	}
	if ($stdin && vec($r, 0, 1)) {
		my $n = sysread(STDIN, my $buf, 65536);
		if (!$n) {
			$stdin = 0;
			next;
		}
		while (length $buf) {
			my $w = syswrite($s, $buf) // die "raw: send: $!\n";
			substr($buf, 0, $w) = '';
		}
	}
}
EOF

# fake_host LABEL FILE : a foreign host on 127.0.0.1 that sends the bytes
# of FILE to the first client, then keeps the connection open until the
# client closes it (at most 10 s).  Its port is in PORT on return.
fake_host() {
	spawn_in /dev/null "$1" perl -e '
		use IO::Socket::IP;
		$| = 1;
		my $l = IO::Socket::IP->new(LocalHost => "127.0.0.1",
		    LocalPort => 0, Listen => 1, ReuseAddr => 1) or die "$@\n";
		print $l->sockport, "\n";
		my $c = $l->accept or die "accept: $!\n";
		open my $f, "<:raw", $ARGV[0] or die "$!\n";
		local $/;
		my $bytes = <$f>;
		syswrite $c, $bytes;
		alarm 10;
		1 while sysread $c, my $buf, 4096;
	' "$2" || return 1
	waits 10 re "$T/$1.out" '^[0-9]+$' || return 1
	read -r PORT <"$T/$1.out"
}

# closed_port : a loopback port with nothing listening on it (bound by
# the system, then released).
closed_port() {
	perl -MIO::Socket::IP -e '
		my $s = IO::Socket::IP->new(LocalHost => "127.0.0.1",
		    LocalPort => 0, Listen => 1) or die "$@\n";
		print $s->sockport, "\n";'
}

# have_ipv6 : IPv6 loopback works here.
have_ipv6() {
	perl -MIO::Socket::IP -e '
		IO::Socket::IP->new(LocalHost => "::1", LocalPort => 0,
		    Listen => 1) or exit 1;' 2>/dev/null
}

# members LIST : the comma-separated nick list as one sorted line.
members() {
	printf '%s\n' "$1" | awk -F', ' '{ for (i = 1; i <= NF; i++) print $i }' |
		LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//'
}

# here_of LINE : the member list of a welcome or /who line, sorted.
here_of() {
	members "$(printf '%s\n' "$1" |
		sed -n -e 's/^\*\*\* welcome .*\. here: \(.*\)\. type \/help for commands$/\1/p' \
		       -e 's/^\*\*\* here: \(.*\)$/\1/p')"
}

# first_line FILE
first_line() { head -n 1 "$1"; }

# matches STRING REGEX : STRING matches the ERE (on bytes).
matches() { printf '%s\n' "$1" | LC_ALL=C grep -Eq -- "$2"; }

# welcomed LABEL REGEX : LABEL's first line is a welcome matching REGEX.
welcomed() {
	matches "$(first_line "$T/$1.out")" "$2" && return 0
	diag "$1's first line: $(first_line "$T/$1.out")"
	return 1
}

# clean_utf8 FILE : FILE is valid UTF-8 holding no control characters
# other than LF (none of C0, DEL, C1 U+0080..U+009F, as bytes or as
# characters; TAB is allowed).
clean_utf8() {
	perl -MEncode -e '
		local $/;
		open my $f, "<:raw", $ARGV[0] or die "$!\n";
		my $b = <$f>;
		my $s = eval { Encode::decode("UTF-8", $b, Encode::FB_CROAK) };
		if (!defined $s) { print STDERR "# not valid UTF-8\n"; exit 1 }
		if ($s =~ /([\x00-\x08\x0b-\x1f\x7f-\x9f])/) {
			printf STDERR "# control character U+%04X in output\n", ord $1;
			exit 1;
		}' "$1"
}

# in_order FILE LINE1 LINE2 : both lines are in FILE, LINE1 first.
in_order() {
	LC_ALL=C awk -v a="$2" -v b="$3" '
		$0 == a && !ia { ia = NR }
		$0 == b && !ib { ib = NR }
		END { exit !(ia && ib && ia < ib) }' "$1"
}

# --- the host process, seen through /proc ---------------------------------

# chat_pid LABEL : LABEL's pid, once /proc shows it runs chat itself (or
# valgrind running chat), not the perl or sh that started it.  Fails
# where /proc is missing.
chat_pid() {
	local _p
	_p=$(pid_of "$1") || return 1
	[ -r "/proc/$_p/stat" ] || return 1
	case $(tr '\0' ' ' <"/proc/$_p/cmdline" 2>/dev/null) in
	perl\ * | sh\ * | */perl\ * | */sh\ *) return 1 ;;
	*chat*) echo "$_p" ;;
	*) return 1 ;;
	esac
}

# plain_chat_pid LABEL : as chat_pid, but only for the plain chat binary,
# whose memory use means something (not a sanitiser or valgrind build).
plain_chat_pid() {
	local _p
	_p=$(chat_pid "$1") || return 1
	[ "$(cat "/proc/$_p/comm" 2>/dev/null)" = chat ] &&
		[ -r "/proc/$_p/status" ] && echo "$_p"
}

# hwm_kib PID : the process's peak resident memory (VmHWM), in KiB.
hwm_kib() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status"; }
# rss_kib PID : resident memory now (VmRSS), in KiB.
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

# cpu_ticks PID : CPU time the process has used (user + system), in
# clock ticks (getconf CLK_TCK a second).
cpu_ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'; }

# --- a terminal under tmux ------------------------------------------------

# tmux_up PLANNED COLS ROWS : a terminal of this script's own, COLS by
# ROWS, under a tmux server of its own (killed at the end), running
# nothing yet; without tmux, all PLANNED tests are skipped and the
# script ends. tm runs tmux on it; the pane is "t".
tmux_up() {
	if ! command -v tmux >/dev/null 2>&1; then
		while [ "$n" -lt "$1" ]; do skip "tmux not installed"; done
		exit 0
	fi
	TM=chat-$(basename "$0" .t)-$$
	tm -f /dev/null new-session -d -s t -x "$2" -y "$3" "sleep 100000" || exit 1
	PIDS="$PIDS $(tm display-message -p '#{pid}')"
}
tm() { tmux -u -L "$TM" "$@"; }
# screen [-e] : what the terminal shows now (with -e, attributes too).
screen() { tm capture-pane -t t -p "$@"; }
screen_has() { screen | LC_ALL=C grep -Eq -- "$1"; }
show_screen() { screen | sed 's/^/#   |/' >&2; }
wait_screen() {
	waits 10 screen "$1" && return 0
	diag "timed out waiting for /$1/ on screen:"
	show_screen
	return 1
}
keys() { tm send-keys -t t "$@"; }
