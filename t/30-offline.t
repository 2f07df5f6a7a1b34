#!/bin/sh
# Offline and back: with -r and the host down, a line typed is shown
# pending until it is written to the host, then as sent, and leaving
# with lines not sent says how many and fails; after a reconnection the
# screen, and a script's stdout, get only what was said since.
. "$(dirname "$0")/lib.sh"

plan 9
export LC_ALL=C.UTF-8
tmux_up 9 80 20
tm set-option -g remain-on-exit on

# term CMD : run CMD in the terminal, its exit status to $T/term.rc.
term() {
	rm -f "$T/term.rc"
	tm respawn-pane -k -t t "export LC_ALL=C.UTF-8; $*; echo \$? >'$T/term.rc'; sleep 100000"
	tm clear-history -t t
}
# host_on LABEL PORT [ARGS...] : host a room on 127.0.0.1 PORT itself;
# true once it listens.
host_on() {
	local _h="$1" _p="$2"; shift 2
	spawn "$_h" "$CHAT" -l -C -v -n host -s 127.0.0.1 "$@" "$_p" || return 1
	waits 10 re "$T/$_h.err" "^chat: listening on 127\\.0\\.0\\.1 port $_p\$" or size "$T/$_h.rc"
}
# rows RE : how many rows of the screen match RE.
rows() { screen | LC_ALL=C grep -Ec -- "$1"; }
PEND=$(printf '\342\200\246')	# U+2026, the pending line's sign

# --- a line typed while the host is down -----------------------------------

HP=$(closed_port)
term "'$CHAT' -r -n rr 127.0.0.1 $HP"
wait_screen '^chat: cannot connect .*trying again'
keys 'queued' Enter
check "typed while the host is down: shown pending, with a mark" \
    wait_screen "^$PEND <rr> queued\$"
check "  dim, not as a line the room got" \
    eval 'screen -e | LC_ALL=C grep -q "$(printf "\033\\[2m")$PEND <rr> queued" &&
	[ "$(rows "^<rr> queued$")" -eq 0 ]'
host_on oh "$HP" || diag "host on $HP did not start"
check "once the host is up, the line goes to the room" wait_line "$T/oh.out" "<rr> queued" 15
check "  and the screen shows it as sent, under the pending one" \
    eval 'wait_screen "^<rr> queued$" && [ "$(rows "^$PEND <rr> queued$")" -eq 1 ]'
keys 'live' Enter
wait_line "$T/oh.out" "<rr> live"
check "a line typed while connected is shown as ever, not pending" \
    eval 'wait_screen "^<rr> live$" && [ "$(rows "$PEND <rr> live")" -eq 0 ]'

# The host goes; two lines typed, then Ctrl-C: they are counted, exit 1.
signal oh KILL
wait_screen 'reconnecting'
keys 'lost one' Enter 'lost two' Enter
wait_screen "^$PEND <rr> lost two\$"
keys C-c
check "leaving with lines not sent: says how many" \
    wait_screen '^chat: 2 lines typed were not sent$'
check "  and exits 1" eval 'poll 10 test -s "$T/term.rc" && [ "$(cat "$T/term.rc")" = 1 ]'

# The same through a pipe: stdin's lines queued, the host never up.
HP2=$(closed_port)
spawn_typed pp 'one\ntwo\nthree\n' "$CHAT" -r -n pp 127.0.0.1 "$HP2"
# the second try comes turns of the loop after stdin was read
wait_count "$T/pp.err" 'trying again' 2
signal pp INT
check "a script leaving with lines not sent: says how many on stderr" \
    eval 'wait_exit pp && has_line "$T/pp.err" "chat: 3 lines typed were not sent"'
is "$RC" 1 "  and exits 1"
