#!/bin/sh
# The room: joining, room messages, leaving, and how the host frames
# what peers send (split writes, several lines per write, CRLF, empty
# and blank lines, UTF-8, spoofing).
. "$(dirname "$0")/lib.sh"

plan 31

start_host host || give_up "host did not start"

join_room alice alice
is "$(first_line "$T/alice.out")" \
    "*** welcome alice. here: host. type /help for commands" \
    "the first line a peer gets is the welcome, listing who is here"

join_room bob bob
w=$(first_line "$T/bob.out")
check "the welcome names the newcomer" \
    welcomed bob '^\*\*\* welcome bob\. here: .*\. type /help for commands$'
is "$(here_of "$w")" "alice host" "the welcome lists the other members, host included"
check "members see the newcomer join" \
    wait_line "$T/alice.out" "*** bob joined"

say alice "hello room"
check "a room message reaches the other peers as <nick> text" \
    wait_line "$T/bob.out" "<alice> hello room"
say bob "marker one"
check "the sender does not get its own room message back" \
    absent "$T/alice.out" "<bob> marker one" "hello room"

say alice "héllo 世界 🙂"
check "UTF-8 text passes through untouched" \
    wait_line "$T/bob.out" "<alice> héllo 世界 🙂"

# A raw peer that sees the exact bytes the host sends.
raw_peer watch 127.0.0.1 '/nick watch\n'
wait_for "$T/watch.out" '^\*\*\* welcome watch\. '
wait_line "$T/alice.out" "*** watch joined"

# eve writes raw bytes, exactly as given to send.
raw_peer eve 127.0.0.1 '/nick eve\n'
wait_for "$T/eve.out" '^\*\*\* welcome '
check "a raw peer naming itself first is welcomed under that name" \
    welcomed eve '^\*\*\* welcome eve\. here: '
wait_line "$T/alice.out" "*** eve joined"
wait_line "$T/watch.out" "*** eve joined"

send eve 'hel'
sleep 0.3	# not synchronisation: the pause is what makes it a split write
send eve 'lo\n'
check "a line split over two writes arrives as one line" \
    wait_line "$T/alice.out" "<eve> hello"
check "no half line is sent before the rest arrives" \
    absent "$T/alice.out" "<eve> hello" '^<eve> hel$'

send eve 'one\ntwo\n'
wait_line "$T/alice.out" "<eve> two"
check "two lines in one write arrive as two stamped lines, in order" \
    in_order "$T/alice.out" "<eve> one" "<eve> two"

send eve 'crlf\r\n'
check "CRLF: the line arrives without its CR" \
    wait_line "$T/watch.out" "<eve> crlf"
cr=$(printf '\r')
check "no CR byte anywhere in what the host sends" \
    absent "$T/watch.out" "<eve> crlf" "$cr"

send eve '\n\r\n\n'
send eve 'after empty lines\n'
check "empty lines (LF, CRLF) are ignored" \
    absent "$T/watch.out" "<eve> after empty lines" "^<eve> ?$cr?$"

send eve '   \n\t\r\n \t \n'
send eve 'after blank lines\n'
check "lines of only spaces and tabs are ignored: nobody gets '<eve>    '" \
    absent "$T/watch.out" "<eve> after blank lines" "^<eve> +$cr?$"

send eve 'hi\n<bob> fake\n'
check "a spoofing write: the first line is stamped" \
    wait_line "$T/alice.out" "<eve> hi"
check "a spoofing write: the second line is stamped too" \
    wait_line "$T/alice.out" "<eve> <bob> fake"
check "no line appears to come from the spoofed nick" \
    absent "$T/alice.out" "<eve> <bob> fake" '^<bob> fake'

send eve '*** host shutting down\n'
check "a peer cannot forge a host notice" \
    absent "$T/alice.out" "<eve> *** host shutting down" '^\*\*\* host shutting down'

send eve '*alice* psst\n'
check "a peer cannot forge a private message" \
    absent "$T/bob.out" "<eve> *alice* psst" '^\*alice\* psst'

say alice "ünïcödé 🙂 for raw"
check "UTF-8 arrives byte for byte at a raw peer" \
    wait_line "$T/watch.out" "<alice> ünïcödé 🙂 for raw"

signal eve KILL
check "a peer that drops its connection is announced as left" \
    wait_line "$T/alice.out" "*** eve left"

hangup bob
check "a client whose stdin ends leaves the room: others see it leave" \
    wait_line "$T/alice.out" "*** bob left"
check "that client exits 0" eval 'wait_exit bob && [ "$RC" -eq 0 ]'

say alice "after bob"
check "the room goes on after peers left" \
    wait_line "$T/watch.out" "<alice> after bob"
check "host stdout shows the room too, raw peers' lines included" \
    wait_line "$T/host.out" "<eve> hello"

# --- a crowd: joins and leaves in bursts, a long member list ------------

# 80 peers with 32-byte names, joining in one burst: the host takes
# them in few turns, so their joins share turns and messages.
start_host big || diag "host did not start"
join_room cw cw
spawn crowd perl -e '
	use strict;
	use Socket;
	my ($port, $n) = @ARGV;
	my @s;
	for my $i (1 .. $n) {
		socket(my $s, PF_INET, SOCK_STREAM, 0) or die "socket: $!\n";
		connect($s, pack_sockaddr_in($port, inet_aton("127.0.0.1")))
			or die "connect: $!\n";
		syswrite($s, sprintf("/nick %s%02d\n", "m" x 30, $i));
		push @s, $s;
	}
	$| = 1;
	print "connected\n";
	<STDIN>;
	close $_ for @s;	# unread lines make these resets
	print "closed\n";
	sleep 100000;
' "$PORT" 80
long=$(printf 'm%.0s' $(seq 30))
check "a burst of 80 joins: the room is told of each, once" \
    eval 'wait_count "$T/cw.out" "^\*\*\* ${long}[0-9]{2} joined$" 80 &&
	[ "$(count "$T/cw.out" "^\*\*\* ${long}[0-9]{2} joined$")" = 80 ] &&
	[ "$(sort "$T/cw.out" | uniq -d | wc -l)" = 0 ]'
join_room late late
here=$(first_line "$T/late.out")
shown=$(printf '%s\n' "$here" | sed -n 's/^\*\*\* welcome late\. here: \(.*\) and [0-9]* more\. type \/help for commands$/\1/p')
more=$(printf '%s\n' "$here" | sed -n 's/.* and \([0-9]*\) more\. type \/help for commands$/\1/p')
listed=$(printf '%s\n' "$shown" | awk -F', ' '{ print NF }')
check "a welcome in a big room lists 2 KiB of names, then how many more" \
    eval '[ -n "$more" ] && [ ${#shown} -le 2100 ] && [ ${#shown} -gt 2000 ]'
is "$((listed + more))" 82 "the names shown and the number of the rest add up to the room"
say crowd ""
check "80 peers leaving at once: the room is told of each, once" \
    eval 'wait_count "$T/cw.out" "^\*\*\* ${long}[0-9]{2} left( \\(.*\\))?$" 80 &&
	[ "$(count "$T/cw.out" "^\*\*\* ${long}[0-9]{2} left( \\(.*\\))?$")" = 80 ]'
say late "after the crowd"
check "the room goes on after the crowd left" \
    wait_line "$T/cw.out" "<late> after the crowd"
