#!/bin/sh
# History replayed to newcomers (-b), /kick, /r, reconnecting clients
# (-r), and TCP keepalive on every peer's socket.
. "$(dirname "$0")/lib.sh"

plan 53

# history_of FILE : the lines of FILE's first history block, markers
# left out, each without the "HH:MM " of when it was said; a line
# without one is marked "untimed: " so that it matches no expectation.
history_of() {
	awk '$0 == "*** end of history" { exit }
	     on && /^[0-2][0-9]:[0-5][0-9] / { print substr($0, 7); next }
	     on { print "untimed: " $0 }
	     $0 == "*** history follows" { on = 1 }' "$1"
}

# host_on LABEL PORT [ARGS...] : host a room as nick "host" on 127.0.0.1
# PORT itself (start_host lets the system pick); true once it listens.
host_on() {
	local _h="$1" _p="$2"; shift 2
	spawn "$_h" "$CHAT" -l -v -n host -s 127.0.0.1 "$@" "$_p" || return 1
	waits 10 re "$T/$_h.err" '^chat: listening on ' or size "$T/$_h.rc"
	has "$T/$_h.err" "^chat: listening on 127\\.0\\.0\\.1 port $_p\$" && return 0
	diag "$_h: not listening on port $_p"
	show "$T/$_h.err"
	return 1
}

# no_history LABEL : LABEL, once the answer to a /who is in, has had no
# history block.  (Clients here ask for the history with -H: their
# stdout is a file, where it is left out otherwise.)
no_history() {
	say "$1" "/who"
	wait_for "$T/$1.out" '^\*\*\* here: ' && lacks "$T/$1.out" 'history'
}

# usage_error NAME ARGS... : chat ARGS complains on stderr and exits 2.
# Hosts are kept on loopback and clients pointed at port 1, so accepting
# the arguments shows up as a hang (124) or exit 1.
usage_error() {
	local _name="$1"; shift
	run usage 5 "$CHAT" "$@" </dev/null
	if [ "$RC" -eq 2 ] && [ -s "$T/usage.err" ]; then
		ok "$_name: error on stderr, exit 2"
	else
		not_ok "$_name: error on stderr, exit 2"
		diag "chat $*: exit $RC"; show "$T/usage.err"
	fi
}

# --- history: the default, 20 lines -------------------------------------

start_host hist || give_up "host did not start"
join_room halice alice
i=1
while [ $i -le 25 ]; do
	say halice "line $i"
	i=$((i + 1))
done
wait_line "$T/hist.out" "<alice> line 25"

join_room hbob bob -H
wait_line "$T/hbob.out" "*** end of history"
is "$(history_of "$T/hbob.out")" "$(seq 6 25 | sed 's/^/<alice> line /')" \
    "history: by default the last 20 room lines, in order, the first 5 gone"
check "history: each line starts with the time it was said" \
    eval '[ "$(awk "/^[0-2][0-9]:[0-5][0-9] <alice> line /" "$T/hbob.out" | wc -l)" -eq 20 ]'
is "$(sed -n 2p "$T/hbob.out")" "*** history follows" \
    "history: the block starts right after the welcome"
is "$(sed -n 23p "$T/hbob.out")" "*** end of history" \
    "history: the block ends with *** end of history"
join_room hcarol carol -H
wait_line "$T/hbob.out" "*** carol joined"
check "history: a later join notice comes after the block" \
    in_order "$T/hbob.out" "*** end of history" "*** carol joined"

say halice "before the msg"
say halice "/msg bob private words"
say halice "/me dances"
wait_line "$T/hbob.out" "* alice dances"
say hist "the host speaks"
wait_line "$T/hbob.out" "<host> the host speaks"
say halice "after the msg"
wait_line "$T/hbob.out" "<alice> after the msg"
join_room hdave dave -H
wait_line "$T/hdave.out" "*** end of history"
history_of "$T/hdave.out" >"$T/hdave.hist"
check "history: /me lines are replayed as * nick text" \
    has_line "$T/hdave.hist" "* alice dances"
check "history: the host's own room lines are replayed" \
    has_line "$T/hdave.hist" "<host> the host speaks"
check "history: a /msg between two room lines is not replayed" \
    absent "$T/hdave.out" "*** end of history" "private words"
check "history: notices (joins) are not replayed" \
    lacks "$T/hdave.hist" '^\*\*\*'
is "$(cat "$T/hdave.hist")" "$(seq 10 25 | sed 's/^/<alice> line /')
<alice> before the msg
* alice dances
<host> the host speaks
<alice> after the msg" \
    "history: exactly the last 20 room lines, old ones pushed out"

join_room hscript script
say halice "said after script joined"
check "history: a chat client whose stdout is not a terminal leaves it out, markers and all" \
    eval 'absent "$T/hscript.out" "<alice> said after script joined" "history|line [0-9]|dances|speaks|the msg" &&
	[ "$(wc -l <"$T/hscript.out")" -eq 2 ]'

# --- history: an empty room, -b 3, -b 0 ----------------------------------

start_host empty || give_up "host did not start"
join_room efirst efirst -H
check "history: a room with nothing said yet gives no history block" \
    no_history efirst
say efirst "/msg host psst"
wait_line "$T/empty.out" "*efirst* psst"
join_room esecond esecond -H
check "history: private messages and notices alone give no history block" \
    no_history esecond

start_host b3 -b 3 || give_up "host did not start"
join_room w3 w3
for i in 1 2 3 4 5; do say w3 "three $i"; done
wait_line "$T/b3.out" "<w3> three 5"
join_room r3 r3 -H
wait_line "$T/r3.out" "*** end of history"
is "$(history_of "$T/r3.out")" "<w3> three 3
<w3> three 4
<w3> three 5" "history: -b 3 keeps the last 3 lines"

start_host b0 -b 0 || give_up "host did not start"
join_room w0 w0
say w0 "zero 1"
say w0 "zero 2"
wait_line "$T/b0.out" "<w0> zero 2"
join_room r0 r0 -H
check "history: -b 0 gives no history block at all" no_history r0

usage_error "-b with a client" -n a -b 5 127.0.0.1 1
usage_error "-b -1" -l -n a -s 127.0.0.1 -b -1 0
usage_error "-b x" -l -n a -s 127.0.0.1 -b x 0
usage_error "-r with -l" -l -n a -s 127.0.0.1 -r 0
usage_error "-H with -l" -l -n a -s 127.0.0.1 -H 0

# --- /r --------------------------------------------------------------------

start_host kh || give_up "host did not start"
join_room ka alice
join_room kb bob
join_room kc carol
wait_line "$T/ka.out" "*** carol joined"

say kc "/r x"
check "/r before any /msg: nobody has sent you a private message yet" \
    wait_line "$T/kc.out" "*** nobody has sent you a private message yet"

say ka "/msg bob hi"
wait_line "$T/kb.out" "*alice* hi"
say kb "/r hello"
check "/r: the last /msg sender gets *replier* text" \
    wait_line "$T/ka.out" "*bob* hello"
check "/r: the replier gets -> *sender* text" \
    wait_line "$T/kb.out" "-> *alice* hello"
say kb "marker after reply"
check "/r: nobody else sees the reply" \
    absent "$T/kc.out" "<bob> marker after reply" "hello"

# --- /kick ---------------------------------------------------------------

say kc "/kick alice"
check "/kick from a peer: only the host can /kick" \
    wait_line "$T/kc.out" "*** only the host can /kick"
say kc "marker after kick try"
check "/kick from a peer: the target stays and is told nothing" \
    absent "$T/ka.out" "<carol> marker after kick try" "kicked|/kick"

say kh "/kick bob flooding the room"
check "/kick REASON: the room sees NAME was kicked by the host (REASON)" \
    wait_line "$T/ka.out" "*** bob was kicked by the host (flooding the room)"
check "/kick: a kicked chat client exits 1" \
    eval 'wait_exit kb && [ "$RC" -eq 1 ]'
check "/kick REASON: the kicked one is told why, once, on stderr" \
    eval '[ "$(cat "$T/kb.err")" = "chat: you were kicked out by the host (flooding the room)" ] &&
	lacks "$T/kb.out" "kicked"'

raw_peer kr 127.0.0.1 '/nick rawp\n'
wait_for "$T/kr.out" '^\*\*\* welcome rawp\. '
wait_line "$T/ka.out" "*** rawp joined"
say kh "/kick rawp"
check "/kick: the host closes the kicked peer's connection" \
    wait_line "$T/kr.err" "raw: connection closed"
check "/kick: the raw peer got the notice before the close" \
    has_line "$T/kr.out" "*** you were kicked out by the host"
check "/kick without a reason: NAME was kicked by the host" \
    wait_line "$T/ka.out" "*** rawp was kicked by the host"

say kh "/kick nosuch"
check "/kick nosuch: the host is told no such nick" \
    wait_line "$T/kh.out" "*** no such nick: nosuch"

join_room kd dave -r
wait_line "$T/ka.out" "*** dave joined"
say kh "/kick dave"
check "/kick: a chat -r client exits 1, it does not come back" \
    eval 'wait_exit kd && [ "$RC" -eq 1 ]'
check "the kicked chat -r client does not try to reconnect" \
    lacks "$T/kd.err" 'reconnect|trying again'

# --- chat -r -------------------------------------------------------------

PORT=$(closed_port)
spawn rr "$CHAT" -r -n rick 127.0.0.1 "$PORT"
refused="^chat: cannot connect to 127\\.0\\.0\\.1 port $PORT: .*; trying again in [0-9]+\\.[0-9] s\$"
check "-r with no host: cannot connect ...; trying again in X s" \
    wait_for "$T/rr.err" "$refused"
check "-r with no host: it keeps trying" \
    eval 'wait_count "$T/rr.err" "$refused" 2 && running rr'
host_on rh1 "$PORT" || diag "host on port $PORT did not start"
check "-r: it joins once a host listens on that port" \
    wait_for "$T/rr.out" '^\*\*\* welcome rick\. ' 15

signal rh1 KILL
check "-r: when the host dies it says ...; reconnecting" \
    wait_for "$T/rr.err" '^chat: .*reconnecting$'
say rr "typed while away"
check "-r: still running while the host is down" running rr
host_on rh2 "$PORT" || diag "second host on port $PORT did not start"
check "-r: then reconnected to 127.0.0.1 port N" \
    wait_line "$T/rr.err" "chat: reconnected to 127.0.0.1 port $PORT" 15
check "-r: welcomed again under the same nick" \
    wait_count "$T/rr.out" '^\*\*\* welcome rick\. ' 2
check "-r: a line typed while disconnected is delivered after the reconnect" \
    wait_line "$T/rh2.out" "<rick> typed while away"

join_room rp plain
signal rh2 KILL
check "without -r, the host's death makes the client exit 1" \
    eval 'wait_exit rp && [ "$RC" -eq 1 ]'
check "-r: the second death is noticed too" \
    wait_count "$T/rr.err" '^chat: .*reconnecting$' 2

PORT=$(closed_port)
host_on ph1 "$PORT" -P secret || diag "host -P secret did not start"
join_room rs sam -r -P secret
signal ph1 KILL
wait_for "$T/rs.err" '^chat: .*reconnecting$'
host_on ph2 "$PORT" -P secret || diag "second host -P secret did not start"
check "-r -P: reconnected to a host with a password" \
    wait_line "$T/rs.err" "chat: reconnected to 127.0.0.1 port $PORT" 15
check "-r -P: the password is sent again, welcomed under the same nick" \
    wait_count "$T/rs.out" '^\*\*\* welcome sam\. ' 2
check "-r -P: the room sees the same nick join" \
    wait_line "$T/ph2.out" "*** sam joined"

spawn rw "$CHAT" -r -P wrong -n wes 127.0.0.1 "$PORT"
check "-r with a wrong password: exits 1, no endless retry" \
    eval 'wait_exit rw && [ "$RC" -eq 1 ]'
check "-r with a wrong password: told so, on stderr" \
    eval 'has_line "$T/rw.err" "chat: wrong password" && lacks "$T/rw.out" "wrong password"'
check "-r with a wrong password: no reconnect attempt" \
    lacks "$T/rw.err" 'reconnect|trying again'

# --- TCP keepalive ---------------------------------------------------------

# keepalive_ss FILTER : the established sockets matching the ss filter
# show a keepalive timer due in at most 60 s (the system default is two
# hours).
keepalive_ss() {
	ss -tnoH state established "$1" >"$T/ss" 2>&1
	if LC_ALL=C grep -Eq 'timer:\(keepalive,([0-9]{1,2}(\.[0-9]+)?sec|1min|[0-9]+ms),' "$T/ss"; then
		return 0
	fi
	show "$T/ss"
	return 1
}

if ss -tnoH state established >/dev/null 2>&1; then
	start_host alive || give_up "host did not start"
	join_room kal kal
	check "keepalive: the host's socket to a peer has a keepalive timer (<= 60 s)" \
	    keepalive_ss "( sport = :$PORT )"
	check "keepalive: a chat client's socket has a keepalive timer (<= 60 s)" \
	    keepalive_ss "( dport = :$PORT )"
else
	skip "ss (iproute2) is not installed"
	skip "ss (iproute2) is not installed"
fi
