#!/bin/sh
# Commands a peer can type: /msg, /me, /who, /help, /quit, //, and an
# unknown /command.
. "$(dirname "$0")/lib.sh"

plan 29

start_host host || give_up "host did not start"
join_room alice alice
join_room bob bob
join_room carol carol
wait_line "$(out alice)" "*** carol joined"

# --- /msg ---
say alice "/msg bob the secret plan"
check "/msg: the addressee gets *sender* text" \
    wait_line "$(out bob)" "*alice* the secret plan"
check "/msg: the sender gets -> *addressee* text" \
    wait_line "$(out alice)" "-> *bob* the secret plan"
say alice "marker after msg"
check "/msg: a third peer sees nothing of it" \
    absent "$(out carol)" "<alice> marker after msg" "secret plan"
check "/msg: the host sees nothing of it" \
    absent "$(out host)" "<alice> marker after msg" "secret plan"

say alice "/msg nobody hello?"
check "/msg to a missing nick: 'no such nick' to the sender" \
    wait_line "$(out alice)" "*** no such nick: nobody"

# --- /me ---
say alice "/me waves hello"
check "/me: the others see * nick text" \
    wait_line "$(out bob)" "* alice waves hello"
check "/me: every other member sees it" \
    wait_line "$(out carol)" "* alice waves hello"
say bob "marker after me"
check "/me: the sender does not get it back" \
    absent "$(out alice)" "<bob> marker after me" "waves hello"

# --- /who ---
say alice "/who"
check "/who lists every member, the asker and the host included" \
    wait_for "$(out alice)" '^\*\*\* here: '
w=$(grep '^\*\*\* here: ' "$(out alice)" | head -n 1)
is "$(here_of "$w")" "alice bob carol host" "/who names exactly the members"

# --- /help --- (a /who after it marks where the help ends)
say alice "/help"
say alice "/who"
wait_count "$(out alice)" '^\*\*\* here: ' 2
awk '/^\*\*\* here: / { n++; next } n == 1' "$(out alice)" >"$T/help"
check "/help answers with several lines" \
    test "$(wc -l <"$T/help")" -ge 2
check "every /help line starts with '*** '" \
    eval 'test -s "$T/help" && ! grep -qv "^\*\*\* " "$T/help"'
for c in /nick /msg /me /who /quit /help; do
	check "/help mentions $c" has "$T/help" "$c([^a-z]|$)"
done
say alice "marker after help"
check "/help and /who answers go to the asker only" \
    absent "$(out bob)" "<alice> marker after help" '^\*\*\* here: |/quit'

say alice "/WHO"
check "commands ignore case: /WHO works as /who" \
    wait_count "$(out alice)" '^\*\*\* here: ' 3

# --- // and unknown commands ---
say alice "//etc/motd is a path"
check "//text sends the literal line /text" \
    wait_line "$(out bob)" "<alice> /etc/motd is a path"

say alice "/foo bar"
check "an unknown command gets an error notice" \
    wait_line "$(out alice)" "*** unknown command /foo (try /help)"
say alice "marker after foo"
check "an unknown command reaches nobody else" \
    absent "$(out bob)" "<alice> marker after foo" "foo bar|unknown command"

# --- /quit ---
say carol "/quit"
check "/quit: the others see nick left" \
    wait_line "$(out alice)" "*** carol left"
check "/quit: the client exits 0" eval 'wait_exit carol && [ "$RC" -eq 0 ]'

say bob "/quit gone fishing"
check "/quit REASON: the others see nick left (REASON)" \
    wait_line "$(out alice)" "*** bob left (gone fishing)"
check "/quit REASON: the client exits 0" eval 'wait_exit bob && [ "$RC" -eq 0 ]'

raw_peer raw
send raw '/nick rawpeer\n'
wait_for "$(out raw)" '^\*\*\* welcome rawpeer\.'
send raw '/quit\n'
check "/quit: the host closes the connection" \
    wait_line "$(err raw)" "raw: connection closed"

say alice "/who"
wait_count "$(out alice)" '^\*\*\* here: ' 4
w=$(grep '^\*\*\* here: ' "$(out alice)" | tail -n 1)
is "$(here_of "$w")" "alice host" "/who no longer lists those who quit"
