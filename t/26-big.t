#!/bin/sh
# A big room (issue 21). Past -J members, who joins and leaves is
# gathered into one notice every few seconds, "5 joined: a, b, c, d, e;
# 2 left: f, g", names up to a bound and then a count; a rename, a kick
# and the leave of one who spoke lately are still said one by one, and
# what was gathered goes before them. /quiet turns such news off for
# oneself, and stays off across a reconnection with the session key.
# /who PREFIX finds people in a crowd. The chat client learns names
# from the gathered notices and from /who PREFIX, for Tab. A peer that
# joins and leaves in a loop costs the room nothing.
. "$(dirname "$0")/lib.sh"

plan 34

KEY=fedcba9876543210fedcba9876543210
LONG=$(printf 'x%.0s' $(seq 58))	# long names: "l", two digits, then these

# crowd: peers of one perl process, driven by lines on its stdin:
#   join NAME...   connect one per name, each named so; "in NAME..." once all are welcomed
#   close NAME...  hang them up; "out NAME..."
#   send NAME TEXT a line from NAME
#   loop N         N times: connect, join as xI, hang up; "looped N"
# Its peers never read, but for their welcome.
cat >"$T/crowd.pl" <<'EOF'
my ($port, %s) = @ARGV;
while (my $cmd = <STDIN>) {
	my ($op, @a) = split ' ', $cmd;
	if ($op eq "join") {
		for (@a) { $s{$_} = dial($port); syswrite($s{$_}, "/nick $_\n") }
		read_until($s{$_}, qr/^\*\*\* welcome \Q$_\E\. /m, 10) =~ /welcome/
			or die "$_ not welcomed\n" for @a;
		print "in @a\n";
	} elsif ($op eq "close") {
		close delete $s{$_} for @a;
		print "out @a\n";
	} elsif ($op eq "send") {
		my $who = shift @a;
		syswrite($s{$who}, "@a\n");
	} elsif ($op eq "loop") {
		for my $i (1 .. $a[0]) {
			my $c = dial($port);
			syswrite($c, "/nick x$i\n");
			read_until($c, qr/^\*\*\* welcome x$i\. /m, 10) =~ /welcome/
				or die "x$i not welcomed\n";
			close $c;
		}
		print "looped $a[0]\n";
	}
}
EOF

# gathered FILE : the gathered notices in FILE, one a line.
gathered() { grep -E '^\*\*\* [0-9]+ (joined|left): ' "$1"; }

start_host big -J 3 || give_up "host did not start"
hp=$(plain_chat_pid big) || hp=
raw_join w w
raw_join tk tk
check "a room of -J members or fewer: each join is told as it happens" \
    wait_line "$T/w.out" "*** tk joined"
raw_peer q 127.0.0.1 "/session $KEY\n/nick q\n/quiet\n"
wait_line "$T/q.out" "*** quiet: joins, leaves and renames are not shown; /quiet shows them again"
send tk "hello all\n"
wait_line "$T/w.out" "<tk> hello all"

# --- joins and leaves, gathered -------------------------------------------
spawn crowd perl $PEER "$T/crowd.pl" "$PORT"
say crowd "join a1 a2 a3 a4 a5"
wait_line "$T/crowd.out" "in a1 a2 a3 a4 a5"
check "past -J members, joins are told together, in one notice" \
    wait_for "$T/w.out" '^\*\*\* 5 joined: '
line=$(gathered "$T/w.out")
check "  which names all five" \
    eval 'for a in a1 a2 a3 a4 a5; do matches "$line" "[ :]$a(,|\$)" || exit 1; done'
check "  and none of them one by one" lacks "$T/w.out" '^\*\*\* a[1-5] joined'
say big "marker one"
wait_line "$T/q.out" "<host> marker one"
check "/quiet: no notice of the joins" lacks "$T/q.out" 'joined'

# What was gathered is told before a notice said alone: a2 and a3 go,
# then tk, who spoke a moment ago, leaves, and is named at once.
say crowd "close a2 a3"
wait_line "$T/crowd.out" "out a2 a3"
# a2 and a3 are gone once /who leaves them out (a slow host may take a while)
poll 10 eval 'send tk "/who a\n"; waits 1 line "$T/tk.out" "*** 3 here start with a: a1, a4, a5"' ||
    diag "a2 and a3 still here"
send tk "/quit\n"
check "one who spoke lately is named alone when leaving" \
    wait_line "$T/w.out" "*** tk left"
check "  after the leaves gathered before it" \
    in_order "$T/w.out" "*** 2 left: a2, a3" "*** tk left"
check "a rename is said alone" eval 'say crowd "send a1 /nick b1" &&
    wait_line "$T/w.out" "*** a1 is now b1"'
say big "/kick a4 flooding"
check "a kick is said alone, with its reason" \
    wait_line "$T/w.out" "*** a4 was kicked by the host (flooding)"
check "/quiet: not the rename, but the kick" \
    eval 'wait_line "$T/q.out" "*** a4 was kicked by the host (flooding)" &&
	lacks "$T/q.out" "is now"'
send q "/nick q2\n"
check "/quiet: one's own rename is still told to oneself" \
    wait_line "$T/q.out" "*** q is now q2"
check "  and to the room" wait_line "$T/w.out" "*** q is now q2"

# --- /who PREFIX ------------------------------------------------------------
names=
for i in $(seq 10 49); do names="$names l$i$LONG"; done
say crowd "join$names"
wait_for "$T/crowd.out" '^in l10'
send w "/who L4\n"
check "/who PREFIX: the count and the names that start with it, case aside" \
    wait_line "$T/w.out" "*** 10 here start with L4: $(for i in $(seq 40 49); do printf 'l%s%s, ' $i "$LONG"; done | sed 's/, $//')"
send w "/who l\n"
check "  past LIST_MAX bytes of names, the rest are counted" \
    wait_for "$T/w.out" '^\*\*\* 40 here start with l: l10x+(, l[0-9]+x+)* and [0-9]+ more$'
send w "/who zz\n"
check "  and none: said so" wait_line "$T/w.out" "*** nobody here starts with zz"
check "40 long names joining: one gathered line, its names cut and counted" \
    wait_for "$T/w.out" '^\*\*\* 40 joined: l10x+(, l[0-9]+x+)* and [0-9]+ more$'
check "  no longer than a host line may be (4352 bytes)" \
    eval '[ "$(gathered "$T/w.out" | awk "{ if (length > m) m = length } END { print m }")" -le 4352 ]'
send w "/help\n"
check "/help lists /quiet and /who PREFIX" \
    eval 'wait_for "$T/w.out" "^\*\*\* /quiet  " && has "$T/w.out" "^\*\*\* /who \[PREFIX\] "'

# --- /quiet across a reconnection with the session key --------------------
raw_peer q2 127.0.0.1 "/session $KEY\n/nick q2\n"
check "the same key takes the name back" wait_for "$T/q2.out" '^\*\*\* welcome q2\. '
# From here on a rename tells what was gathered at once, where the
# wait for the period would only make the test slower.
say crowd "join c1"
wait_line "$T/crowd.out" "in c1"
say crowd "send c1 /nick c2"
check "the room is told of c1 (gathered)" wait_for "$T/w.out" '^\*\*\* [0-9]+ joined: (.*, )?c1(,|$| and)'
say big "marker two"
wait_line "$T/q2.out" "<host> marker two"
check "/quiet holds across the reconnection" lacks "$T/q2.out" 'joined'
send q2 "/quiet\n"
check "/quiet again: news is shown again" \
    wait_line "$T/q2.out" "*** joins, leaves and renames are shown again"

# --- a peer that joins and leaves in a loop ---------------------------------
say big "marker three"
wait_line "$T/w.out" "<host> marker three"
before=$(wc -l <"$T/w.out")
base=${hp:+$(rss_kib "$hp")}
LOOPS=$(sized 1000 3000)
say crowd "loop $LOOPS"
check "$LOOPS joins and leaves from one address, each welcomed" \
    waits 60 line "$T/crowd.out" "looped $LOOPS"
say big "marker four"
wait_line "$T/w.out" "<host> marker four"
say crowd "join d1"
wait_line "$T/crowd.out" "in d1"
say crowd "send d1 /nick d2"
wait_for "$T/w.out" '^\*\*\* [0-9]+ joined: (.*, )?d1(,|$| and)'
after=$(tail -n +"$((before + 1))" "$T/w.out" | grep -c '^\*\*\* ')
check "  cost the room at most a gathered notice or two, not a line each ($after)" \
    test "$after" -le 3
if [ -n "$hp" ]; then
	grew=$(($(rss_kib "$hp") - base))
	check "  and the host's memory grew by $grew KiB, under 8 MiB" test "$grew" -lt 8192
else
	skip "memory: needs /proc and the plain chat binary"
fi

# --- the client: Tab learns names from gathered notices and /who PREFIX -----
tmux_up "$PLAN" 80 12
tm respawn-pane -k -t t "export LC_ALL=C.UTF-8; '$CHAT' -n me 127.0.0.1 $PORT; sleep 100000"
check "the chat client at a terminal joins the big room" wait_screen 'type /help for commands$'
say crowd "join carol cathy"
wait_line "$T/crowd.out" "in carol cathy"
say crowd "send b1 /nick b2"
check "  and shows the gathered notice" wait_screen '^\*\*\* [0-9]+ joined: (.*, )?carol, cathy$'
tm send-keys -t t -l 'ca'
tm send-keys -t t Tab
check "Tab offers a name learnt from a gathered notice" wait_screen '^carol:$'
tm send-keys -t t C-e C-u
say crowd "close carol"
wait_line "$T/crowd.out" "out carol"
say crowd "send b2 /nick b3"
wait_screen '^\*\*\* 1 left: carol$'
tm send-keys -t t -l 'ca'
tm send-keys -t t Tab
check "  and no longer one a gathered notice says left" wait_screen '^cathy:$'
tm send-keys -t t C-e C-u
# Quiet, the client hears of zed9 only from /who PREFIX.
tm send-keys -t t -l '/quiet'
tm send-keys -t t Enter
wait_screen '^\*\*\* quiet: '
say crowd "join zed9"
wait_line "$T/crowd.out" "in zed9"
tm send-keys -t t -l 'ze'
tm send-keys -t t Tab
tm send-keys -t t -l 'X'
check "  (quiet, it knows no zed9 yet: Tab adds nothing)" wait_screen '^zeX$'
tm send-keys -t t C-e C-u
tm send-keys -t t -l '/who ze'
tm send-keys -t t Enter
wait_screen '^\*\*\* 1 here start with ze: zed9$'
tm send-keys -t t -l 'ze'
tm send-keys -t t Tab
check "Tab offers a name /who PREFIX listed" wait_screen '^zed9:$'
tm send-keys -t t C-e C-u

# --- the client's own name, from its own rename, while quiet --------------
join_room cl kim -r
say cl "/quiet"
wait_line "$T/cl.out" "*** quiet: joins, leaves and renames are not shown; /quiet shows them again"
say cl "/nick kim2"
wait_line "$T/cl.out" "*** kim is now kim2"
OLDPORT=$PORT
kill "$(pid_of big)"
wait_exit big 10
spawn big2 "$CHAT" -l -C -v -n host -J 0 -s 127.0.0.1 "$OLDPORT"
check "a quiet client that renamed itself comes back under its new name" \
    waits 20 re "$T/cl.out" '^\*\*\* welcome kim2\. '
check "a host with -J 0 gathers even the first join" \
    eval 'raw_join e1 e1 && send e1 "/nick e2\n" && wait_for "$T/cl.out" "^\*\*\* [0-9]+ joined: (.*, )?e1\$"'
check "-J needs -l" eval 'run jl 5 "$CHAT" -J 5 127.0.0.1 1; [ "$RC" -eq 2 ] && has "$T/jl.err" "need -l"'
