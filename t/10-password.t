#!/bin/sh
# A room with a password (-P or $CHAT_PASSWORD at the host): who gets in,
# who is turned away, and that the room never hears of those turned away.
. "$(dirname "$0")/lib.sh"

plan 30

NEEDS="*** this room needs a password: send /pass PASSWORD"

# refused_once LABEL WHY : chat client LABEL was turned away, and said
# "chat: WHY" on stderr, once, and nothing of it on stdout.
refused_once() {
	[ "$(cat "$T/$1.err")" = "chat: $2" ] && lacks "$T/$1.out" "$2" && return 0
	show "$T/$1.out"; show "$T/$1.err"
	return 1
}

# refused_raw LABEL FORMAT : a raw peer whose first bytes are FORMAT is
# told "wrong password" and closed.
refused_raw() {
	raw_peer "$1" || return 1
	send "$1" "$2"
	wait_line "$T/$1.out" "*** wrong password" &&
		wait_line "$T/$1.err" "raw: connection closed"
}

start_host pw -P sekrit || diag "host -P sekrit did not start"

# Connected first, silent throughout: the time limit is checked last.
t0=$(date +%s)
raw_peer silent

join_room alice alice -P sekrit
check "chat -P with the room's password joins" \
    has "$T/alice.out" '^\*\*\* welcome alice\. here: host\. '
check "and does not show the host's password notice: the welcome comes first" \
    eval 'welcomed alice "^\*\*\* welcome alice\. " && lacks "$T/alice.out" "needs a password"'
spawn ann env CHAT_PASSWORD=sekrit "$CHAT" -n ann 127.0.0.1 "$PORT"
check "chat with the password in \$CHAT_PASSWORD joins" \
    wait_for "$T/ann.out" '^\*\*\* welcome ann\. '
wait_line "$T/alice.out" "*** ann joined"

run bob 10 "$CHAT" -P wrong -n bob 127.0.0.1 "$PORT" </dev/null
check "chat -P with a wrong password is told so once, on stderr: chat: wrong password" \
    refused_once bob "wrong password"
is "$RC" 1 "chat with a wrong password exits 1"
run nopw 10 env -u CHAT_PASSWORD "$CHAT" -n nopw 127.0.0.1 "$PORT" </dev/null
is "$RC" 1 "chat without a password, not at a terminal, exits 1"
check "saying the room needs a password, to be given with -P or \$CHAT_PASSWORD" \
    eval 'has "$T/nopw.err" "^chat: .*needs a password.*-P .*CHAT_PASSWORD" &&
	[ "$(wc -l <"$T/nopw.err")" -eq 1 ]'
check "and nothing of it on stdout" lacks "$T/nopw.out" 'password'

check "a raw peer whose first line is not /pass is told: wrong password, and closed" \
    refused_raw hello 'hello\n'
check "a raw peer with a longer password is turned away" \
    refused_raw longer '/pass sekrit2\n'
check "a raw peer with a shorter password is turned away" \
    refused_raw shorter '/pass sekri\n'
check "a raw peer with an empty password is turned away" \
    refused_raw empty '/pass \n'
check "a raw peer naming itself before /pass is turned away" \
    refused_raw early '/nick eve\n/pass sekrit\n'

raw_peer carol
send carol '/pass sekrit\n/nick carol\nhi\n'
check "a raw peer sending /pass, /nick, then a line joins under that name" \
    wait_for "$T/carol.out" '^\*\*\* welcome carol\. '
check "the room sees it join" wait_line "$T/alice.out" "*** carol joined"
check "and its line is relayed" wait_line "$T/alice.out" "<carol> hi"

# carol's line came after everything above: the rest has been handled.
check "nobody saw the refused chat client join or speak" \
    lacks "$T/alice.out" 'bob|nopw'
check "nobody saw a refused raw peer's first line" lacks "$T/alice.out" 'hello'
check "no guest or refused name was announced" \
    lacks "$T/alice.out" '^\*\*\* (guest[0-9]+|eve) '
check "the host's own screen shows none of them either" \
    eval 'wait_line "$T/pw.out" "<carol> hi" &&
	lacks "$T/pw.out" "^\*\*\* (bob|nopw|guest[0-9]+|eve) |hello"'
say alice "/who"
wait_for "$T/alice.out" '^\*\*\* here: '
w=$(grep '^\*\*\* here: ' "$T/alice.out" | head -n 1)
is "$(here_of "$w")" "alice ann carol host" \
    "/who lists only those who gave the password"

# --- the password from the host's environment ------------------------------

CHAT_PASSWORD=sekrit
export CHAT_PASSWORD
start_host envpw || diag "host with \$CHAT_PASSWORD did not start"
unset CHAT_PASSWORD
join_room dan dan -P sekrit
check "\$CHAT_PASSWORD at the host: the password admits a client" \
    has "$T/dan.out" '^\*\*\* welcome dan\. '
run eve 10 "$CHAT" -P wrong -n eve 127.0.0.1 "$PORT" </dev/null
check "\$CHAT_PASSWORD at the host: a wrong one is refused (exit 1)" \
    eval 'refused_once eve "wrong password" && [ "$RC" -eq 1 ]'
raw_peer fay
send fay '/pass sekrit\n/nick fay\nhi from fay\n'
check "\$CHAT_PASSWORD at the host: a raw peer with /pass joins and speaks" \
    wait_line "$T/dan.out" "<fay> hi from fay"
# A notice about eve starts "*** eve " ("joined", "left", ...); "eve"
# alone would match inside "never" or "every".
check "the refused client was never announced" \
    absent "$T/dan.out" "<fay> hi from fay" '^\*\*\* eve( |$)'

# --- last: the silent peer, connected first, timed out ---------------------

check "a raw peer's first line says the room needs a password, and how to give it" \
    eval 'wait_line "$T/silent.out" "$NEEDS" && [ "$(first_line "$T/silent.out")" = "$NEEDS" ]'
check "a peer that says nothing is told: no password given in time" \
    wait_line "$T/silent.out" "*** no password given in time" 20
check "and is closed" wait_line "$T/silent.err" "raw: connection closed"
t1=$(date +%s)
check "not before the 10 seconds are up (closed after $((t1 - t0)) s)" \
    test $((t1 - t0)) -ge 9
say alice "after the timeout"
wait_line "$T/ann.out" "<alice> after the timeout"
check "the silent peer was never announced" \
    eval 'lacks "$T/ann.out" "^\*\*\* guest" && lacks "$T/ann.out" "silent"'
