#!/bin/sh
# The host: where it listens, its stdin and stdout as a participant,
# serving on after EOF on its stdin, and shutting down on SIGTERM/SIGINT.
. "$(dirname "$0")/lib.sh"

plan 37

# What a chat client does when the host shuts down, in one place: after
# "*** host shutting down" the close is the normal end of the room, said
# once on stderr, and the exit status is 0.
GONE_RC=0
GONE_ERR="chat: the host closed the room"

# only_listening FILE LINE : LINE is the one listening line in FILE.
only_listening() {
	[ "$(grep '^chat: listening' "$1")" = "$2" ] && return 0
	show "$1"
	return 1
}

# --- listening ---
start_host host || give_up "host did not start"
p=$PORT
if have_ipv6; then
	wait_line "$T/host.err" "chat: listening on :: port $p" >/dev/null 2>&1
	check "by default the host listens on all IPv6 addresses, same port" \
	    has_line "$T/host.err" "chat: listening on :: port $p"
else
	skip "no IPv6"
fi
check "by default the host listens on all IPv4 addresses" \
    has_line "$T/host.err" "chat: listening on 0.0.0.0 port $p"
check "not at a terminal, the host says on stderr only what -v says" \
    eval '! grep -v "^chat: listening on " "$T/host.err"'

# --- the host as a participant ---
join_room alice alice
join_room bob bob
check "host stdout shows a peer joining" \
    wait_line "$T/host.out" "*** alice joined"
say alice "hi host"
check "host stdout shows room messages" \
    wait_line "$T/host.out" "<alice> hi host"

say host "hello from host"
check "a line on host stdin reaches the peers as <host> text" \
    wait_line "$T/alice.out" "<host> hello from host"
check "it reaches every peer" \
    wait_line "$T/bob.out" "<host> hello from host"
say alice "marker one"
check "the host does not get its own message back on stdout" \
    absent "$T/host.out" "<alice> marker one" "hello from host"

say host "/msg alice psst from host"
check "/msg from host stdin reaches the addressee" \
    wait_line "$T/alice.out" "*host* psst from host"
check "host stdout confirms it with -> *nick* text" \
    wait_line "$T/host.out" "-> *alice* psst from host"
say alice "/msg host psst for host"
check "host stdout shows private messages to the host" \
    wait_line "$T/host.out" "*alice* psst for host"
say alice "marker two"
check "a third peer sees neither private message" \
    absent "$T/bob.out" "<alice> marker two" "psst"

say host "/me stretches"
check "/me from host stdin reaches the peers" \
    wait_line "$T/alice.out" "* host stretches"
say host "/who"
check "/who from host stdin answers on host stdout" \
    wait_for "$T/host.out" '^\*\*\* here: '
w=$(grep '^\*\*\* here: ' "$T/host.out" | head -n 1)
is "$(here_of "$w")" "alice bob host" "the host's /who lists everyone"

# --- EOF on host stdin ---
hangup host
say alice "after host eof"
check "after EOF on its stdin the host still relays messages" \
    wait_line "$T/bob.out" "<alice> after host eof"
join_room dave dave
check "after EOF on its stdin the host still welcomes newcomers" \
    has "$T/dave.out" '^\*\*\* welcome dave\. here: '
say dave "/who"
wait_for "$T/dave.out" '^\*\*\* here: '
w=$(grep '^\*\*\* here: ' "$T/dave.out" | head -n 1)
is "$(here_of "$w")" "alice bob dave host" \
    "after EOF on its stdin the host still answers /who, newcomer included"

HOST_IN=/dev/null
start_host quiet || diag "host with stdin /dev/null did not start"
HOST_IN=
join_room q1 q1
join_room q2 q2
say q1 "via a host without stdin"
check "a host started with stdin </dev/null serves the room" \
    wait_line "$T/q2.out" "<q1> via a host without stdin"

# --- shutdown ---
raw_peer rawq 127.0.0.1 '/nick rawq\n'
wait_line "$T/q1.out" "*** rawq joined"
signal quiet INT
check "SIGINT: peers get '*** host shutting down'" \
    wait_line "$T/q1.out" "*** host shutting down"
check "SIGINT: the host exits 0" eval 'wait_exit quiet && [ "$RC" -eq 0 ]'
check "SIGINT: peers see the connection close" \
    wait_line "$T/rawq.err" "raw: connection closed"

start_host hq || diag "host hq did not start"
join_room hq1 hq1
say hq "/quit"
check "/quit typed at the host: peers get '*** host shutting down'" \
    wait_line "$T/hq1.out" "*** host shutting down"
check "/quit typed at the host: it exits 0" eval 'wait_exit hq && [ "$RC" -eq 0 ]'
check "/quit typed at the host: a chat client says the host closed the room, exits 0" \
    eval 'wait_exit hq1 && [ "$RC" -eq 0 ] && has_line "$T/hq1.err" "chat: the host closed the room"'

PORT=$p
raw_peer rawt 127.0.0.1 '/nick rawt\n'
wait_line "$T/alice.out" "*** rawt joined"
signal host TERM
check "SIGTERM: peers get '*** host shutting down'" \
    wait_line "$T/alice.out" "*** host shutting down"
check "SIGTERM: the raw peer gets it as the last line" \
    eval 'wait_line "$T/rawt.err" "raw: connection closed" &&
	[ "$(tail -n 1 "$T/rawt.out")" = "*** host shutting down" ]'
check "SIGTERM: the host exits 0" eval 'wait_exit host && [ "$RC" -eq 0 ]'
# gone_ok LABEL : LABEL, a chat client of the host that shut down, has
# exited with $GONE_RC.
gone_ok() {
	wait_exit "$1" && [ "$RC" = "$GONE_RC" ] && return 0
	diag "$1: exit status '$RC', expected $GONE_RC"
	return 1
}
# gone_said LABEL : ...and said $GONE_ERR on stderr.
gone_said() {
	has_line "$T/$1.err" "$GONE_ERR" && return 0
	show "$T/$1.err"
	return 1
}
check "SIGTERM: chat clients see the connection close and exit $GONE_RC" \
    eval 'gone_ok alice && gone_ok bob'
check "SIGTERM: chat clients say '$GONE_ERR' on stderr" \
    eval 'gone_said alice && gone_said bob'
check "and only that, once" \
    eval '[ "$(cat "$T/alice.err")" = "$GONE_ERR" ] && [ "$(cat "$T/bob.err")" = "$GONE_ERR" ]'

# --- choosing the address ---
start_host v4 -s 127.0.0.1 || diag "host -s 127.0.0.1 did not start"
join_room v4c v4c
check "-s 127.0.0.1: one listening line, on that address" \
    only_listening "$T/v4.err" "chat: listening on 127.0.0.1 port $PORT"

start_host only4 -4 || diag "host -4 did not start"
join_room only4c only4c
check "-4: listens on IPv4 addresses only" \
    eval 'has "$T/only4c.out" "^\*\*\* welcome only4c\." &&
	lacks "$T/only4.err" "^chat: listening on [^ ]*:"'

if have_ipv6; then
	start_host v6 -s ::1 || diag "host -s ::1 did not start"
	check "-s ::1: one listening line, on that address" \
	    only_listening "$T/v6.err" "chat: listening on ::1 port $PORT"
	raw_peer r6 ::1
	check "a peer connects over ::1" \
	    wait_for "$T/r6.out" '^\*\*\* welcome guest[0-9]+\. '

	start_host dual || diag "host did not start"
	ADDR=::1 join_room six six
	ADDR=
	join_room four four
	say six "from v6"
	check "a peer over ::1 talks to a peer over 127.0.0.1" \
	    wait_line "$T/four.out" "<six> from v6"
	say four "from v4"
	check "and the other way round" \
	    wait_line "$T/six.out" "<four> from v4"
else
	skip "no IPv6"; skip "no IPv6"; skip "no IPv6"; skip "no IPv6"
fi
