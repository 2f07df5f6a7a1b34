#!/bin/sh
# Every recipe in README ("In 30 seconds" and "Recipes"), run as README
# writes it, and checked to do what README says it does.  The text is
# taken from README itself; only host.example.org (and its port 54321)
# becomes the test room's 127.0.0.1 and port, and a host (chat -l) gets
# the test's port.  Each recipe is also compared with the one this file
# was written for, so a recipe changed in README without its test
# changing fails here, and so does a recipe added without a test.
. "$(dirname "$0")/lib.sh"

plan 45

README=$(dirname "$0")/../README
unset CHAT_PASSWORD

# The recipes find chat (the binary under test) and make (a stand-in
# that notes it ran: building is not what is tested) on their PATH.
mkdir "$T/bin"
cat >"$T/bin/chat" <<EOF
#!/bin/sh
exec "$CHAT" "\$@"
EOF
cat >"$T/bin/make" <<EOF
#!/bin/sh
echo "make \$*" >>"$T/make.log"
EOF
chmod +x "$T/bin/chat" "$T/bin/make"
PATH=$T/bin:$PATH
export PATH

# In README's sections "In 30 seconds" and "Recipes" (a heading is the
# line above a line of dashes), a recipe is a block indented by four
# spaces, after the paragraph that says what it does.
SECTIONS='/^-+$/ { sec = prev } { prev = $0 }
	sec != "In 30 seconds" && sec != "Recipes" { next }'

# block TITLE : the block after the paragraph starting with TITLE,
# unindented.
block() {
	awk -v t="$1" "$SECTIONS"'
		!found && index($0, t) == 1 { found = 1; next }
		found && /^    / { sub(/^    /, ""); print; inblock = 1; next }
		found && inblock { exit }' "$README"
}

# titles : the first line of the paragraph before each block.
titles() {
	awk "$SECTIONS"'
		/^    / { if (last == "") print first; last = $0; next }
		$0 != "" && last == "" { first = $0 }
		{ last = $0 }' "$README"
}

# readme_is TITLE TEXT : one test, README's recipe under TITLE is TEXT.
readme_is() {
	is "$(block "$1")" "$2" "README: the recipe \"$1...\" is the one tested here"
}

# here TEXT : the recipe on the test room: host.example.org, with its
# port 54321 if written, is 127.0.0.1 $PORT, and chat -l listens on
# $PORT.
here() {
	printf '%s\n' "$1" | sed -E -e "s/host\\.example\\.org( 54321)?/127.0.0.1 $PORT/g" \
	    -e "s/(chat -l([^<>|&;]*[^ <>|&;])?)/\\1 $PORT/"
}

# script LABEL TEXT : TEXT (a recipe, here'd) as a script in $T/LABEL.d,
# the directory it will run in: as typed at a shell, it is no process's
# argument.
script() {
	mkdir -p "$T/$1.d"
	printf '%s\n' "$2" >"$T/$1.d/recipe.sh"
}

# recipe LABEL TEXT : run TEXT with sh in $T/LABEL.d, in the background,
# in a process group of its own, with stdin on a FIFO (say, hangup) and
# USER=LABEL.
recipe() {
	script "$1" "$2"
	spawn_group "$1" env USER="$1" sh -c 'cd "$1" && exec sh recipe.sh' sh "$T/$1.d"
}

# recipe_run LABEL SECS TEXT : run TEXT the same way in the foreground,
# stdin /dev/null, with a time limit (run); its status in RC.
recipe_run() {
	script "$1" "$3"
	run "$1" "$2" sh -c 'cd "$1" && exec sh recipe.sh' sh "$T/$1.d" </dev/null
}

# listening ADDR PORT : something accepts connections there.  The probe
# closes at once: a chat host does not count it as a peer.
listening() {
	perl -MIO::Socket::IP -e 'IO::Socket::IP->new(PeerHost => $ARGV[0],
	    PeerPort => $ARGV[1]) or exit 1' "$1" "$2" 2>/dev/null
}

# bot_lines LABEL : the bot's answers LABEL has seen.
bot_lines() { count "$T/$1.out" '^<bot> '; }

TESTED="On one machine, host a room:
On another, join it (your name is \$USER unless you say -n NAME):
Tell a room that a job finished. chat exits 0 only once the host has
Pipe a whole file or command output in, every line, in order, as text
Join with plain netcat or telnet (name yourself with /nick):
Keep a log of a room (-q -1: stay after stdin EOF until the host goes;
A bot that answers \"!time\" said in the room after it joined (the
Wait for a line said in the room from now on (-q -1: a script's stdin
Host a room in the background with no keyboard, local machine only:
A room with a password (keep it out of ps with the environment; a"
is "$(titles)" "$TESTED" "README: every recipe there is one tested here"

# --- In 30 seconds ---------------------------------------------------------

readme_is "On one machine, host a room:" 'chat -l'
readme_is "On another, join it" 'chat -n alice host.example.org'
PORT=$(closed_port)
recipe thirty "$(here "$(block "On one machine, host a room:")")"
check "chat -l hosts a room" poll 10 listening 127.0.0.1 "$PORT"
join_room tbob bob
recipe talice "$(here "$(block "On another, join it")")"
check "chat -n alice HOST joins it as alice" wait_line "$T/tbob.out" "*** alice joined"
say talice "hello"
check "type and press Enter: everyone else sees <alice> hello" \
    wait_line "$T/tbob.out" "<alice> hello"
say thirty "hello from the host"
check "what you type at chat -l goes to the room under the host's name" \
    wait_line "$T/tbob.out" "<thirty> hello from the host"
# Not at a terminal, so no /quit typed (a line from a pipe is text):
# the end of input leaves.  Ctrl-D and Ctrl-C are in t/12-terminal.t,
# the host's in t/18-newcomer.t.
hangup talice
check "and at the end of what alice types, leaves: exit 0" \
    eval 'wait_exit talice && [ "$RC" -eq 0 ] && wait_line "$T/tbob.out" "*** alice left"'

# --- Tell a room that a job finished --------------------------------------

T1="Tell a room that a job finished."
readme_is "$T1" 'make && echo "build done" | chat -n ci host.example.org'
start_host done || give_up "host did not start"
join_room dwatch watch
recipe_run done1 10 "$(here "$(block "$T1")")"
check "the job ran first (make), then chat exits 0" \
    eval '[ "$RC" -eq 0 ] && has_line "$T/make.log" "make "'
check "and by then the host has the line: exit 0 means delivered" \
    has_line "$T/done.out" "<ci> build done"
check "the room sees <ci> build done" wait_line "$T/dwatch.out" "<ci> build done"

# --- Pipe a whole file -----------------------------------------------------

T2="Pipe a whole file or command output in"
readme_is "$T2" 'tail -n 100 build.log | chat -n build host.example.org'
mkdir "$T/pipe1.d"
awk 'BEGIN { for (i = 1; i <= 150; i++)
	if (i % 10 == 0) printf "/usr/bin/ld: step %d failed\n", i
	else if (i % 10 == 5) printf "/quit %d\n", i
	else printf "step %d\n", i }' >"$T/pipe1.d/build.log"
recipe_run pipe1 20 "$(here "$(block "$T2")")"
is "$RC" 0 "tail | chat exits 0"
wait_line "$T/dwatch.out" "<build> /usr/bin/ld: step 150 failed"
is "$(sed -n 's/^<build> //p' "$T/dwatch.out")" "$(tail -n 100 "$T/pipe1.d/build.log")" \
    "the room gets the last 100 lines, every one, in order, those with / as text"

# --- Join with plain netcat ------------------------------------------------

T3="Join with plain netcat or telnet"
readme_is "$T3" 'nc host.example.org 54321
/nick bob
hello everyone'
if command -v nc >/dev/null 2>&1; then
	recipe ncjoin "$(here "$(block "$T3" | head -n 1)")"
	block "$T3" | sed 1d | while IFS= read -r l; do say ncjoin "$l"; done
	check "nc HOST PORT, then /nick bob: the room sees bob join" \
	    wait_line "$T/dwatch.out" "*** bob joined"
	check "and hello everyone as <bob> hello everyone" \
	    wait_line "$T/dwatch.out" "<bob> hello everyone"
else
	skip "nc is not installed"
	skip "nc is not installed"
fi

# --- Keep a log of a room --------------------------------------------------

T4="Keep a log of a room"
readme_is "$T4" 'chat -n logger -q -1 host.example.org </dev/null >>room.log'
start_host logged || give_up "host did not start"
join_room lalice alice
say lalice "said before the logger came"
wait_line "$T/logged.out" "<alice> said before the logger came"
recipe logger "$(here "$(block "$T4")")"
wait_line "$T/lalice.out" "*** logger joined"
say lalice "for the log"
check "the log gets what is said in the room" \
    wait_line "$T/logger.d/room.log" "<alice> for the log"
check "it stays after EOF on stdin" running logger
check "the log has no history: not what was said before it came" \
    eval 'lacks "$T/logger.d/room.log" "before the logger|history"'
signal logged TERM
check "when the host closes the room, the logger exits 0" \
    eval 'wait_exit logger && [ "$RC" -eq 0 ]'
check "saying on stderr: chat: the host closed the room" \
    eval '[ "$(cat "$T/logger.err")" = "chat: the host closed the room" ]'
check "and the log ends with *** host shutting down" \
    eval '[ "$(tail -n 1 "$T/logger.d/room.log")" = "*** host shutting down" ]'

# --- A bot that answers !time ---------------------------------------------

T5="A bot that answers \"!time\""
readme_is "$T5" 'chat -n bot -e '\''while read -r line; do
        case $line in
        "<"*"> !time") date ;;
        esac
done'\'' host.example.org'
start_host bothost || give_up "host did not start"
join_room basker alice
join_room bseer carol
# The history is full of questions from before the bot came.
i=0
while [ $i -lt 20 ]; do say basker '!time'; i=$((i + 1)); done
wait_count "$T/bothost.out" '^<alice> !time$' 20
recipe bot "$(here "$(block "$T5")")"
check "the bot joins" wait_line "$T/basker.out" "*** bot joined"
say basker '!time'
check "a !time said after it joined is answered with the date" \
    wait_count "$T/basker.out" '^<bot> [A-Z][a-z][a-z] .*[0-9][0-9]:[0-9][0-9]:[0-9][0-9]' 1
got1=$(bot_lines basker)
say basker '!time'
wait_count "$T/basker.out" '^<bot> ' 2
got2=$(bot_lines basker)
check "one answer to each, none to the 20 questions in the history ($got1, then $got2)" \
    eval '[ "$got1" -eq 1 ] && [ "$got2" -eq 2 ]'
check "the room saw the question before each answer" \
    eval '[ "$(grep -E "^<(alice|bot)> " "$T/bseer.out" | sed -n "21,24p" |
	sed "s/^<bot> .*/<bot> DATE/" | tr "\n" " ")" = "<alice> !time <bot> DATE <alice> !time <bot> DATE " ]'

# --- Wait for a line -------------------------------------------------------

T6="Wait for a line said in the room from now on"
readme_is "$T6" "chat -n watcher -q -1 host.example.org </dev/null | grep -m1 'deployed'"
start_host deploy || give_up "host did not start"
join_room dalice alice
say dalice "deployed v1, yesterday"
wait_line "$T/deploy.out" "<alice> deployed v1, yesterday"
recipe watcher "$(here "$(block "$T6")")"
wait_line "$T/dalice.out" "*** watcher joined"
say dalice "not yet"
wait_line "$T/deploy.out" "<alice> not yet"
check "it waits: stdin empty, history left out, nothing matched yet" running watcher
say dalice "deployed v2"
check "it ends when the line is said, without waiting for another" \
    eval 'wait_exit watcher && [ "$RC" -eq 0 ]'
check "and printed that line, not one from the history" \
    eval '[ "$(cat "$T/watcher.out")" = "<alice> deployed v2" ]'
check "chat left the room with it" wait_line "$T/dalice.out" "*** watcher left"

# --- Host a room in the background ----------------------------------------

T7="Host a room in the background"
readme_is "$T7" 'chat -l -s 127.0.0.1 </dev/null >room.log &'
PORT=$(closed_port)
recipe bg "$(here "$(block "$T7")")"
check "chat -l -s 127.0.0.1 ... & hosts a room" poll 10 listening 127.0.0.1 "$PORT"
join_room bgbob bob
join_room bgann ann
say bgbob "to the log"
check "with no keyboard, it serves the room" wait_line "$T/bgann.out" "<bob> to the log"
check "and writes what is said to room.log" wait_line "$T/bg.d/room.log" "<bob> to the log"
check "on 127.0.0.1 only: not on another address of this machine" \
    eval '! listening 127.0.0.2 "$PORT" && ! listening ::1 "$PORT"'

# --- A room with a password ------------------------------------------------

T8="A room with a password"
readme_is "$T8" 'CHAT_PASSWORD=s3cret chat -l
CHAT_PASSWORD=s3cret chat host.example.org'
PORT=$(closed_port)
recipe pwhost "$(here "$(block "$T8" | sed -n 1p)")"
check "CHAT_PASSWORD=s3cret chat -l hosts a room" poll 10 listening 127.0.0.1 "$PORT"
recipe pwuser "$(here "$(block "$T8" | sed -n 2p)")"
check "CHAT_PASSWORD=s3cret chat HOST joins it" \
    wait_for "$T/pwuser.out" '^\*\*\* welcome pwuser\. here: pwhost\. '
ps -e -o pgid= -o args= | awk -v h="$(pid_of pwhost)" -v u="$(pid_of pwuser)" \
    '$1 == h || $1 == u' >"$T/pw.ps"
check "ps shows the host and the client, and the password in neither" \
    eval '[ "$(grep -c "[c]hat" "$T/pw.ps")" -ge 2 ] && ! grep -q s3cret "$T/pw.ps"'
recipe_run nopw 10 "$(here "chat host.example.org")"
check "a client without it, not at a terminal, exits 1 saying to give -P or \$CHAT_PASSWORD" \
    eval '[ "$RC" -eq 1 ] && has "$T/nopw.err" "^chat: .*-P PASSWORD.*CHAT_PASSWORD"'
