#!/bin/sh
# Other clients and other rooms: nc, socat, ncat and telnet as peers of
# a chat room; chat as a client of an `ncat --chat` room; and hosts and
# clients over IPv6 (::1) as well as IPv4 (127.0.0.1).
. "$(dirname "$0")/lib.sh"

plan 31

cr=$(printf '\r')

# have TOOL : TOOL is installed.
have() { command -v "$1" >/dev/null 2>&1; }

# skip_n N REASON : skip the next N tests.
skip_n() {
	local _i=0
	while [ "$_i" -lt "$1" ]; do skip "$2"; _i=$((_i + 1)); done
}

# ncat_greets PORT : a connect to 127.0.0.1 PORT is answered within 2 s
# by ncat --chat's "<announce> " greeting (not by whatever else might
# have taken the port).
ncat_greets() {
	perl -MIO::Socket::IP -e '
		my $s = IO::Socket::IP->new(PeerHost => "127.0.0.1",
		    PeerPort => $ARGV[0]) or exit 1;
		alarm 2;
		my $l = <$s>;
		exit !(defined $l && $l =~ /^<announce> /);' "$1" 2>/dev/null
}

# ncat_room LABEL : an ncat --chat room on a free loopback port, its
# port in PORT once it greets a connect.  A port closed_port found free
# can be taken before ncat binds it: then ncat exits, and we try again.
ncat_room() {
	local _try _nl
	for _try in 1 2 3; do
		PORT=$(closed_port)
		_nl=$1$_try
		spawn_in /dev/null "$_nl" ncat -l 127.0.0.1 "$PORT" --chat
		poll 10 eval '! running "$_nl" || ncat_greets "$PORT"' &&
			running "$_nl" && return 0
		diag "ncat --chat on port $PORT: not up"
		show "$T/$_nl.err"
		signal "$_nl" KILL 2>/dev/null
	done
	return 1
}

# visible FILE : FILE as chat shows it: TAB as a space, C0 controls
# (but LF), DEL and UTF-8 C1 controls removed.
visible() {
	LC_ALL=C perl -pe 's/\t/ /g; s/\xc2[\x80-\x9f]//g;
		s/[\x00-\x09\x0b-\x1f\x7f]//g' "$1"
}

# tool_peer TOOL LABEL NICK FORMAT CMD... : TOOL (as LABEL) joins the
# room as NICK with FORMAT typed first; three tests: welcomed, its line
# reaches alice, alice's line reaches it.  EOL is the line ending the
# tool sends ('\n' or '\r\n').
tool_peer() {
	local _tool="$1" _tl="$2" _nick="$3"; shift 3
	if ! have "$_tool"; then
		skip_n 3 "$_tool not installed"
		return
	fi
	spawn_typed "$_tl" "$@"
	check "$_tool: naming itself with /nick, it is welcomed under that name" \
	    wait_for "$T/$_tl.out" "^\*\*\* welcome $_nick\. here: .*\. type /help for commands$"
	wait_line "$T/alice.out" "*** $_nick joined"
	send "$_tl" "line from $_tool$EOL"
	check "$_tool: its line reaches a chat client as <$_nick> text" \
	    wait_line "$T/alice.out" "<$_nick> line from $_tool"
	say alice "to $_tool"
	check "$_tool: a chat client's line arrives on its stdout as <alice> text" \
	    wait_line "$T/$_tl.out" "<alice> to $_tool"
}

# --- nc, socat, ncat and telnet in a chat room ---------------------------

start_host host || give_up "host did not start"
join_room alice alice
raw_peer watch 127.0.0.1 '/nick watch\n'
wait_for "$T/watch.out" '^\*\*\* welcome watch\. '

EOL='\n'
tool_peer nc nc ncuser '/nick ncuser\n' nc 127.0.0.1 "$PORT"

EOL='\r\n'
tool_peer socat socat socat '/nick socat\r\n' socat - "TCP:127.0.0.1:$PORT"
if have socat; then
	check "socat: a CRLF line is relayed with no CR" \
	    wait_line "$T/watch.out" "<socat> line from socat"
	check "socat: what it receives is plain LF lines, no CR" \
	    absent "$T/socat.out" "<alice> to socat" "$cr"
else
	skip_n 2 "socat not installed"
fi

EOL='\n'
tool_peer ncat ncat ncatuser '/nick ncatuser\n' ncat 127.0.0.1 "$PORT"

# telnet sends CRLF; with stdin on a FIFO it runs without a terminal.
EOL='\n'
tool_peer telnet telnet tel '/nick tel\n' telnet 127.0.0.1 "$PORT"
if have telnet; then
	check "telnet: its line (CRLF) is relayed with no CR" \
	    wait_line "$T/watch.out" "<tel> line from telnet"
else
	skip "telnet not installed"
fi

check "no CR byte in anything the host relayed" lacks "$T/watch.out" "$cr"

# --- chat as a client of an ncat --chat room -----------------------------

if have ncat; then
	ncat_room ncroom || diag "no ncat --chat room"
	spawn bob "$CHAT" -n bob 127.0.0.1 "$PORT"
	check "chat joins an ncat --chat room and shows its notices" \
	    wait_for "$T/bob.out" '^<announce> already connected'
	raw_peer ncraw
	wait_for "$T/ncraw.out" '^<announce> already connected'
	raw_peer look
	wait_for "$T/look.out" '^<announce> already connected'
	wait_count "$T/bob.out" '^<announce> .* is connected as <user[0-9]+>\.$' 3
	say bob "hello from chat"
	check "what the chat client says reaches the ncat room as <userN> text" \
	    wait_for "$T/ncraw.out" '^<user[0-9]+> hello from chat$'

	send ncraw 'plain \033[31mred\033[0m bel\007 cr\rX c1\302\233Y tab\tZ end\n'
	wait_for "$T/look.out" '^<user[0-9]+> plain .* end'
	LC_ALL=C grep -a '^<user[0-9]*> plain ' "$T/look.out" >"$T/relayed"
	visible "$T/relayed" >"$T/shown"
	check "a line with control bytes from the room is shown without them, text intact" \
	    eval '! cmp -s "$T/relayed" "$T/shown" &&
	    wait_line "$T/bob.out" "$(cat "$T/shown")"'
	check "no control byte from the room reaches the chat client's output" \
	    clean_utf8 "$T/bob.out"

	hangup bob
	check "on stdin EOF the chat client says /quit to the room" \
	    wait_for "$T/ncraw.out" '^<user[0-9]+> /quit$'
	check "then it exits when ncat closes, within 10 s" wait_exit bob 10
	is "$RC" 0 "and its exit status is 0"
else
	skip_n 7 "ncat not installed"
fi

# --- IPv6 and IPv4 ---------------------------------------------------------

if have_ipv6; then
	start_host both || give_up "host did not start"
	ADDR=::1 join_room six six
	check "by default the host accepts a client on ::1" \
	    welcomed six '^\*\*\* welcome six\. '
	join_room four four
	is "$(here_of "$(first_line "$T/four.out")")" "host six" \
	    "a client on 127.0.0.1 joins the same room as the one on ::1"
	say six "from six"
	check "the client on ::1 is heard on 127.0.0.1" \
	    wait_line "$T/four.out" "<six> from six"
	say four "from four"
	check "the client on 127.0.0.1 is heard on ::1" \
	    wait_line "$T/six.out" "<four> from four"

	start_host host6 -6 || give_up "host -6 did not start"
	ADDR=::1 join_room six6 six
	check "chat -l -6 is reachable on ::1" welcomed six6 '^\*\*\* welcome six\. '
	run four6 10 "$CHAT" -n four 127.0.0.1 "$PORT" </dev/null
	is "$RC" 1 "chat -l -6 is not reachable on 127.0.0.1: the client exits 1"
else
	skip_n 6 "no IPv6"
fi

start_host host4 -4 || give_up "host -4 did not start"
join_room four4 four
check "chat -l -4 is reachable on 127.0.0.1" welcomed four4 '^\*\*\* welcome four\. '
if have_ipv6; then
	run six4 10 "$CHAT" -n six ::1 "$PORT" </dev/null
	is "$RC" 1 "chat -l -4 is not reachable on ::1: the client exits 1"
else
	skip "no IPv6"
fi
