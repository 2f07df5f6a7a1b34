#!/bin/sh
# A newcomer's first minutes at a terminal (tmux): the host says where
# it listens and how to join, a room with a password asks for it
# without echo (three times, as ssh does, while it is wrong), and at the
# host Ctrl-D does not close the room while /quit and Ctrl-C do.
. "$(dirname "$0")/lib.sh"

plan 35
tmux_up 35 120 16

# term CMD : run CMD in the terminal (whatever ran there before is
# killed), on a cleared screen.  Run number $TN notes the terminal's
# mode in $T/TN.before, and once CMD ends its exit status in $T/TN.rc
# and the mode in $T/TN.after: a run killed while it wrote them cannot
# pass for the next.
TN=0
term() {
	TN=$((TN + 1))
	tm respawn-pane -k -t t "printf '\\033[H\\033[2J'; stty -g >'$T/$TN.before'; $*;
	    echo \$? >'$T/$TN.rc'; stty -g >'$T/$TN.after'; sleep 100000"
}
# ended [STATUS] : what term ran has exited (with STATUS), and left the
# terminal as it found it.
ended() {
	poll 10 test -s "$T/$TN.after" || return 1
	[ -z "${1:-}" ] || [ "$(cat "$T/$TN.rc")" = "$1" ] || return 1
	cmp -s "$T/$TN.before" "$T/$TN.after"
}
# mode FLAG... : the pane's terminal has each of these stty flags now
# (-FLAG: cleared), as stty -a shows them.
mode() {
	stty -a <"$(tm display-message -p -t t '#{pane_tty}')" | tr ' ;' '\n\n' >"$T/stty.now" ||
		return 1
	while [ $# -gt 0 ]; do
		grep -qxe "$1" "$T/stty.now" || return 1
		shift
	done
}
# port_of FILE : the port of the first -v listening line in FILE.
port_of() { sed -n 's/^chat: listening on .* port \([0-9]*\)$/\1/p' "$@" | head -n 1; }

# --- the host's sign of life ------------------------------------------------

SIGN='^chat: room open on port [0-9]+; join with: chat 127\.0\.0\.1 [0-9]+ \(or nc 127\.0\.0\.1 [0-9]+\)$'
term "'$CHAT' -l -n host -s 127.0.0.1 0"
check "at a terminal the host says where it listens and how to join" wait_screen "$SIGN"
sign=$(screen | grep '^chat: room open')
PORT=$(printf '%s\n' "$sign" | sed 's/^chat: room open on port \([0-9]*\);.*/\1/')
check "once, with the one port it listens on in both commands" \
    eval '[ "$(screen | grep -c "^chat: room open")" -eq 1 ] &&
	[ "$sign" = "chat: room open on port $PORT; join with: chat 127.0.0.1 $PORT (or nc 127.0.0.1 $PORT)" ]'
join=$(printf '%s\n' "$sign" | sed 's/.*join with: chat \([^ ]*\) \([0-9]*\) (.*/\1 \2/')
spawn joiner env USER=joiner "$CHAT" $join
check "chat as it says joins the room" wait_for "$T/joiner.out" '^\*\*\* welcome joiner\. '
if command -v nc >/dev/null 2>&1; then
	ncjoin=$(printf '%s\n' "$sign" | sed 's/.*(or nc \([^ ]*\) \([0-9]*\))$/\1 \2/')
	spawn_typed ncer '/nick ncer\n' nc $ncjoin
	check "and so does nc as it says" wait_line "$T/joiner.out" "*** ncer joined"
else
	skip "nc is not installed"
fi

keys C-c
check "Ctrl-C at the host closes the room: everyone is told" \
    wait_line "$T/joiner.out" "*** host shutting down"
check "the host exits 0 and leaves the terminal as it was" ended 0
check "and a chat client exits 0, saying the host closed the room" \
    eval 'wait_exit joiner && [ "$RC" -eq 0 ] &&
	[ "$(cat "$T/joiner.err")" = "chat: the host closed the room" ]'

term "'$CHAT' -l -n host 0"
check "without -s the host names this machine" \
    wait_screen "^chat: room open on port [0-9]+; join with: chat $(uname -n) [0-9]+ \\(or nc $(uname -n) [0-9]+\\)\$"

# Not at a terminal: stdin, or stderr.
term "'$CHAT' -l -v -n host -s 127.0.0.1 0 </dev/null"
wait_screen '^chat: listening on 127\.0\.0\.1 port [0-9]+$'
PORT=$(screen | port_of)
join_room nostdin nostdin
check "with stdin not a terminal the host says only what -v says" \
    eval 'wait_screen "^\*\*\* nostdin joined$" && ! screen_has "room open"'

term "'$CHAT' -l -v -n host -s 127.0.0.1 0 2>'$T/host.err'"
poll 10 has "$T/host.err" '^chat: listening on '
PORT=$(port_of "$T/host.err")
join_room bob bob
check "with stderr not a terminal, the same" \
    eval 'wait_screen "^\*\*\* bob joined$" && ! grep -v "^chat: listening on " "$T/host.err"'

# --- Ctrl-D, /quit at the host -----------------------------------------------

keys C-d
check "Ctrl-D on the host's empty line says it does not close the room, and what does" \
    wait_screen '^\*\*\* Ctrl-D does not close the room: /quit or Ctrl-C does$'
say bob "still here?"
check "the room stays open" wait_screen '^<bob> still here\?$'
check "and the host keeps reading keys" \
    eval 'keys "yes" Enter && wait_line "$T/bob.out" "<host> yes"'
check "nobody was told it shuts down" \
    eval 'lacks "$T/bob.out" "shutting down" && running bob && [ ! -e "$T/$TN.rc" ]'
keys /quit Enter
check "/quit at the host closes the room" wait_line "$T/bob.out" "*** host shutting down"
check "the host exits 0 and leaves the terminal as it was" ended 0
check "the client says the host closed the room, exits 0" \
    eval 'wait_exit bob && [ "$RC" -eq 0 ] && has_line "$T/bob.err" "chat: the host closed the room"'

# --- a room with a password ------------------------------------------------

start_host pw -P sekrit || give_up "host -P did not start"
term "'$CHAT' -n pia 127.0.0.1 $PORT"
check "a client without a password is asked for it at the terminal" \
    wait_screen '^password:'
check "the terminal reads it as a line, without echo" poll 10 mode icanon -echo
check "nothing of the room's refusal is shown" \
    eval '! screen_has "wrong password|needs a password: send"'
keys sekrit Enter
check "the password typed there admits it" wait_line "$T/pw.out" "*** pia joined"
check "the welcome follows" wait_screen '^\*\*\* welcome pia\. '
check "after the password, chat says it tries again with it, not that it reconnected" \
    eval 'screen_has "^chat: trying again with the password$" && ! screen_has reconnected'
check "the password was never on the screen" eval '! screen_has sekrit'
check "the terminal is chat's again: raw, keys read one by one" poll 10 mode -icanon -echo
keys 'hi all' Enter
check "and typing works" wait_line "$T/pw.out" "<pia> hi all"
keys C-c
check "Ctrl-C leaves as ever: exit 0, the terminal as it was" ended 0

term "'$CHAT' -n sam 127.0.0.1 $PORT"
wait_screen '^password:'
tm set-buffer sekrit && tm paste-buffer -p -t t
keys Enter
check "a password pasted at the prompt is the password, no paste marks with it" \
    wait_line "$T/pw.out" "*** sam joined"
keys C-c
wait_line "$T/pw.out" "*** sam left"

term "'$CHAT' -n quin 127.0.0.1 $PORT"
wait_screen '^password:'
keys C-c
check "Ctrl-C at the password prompt gives up: exit 1, the terminal as it was" ended 1
check "saying no password was given" wait_screen '^chat: no password given$'

term "'$CHAT' -n rex 127.0.0.1 $PORT"
wait_screen '^password:'
keys wrong Enter
check "a wrong password typed there: told so, and asked again" \
    eval 'wait_screen "^chat: wrong password, try again$" &&
	poll 10 eval "[ \$(screen | grep -c ^password:) -eq 2 ]"'
keys wrong2 Enter
check "a second wrong one: asked a third time" \
    poll 10 eval '[ "$(screen | grep -c "^password:")" -eq 3 ]'
keys wrong3 Enter
check "the third wrong one: exit 1, chat: wrong password, once, no fourth prompt" \
    eval 'ended 1 && [ "$(screen | grep -c "^chat: wrong password$")" -eq 1 ] &&
	[ "$(screen | grep -c "^password:")" -eq 3 ]'

term "'$CHAT' -n sue 127.0.0.1 $PORT"
wait_screen '^password:'
keys wrong Enter
wait_screen '^chat: wrong password, try again$'
keys sekrit Enter
check "a wrong password, then the right one: it joins" wait_line "$T/pw.out" "*** sue joined"
keys C-c
ended 0

term "'$CHAT' -n tia 127.0.0.1 $PORT"
wait_screen '^password:'
keys wrong Enter
wait_screen '^chat: wrong password, try again$'
keys C-c
check "Ctrl-C at the second prompt still gives up: exit 1, no password given" \
    eval 'ended 1 && screen_has "^chat: no password given$"'
