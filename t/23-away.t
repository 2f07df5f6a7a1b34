#!/bin/sh
# /away and /back, /topic and -T, /ignore and /unignore: what each
# person sees, for chat clients and nc users alike, and what a peer
# cannot make of them (a forged member, raw escapes, an unbounded list).
. "$(dirname "$0")/lib.sh"

plan 63

start_host host || give_up "host did not start"
HPORT=$PORT
join_room alice alice
join_room bob bob
raw_join carol carol
wait_line "$T/alice.out" "*** carol joined"

# --- /away and /back ---
say alice "/away lunch, back at 2"
check "/away TEXT: the one away is told, and how to end it" \
    wait_line "$T/alice.out" "*** you are away: lunch, back at 2 (/back ends it)"
say bob "/who"
check "/who marks who is away" \
    wait_for "$T/bob.out" '^\*\*\* here: .*alice \(away\)'
w=$(grep '^\*\*\* here: ' "$T/bob.out" | head -n 1 | sed 's/ (away)//g')
is "$(here_of "$w")" "alice bob carol host" "/who with someone away still names exactly the members"
check "/who says why, on a line of its own" \
    wait_line "$T/bob.out" "*** alice is away: lunch, back at 2"

say bob "/msg alice are you there?"
check "a /msg still reaches one who is away" \
    wait_line "$T/alice.out" "*bob* are you there?"
check "the sender of a /msg is told the addressee is away" \
    wait_count "$T/bob.out" '^\*\*\* alice is away: lunch, back at 2$' 2
check "...right after the copy of what was sent" \
    eval '[ "$(grep -A1 -Fx -- "-> *alice* are you there?" "$T/bob.out" | tail -n 1)" = \
	"*** alice is away: lunch, back at 2" ]'
say bob "/msg alice second"
wait_line "$T/bob.out" "-> *alice* second"
say bob "/msg bob marker one"
check "the sender is told once, not at every /msg" \
    eval 'wait_line "$T/bob.out" "-> *bob* marker one" &&
	[ "$(count "$T/bob.out" "^\*\*\* alice is away")" -eq 2 ]'
send carol "/msg alice from carol\n"
check "each sender is told once: an nc user too" \
    wait_line "$T/carol.out" "*** alice is away: lunch, back at 2"

say alice "/back"
check "/back: the one back is told" \
    wait_line "$T/alice.out" "*** you are back"
say bob "/who"
check "/who no longer marks one who is back" \
    eval 'wait_count "$T/bob.out" "^\*\*\* here: " 2 &&
	grep "^\*\*\* here: " "$T/bob.out" | tail -n 1 | grep -qv "(away)"'
say bob "/msg alice back now?"
say bob "/msg bob marker two"
check "a /msg to one who is back tells nothing" \
    eval 'wait_line "$T/bob.out" "-> *bob* marker two" &&
	[ "$(count "$T/bob.out" "^\*\*\* alice is away")" -eq 2 ]'
say alice "/back"
check "/back when not away says so" \
    wait_line "$T/alice.out" "*** you are not away"

say alice "/away"
check "/away alone: away without a reason" \
    wait_line "$T/alice.out" "*** you are away (/back ends it)"
say bob "/msg alice hello"
check "away without a reason: the sender is told so" \
    wait_line "$T/bob.out" "*** alice is away"
say alice "I am here again"
check "the next room line ends being away" \
    wait_line "$T/alice.out" "*** you are back"
check "...and that line is said as usual" \
    wait_line "$T/bob.out" "<alice> I am here again"

# A reason cannot forge names into /who, nor put escapes on a screen.
send carol "/away x), mallory (away), eve\033[2J\n"
wait_for "$T/carol.out" '^\*\*\* you are away: '
say bob "/who"
wait_count "$T/bob.out" '^\*\*\* here: ' 3
w=$(grep '^\*\*\* here: ' "$T/bob.out" | tail -n 1)
check "a reason is not part of the /who list: no forged member" \
    matches "$w" '^\*\*\* here: (alice, bob, carol \(away\), host|host, alice, bob, carol \(away\))$'
check "a reason is made safe like any line" \
    eval 'wait_for "$T/bob.out" "^\*\*\* carol is away: x\), mallory" && clean_utf8 "$T/bob.out"'
send carol "/back\n"
wait_line "$T/carol.out" "*** you are back"
perl_send carol '"/away " . ("r" x 300) . "\n"'
wait_for "$T/carol.out" '^\*\*\* you are away: r'
say bob "/msg carol long reason?"
check "a reason is cut to 160 bytes" \
    wait_line "$T/bob.out" "*** carol is away: $(perl -e 'print "r" x 160')"
send carol "/back\n"
wait_count "$T/carol.out" '^\*\*\* you are back$' 2

# --- /topic ---
say alice "/topic"
check "/topic alone with none set says so" \
    wait_line "$T/alice.out" "*** no topic is set"
send carol "/topic release day: freeze at 16:00\n"
check "/topic TEXT: the room is told who set it" \
    wait_line "$T/alice.out" "*** carol set the topic: release day: freeze at 16:00"
check "...the setter too" \
    wait_line "$T/carol.out" "*** carol set the topic: release day: freeze at 16:00"
check "...and the host" \
    wait_line "$T/host.out" "*** carol set the topic: release day: freeze at 16:00"
say bob "/topic"
check "/topic alone shows it" \
    wait_line "$T/bob.out" "*** topic: release day: freeze at 16:00"
join_room dave dave
check "a newcomer is shown the topic after the welcome" \
    eval 'wait_line "$T/dave.out" "*** topic: release day: freeze at 16:00" &&
	[ "$(sed -n 2p "$T/dave.out")" = "*** topic: release day: freeze at 16:00" ]'
perl_send carol '"/topic " . ("t" x 400) . "\n"'
check "a topic longer than 300 bytes is cut, and the setter told" \
    wait_line "$T/carol.out" "*** topic cut to 300 bytes"
check "...the room sees the cut topic" \
    wait_line "$T/bob.out" "*** carol set the topic: $(perl -e 'print "t" x 300')"
send carol "/topic \033]0;pwned\007ok\n"
check "a topic is made safe like any line" \
    eval 'wait_for "$T/bob.out" "^\*\*\* carol set the topic: .*ok$" && clean_utf8 "$T/bob.out"'
say alice "/topic -"
check "/topic - clears it, and the room is told" \
    wait_line "$T/bob.out" "*** alice cleared the topic"
join_room erin erin
say erin "/who"
wait_for "$T/erin.out" '^\*\*\* here: '
check "with no topic, a newcomer is shown none" \
    lacks "$T/erin.out" '^\*\*\* topic'

# --- -T: only the host sets the topic ---
start_host lhost -T || give_up "host with -T did not start"
LPORT=$PORT
join_room fred fred
say fred "/topic mine now"
check "-T: a member's /topic is refused" \
    wait_line "$T/fred.out" "*** only the host can set the topic here"
say lhost "/topic set by the host"
check "-T: the host's /topic sets it" \
    wait_line "$T/fred.out" "*** host set the topic: set by the host"
say fred "/topic"
check "-T: a member may still look at it" \
    wait_line "$T/fred.out" "*** topic: set by the host"
run lt 5 "$CHAT" -T 127.0.0.1 "$LPORT" </dev/null
check "-T without -l is a usage error" \
    eval '[ "$RC" -eq 2 ] && has "$T/lt.err" "need -l"'
PORT=$HPORT

# --- /ignore ---
say alice "/ignore bob"
check "/ignore NAME: told it is done, and how to end it" \
    wait_line "$T/alice.out" "*** you ignore bob now: /unignore bob ends it"
say bob "a line alice ignores"
say bob "/me waves at alice"
say bob "/msg alice a secret alice ignores"
send carol "carol marker one\n"
check "an ignored person's lines, actions and private messages do not arrive" \
    absent "$T/alice.out" "<carol> carol marker one" "alice ignores|waves at alice"
check "the others still get the ignored person's lines" \
    eval 'wait_line "$T/dave.out" "<bob> a line alice ignores" &&
	wait_line "$T/dave.out" "* bob waves at alice" &&
	wait_line "$T/host.out" "<bob> a line alice ignores"'
check "...in the order they were said" \
    in_order "$T/dave.out" "<bob> a line alice ignores" "* bob waves at alice"
check "the ignored one is not told: the /msg copy comes back as usual" \
    wait_line "$T/bob.out" "-> *alice* a secret alice ignores"
say bob "/nick robert"
wait_line "$T/dave.out" "*** bob is now robert"
say bob "renamed, still ignored"
send carol "carol marker two\n"
check "ignoring follows the person across a rename" \
    absent "$T/alice.out" "<carol> carol marker two" "still ignored"
say alice "/ignore"
check "/ignore alone lists whom one ignores, by their names now" \
    wait_line "$T/alice.out" "*** you ignore: robert"
say alice "/ignore robert"
check "/ignore twice says so" \
    wait_line "$T/alice.out" "*** you already ignore robert"
say alice "/ignore alice"
check "one cannot ignore oneself" \
    wait_line "$T/alice.out" "*** you cannot ignore yourself"
say alice "/ignore nobody"
check "/ignore of a missing name says no such nick" \
    wait_line "$T/alice.out" "*** no such nick: nobody"
say alice "/unignore robert"
check "/unignore NAME: told it ended" \
    wait_line "$T/alice.out" "*** you no longer ignore robert"
say bob "seen again"
check "after /unignore the lines arrive again" \
    wait_line "$T/alice.out" "<robert> seen again"
say alice "/unignore robert"
check "/unignore of someone not ignored says so" \
    wait_line "$T/alice.out" "*** you do not ignore robert"
say alice "/ignore"
check "/ignore alone, ignoring nobody, says so" \
    wait_line "$T/alice.out" "*** you ignore nobody"

# An nc user ignores too; it ends when the ignored one leaves, and
# whoever takes the name next is someone else.
send carol "/ignore dave\n"
wait_line "$T/carol.out" "*** you ignore dave now: /unignore dave ends it"
say dave "dave to carol, ignored"
say bob "marker three"
check "an nc user's /ignore works" \
    absent "$T/carol.out" "<robert> marker three" "dave to carol"
say dave "/quit"
wait_line "$T/carol.out" "*** dave left"
join_room dave2 dave
wait_line "$T/carol.out" "*** dave joined"
say dave2 "a new dave"
check "a newcomer with an ignored one's name is not ignored" \
    wait_line "$T/carol.out" "<dave> a new dave"

# Each list is bounded: the 33rd /ignore is refused.
perl $PEER -e '
	my @s = map { my $s = dial($ARGV[0]); syswrite $s, "/nick many$_\n"; $s } 1 .. 34;
	read_until($_, qr/welcome/, 5) for @s;
	syswrite $s[0], join("", map { "/ignore many$_\n" } 2 .. 34);
	print read_until($s[0], qr/already/, 5);
' "$PORT" >"$T/many.out" 2>"$T/many.err"
check "at most 32 people are ignored at once: the next is refused, said why" \
    eval 'has_line "$T/many.out" "*** you ignore many33 now: /unignore many33 ends it" &&
	has_line "$T/many.out" "*** you ignore 32 people already: /unignore one first"'

# More lines from one ignored person in one write than a turn's room
# lines can set apart for those who ignore her (64): bob, who ignores
# eve, sees none of her 200, and all of dave's, sent beside them; carol
# sees everything, each one's lines in order.
start_host holes || diag "host did not start"
raw_join heve eve
raw_join hdave dave
raw_join hbob bob
raw_join hcarol carol
send hbob '/ignore eve\n'
wait_line "$T/hbob.out" "*** you ignore eve now: /unignore eve ends it"
perl_send heve 'join "", map { "eve line $_\n" } 1 .. 200'
perl_send hdave 'join "", map { "dave line $_\n" } 1 .. 100'
# in_turn FILE NICK N : the lines "<NICK> NICK line I" in FILE are I = 1 .. N, in order.
in_turn() {
	LC_ALL=C awk -v p="<$2> $2 line " -v n="$3" 'index($0, p) == 1 {
		if (substr($0, length(p) + 1) != ++i) { bad = 1 } }
	    END { exit bad || i != n }' "$1"
}
wait_line "$T/hcarol.out" "<eve> eve line 200"
wait_line "$T/hcarol.out" "<dave> dave line 100"
send hcarol 'carol after them\n'
check "200 lines from an ignored person in one write: none reach the one who ignores her" \
    absent "$T/hbob.out" "<carol> carol after them" '^<eve> '
check "and he gets every line of the others, in order, then the next one" \
    eval 'in_turn "$T/hbob.out" dave 100 &&
	in_order "$T/hbob.out" "<dave> dave line 100" "<carol> carol after them"'
check "someone who ignores nobody gets all 200 of hers in order, and the others'" \
    eval 'in_turn "$T/hcarol.out" eve 200 && in_turn "$T/hcarol.out" dave 100'

# Nothing eve chooses reaches bob once he ignores her: not her away
# reason, her topic, her new name nor her quit reason. carol, who
# ignores nobody, sees them all; and bob still sees what the host says.
start_host leaks || diag "host did not start"
raw_join leve eve
raw_join lbob bob
raw_join lcarol carol
raw_join lmal mallory
send lbob '/ignore eve\n/ignore mallory\n'
wait_line "$T/lbob.out" "*** you ignore mallory now: /unignore mallory ends it"
send leve '/away EVE SAYS away\n'
wait_line "$T/leve.out" "*** you are away: EVE SAYS away (/back ends it)"
send lcarol '/who\n'
wait_line "$T/lcarol.out" "*** eve is away: EVE SAYS away"
send lbob '/who\n/msg eve hello\n/msg bob marker a\n'
check "/who shows bob that eve is away, not her reason" \
    eval 'wait_line "$T/lbob.out" "-> *bob* marker a" &&
	has "$T/lbob.out" "^\*\*\* here: .*eve \(away\)"'
check "a /msg to her tells him she is away, without the reason" \
    in_order "$T/lbob.out" "-> *eve* hello" "*** eve is away" "-> *bob* marker a"
send leve '/topic EVE SAYS topic\n'
wait_line "$T/lcarol.out" "*** eve set the topic: EVE SAYS topic"
send lbob '/topic\n/msg bob marker b\n'
check "her topic: bob is told that someone he ignores set it, and not what" \
    eval 'wait_line "$T/lbob.out" "-> *bob* marker b" &&
	[ "$(count "$T/lbob.out" "^\*\*\* someone you ignore set the topic$")" -eq 2 ]'
send leve '/nick EVE_SAYS_rename\n'
wait_line "$T/lcarol.out" "*** eve is now EVE_SAYS_rename"
send leve '/quit EVE SAYS bye\n'
check "her quit reason reaches the others" \
    wait_line "$T/lcarol.out" "*** EVE_SAYS_rename left (EVE SAYS bye)"
check "bob is told she left, without her reason" \
    wait_line "$T/lbob.out" "*** EVE_SAYS_rename left"
say leaks "/kick mallory HOST SAYS spam"
check "a reason the host gave is the host's words: bob sees it" \
    wait_line "$T/lbob.out" "*** mallory was kicked by the host (HOST SAYS spam)"
send lcarol '/topic carol topic\n'
wait_line "$T/lbob.out" "*** carol set the topic: carol topic"
send lbob '/topic\n'
check "a topic someone else set is shown again" \
    wait_line "$T/lbob.out" "*** topic: carol topic"
check "no word of eve's reached bob: not her reasons, her topic nor her rename" \
    lacks "$T/lbob.out" 'EVE SAYS|is now'
