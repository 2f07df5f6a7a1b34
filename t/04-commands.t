#!/bin/sh
# Commands a peer can type: /msg, /me, /who, /help, /quit, //, and an
# unknown /command.
. "$(dirname "$0")/lib.sh"

plan 29

start_host host || give_up "host did not start"
join_room alice alice
join_room bob bob
join_room carol carol
wait_line "$T/alice.out" "*** carol joined"

# --- /msg ---
say alice "/msg bob the secret plan"
check "/msg: the addressee gets *sender* text" \
    wait_line "$T/bob.out" "*alice* the secret plan"
check "/msg: the sender gets -> *addressee* text" \
    wait_line "$T/alice.out" "-> *bob* the secret plan"
say alice "marker after msg"
check "/msg: a third peer sees nothing of it" \
    absent "$T/carol.out" "<alice> marker after msg" "secret plan"
check "/msg: the host sees nothing of it" \
    absent "$T/host.out" "<alice> marker after msg" "secret plan"

say alice "/msg nobody hello?"
check "/msg to a missing nick: 'no such nick' to the sender" \
    wait_line "$T/alice.out" "*** no such nick: nobody"

# --- /me ---
say alice "/me waves hello"
check "/me: the others see * nick text" \
    wait_line "$T/bob.out" "* alice waves hello"
check "/me: every other member sees it" \
    wait_line "$T/carol.out" "* alice waves hello"
say bob "marker after me"
check "/me: the sender does not get it back" \
    absent "$T/alice.out" "<bob> marker after me" "waves hello"

# --- /who ---
say alice "/who"
check "/who lists every member, the asker and the host included" \
    wait_for "$T/alice.out" '^\*\*\* here: '
w=$(grep '^\*\*\* here: ' "$T/alice.out" | head -n 1)
is "$(here_of "$w")" "alice bob carol host" "/who names exactly the members"

# --- /help --- (a /who after it marks where the help ends)
say alice "/help"
say alice "/who"
wait_count "$T/alice.out" '^\*\*\* here: ' 2
awk '/^\*\*\* here: / { n++; next } n == 1' "$T/alice.out" >"$T/help"
check "/help answers with several lines" \
    test "$(wc -l <"$T/help")" -ge 2
check "every /help line starts with '*** '" \
    eval 'test -s "$T/help" && ! grep -qv "^\*\*\* " "$T/help"'
for c in /nick /msg /me /who /quit /help; do
	check "/help mentions $c" has "$T/help" "$c([^a-z]|$)"
done
say alice "marker after help"
check "/help and /who answers go to the asker only" \
    absent "$T/bob.out" "<alice> marker after help" '^\*\*\* here: |/quit'

say alice "/WHO"
check "commands ignore case: /WHO works as /who" \
    wait_count "$T/alice.out" '^\*\*\* here: ' 3

# --- // and unknown commands ---
say alice "//etc/motd is a path"
check "//text sends the literal line /text" \
    wait_line "$T/bob.out" "<alice> /etc/motd is a path"

say alice "/foo bar"
check "an unknown command gets an error notice" \
    wait_line "$T/alice.out" "*** unknown command /foo (try /help)"
say alice "marker after foo"
check "an unknown command reaches nobody else" \
    absent "$T/bob.out" "<alice> marker after foo" "foo bar|unknown command"

# --- /quit ---
say carol "/quit"
check "/quit: the others see nick left" \
    wait_line "$T/alice.out" "*** carol left"
check "/quit: the client exits 0" eval 'wait_exit carol && [ "$RC" -eq 0 ]'

say bob "/quit gone fishing"
check "/quit REASON: the others see nick left (REASON)" \
    wait_line "$T/alice.out" "*** bob left (gone fishing)"
check "/quit REASON: the client exits 0" eval 'wait_exit bob && [ "$RC" -eq 0 ]'

raw_peer raw 127.0.0.1 '/nick rawpeer\n'
wait_for "$T/raw.out" '^\*\*\* welcome rawpeer\.'
send raw '/quit\n'
check "/quit: the host closes the connection" \
    wait_line "$T/raw.err" "raw: connection closed"

say alice "/who"
wait_count "$T/alice.out" '^\*\*\* here: ' 4
w=$(grep '^\*\*\* here: ' "$T/alice.out" | tail -n 1)
is "$(here_of "$w")" "alice host" "/who no longer lists those who quit"
