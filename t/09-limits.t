#!/bin/sh
# Limits and faults: a full room (-m), running out of descriptors,
# connections reset while joining or mid-line, and listening on one
# address only (-s).
. "$(dirname "$0")/lib.sh"

plan 24

# resetter LABEL PERL : a perl process on the room at 127.0.0.1 $PORT,
# with connect_to() (a socket connected to the room) and reset($s) (close
# it with an RST: SO_LINGER on, zero seconds) defined, running PERL.
resetter() {
	spawn_in /dev/null "$1" perl -e '
		use strict;
		use Socket;
		my $port = shift;
		sub connect_to {
			socket(my $s, PF_INET, SOCK_STREAM, 0) or die "socket: $!\n";
			connect($s, pack_sockaddr_in($port, inet_aton("127.0.0.1")))
				or die "connect: $!\n";
			return $s;
		}
		sub reset_it {
			my $s = shift;
			setsockopt($s, SOL_SOCKET, SO_LINGER, pack("ii", 1, 0))
				or die "linger: $!\n";
			close $s;
		}
		$| = 1;
		eval $ARGV[0];
		die $@ if $@;
		print "done\n";
		sleep 100000;
	' "$PORT" "$2"
}

# talks A B : a line from chat client A still reaches chat client B.
talked=0
talks() {
	talked=$((talked + 1))
	say "$1" "still talking $talked"
	wait_line "$T/$2.out" "<$1> still talking $talked"
}

# --- a full room: -m 2 ----------------------------------------------------

start_host full -m 2 || diag "host -m 2 did not start"
join_room alice alice
join_room bob bob
wait_line "$T/alice.out" "*** bob joined"
raw_peer third
check "-m 2: a third connection is told the room is full" \
    wait_line "$T/third.out" "*** room is full"
check "and the host closes it" \
    wait_line "$T/third.err" "raw: connection closed"
run carol 10 "$CHAT" -n carol 127.0.0.1 "$PORT" </dev/null
is "$RC" 1 "a chat client turned away by a full room exits 1"
check "saying so once, on stderr: chat: room is full" \
    eval '[ "$(cat "$T/carol.err")" = "chat: room is full" ] && lacks "$T/carol.out" "full"'
talks bob alice
check "the room was not told about the ones turned away" \
    eval 'lacks "$T/alice.out" "^\*\*\* guest" && lacks "$T/alice.out" "carol"'
hangup bob
wait_line "$T/alice.out" "*** bob left"
join_room dave dave
check "after one leaves, a new peer can join" \
    has "$T/dave.out" '^\*\*\* welcome dave\. '

# --- out of descriptors ----------------------------------------------------

# ulimit -n sets the hard limit too: the host cannot raise it again.
cat >"$T/lowfd" <<EOF
#!/bin/sh
ulimit -n 40 || exit 1
exec "$CHAT" "\$@"
EOF
chmod +x "$T/lowfd"
chat=$CHAT
CHAT=$T/lowfd
start_host fd -m 1000 || diag "host with 40 descriptors did not start"
CHAT=$chat
join_room erin erin
join_room fred fred
wait_line "$T/erin.out" "*** fred joined"

# 60 connections from one process, held open until its stdin ends; then
# it prints what each was told and closes them all.
spawn hold perl -e '
	use strict;
	use Socket;
	use Errno qw(EINPROGRESS);
	my ($port, $n) = @ARGV;
	my @s;
	for (1 .. $n) {
		socket(my $s, PF_INET, SOCK_STREAM, 0) or die "socket: $!\n";
		my $flags = fcntl($s, 3, 0);		# F_GETFL
		fcntl($s, 4, $flags | 04000);		# F_SETFL O_NONBLOCK
		connect($s, pack_sockaddr_in($port, inet_aton("127.0.0.1")))
			or $! == EINPROGRESS or die "connect: $!\n";
		push @s, $s;
	}
	$| = 1;
	print "opened $n\n";
	1 while <STDIN>;
	for my $s (@s) {
		my $got = "";
		while (defined(my $r = sysread($s, my $buf, 65536))) {
			last unless $r;
			$got .= $buf;
		}
		print "told: $_\n" for grep { /^\*\*\* (?!welcome)/ } split /\n/, $got;
		close $s;
	}
	print "closed\n";
' "$PORT" 60
check "60 connections to a host with 40 descriptors are made" \
    wait_line "$T/hold.out" "opened 60"
check "the host takes in as many of them as it has descriptors for" \
    wait_count "$T/erin.out" '^\*\*\* guest[0-9]+ joined$' 10
check "members keep talking while connections wait: one way" talks erin fred
check "and the other" talks fred erin
if hp=$(chat_pid fd); then
	hz=$(getconf CLK_TCK)
	c0=$(cpu_ticks "$hp")
	sleep 2		# not synchronisation: the span CPU time is measured over
	c1=$(cpu_ticks "$hp")
	check "the host idles while connections wait (used $((c1 - c0)) of $((2 * hz)) ticks in 2 s)" \
	    test $((c1 - c0)) -lt "$hz"
else
	skip "CPU time: needs /proc"
fi
check "and members still talk after it" talks fred erin
hangup hold
wait_line "$T/hold.out" "closed"
check "some waiting connections were told the host is out of descriptors" \
    has_line "$T/hold.out" "told: *** host is out of descriptors, try later"
join_room gina gina
check "once they close, a new peer can join" \
    has "$T/gina.out" '^\*\*\* welcome gina\. '
check "and talk" talks gina erin

# --- connections reset while joining or mid-line ------------------------------

start_host main || diag "host did not start"
join_room kim kim
join_room lee lee
wait_line "$T/kim.out" "*** lee joined"
resetter burst '
	my @keep;
	for my $i (1 .. 100) {
		my $s = connect_to();
		if ($i % 4 == 1) {
			reset_it($s);
		} elsif ($i % 4 == 2) {
			syswrite($s, "/nick x$i\n");
			reset_it($s);
		} elsif ($i % 4 == 3) {
			syswrite($s, "/nick x$i\n");
			push @keep, $s;
		} else {
			push @keep, $s;
		}
	}
	select(undef, undef, undef, 0.5);
	reset_it($_) for @keep;
'
check "a burst of 100 connections, half reset at once, is made" \
    wait_line "$T/burst.out" "done" 30
join_room kit kit
check "the host survives resets during joins: a newcomer is welcomed, the room told" \
    wait_line "$T/kim.out" "*** kit joined"
check "members still talk after them" talks kim lee

resetter midline '
	my $s = connect_to();
	syswrite($s, "/nick cut\n");
	my $got = "";
	sysread($s, $got, 65536, length $got) until $got =~ /^\*\*\* welcome /m;
	syswrite($s, "half a li");
	select(undef, undef, undef, 0.2);
	reset_it($s);
'
wait_line "$T/midline.out" "done" 30
check "a peer reset mid-line is announced as gone" \
    wait_for "$T/kim.out" '^\*\*\* cut left'
join_room max max
check "the half line of the peer reset mid-line is never relayed" \
    absent "$T/kim.out" "*** max joined" '^<cut> '

check "a new peer joins after all the resets" \
    has "$T/max.out" '^\*\*\* welcome max\. '
check "and talks" talks max kim

# --- -s: one address only ----------------------------------------------

start_host lo -s 127.0.0.1 || diag "host -s 127.0.0.1 did not start"
join_room v4 v4
check "-s 127.0.0.1: a client to 127.0.0.1 joins" \
    has "$T/v4.out" '^\*\*\* welcome v4\. '
if have_ipv6; then
	run v6 10 "$CHAT" -n v6 ::1 "$PORT" </dev/null
	is "$RC" 1 "-s 127.0.0.1: a client to ::1 on the same port is refused (exit 1)"
else
	skip "no IPv6 loopback"
fi
