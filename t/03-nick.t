#!/bin/sh
# Nicknames: UTF-8 names, collisions, /nick, what a valid name is, and
# guests.
. "$(dirname "$0")/lib.sh"

plan 73

start_host host || give_up "host did not start"

join_room jose josé
check "a UTF-8 nickname is accepted as given" \
    welcomed jose '^\*\*\* welcome josé\. here: '
join_room psi Ψ
check "a one-letter non-ASCII nickname is accepted" \
    welcomed psi '^\*\*\* welcome Ψ\. here: '
check "members see the UTF-8 nickname join" \
    wait_line "$T/jose.out" "*** Ψ joined"
say jose "hola"
check "messages carry the UTF-8 nickname" \
    wait_line "$T/psi.out" "<josé> hola"

# --- collisions at join ---
join_room a1 alice
join_room a2 alice
check "joining with a taken name gets name2, and the welcome says so" \
    welcomed a2 '^\*\*\* welcome alice2 \(alice is taken\)\. here: .*\. type /help for commands$'
check "the others see the variant join" \
    wait_line "$T/jose.out" "*** alice2 joined"
say a2 "second alice here"
check "the variant's messages carry the variant name" \
    wait_line "$T/jose.out" "<alice2> second alice here"

join_room a3 Alice
w=$(first_line "$T/a3.out")
v=$(printf '%s\n' "$w" | sed -n 's/^\*\*\* welcome \([^ ]*\) (Alice is taken)\. here: .*/\1/p')
lv=$(printf '%s\n' "$v" | tr 'A-Z' 'a-z')
if [ -n "$v" ] && [ "$lv" != alice ] && [ "$lv" != alice2 ]; then
	ok "names collide ignoring ASCII case: Alice gets a free variant ($v)"
else
	not_ok "names collide ignoring ASCII case: Alice gets a free variant"
	diag "welcome: $w"
fi

# --- /nick ---
say a1 "/nick carol"
check "/nick: the others see 'old is now new'" \
    wait_line "$T/jose.out" "*** alice is now carol"
check "/nick: the renamed peer sees it too" \
    wait_line "$T/a1.out" "*** alice is now carol"
say a1 "as carol"
check "after /nick, messages carry the new name" \
    wait_line "$T/jose.out" "<carol> as carol"

join_room a4 alice
check "a name given up with /nick is free again" \
    welcomed a4 '^\*\*\* welcome alice\. here: '

say a1 "/nick alice2"
check "/nick to a taken name is refused" \
    wait_line "$T/a1.out" "*** nickname alice2 is taken"
say a1 "/nick ALICE2"
check "/nick to a taken name in other case is refused" \
    wait_line "$T/a1.out" "*** nickname ALICE2 is taken"
say a1 "/nick Host"
check "/nick to the host's name is refused" \
    wait_line "$T/a1.out" "*** nickname Host is taken"

# Each refused name must get its own error notice.
i=0
for bad in '*star' '<angle' '-dash' '/slash' 'a<b' 'a>b' 'a*b' \
    abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklm ééééééééééééééééééééééééééééééééé; do
	i=$((i + 1))
	say a1 "/nick $bad"
	check "/nick $bad is refused as an invalid nickname" \
	    wait_count "$T/a1.out" '^\*\*\* invalid nickname' "$i"
done

say a1 "still carol"
check "refused /nick leaves the name unchanged" \
    absent "$T/jose.out" "<carol> still carol" '^\*\*\* carol is now'
check "nobody else hears about refused /nick" \
    absent "$T/jose.out" "<carol> still carol" 'is taken|invalid nickname'

say a1 "/nick abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijkl"
check "a 64-byte nickname is accepted" \
    wait_line "$T/jose.out" "*** carol is now abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijkl"
say a1 "/nick éééééééééééééééééééééééééééééééé"
check "a nickname of 32 two-byte characters (64 bytes) is accepted" \
    wait_line "$T/jose.out" "*** abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijkl is now éééééééééééééééééééééééééééééééé"

# --- guests ---
raw_peer g1
check "a peer that never names itself is welcomed as guestN" \
    wait_for "$T/g1.out" '^\*\*\* welcome guest[0-9]+\. here: '
g1=$(sed -n 's/^\*\*\* welcome \(guest[0-9]*\)\. .*/\1/p' "$T/g1.out")
check "the others see guestN join" \
    wait_line "$T/jose.out" "*** $g1 joined"
send g1 'guest words\n'
check "a guest's messages carry its guest name" \
    wait_line "$T/jose.out" "<$g1> guest words"

send g1 '/nick bad\001name\n'
check "/nick with a control character is refused" \
    wait_for "$T/g1.out" '^\*\*\* invalid nickname'

raw_peer g2
send g2 'straight in\n'
wait_for "$T/jose.out" "^<guest[0-9]+> straight in$"
g2=$(sed -n 's/^<\(guest[0-9]*\)> straight in$/\1/p' "$T/jose.out")
check "a nameless peer's first line joins it as a guest, join notice first" \
    in_order "$T/jose.out" "*** $g2 joined" "<$g2> straight in"
check "two guests get different names" test "$g1" != "$g2"

send g1 '/nick gina\n'
check "a guest can take a name with /nick" \
    wait_line "$T/jose.out" "*** $g1 is now gina"

spawn noname env -u USER -u LOGNAME "$CHAT" 127.0.0.1 "$PORT"
check "a client with no -n, USER or LOGNAME becomes guestN" \
    wait_for "$T/noname.out" '^\*\*\* welcome guest[0-9]+\. here: '

spawn user env USER=zed LOGNAME=lou "$CHAT" 127.0.0.1 "$PORT"
check "without -n the client uses \$USER" \
    wait_for "$T/user.out" '^\*\*\* welcome zed\. here: '

spawn logname env -u USER LOGNAME=lou "$CHAT" 127.0.0.1 "$PORT"
check "without -n or USER the client uses \$LOGNAME" \
    wait_for "$T/logname.out" '^\*\*\* welcome lou\. here: '

# --- names made of $USER ---
spawn jdoe env -u LOGNAME 'USER=john doe' "$CHAT" 127.0.0.1 "$PORT"
check "USER='john doe': the client joins as john_doe" \
    wait_for "$T/jdoe.out" '^\*\*\* welcome john_doe\. here: '
check "and says nothing about it" test ! -s "$T/jdoe.err"
spawn odd env -u LOGNAME "USER=$(printf '%sann<\001>é\033[1m!' -)" "$CHAT" 127.0.0.1 "$PORT"
check "a leading -, controls, escapes, < > and ! in \$USER become _ (_ann___é__1m_)" \
    wait_for "$T/odd.out" '^\*\*\* welcome _ann___é__1m_\. here: '
long=abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz
spawn longuser env -u LOGNAME "USER=$long" "$CHAT" 127.0.0.1 "$PORT"
check "a \$USER longer than 64 bytes is cut to 64" \
    wait_for "$T/longuser.out" "^\\*\\*\\* welcome $(printf %.64s "$long")\\. here: "
spawn mixed env 'USER=bobдима' LOGNAME=lou2 "$CHAT" 127.0.0.1 "$PORT"
check "a \$USER of two scripts cannot be a name: \$LOGNAME is used" \
    wait_for "$T/mixed.out" '^\*\*\* welcome lou2\. here: '
check "and stderr says why, and which name is used instead" \
    has "$T/mixed.err" '^chat: \$USER cannot be a nickname, even as "bobдима" \(names are .*one script.*\); using \$LOGNAME: lou2$'
spawn mixed2 env -u LOGNAME 'USER=bobдима' "$CHAT" 127.0.0.1 "$PORT"
check "with no \$LOGNAME to fall back on, the host names it guestN" \
    wait_for "$T/mixed2.out" '^\*\*\* welcome guest[0-9]+\. here: '
check "and stderr says so" \
    has "$T/mixed2.err" '^chat: \$USER cannot be a nickname, .*; the host will name you guestN$'

# --- look-alikes (issue 22) ---
# Each pair: with the first name in the room, the second, which looks
# the same, is refused or given a variant, and /msg to it reaches the
# first or is refused: it never reaches a second person. The names are
# perl strings, \x{...} for code points.
start_host looks || give_up "host did not start"
u() { perl -CO -e 'print eval qq{"$ARGV[0]"}' "$1"; }
i=0
while read -r first second what; do
	i=$((i + 1))
	f=$(u "$first") s=$(u "$second")
	raw_join "f$i" "$f"
	raw_peer "s$i" 127.0.0.1 "/nick $s\n"
	wait_for "$T/s$i.out" '^\*\*\* (welcome|invalid nickname)'
	send "s$i" "/msg $s probe $i\n"
	wait_for "$T/s$i.out" "^\\*\\*\\* no such nick: |probe $i\$"
	if has "$T/s$i.out" '^\*\*\* no such nick: ' ||
	    wait_for "$T/f$i.out" "^\\*[^ ]+\\* probe $i\$"; then
		if has "$T/s$i.out" "^\\*\\*\\* welcome $s\\. "; then
			not_ok "$what: $second joins as itself beside $first"
		else
			ok "$what: $second beside $first is refused or a variant, /msg reaches $first"
		fi
	else
		not_ok "$what: /msg $second beside $first reaches someone else"
		diag "$(head -n 3 "$T/s$i.out")"
	fi
	send "f$i" '/quit\n'
	send "s$i" '/quit\n'
	wait_for "$T/f$i.err" 'connection closed'
	wait_for "$T/s$i.err" 'connection closed'
done <<'PAIRS'
alice aIice capital I for l
bill biII capital I for l, twice
moon rnoon rn for m
jos\x{E9} jose\x{301} NFD against NFC
BOB \x{412}\x{41E}\x{412} Cyrillic capitals
TIM \x{3A4}\x{399}\x{39C} Greek capitals
HEN \x{397}\x{395}\x{39D} Greek capitals
alice \x{251}lice IPA alpha
alice a\x{1C0}ice dental click for l
big bi\x{261} IPA script g
nick n\x{131}ck dotless i
bob bo\x{299} IPA small capital B
coo \x{1D04}\x{1D0F}\x{1D0F} small capitals
oo \x{585}\x{585} Armenian
bob1 bob\x{FF11} fullwidth digit
bob bob\x{640} tatweel
ok ok\x{335} short stroke overlay
ab a\x{338}b long solidus overlay
eve eve\x{307} dot above, not precomposed
dot dot\x{2D0} modifier letter triangular colon
pop \x{440}\x{43E}\x{440} Cyrillic lower case
bob b\x{43E}b mixed scripts
alice \x{430}lice mixed scripts
ALICE \x{410}LICE Cyrillic capital A
cool \x{441}\x{43E}\x{43E}l mixed scripts
one \x{3BF}ne Greek omicron
kim \x{3BA}\x{3B9}m Greek kappa iota
PAIRS
