#!/bin/sh
# A name back after a drop: a reconnection that gives the same /session
# key takes its name back at once, and the room is told "reconnected";
# nobody without the key can take a name, and nc users without one are
# as before. The real drop, one only the client notices, is made in a
# network namespace of the test's own.
. "$(dirname "$0")/lib.sh"

plan 24

start_host host || give_up "host did not start"
join_room bob bob
KEY=0123456789abcdef0123456789abcdef

# --- the host's side, with raw peers ---
raw_peer zed1 127.0.0.1 "/session $KEY\n/nick zed\n"
wait_for "$T/zed1.out" '^\*\*\* welcome zed\. '
send zed1 "/away on a train\n"
wait_line "$T/zed1.out" "*** you are away: on a train (/back ends it)"
say bob "/msg zed hello zed"
wait_line "$T/zed1.out" "*bob* hello zed"
say bob "/ignore zed"
wait_line "$T/bob.out" "*** you ignore zed now: /unignore zed ends it"

raw_peer zed2 127.0.0.1 "/session $KEY\n/nick zed\n"
check "the same key and name: welcomed under the name, not a variant" \
    wait_for "$T/zed2.out" '^\*\*\* welcome zed\. '
check "the room is told the person reconnected" \
    wait_line "$T/host.out" "*** zed reconnected"
check "...not that it left, nor that someone joined" \
    eval 'lacks "$T/host.out" "^\*\*\* zed left" &&
	[ "$(count "$T/host.out" "^\*\*\* zed joined")" -eq 1 ]'
check "the old connection is closed by the host" \
    wait_line "$T/zed1.err" "raw: connection closed"
check "...and sent nothing about it" \
    lacks "$T/zed1.out" 'reconnected|left'
say bob "/who"
wait_for "$T/bob.out" '^\*\*\* here: '
w=$(grep '^\*\*\* here: ' "$T/bob.out" | tail -n 1 | sed 's/ (away)//g')
check "the name is held once: by the new connection" \
    is "$(here_of "$w")" "bob host zed" "/who after a reconnection"
check "being away goes on across the reconnection" \
    has "$T/bob.out" '^\*\*\* here: .*zed \(away\)'
send zed2 "/r got it\n"
check "/r goes on: it answers whoever sent the last /msg" \
    wait_line "$T/zed2.out" "-> *bob* got it"
send zed2 "still ignored by bob\n"
say host "host marker"
check "being ignored goes on across the reconnection" \
    absent "$T/bob.out" "<host> host marker" "still ignored by bob"

# Nobody takes a name without its key.
raw_peer mallory 127.0.0.1 "/session ${KEY%?}0\n/nick zed\n"
check "a wrong key: a variant of the name, as without one" \
    wait_for "$T/mallory.out" '^\*\*\* welcome zed2 \(zed is taken\)\. '
raw_peer nokey 127.0.0.1 "/nick zed\n"
check "no key: a variant of the name, as before" \
    wait_for "$T/nokey.out" '^\*\*\* welcome zed3 \(zed is taken\)\. '
send zed2 "zed still here\n"
check "the one with the key keeps its name and connection" \
    wait_line "$T/host.out" "<zed> zed still here"
raw_peer short 127.0.0.1 "/session abc\n/nick shorty\n"
check "a key shorter than 16 bytes is refused, with the rule" \
    wait_line "$T/short.out" "*** a /session key is one word of 16 to 64 bytes"
send short "/session $KEY\n"
check "/session after joining says it comes first" \
    wait_for "$T/short.out" '^\*\*\* /session applies only before joining: before /nick'
raw_peer thief 127.0.0.1 "/session $KEY\n/nick thief\n"
wait_for "$T/thief.out" '^\*\*\* welcome thief\. '
send thief "/nick zed\n"
check "the key does not take a name by /nick later: it is taken" \
    wait_line "$T/thief.out" "*** nickname zed is taken"

# --- a real drop that only the client notices ---
# In a network namespace (root, unshare, ip, nft, ss): once alice is in,
# nft rejects her connection's packets to the host with a TCP reset,
# so her client sees the connection reset while the host, which got
# nothing, still holds it. She types; chat -r reconnects with its key.
cat >"$T/ns.sh" <<'NS'
set -u
T=$1 CHAT=$2 TDIR=$3
ip link set lo up || exit 1
until_has() {	# FILE REGEX: wait up to 10 s
	perl "$TDIR/wait.pl" 10 re "$1" "$2" && return 0
	echo "timed out: /$2/ in $1" >&2
	return 1
}
# every process started here is ended with the script, however it ends
pids=
trap 'kill $pids 2>/dev/null' EXIT
trap 'exit 1' INT TERM HUP
for f in h a w; do mkfifo "$T/ns.$f.in"; sleep 60 1<>"$T/ns.$f.in" & pids="$pids $!"; done
"$CHAT" -l -v -C -n host 0 <"$T/ns.h.in" >"$T/ns.host" 2>"$T/ns.host.err" &
pids="$pids $!"
until_has "$T/ns.host.err" 'port [0-9]' || exit 1
port=$(sed -n 's/.* port \([0-9]*\)$/\1/p' "$T/ns.host.err" | head -n 1)
"$CHAT" -C -n watch 127.0.0.1 "$port" <"$T/ns.w.in" >"$T/ns.watch" 2>&1 &
pids="$pids $!"
until_has "$T/ns.watch" '^\*\*\* welcome' || exit 1
"$CHAT" -r -v -C -n alice 127.0.0.1 "$port" <"$T/ns.a.in" >"$T/ns.alice" 2>"$T/ns.alice.err" &
alice=$!
pids="$pids $!"
until_has "$T/ns.watch" '^\*\*\* alice joined' || exit 1
printf '/nick alicia\n' 1<>"$T/ns.a.in"
until_has "$T/ns.watch" '^\*\*\* alice is now alicia' || exit 1
# her connection's own port, by the client's pid
cport=$(ss -Htnp state established "( dport = :$port )" | grep "pid=$alice," |
	awk '{ print $3 }' | sed 's/.*://')
[ -n "$cport" ] || { echo "no port for alice" >&2; exit 1; }
nft add table ip t && nft "add chain ip t in { type filter hook input priority 0; }" &&
    nft add rule ip t in tcp sport "$cport" tcp dport "$port" reject with tcp reset || exit 1
printf 'lost in the cut\n' 1<>"$T/ns.a.in"
until_has "$T/ns.alice.err" '^chat: reconnected to ' || exit 1
until_has "$T/ns.watch" '^\*\*\* alicia (reconnected|joined)$' || exit 1
printf 'back after the cut\n' 1<>"$T/ns.a.in"
until_has "$T/ns.watch" '^<' || exit 1
printf '/who\n' 1<>"$T/ns.w.in"
until_has "$T/ns.watch" '^\*\*\* here: ' || exit 1
# what the room saw until now: as the script ends, her client is ended
# too, and the room is told she left
cp "$T/ns.watch" "$T/ns.seen"
NS
if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null && command -v nft >/dev/null &&
    command -v ip >/dev/null && command -v ss >/dev/null &&
    timeout -k 2 60 unshare -n -m sh "$T/ns.sh" "$T" "$CHAT" "$TDIR" 2>"$T/ns.err"; then
	check "a drop only the client sees: it says so and reconnects" \
	    has "$T/ns.alice.err" '^chat: .*; reconnecting$'
	check "...and the room is told she reconnected, under the name she had" \
	    has_line "$T/ns.seen" "*** alicia reconnected"
	check "...not that she left, nor that an alicia2 joined" \
	    eval 'lacks "$T/ns.seen" "alicia left|alicia2|alice2" &&
		[ "$(count "$T/ns.seen" " joined$")" -eq 1 ]'
	check "...and she is welcomed under it again" \
	    eval '[ "$(count "$T/ns.alice" "^\*\*\* welcome alicia\. ")" -eq 1 ]'
	check "...and what she says next is hers" \
	    has_line "$T/ns.seen" "<alicia> back after the cut"
	w=$(grep '^\*\*\* here: ' "$T/ns.seen" | tail -n 1)
	is "$(here_of "$w")" "alicia host watch" "the room holds her once, at once"
else
	[ -s "$T/ns.err" ] && show "$T/ns.err"
	for i in 1 2 3 4 5 6; do
		skip "a drop only the client sees: needs root, unshare, ip, nft and ss"
	done
fi

# --- the history, for one who ignores someone ---
# Who said each kept line is kept with it, so a person back with the key
# who still ignores eve is not shown her lines in the history.
start_host hh -b 10 || give_up "host with -b 10 did not start"
KEY2=fedcba9876543210fedcba9876543210
raw_peer amy1 127.0.0.1 "/session $KEY2\n/nick amy\n"
wait_for "$T/amy1.out" '^\*\*\* welcome amy\. '
raw_join eve eve
raw_join sam sam
send amy1 "/ignore eve\n"
wait_line "$T/amy1.out" "*** you ignore eve now: /unignore eve ends it"
send eve "EVE WAS HERE\n"
send sam "sam was here\n"
wait_line "$T/amy1.out" "<sam> sam was here"
raw_peer amy2 127.0.0.1 "/session $KEY2\n/nick amy\n"
check "back with the key, the history leaves out whom one ignores" \
    eval 'waits 10 line "$T/amy2.out" "*** end of history" &&
	has "$T/amy2.out" "^[0-9:]+ <sam> sam was here\$" && lacks "$T/amy2.out" "EVE WAS HERE" ||
	{ show "$T/amy2.out"; false; }'
raw_join neo neo
check "...and a newcomer who ignores nobody is shown it all" \
    eval 'waits 10 line "$T/neo.out" "*** end of history" && has "$T/neo.out" "<eve> EVE WAS HERE"'
