#!/bin/sh
# The terminal: chat in a real terminal (tmux) keeps the half-typed line
# at the bottom while others talk, edits it with the keys people expect,
# colours nicks, and gives the terminal back as it found it.
. "$(dirname "$0")/lib.sh"

plan 29
tmux_up 29 60 12

# bottom : the last non-empty line on screen, where the input line is.
bottom() { screen | sed '/^ *$/d' | tail -n 1; }

# term CMD : run CMD in the terminal; when it ends, the terminal's mode
# goes to $T/stty.after and its exit status to $T/term.rc.  The command
# before it has ended, but its shell may still be writing those two:
# wait for that first, or its files would pass for this one's.
term() {
	[ -e "$T/stty.before" ] && poll 10 test -s "$T/stty.after"
	rm -f "$T/term.rc" "$T/stty.after"
	tm respawn-pane -k -t t "stty -g >'$T/stty.before'; $*; echo \$? >'$T/term.rc';
	    stty -g >'$T/stty.after'; sleep 100000"
}

start_host host
join_room bob bob

term "'$CHAT' -n alice 127.0.0.1 $PORT"
check "chat starts in the terminal and shows the welcome" \
    wait_screen '^\*\*\* welcome alice\. '
wait_line "$T/bob.out" "*** alice joined"

keys 'hello wor'
poll 10 eval '[ "$(bottom)" = "hello wor" ]'
say bob "from bob"
check "an incoming line is printed above the input line" \
    wait_screen '^<bob> from bob$'
is "$(bottom)" "hello wor" "the half-typed line survives, still at the bottom"
keys 'ld' Enter
check "Enter sends the line, with what was typed before and after" \
    wait_line "$T/bob.out" "<alice> hello world"
check "the sent line stays on screen, as the room sees it" \
    screen_has '^<alice> hello world$'

keys 'abc' Left Left BSpace 'X' Home 'Y' End 'Z' Enter
check "Left, Backspace, Home and End edit where the cursor is" \
    wait_line "$T/bob.out" "<alice> YXbcZ"

keys 'junk' C-u 'clean' Enter
check "Ctrl-U clears the line" wait_line "$T/bob.out" "<alice> clean"

keys 'one two' C-w 'three' C-a '>' C-e '<' Enter
check "Ctrl-W removes a word, Ctrl-A and Ctrl-E go to the ends" \
    wait_line "$T/bob.out" "<alice> >one three<"

keys 'né' BSpace 'e!' Enter
check "Backspace removes a whole UTF-8 character" \
    wait_line "$T/bob.out" "<alice> ne!"

keys Up Up Enter
check "Up recalls the lines sent before" \
    wait_count "$T/bob.out" '^<alice> >one three<$' 2

long=$(printf '%090d' 7)
keys "$long" Enter
check "a line longer than the terminal is sent whole" \
    wait_line "$T/bob.out" "<alice> $long"

say bob "colour me"
wait_screen '^<bob> colour me$'
esc=$(printf '\033')
check "nicks are coloured in a terminal" \
    eval "screen -e | LC_ALL=C grep -Eq '<${esc}\[(3[1-6]|38;5;[0-9]+)mbob${esc}\[[0-9;]*m> colour me'"

say bob "/msg alice psst"
wait_screen '^\*bob\* psst$'
keys '/who' Enter
wait_screen '^\*\*\* here: '
check "notices are dimmed" \
    eval "screen -e | LC_ALL=C grep -Eq '^(${esc}\[[0-9;]*m)*${esc}\[([0-9]+;)*2m(${esc}\[[0-9;]*m)*\*\*\* here: '"
check "private messages are highlighted: the text in reverse video" \
    eval "screen -e | LC_ALL=C grep -Eq '\*${esc}\[[0-9;]*mbob${esc}\[[0-9;]*m\* ${esc}\[7mpsst'"

keys C-c
check "Ctrl-C leaves: chat exits 0" eval 'poll 10 test -s "$T/term.rc" && [ "$(cat "$T/term.rc")" = 0 ]'
check "the terminal is restored after Ctrl-C" \
    eval 'poll 10 test -s "$T/stty.after" && cmp -s "$T/stty.before" "$T/stty.after"'
wait_line "$T/bob.out" "*** alice left"

term "NO_COLOR=1 '$CHAT' -t -n carol 127.0.0.1 $PORT"
# The welcome scrolls off this small screen behind the history.
wait_screen '^[0-2][0-9]:[0-5][0-9] \*\*\* end of history$'
say bob "plain please"
wait_screen '<bob> plain please$'
check "NO_COLOR: no colour at all" eval "! screen -e | LC_ALL=C grep -q '$esc\[3'"
check "-t prefixes each line with the local time" \
    screen_has '^[0-2][0-9]:[0-5][0-9] <bob> plain please$'
keys C-d
wait_line "$T/bob.out" "*** carol left"

# --- TERM=dumb, and every way out gives the terminal back -----------------

# pane_tty : the terminal of the pane now (each term gets a new one).
pane_tty() { tm display-message -p -t t '#{pane_tty}'; }
# term_pid : the pid of what term runs (the pane's shell runs it as its
# child; after it, the child is the sleep).
term_pid() {
	ps -A -o pid= -o ppid= -o comm= |
	    awk -v pp="$(tm display-message -p -t t '#{pane_pid}')" \
		'$2 == pp && $3 != "sleep" { print $1 }'
}
# mode FLAG... : the pane's terminal has every one of these stty flags
# set now (-FLAG: cleared), as stty -a shows them.
mode() {
	stty -a <"$(pane_tty)" | tr ' ;' '\n\n' >"$T/stty.now" || return 1
	while [ $# -gt 0 ]; do
		grep -qxe "$1" "$T/stty.now" || return 1
		shift
	done
}
# raw : the terminal is in raw mode: the system neither edits lines nor
# echoes keys, chat does.
raw() { mode -icanon -echo; }
# restored : the terminal is back as it was before chat, which was
# cooked: lines edited and echoed by the system.
restored() {
	[ "$(stty -g <"$(pane_tty)")" = "$(cat "$T/stty.before")" ] &&
		mode icanon echo
}

term "TERM=dumb '$CHAT' -n erin 127.0.0.1 $PORT"
wait_line "$T/bob.out" "*** erin joined"
say bob "dumb terminal"
wait_screen '<bob> dumb terminal$'
check "TERM=dumb: no colour" eval "! screen -e | LC_ALL=C grep -q '$esc\[3'"
keys C-c
wait_line "$T/bob.out" "*** erin left"

for sig in TERM HUP; do
	term "'$CHAT' -n dave 127.0.0.1 $PORT"
	wait_line "$T/bob.out" "*** dave joined"
	check "SIG$sig: the terminal is in raw mode before it" poll 10 raw
	kill -s "$sig" "$(term_pid)"
	check "SIG$sig: chat exits and the terminal is as it was" \
	    eval 'poll 10 test -s "$T/stty.after" &&
		cmp -s "$T/stty.before" "$T/stty.after" && restored'
	wait_for "$T/bob.out" '^\*\*\* dave left'
done

term "'$CHAT' -n fay 127.0.0.1 $PORT"
wait_line "$T/bob.out" "*** fay joined"
poll 10 raw
keys C-z
check "Ctrl-Z gives the terminal back as it was" poll 10 restored
# The pane's shell has no job control: it stopped with chat. Go on, both.
kill -s CONT -- "-$(tm display-message -p -t t '#{pane_pid}')"
check "SIGCONT: chat takes the terminal again" poll 10 raw
keys 'back again' Enter
check "SIGCONT: and typing works again" wait_line "$T/bob.out" "<fay> back again"
keys C-c
wait_line "$T/bob.out" "*** fay left"

# --- a full input line ------------------------------------------------------

# The input line holds 4096 bytes, the most a line may be. Left and
# Right at the end of a full one must stay inside it (a read past it
# shows in make check's sanitiser build), and Enter still sends it all.
full=$(awk 'BEGIN { for (i = 0; i < 4096; i++) printf "%c", 97 + i % 26 }')
term "'$CHAT' -n gil 127.0.0.1 $PORT"
wait_line "$T/bob.out" "*** gil joined"
keys -l "$full"
# The line scrolls sideways: the screen shows its last 58 characters
# after the '<' that says more is hidden on the left.
check "a full 4096-byte input line is typed in" \
    poll 10 eval '[ "$(bottom)" = "<$(printf "%s" "$full" | tail -c 58)" ]'
keys Left Right Enter
check "Left and Right at its end, then Enter: the host gets all 4096 bytes" \
    wait_line "$T/host.out" "<gil> $full"
say bob "still there, gil?"
check "after Left and Right on a full line, chat still shows the room's lines" \
    eval 'wait_screen "^<bob> still there, gil\?$" && [ ! -s "$T/term.rc" ]'
keys C-c
wait_line "$T/bob.out" "*** gil left"
