#!/bin/sh
# The command line: usage, exit codes, -h, -v, failing to connect,
# losing the host.
. "$(dirname "$0")/lib.sh"

plan 29

run help 5 "$CHAT" -h </dev/null
if [ "$RC" -eq 0 ] && has "$(out help)" '[Uu]sage' &&
    has "$(out help)" '-l' && [ ! -s "$(err help)" ]; then
	ok "-h prints usage on stdout and exits 0"
else
	not_ok "-h prints usage on stdout and exits 0"
	diag "exit $RC"; show "$(out help)"; show "$(err help)"
fi

# -h names every option and every room command.
missing=
for w in -4 -6 -b -h -l -m -n -P -q -r -s -t -v -w \
    /nick /msg /me /who /r /quit /kick /help /pass //TEXT; do
	LC_ALL=C grep -Eq -- "(^|[[ ,])$w( |,|\]|$)" "$(out help)" || missing="$missing $w"
done
is "$missing" "" "-h names every option and every room command"

# usage_error NAME ARGS... : chat ARGS complains on stderr, exits 2 and
# does nothing else.  Clients point at 127.0.0.1 port 1, where nothing
# listens, so accepting the arguments would show up as exit 1.
usage_error() {
	_name=$1; shift
	run usage 5 "$CHAT" "$@" </dev/null
	if [ "$RC" -eq 2 ] && [ -s "$(err usage)" ] && [ ! -s "$(out usage)" ]; then
		ok "$_name: error on stderr, exit 2"
	else
		not_ok "$_name: error on stderr, exit 2"
		diag "chat $*: exit $RC"; show "$(out usage)"; show "$(err usage)"
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
usage_error "nickname starting with *" -n '*star' 127.0.0.1 1
usage_error "nickname with a space" -n 'two words' 127.0.0.1 1
usage_error "empty nickname" -n '' 127.0.0.1 1
usage_error "nickname with a control character" -n "$(printf 'a\001b')" 127.0.0.1 1
usage_error "nickname with >" -n 'a>b' 127.0.0.1 1
usage_error "33-byte nickname" -n abcdefghijklmnopqrstuvwxyz0123456 127.0.0.1 1
usage_error "host with nickname <x>" -l -n '<x>' 0

port=$(closed_port)
run refused 10 "$CHAT" -n a 127.0.0.1 "$port" </dev/null
if [ "$RC" -eq 1 ] && has "$(err refused)" '^chat: '; then
	ok "connection refused: chat: message on stderr, exit 1"
else
	not_ok "connection refused: chat: message on stderr, exit 1"
	diag "exit $RC"; show "$(err refused)"
fi

start_host host || give_up "host did not start"

join_room alice alice -v
check "-v client prints 'chat: connected to 127.0.0.1 port N' on stderr" \
    wait_line "$(err alice)" "chat: connected to 127.0.0.1 port $PORT"

# The host dies without a word while bob still has stdin open.
join_room bob bob
signal host KILL
if wait_exit bob && [ "$RC" -eq 1 ] && has "$(err bob)" '^chat: '; then
	ok "host killed under a connected client: chat: message, exit 1"
else
	not_ok "host killed under a connected client: chat: message, exit 1"
	diag "exit ${RC:-none}"; show "$(err bob)"
fi
