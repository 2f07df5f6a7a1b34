#!/bin/sh
# A kick that sticks and a flood that is slowed: /ban keeps a person's
# address and /session key out for a time, before the password; /unban
# and /bans; the host's own address is never banned; the table is
# bounded. -R paces each peer's lines without losing one, and without
# holding the others up.
. "$(dirname "$0")/lib.sh"

plan 38

# The host listens on 127.0.0.1 only: that is its own address. Peers
# that come from 127.0.0.2 and up are other machines as far as it knows.
start_host host -R 50 -s 127.0.0.1 || give_up "host did not start"
join_room bob bob
join_room carol carol
KEY=0123456789abcdef0123456789abcdef

# --- a ban by address ---------------------------------------------------
raw_peer eve 127.0.0.1 "/nick eve\n" 127.0.0.2
wait_for "$T/eve.out" '^\*\*\* welcome eve\. '
say bob "/ban eve"
check "/ban from a peer: only the host can /ban" \
    wait_line "$T/bob.out" "*** only the host can /ban"
say host "/ban eve 10 spamming"
check "/ban: the host is told what is banned, for how long and why" \
    wait_line "$T/host.out" "*** banned eve: 127.0.0.2, 10 min left (spamming)"
check "/ban: the banned one is told so, with the reason, and closed" \
    eval 'wait_line "$T/eve.err" "raw: connection closed" &&
	has_line "$T/eve.out" "*** you are banned from this room (spamming)"'
check "/ban: the room is told NAME was kicked by the host (REASON)" \
    wait_line "$T/bob.out" "*** eve was kicked by the host (spamming)"
raw_peer eve2 127.0.0.1 "/nick eve\n" 127.0.0.2
check "a new connection from the banned address is told so and closed" \
    eval 'wait_line "$T/eve2.err" "raw: connection closed" &&
	[ "$(cat "$T/eve2.out")" = "*** you are banned from this room" ]'
check "...and the host is told on stderr that it turned it away, and why" \
    wait_line "$T/host.err" "chat: turned away a connection from 127.0.0.2: you are banned from this room"
raw_peer eve3 127.0.0.1 "/nick eve\n" 127.0.0.3
check "a new address gets in (a ban does not stop that)" \
    wait_for "$T/eve3.out" '^\*\*\* welcome eve\. '

# --- a ban by /session key ---------------------------------------------
raw_peer zed 127.0.0.1 "/session $KEY\n/nick zed\n"
wait_for "$T/zed.out" '^\*\*\* welcome zed\. '
say host "/ban zed"
check "on the host's own address, only the session key is banned, for 60 minutes" \
    wait_line "$T/host.out" "*** banned zed: session key, 60 min left"
check "...and the host is told why the address is not" \
    wait_line "$T/host.out" "*** zed's address is not banned: the host's own or the Unix-domain socket's, it is everyone's who comes through this machine"
raw_peer zed2 127.0.0.1 "/session $KEY\n/nick zed\n" 127.0.0.4
check "the banned key, from another address, is told so and closed" \
    eval 'wait_line "$T/zed2.err" "raw: connection closed" &&
	has_line "$T/zed2.out" "*** you are banned from this room" &&
	lacks "$T/zed2.out" "welcome"'
raw_peer zed3 127.0.0.1 "/session ${KEY%?}0\n/nick zed\n"
check "a new key gets in (a ban does not stop that)" \
    wait_for "$T/zed3.out" '^\*\*\* welcome zed\. '

join_room dan dan
say host "/ban dan 5 bye now"
check "a banned chat client exits 1..." \
    eval 'wait_exit dan && [ "$RC" -eq 1 ]'
is "$(cat "$T/dan.err")" "chat: you are banned from this room (bye now)" \
    "...and says why, once, on stderr"

# --- the host's own address --------------------------------------------
raw_join loc loc
say host "/ban loc"
check "a ban on the host's own address, with no key to ban, is refused" \
    wait_line "$T/host.out" "*** loc comes from the host's own address, which all on this machine share, and has no /session key: not banned; /kick puts them out"
send loc "loc is still here\n"
check "...and leaves the peer in the room" \
    wait_line "$T/bob.out" "<loc> loc is still here"
say host "/ban nosuch"
check "/ban nosuch: no such nick" \
    wait_line "$T/host.out" "*** no such nick: nosuch"

say host "/ban loc 0 x"
check "/ban NAME 0: a ban lasts more than 0 minutes" \
    wait_line "$T/host.out" "*** a ban lasts more than 0 and at most 525600 minutes"

# --- on a Unix-domain socket: no address to ban ----------------------------
PORT1=$PORT
S=$T/room.sock
spawn uhost "$CHAT" -l -C -v -n host -U "$S"
wait_line "$T/uhost.err" "chat: listening on $S"
spawn ux "$CHAT" -C -n ux -U "$S"
wait_for "$T/ux.out" '^\*\*\* welcome ux\. '
say uhost "/ban ux"
check "on a Unix-domain socket, a chat client is banned by its session key only..." \
    wait_line "$T/uhost.out" "*** banned ux: session key, 60 min left"
check "...the host is told why its address is not..." \
    wait_line "$T/uhost.out" "*** ux's address is not banned: the host's own or the Unix-domain socket's, it is everyone's who comes through this machine"
check "...and put out" eval 'wait_exit ux && [ "$RC" -eq 1 ]'
spawn uraw perl -MSocket -e '
	socket(my $s, PF_UNIX, SOCK_STREAM, 0) or die "socket: $!\n";
	connect($s, pack_sockaddr_un($ARGV[0])) or die "connect: $!\n";
	syswrite $s, "/nick uraw\n";
	$| = 1;
	print while <$s>;' "$S"
wait_for "$T/uraw.out" '^\*\*\* welcome uraw\. '
say uhost "/ban uraw"
check "...and one with no key is not banned at all: the host is told why" \
    wait_line "$T/uhost.out" "*** uraw is on the Unix-domain socket, which all share, and has no /session key: not banned; /kick puts them out"

# --- before the password ------------------------------------------------
start_host phost -P secret -s 127.0.0.1 || give_up "password host did not start"
raw_peer pe 127.0.0.1 "/pass secret\n/nick pe\n" 127.0.0.6
wait_for "$T/pe.out" '^\*\*\* welcome pe\. '
raw_peer pw 127.0.0.1 "" 127.0.0.6
wait_line "$T/pw.out" "*** this room needs a password: send /pass PASSWORD"
say phost "/ban pe"
wait_line "$T/phost.out" "*** banned pe: 127.0.0.6, 60 min left"
check "a connection from the address banned that waits for the password is turned away too" \
    eval 'wait_line "$T/pw.err" "raw: connection closed" &&
	has_line "$T/pw.out" "*** you are banned from this room"'
raw_peer pe2 127.0.0.1 "" 127.0.0.6
check "in a room with a password, a banned address is turned away before it is asked for it" \
    eval 'wait_line "$T/pe2.err" "raw: connection closed" &&
	[ "$(cat "$T/pe2.out")" = "*** you are banned from this room" ]'
PORT=$PORT1

# --- /bans and /unban ---------------------------------------------------
say host "/bans"
check "/bans lists each ban: name, address or key, minutes left, reason" \
    eval 'wait_line "$T/host.out" "*** ban on eve: 127.0.0.2, 10 min left (spamming)" &&
	wait_line "$T/host.out" "*** ban on zed: session key, 60 min left" &&
	wait_line "$T/host.out" "*** ban on dan: session key, 5 min left (bye now)"'
say host "/unban 127.0.0.2"
check "/unban ADDR: the host is told which ban ended" \
    wait_line "$T/host.out" "*** unbanned eve: 127.0.0.2"
raw_peer eve4 127.0.0.1 "/nick eve4\n" 127.0.0.2
check "...and the address gets in again" \
    wait_for "$T/eve4.out" '^\*\*\* welcome eve4\. '
say host "/unban ZED"
check "/unban NAME: the ban given to that name ends" \
    wait_line "$T/host.out" "*** unbanned zed: session key"
raw_peer zed4 127.0.0.1 "/session $KEY\n/nick zed4\n" 127.0.0.4
check "...and the key gets in again" \
    wait_for "$T/zed4.out" '^\*\*\* welcome zed4\. '
say host "/unban nosuch"
check "/unban of nothing banned says so" \
    wait_line "$T/host.out" "*** no ban on nosuch"
say host "/unban dan"
say host "/bans"
check "/bans with none in force says so" \
    wait_line "$T/host.out" "*** nobody is banned"

# --- a ban ends by itself -----------------------------------------------
# MINUTES may have a fraction: 0.05 is 3 s. One process tries from the
# banned address every 0.2 s until it is welcomed, for 10 s at most.
raw_peer fay 127.0.0.1 "/nick fay\n" 127.0.0.5
wait_for "$T/fay.out" '^\*\*\* welcome fay\. '
say host "/ban fay 0.05"
wait_line "$T/host.out" "*** banned fay: 127.0.0.5, 1 min left"
perl $PEER -e '
	my $end = time + 10;
	while (time < $end) {
		my $s = dial($ARGV[0], 0, "127.0.0.5");
		syswrite $s, "/nick fay\n";
		my $got = read_until($s, qr/\n/, 5);
		print $got =~ /^\*\*\* welcome fay/ ? "in\n" :
		    $got =~ /^\*\*\* you are banned/ ? "banned\n" : "other\n";
		exit 0 if $got =~ /welcome/;
		sleep 0.2;
	}' "$PORT" >"$T/fay.tries"
check "a ban keeps its address out until its time is up, then ends by itself" \
    eval '[ "$(head -n 1 "$T/fay.tries")" = banned ] &&
	[ "$(tail -n 1 "$T/fay.tries")" = in ] &&
	[ "$(grep -vc banned "$T/fay.tries")" -eq 1 ]'
say host "/bans"
check "...and /bans no longer lists it" \
    wait_line "$T/host.out" "*** nobody is banned" 10 

# --- -R: a flood is paced, nothing is lost, nobody else waits -----------
# With -R 50 a peer may send 100 lines at once, then 50 a second: 200
# lines take 2 s at least.
seq 200 >"$T/200"
t0=$(perl -MTime::HiRes=time -e 'printf "%.3f\n", time')
spawn_in "$T/200" flood "$CHAT" -n flood 127.0.0.1 "$PORT"
wait_line "$T/bob.out" "<flood> 120"
say carol "carol is not held up"
wait_exit flood 20
t1=$(perl -MTime::HiRes=time -e 'printf "%.3f\n", time')
is "$(sed -n 's/^<flood> //p' "$T/bob.out" | tr '\n' ' ')" "$(seq 200 | tr '\n' ' ')" \
    "-R 50: every one of a pipe's 200 lines arrives, in order"
check "-R 50: ...at the rate: 200 lines took at least 1.9 s ($t0 to $t1)" \
    awk -v a="$t0" -v b="$t1" 'BEGIN { exit !(b - a >= 1.9) }'
check "-R: another peer's line is not held up behind a paced flood" \
    in_order "$T/bob.out" "<carol> carol is not held up" "<flood> 200"
run usage 5 "$CHAT" -R 5 127.0.0.1 1 </dev/null
check "-R needs -l" eval '[ "$RC" -eq 2 ] && has "$T/usage.err" "need -l"'

# --- the table is bounded -------------------------------------------------
# 257 peers, each from an address of its own; the host bans them all.
perl $PEER -e '
	my @s;
	for my $i (1 .. 257) {
		my $from = sprintf "127.0.%d.%d", 1 + int(($i - 1) / 250), ($i - 1) % 250 + 1;
		my $s = dial($ARGV[0], 0, $from);
		syswrite $s, "/nick b$i\n";
		read_until($s, qr/welcome/, 10) =~ /welcome b$i\./ or die "b$i: no welcome\n";
		push @s, $s;
	}
	print "ready\n";
	sleep 100;' "$PORT" >"$T/many.out" 2>"$T/many.err" &
PIDS="$PIDS $!"
wait_line "$T/many.out" ready 30
# Fifty at a time: the host's own queue is charged a shared message
# again for each notice of its own between two lines of it.
for i in 0 1 2 3 4; do
	perl -e 'print map { "/ban b$_\n" } $ARGV[0] * 50 + 1 .. $ARGV[0] * 50 + 50' $i 1<>"$T/host.in"
	wait_line "$T/host.out" "*** b$((i * 50 + 50)) was kicked by the host"
done
say host "/ban b251"; say host "/ban b252"; say host "/ban b253"
say host "/ban b254"; say host "/ban b255"; say host "/ban b256"; say host "/ban b257"
check "256 bans are kept..." \
    wait_line "$T/host.out" "*** banned b256: 127.0.2.6, 60 min left" 20
check "...and one more is refused, with the bound" \
    wait_line "$T/host.out" "*** 256 bans already, the most there can be: /unban one first"
