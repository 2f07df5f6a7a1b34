#!/bin/sh
# The command line: usage, exit codes, -h, -v, failing to connect,
# losing the host.
. "$(dirname "$0")/lib.sh"

plan 41

run help 5 "$CHAT" -h </dev/null
if [ "$RC" -eq 0 ] && has "$T/help.out" '[Uu]sage' &&
    has "$T/help.out" '-l' && [ ! -s "$T/help.err" ]; then
	ok "-h prints usage on stdout and exits 0"
else
	not_ok "-h prints usage on stdout and exits 0"
	diag "exit $RC"; show "$T/help.out"; show "$T/help.err"
fi

# -h names every option and every room command.
missing=
for w in -4 -6 -b -C -e -h -H -l -m -n -P -q -r -R -s -t -T -U -v -w \
    /nick /msg /me /who /r /away /back /topic /ignore /unignore /quit /kick /ban /unban /bans \
    /help /pass /session //TEXT; do
	LC_ALL=C grep -Eq -- "(^|[[ ,])$w( |,|\]|$)" "$T/help.out" || missing="$missing $w"
done
is "$missing" "" "-h names every option and every room command"

# usage_error NAME ARGS... : chat ARGS complains on stderr, exits 2 and
# does nothing else.  Clients point at 127.0.0.1 port 1, where nothing
# listens, so accepting the arguments would show up as exit 1.
usage_error() {
	local _name="$1"; shift
	run usage 5 "$CHAT" "$@" </dev/null
	if [ "$RC" -eq 2 ] && [ -s "$T/usage.err" ] && [ ! -s "$T/usage.out" ]; then
		ok "$_name: error on stderr, exit 2"
	else
		not_ok "$_name: error on stderr, exit 2"
		diag "chat $*: exit $RC"; show "$T/usage.out"; show "$T/usage.err"
	fi
}

usage_error "no arguments"
usage_error "unknown option -x" -x -n a 127.0.0.1 1
usage_error "missing host" -n a
usage_error "port 70000" -n a 127.0.0.1 70000
usage_error "port abc" -n a 127.0.0.1 abc
usage_error "port 12x" -n a 127.0.0.1 12x
usage_error "port -1" -n a 127.0.0.1 -1
usage_error "host with port 70000" -l -n a 70000
usage_error "host with port 12x" -l -n a 12x
usage_error "-q abc" -n a -q abc 127.0.0.1 1
usage_error "-q 1x" -n a -q 1x 127.0.0.1 1
usage_error "-q without a value" -n a -q
usage_error "-w abc" -n a -w abc 127.0.0.1 1
usage_error "-w 2x" -n a -w 2x 127.0.0.1 1
usage_error "-s without -l" -n a -s 127.0.0.1 127.0.0.1 1
usage_error "-q with -l" -l -n a -q 1 0
usage_error "-w with -l" -l -n a -w 1 0
usage_error "-H with -l" -l -n a -H 0
usage_error "nickname starting with *" -n '*star' 127.0.0.1 1
usage_error "nickname with a space" -n 'two words' 127.0.0.1 1
usage_error "empty nickname" -n '' 127.0.0.1 1
usage_error "nickname with a control character" -n "$(printf 'a\001b')" 127.0.0.1 1
usage_error "nickname with >" -n 'a>b' 127.0.0.1 1
usage_error "65-byte nickname" -n abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklm 127.0.0.1 1
usage_error "host with nickname <x>" -l -n '<x>' 0

# said_first NAME REGEX ARGS... : chat ARGS exits 2, the first line on
# stderr says what was wrong (matches REGEX) and the usage follows it.
said_first() {
	local _name="$1" _re="$2"; shift 2
	run first 5 "$CHAT" "$@" </dev/null
	if [ "$RC" -eq 2 ] && matches "$(first_line "$T/first.err")" "$_re" &&
	    matches "$(sed -n 2p "$T/first.err")" '^usage: chat '; then
		ok "$_name"
	else
		not_ok "$_name"
		diag "chat $*: exit $RC"; show "$T/first.err"
	fi
}
said_first "nc's -l ADDR PORT: the first line says -l takes a port and to use -s ADDR" \
    '^chat: -l takes a port, not an address: use -s 127\.0\.0\.1$' -l 127.0.0.1 45000
said_first "no host: the first line says so, then the usage" \
    '^chat: no host to join given' -n a
said_first "no arguments at all: the first line says what is missing" \
    '^chat: no host to join given'
said_first "three operands: the first line names the one too many" \
    '^chat: too many arguments: c$' -n a a b c
said_first "after --, everything is an operand: a -v there is one too many" \
    '^chat: too many arguments: -v$' -n a -- 127.0.0.1 1 -v
said_first "-n 'bad name' says the rule a name must follow" \
    '^chat: invalid nickname "bad name": names are 1 to 64 bytes of letters, digits, marks and _ - \. of one script' \
    -n 'bad name' 127.0.0.1 1

port=$(closed_port)
run refused 10 "$CHAT" -n a 127.0.0.1 "$port" </dev/null
if [ "$RC" -eq 1 ] && has "$T/refused.err" '^chat: '; then
	ok "connection refused: chat: message on stderr, exit 1"
else
	not_ok "connection refused: chat: message on stderr, exit 1"
	diag "exit $RC"; show "$T/refused.err"
fi

start_host host || give_up "host did not start"

join_room alice alice -v
check "-v client prints 'chat: connected to 127.0.0.1 port N' on stderr" \
    wait_line "$T/alice.err" "chat: connected to 127.0.0.1 port $PORT"

# Options after the operands, as nc takes them: README's own `-l 0 -v`,
# and a client's -n after HOST PORT.
spawn late "$CHAT" -l -n late 0 -v
save=$PORT
check "options after the port: README's 'chat -l 0 -v' listens and says where" host_port late
late_port=$PORT
PORT=$save
spawn carol "$CHAT" 127.0.0.1 "${late_port:-1}" -n carol -C
check "options after HOST PORT: 'chat 127.0.0.1 PORT -n carol' joins as carol" \
    wait_for "$T/carol.out" '^\*\*\* welcome carol\. '

# The host dies without a word while bob still has stdin open, and
# while a logger (-q -1) waits for it to go.
join_room bob bob
spawn_in /dev/null logger "$CHAT" -n logger -q -1 127.0.0.1 "$PORT"
wait_line "$T/bob.out" "*** logger joined"
signal host KILL
if wait_exit bob && [ "$RC" -eq 1 ] && has "$T/bob.err" '^chat: '; then
	ok "host killed under a connected client: chat: message, exit 1"
else
	not_ok "host killed under a connected client: chat: message, exit 1"
	diag "exit ${RC:-none}"; show "$T/bob.err"
fi
check "-q -1: a host gone without a word is a failure too: exit 1, connection closed by host" \
    eval 'wait_exit logger && [ "$RC" -eq 1 ] &&
	has_line "$T/logger.err" "chat: connection closed by host"'

# --- -w, and a name with more than one address -----------------------------

# In a network and mount namespace of its own (as root, with unshare,
# ip and nft), loopback has a dead address: nft drops every SYN to it,
# so a connection there neither succeeds nor fails. The name twohomes
# (a private /etc/hosts) has that address first, then one a host
# listens on. Results go to $T/ns.*.
cat >"$T/ns.sh" <<'NS'
set -u
T=$1 CHAT=$2 TDIR=$3
ip link set lo up || exit 1
printf '127.0.0.1 twohomes\n127.0.0.2 twohomes\n' >"$T/hosts"
mount --bind "$T/hosts" /etc/hosts || exit 1
# the first address getaddrinfo gives is the dead one, the other is live
# (getent would ask with AI_ADDRCONFIG, and find nothing here)
dead=$(perl -MSocket=:addrinfo,SOCK_STREAM -e '
	my ($e, @ai) = getaddrinfo("twohomes", "", { socktype => SOCK_STREAM });
	my ($err, $h) = getnameinfo($ai[0]{addr}, NI_NUMERICHOST) unless $e;
	print "$h\n" if defined $h;')
case $dead in 127.0.0.1) live=127.0.0.2 ;; *) live=127.0.0.1 ;; esac
nft add table ip t && nft "add chain ip t in { type filter hook input priority 0; }" &&
    nft add rule ip t in ip daddr "$dead" "tcp flags & (syn | ack) == syn" drop || exit 1
"$CHAT" -l -v -n host -s "$live" 0 </dev/null >/dev/null 2>"$T/ns.host" &
host=$!
trap 'kill $host 2>/dev/null' EXIT
perl "$TDIR/wait.pl" 10 re "$T/ns.host" 'port [0-9]'
port=$(sed -n 's/.* port \([0-9]*\)$/\1/p' "$T/ns.host")
timeout -k 2 10 "$CHAT" -n a -w 1 "$dead" "$port" </dev/null >/dev/null 2>"$T/ns.w.err"
echo $? >"$T/ns.w.rc"
timeout -k 2 10 "$CHAT" -v -n b -w 1 twohomes "$port" </dev/null >/dev/null 2>"$T/ns.two.err"
echo $? >"$T/ns.two.rc"
echo "$live" >"$T/ns.live"
NS
if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null && command -v nft >/dev/null &&
    command -v ip >/dev/null &&
    timeout -k 2 60 unshare -n -m sh "$T/ns.sh" "$T" "$CHAT" "$TDIR" 2>"$T/ns.err"; then
	check "-w 1: an attempt that gets no answer is given up: exit 1, timed out" \
	    eval '[ "$(cat "$T/ns.w.rc")" = 1 ] && has "$T/ns.w.err" "^chat: .*timed out"'
	check "a name's addresses are tried in turn: past the silent one to the next" \
	    eval '[ "$(cat "$T/ns.two.rc")" = 0 ] &&
		has_line "$T/ns.two.err" "chat: connected to $(cat "$T/ns.live") port $(sed -n "s/.* port //p" "$T/ns.host")"'
else
	[ -s "$T/ns.err" ] && show "$T/ns.err"
	skip "-w: needs root, unshare, ip and nft"
	skip "addresses in turn: needs root, unshare, ip and nft"
fi
