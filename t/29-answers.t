#!/bin/sh
# Answers a person understands: the host's own commands, commands that
# mean something only before joining, /help, a cut away reason, the host
# told of connections it turned away, -r and a full room, and the
# reason of the host's /quit.
. "$(dirname "$0")/lib.sh"

plan 21

start_host host || give_up "host did not start"
main=$PORT
raw_join ann ann
join_room bob bob

# --- the host's commands -----------------------------------------------------

say host "/kick host"
check "/kick of the host's own name says the host cannot be kicked" \
    wait_line "$T/host.out" "*** the host cannot be kicked: /quit closes the room"
say host "/nick boss"
wait_line "$T/ann.out" "*** host is now boss"
say host "/kick boss"
check "...and so does /kick of the name it took since" \
    wait_count "$T/host.out" '^\*\*\* the host cannot be kicked: /quit closes the room$' 2
check "...and the room does not hear of it" \
    eval 'say host "marker one" && absent "$T/ann.out" "<boss> marker one" "kick"'

say host "/session 0123456789abcdef0123"
check "/session typed at the host says when it applies" \
    wait_line "$T/host.out" "*** /session applies only before joining: before /nick; a reconnection with KEY keeps your name"
say host "/pass hunter2"
check "/pass typed at the host says when it applies" \
    wait_line "$T/host.out" "*** /pass applies only before joining: the room's password, as the first line"
send ann "/pass hunter2\n"
check "/pass from a joined nc user says when it applies" \
    wait_line "$T/ann.out" "*** /pass applies only before joining: the room's password, as the first line"
send ann "/session\n"
check "a bare /session from a joined nc user says when it applies, not its usage" \
    wait_for "$T/ann.out" '^\*\*\* /session applies only before joining: '

# --- /help ---------------------------------------------------------------

# help_of LABEL : the lines of LABEL's last /help, from "*** commands:" to
# the "*** //TEXT" line, once it is there.
help_of() {
	wait_for "$T/$1.out" '^\*\*\* //TEXT ' >/dev/null &&
	    awk '/^\*\*\* commands:$/ { n = 0; delete h } { h[++n] = $0 }
		/^\*\*\* \/\/TEXT / { for (i = 1; i <= n; i++) print h[i]; exit }' "$T/$1.out"
}
# fits FILE : every line of FILE is at most 79 bytes (79 columns: ASCII).
fits() {
	awk 'length($0) > 79 { print "# " length($0) ": " $0 > "/dev/stderr"; bad = 1 }
	    END { exit bad }' "$1"
}

send ann "/help\n"
help_of ann >"$T/ann.help"
check "/help once joined leaves out /pass and /session" \
    eval 'has "$T/ann.help" "^\*\*\* /nick " && lacks "$T/ann.help" "^\*\*\* /(pass|session) "'
check "every line of /help fits 79 columns" fits "$T/ann.help"

raw_peer cal 127.0.0.1 '/help\n/nick cal\n'
check "/help before joining lists /pass and /session, and does not join" \
    eval 'wait_for "$T/cal.out" "^\*\*\* welcome cal\. " && help_of cal >"$T/cal.help" &&
	has "$T/cal.help" "^\*\*\* /pass PASSWORD " && has "$T/cal.help" "^\*\*\* /session KEY "'
check "...every line of it fits 79 columns too" fits "$T/cal.help"

# --- an away reason cut ---------------------------------------------------

perl_send ann '"/away " . ("x" x 200) . "\n"'
check "an away reason past 160 bytes is cut, and the sender is told so" \
    wait_line "$T/ann.out" "*** away reason cut to 160 bytes"

# --- connections turned away, and -r ---------------------------------------

start_host full -m 1 || diag "host full did not start"
raw_join one one
raw_peer two 127.0.0.1 '/nick two\n'
raw_peer three 127.0.0.1 '/nick three\n'
check "a full room: the host is told on stderr, with the address" \
    eval 'wait_line "$T/two.err" "raw: connection closed" &&
	wait_line "$T/three.err" "raw: connection closed" &&
	wait_line "$T/full.err" "chat: turned away a connection from 127.0.0.1: room is full"'
check "...once a second at most: two turned away at once are one line" \
    eval '[ "$(count "$T/full.err" "^chat: turned away ")" = 1 ]'

spawn rr "$CHAT" -r -n rr 127.0.0.1 "$PORT"
check "-r against a full room keeps trying, and says so" \
    eval 'wait_line "$T/rr.err" "chat: room is full; reconnecting" && running rr'
send one "/quit\n"
check "...and gets in once there is room" \
    wait_for "$T/rr.out" '^\*\*\* welcome rr\. ' 15

start_host locked -P sekrit || diag "host locked did not start"
raw_peer guess 127.0.0.1 '/pass wrong\n'
check "a wrong password: the host is told on stderr" \
    wait_line "$T/locked.err" "chat: turned away a connection from 127.0.0.1: wrong password"

# --- the host's /quit REASON ------------------------------------------------

PORT=$main
say host "/quit going home"
check "the host's /quit REASON: the room sees the reason" \
    wait_line "$T/ann.out" "*** host shutting down (going home)"
check "...and a chat client takes it as the end announced: exit 0, the host closed the room" \
    eval 'wait_exit bob && [ "$RC" -eq 0 ] && has_line "$T/bob.err" "chat: the host closed the room" &&
	has_line "$T/bob.out" "*** host shutting down (going home)"'

# --- the bell of a host called "host" ---------------------------------------

# With $USER and $LOGNAME unset the host is called "host", a word its
# own notices are full of; they ring no bell, a /msg to it still does.
tmux_up 2 100 20
: >"$T/pane.raw"
tm pipe-pane -t t "cat >>'$T/pane.raw'"
bells() { LC_ALL=C tr -cd '\007' <"$T/pane.raw" | wc -c | tr -d ' '; }
tm respawn-pane -k -t t "env -u USER -u LOGNAME LC_ALL=C.UTF-8 '$CHAT' -l -v -s 127.0.0.1 0 2>'$T/th.err'; sleep 100000"
host_port th
raw_join dee dee
send dee "hi\n/topic a topic\n"
wait_screen 'dee set the topic'
keys '/kick host' Enter '/topic the host rules' Enter '/kick dee bye' Enter
wait_screen 'dee was kicked by the host \(bye\)'
raw_join eve eve
send eve "/me asks\n"
check "with \$USER unset, the host's own notices ring no bell for the word host" \
    eval 'wait_screen "^\* eve asks" && [ "$(bells)" = 0 ]'
send eve "/msg host psst\n"
check "...and a /msg to it still does" eval 'wait_screen "^\*eve\* psst" && poll 5 eval "[ \"\$(bells)\" = 1 ]"'
