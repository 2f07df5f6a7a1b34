#!/bin/sh
# t/bench.sh - chat's host against a bare relay and ncat --chat under
# the same load.
#
#	sh t/bench.sh [RUNS]		(make bench builds t/bench first)
#
# Each scenario runs RUNS times (default 5) against each host in turn,
# with a fresh host on 127.0.0.1 for every run, and the table shows the
# median of each metric. The relay (t/bench relay) copies each read to
# every other connection and does nothing else: it is the floor, and
# chat/relay is the median of chat's figure over the relay's from the
# same run, the two measured one after the other. t/bench drives the
# load and reads the host's CPU and memory from /proc. A run that fails
# shows as "failed", and the host is not tried again in that scenario:
# it would fail the same. READERS, LINES, PEERS, IDLE_PEERS, IDLE_SECS,
# BUSY_PEERS, BUSY_PEERS2, TALKERS, RATE, BUSY_SECS, PASTE, BIG_PEERS,
# NAME_PEERS and NAME_LINES override the sizes; BIG_PEERS is as many
# peers as the descriptor limit (ulimit -Hn) leaves room for, on both sides, unless
# set. SCENARIOS="scale biggest" runs those only. CHAT=/path/to/binary measures another build; CHAT_OLD=/path/to/binary
# measures that one too, in the same rounds, with a column of its own
# and chat/old, the ratio of the two: a change is judged against a
# build of main measured in the same run. The busy room is hosted a
# fourth way too, by chat -L with its log in the tmp dir, and a table of
# its own sets it beside chat without -L. With two CPUs or more and taskset, the host runs on CPU 0 and
# t/bench on CPU 1: left to the scheduler, the two share a CPU in some
# runs and not in others, and the figures of one host swing by a
# factor of two from run to run. PIN=0 leaves them to the scheduler.

cd "$(dirname "$0")/.." || exit 1
RUNS=${1:-5}
READERS=${READERS:-100}
LINES=${LINES:-200000}
PEERS=${PEERS:-10000}
IDLE_PEERS=${IDLE_PEERS:-1000}
IDLE_SECS=${IDLE_SECS:-5}
BUSY_PEERS=${BUSY_PEERS:-1000}
BUSY_PEERS2=${BUSY_PEERS2:-5000}
TALKERS=${TALKERS:-100}
RATE=${RATE:-10}
BUSY_SECS=${BUSY_SECS:-10}
PASTE=${PASTE:-10000}
NAME_PEERS=${NAME_PEERS:-3000}
NAME_LINES=${NAME_LINES:-2000}
LIMIT=120	# seconds for one run, however it goes
# Each side needs a descriptor for each peer, and a few of its own:
# chat keeps 16 (FD_RESERVE), t/bench 6, and one peer is the sender.
if [ -z "$BIG_PEERS" ]; then
	_max=$(ulimit -Hn)
	[ "$_max" = unlimited ] && _max=20000	# ports and memory bound it then
	BIG_PEERS=$(( (_max - 64) / 100 * 100 ))
fi

CHAT=${CHAT:-$PWD/chat}
BENCH=$PWD/t/bench
if [ ! -x "$CHAT" ] || [ ! -x "$BENCH" ]; then
	echo "bench: build ./chat and t/bench first (make bench)" >&2
	exit 1
fi
case $RUNS in
''|*[!0-9]*|0) echo "usage: sh t/bench.sh [RUNS]" >&2; exit 2 ;;
esac
HOSTS="chat relay"
if [ -n "${CHAT_OLD:-}" ]; then
	[ -x "$CHAT_OLD" ] || { echo "bench: no executable $CHAT_OLD" >&2; exit 1; }
	HOSTS="chat old relay"
fi
command -v ncat >/dev/null 2>&1 && HOSTS="$HOSTS ncat"
ONHOST= ONGEN= PINNED="each where the scheduler puts it"
if [ "${PIN:-1}" != 0 ] && taskset -c 0,1 true 2>/dev/null &&
    [ "$(nproc)" -ge 2 ]; then
	ONHOST="taskset -c 0" ONGEN="taskset -c 1"
	PINNED="host on CPU 0, load on CPU 1"
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/chat-bench.XXXXXX") || exit 1
HOSTPID=

# Whatever happens, no host outlives the script.
cleanup() {
	[ -n "$HOSTPID" ] && kill "$HOSTPID" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# listening NAME : wait for the host just started to say on stderr
# "NAME: listening on ADDR port N"; sets PORT.
listening() {
	_i=0
	while [ $_i -lt 100 ]; do
		PORT=$(sed -n "s/^$1: listening on .* port \([0-9]*\)\$/\1/p" "$T/host.err")
		[ -n "$PORT" ] && return 0
		sleep 0.05
		_i=$((_i + 1))
	done
	return 1
}

# host CMD... : start a host, its stderr in host.err, emptied first
# here: a child's own truncation comes when it runs, and listening
# could read the last host's port before then.  Sets HOSTPID.
host() {
	: >"$T/host.err"
	$ONHOST "$@" </dev/null >/dev/null 2>>"$T/host.err" &
	HOSTPID=$!
}

# start_chat CONNS : a room for CONNS connections; sets HOSTPID and PORT.
start_chat() {
	host "$CHAT" -l -v -s 127.0.0.1 -m "$1" 0
	listening chat
}

# start_logged CONNS : chat with the room's log (-L), a new one each run.
start_logged() {
	rm -f "$T/room.log"
	host "$CHAT" -l -v -s 127.0.0.1 -m "$1" -L "$T/room.log" 0
	listening chat
}

# start_old CONNS : the build to compare with (CHAT_OLD).
start_old() {
	host "$CHAT_OLD" -l -v -s 127.0.0.1 -m "$1" 0
	listening chat
}

# start_relay CONNS : the floor, which takes what comes.
start_relay() {
	host "$BENCH" relay
	listening relay
}

# start_ncat CONNS : the same with ncat, which cannot pick its own port.
# It is listening once /proc/net/tcp has its LISTEN line (state 0A).
start_ncat() {
	PORT=$("$BENCH" port) || return 1
	host ncat -l --chat --max-conns "$1" 127.0.0.1 "$PORT"
	_hex=$(printf '%04X' "$PORT")
	_i=0
	while [ $_i -lt 100 ]; do
		grep -q ":$_hex 00000000:0000 0A" /proc/net/tcp && return 0
		sleep 0.05
		_i=$((_i + 1))
	done
	return 1
}

stop_host() {
	kill "$HOSTPID" 2>/dev/null
	wait "$HOSTPID" 2>/dev/null
	HOSTPID=
}

# run SCENARIO HOST CONNS MODE ARGS... : one run; each key=value t/bench
# prints is kept in $T/SCENARIO.HOST.KEY, one value per run, and the
# whole line in $T/last.HOST until the next run.
run() {
	_sc=$1 _h=$2 _c=$3 _m=$4
	shift 4
	rm -f "$T/last.$_h"
	[ -e "$T/$_sc.$_h.failed" ] && return
	if start_$_h "$_c"; then
		_out=$(timeout -k 5 $LIMIT $ONGEN "$BENCH" "$_m" "$PORT" "$HOSTPID" "$@" 2>&1 | tail -n 1)
		[ -z "$_out" ] && _out="error=no result in ${LIMIT}s"
	else
		_out="error=host did not start"
	fi
	stop_host
	case $_out in
	error=*)
		printf '%s: %s' "$_h" "${_out#error=}" >"$T/$_sc.$_h.failed"
		_last=$(tail -n 1 "$T/host.err" 2>/dev/null)
		[ -n "$_last" ] && printf ' (host: %s)' "$_last" >>"$T/$_sc.$_h.failed"
		echo >>"$T/$_sc.$_h.failed"
		return
		;;
	esac
	for _kv in $_out; do
		echo "${_kv#*=}" >>"$T/$_sc.$_h.${_kv%%=*}"
	done
	echo "$_out" >"$T/last.$_h"
}

# ratios SCENARIO : chat's figures over the relay's from this round, one
# value per round in $T/SCENARIO.ratio.KEY; none where the relay's is 0.
# The same for chat over the old build, and for chat with -L over chat.
ratios() {
	_against chat relay ratio "$1"
	_against chat old oldratio "$1"
	_against logged chat logratio "$1"
}

# _against HOST OTHER NAME SCENARIO : HOST's figures over OTHER's, as NAME.
_against() {
	[ -e "$T/last.$1" ] && [ -e "$T/last.$2" ] || return
	for _kv in $(cat "$T/last.$1"); do
		_k=${_kv%%=*}
		_rv=$(tr ' ' '\n' <"$T/last.$2" | sed -n "s/^$_k=//p")
		awk -v c="${_kv#*=}" -v r="$_rv" 'BEGIN { if (r + 0 != 0) print c / r }' \
		    >>"$T/$4.$3.$_k"
	done
}

# scenario NAME CONNS MODE ARGS... : RUNS rounds, the hosts taking turns.
scenario() {
	_s=$1
	shift
	case " ${SCENARIOS:-$_s} " in *" $_s "*) ;; *) return ;; esac
	_r=1
	while [ $_r -le "$RUNS" ]; do
		for _h in $HOSTS; do
			run "$_s" "$_h" "$@"
		done
		ratios "$_s"
		printf '.' >&2
		_r=$((_r + 1))
	done
}

# median FILE : the middle value (mean of the two middle ones), rounded
# to what is worth reading.
median() {
	sort -n "$1" | awk '
		{ v[NR] = $1 }
		END {
			m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
			if (m == int(m) || m >= 100) printf "%.0f\n", m
			else if (m >= 10) printf "%.1f\n", m
			else printf "%.3f\n", m
		}'
}

# cell SCENARIO HOST KEY : what the table shows for one host, or for
# chat/relay when HOST is ratio.
cell() {
	if [ -e "$T/$1.$2.failed" ]; then
		echo failed
	elif [ -s "$T/$1.$2.$3" ]; then
		median "$T/$1.$2.$3"
	else
		echo -
	fi
}

row() {
	printf '%-8s %-24s %10s %10s %10s %10s' "$1" "$3" "$(cell "$1" chat "$2")" \
	    "$(cell "$1" relay "$2")" "$(cell "$1" ratio "$2")" "$(cell "$1" ncat "$2")"
	[ -n "${CHAT_OLD:-}" ] &&
		printf ' %10s %10s' "$(cell "$1" old "$2")" "$(cell "$1" oldratio "$2")"
	echo
}

# busy_rows SCENARIO : what a busy room's people feel, and what it costs.
busy_rows() {
	row $1 p50_ms 'talkers p50 delay ms'
	row $1 p99_ms 'talkers p99 delay ms'
	row $1 max_ms 'talkers max delay ms'
	row $1 lost 'lost lines'
	row $1 cpu_s 'host CPU s'
}

echo "chat benchmark, $(date)"
echo "$(uname -srm), $(nproc) CPUs ($(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1)),"
echo "median of $RUNS runs, all on 127.0.0.1; $PINNED"

scenario fanout $((READERS + 1)) fanout "$READERS" "$LINES"
scenario stuck $((READERS + 2)) stuck "$READERS" "$LINES"
scenario scale $((PEERS + 1)) scale "$PEERS"
scenario idle $((IDLE_PEERS + 1)) idle "$IDLE_PEERS" "$IDLE_SECS"
# busy once more with chat -L, in the same rounds: what the log costs
_hosts=$HOSTS
HOSTS="$HOSTS logged"
scenario busy $BUSY_PEERS busy "$BUSY_PEERS" "$TALKERS" "$RATE" "$BUSY_SECS" 0
HOSTS=$_hosts
rm -f "$T/last.logged"
scenario busy5k $BUSY_PEERS2 busy "$BUSY_PEERS2" "$TALKERS" "$RATE" "$BUSY_SECS" 0
scenario paste $((BUSY_PEERS + 1)) busy "$BUSY_PEERS" "$TALKERS" "$RATE" "$BUSY_SECS" "$PASTE"
scenario biggest $((BIG_PEERS + 1)) scale "$BIG_PEERS"
# Only chat knows names: the relay and ncat would copy each /nick to all.
_hosts=$HOSTS
HOSTS="chat${CHAT_OLD:+ old}"
scenario names $((NAME_PEERS + 1)) names "$NAME_PEERS" "$NAME_LINES" 0
scenario collide $((NAME_PEERS + 1)) names "$NAME_PEERS" "$NAME_LINES" 1
HOSTS=$_hosts
echo >&2

echo
printf '%-8s %-24s %10s %10s %10s %10s' scenario metric chat relay chat/relay ncat
[ -n "${CHAT_OLD:-}" ] && printf ' %10s %10s' old chat/old
echo
for s in fanout stuck; do
	row $s delivered 'lines delivered'
	row $s seconds 'seconds'
	row $s rate 'lines/s'
	row $s cpu_per_M 'host CPU s/M lines'
	row $s garbled 'garbled lines'
	row $s lost 'lost lines'
	row $s reordered 'reordered lines'
	row $s hwm_kb 'host peak RSS kB'
done
row scale connect_s 'connect+join s'
row scale rss_per_peer_b 'host RSS/idle peer B'
row scale one_line_ms 'one line to all ms'
row idle cpu_s 'host CPU s'
row idle wakeups 'host wake-ups'
busy_rows busy
busy_rows busy5k
busy_rows paste
row paste paste_ms 'paste to all ms'
row biggest connect_s 'connect+join s'
row biggest rss_per_peer_b 'host RSS/idle peer B'
row biggest one_line_ms 'one line to all ms'
for s in names collide; do
	row $s join_cpu_s 'host CPU for joins s'
	row $s nick_cpu_s 'host CPU for /nicks s'
	row $s line_ms 'next line to all ms'
done
if [ -e "$T/busy.logged.p99_ms" ] || [ -e "$T/busy.logged.failed" ]; then
	echo
	printf '%-8s %-24s %10s %10s %10s\n' scenario metric chat 'chat -L' '-L/chat'
	for _m in 'p50_ms talkers p50 delay ms' 'p99_ms talkers p99 delay ms' \
	    'max_ms talkers max delay ms' 'lost lost lines' 'cpu_s host CPU s'; do
		printf '%-8s %-24s %10s %10s %10s\n' busy "${_m#* }" "$(cell busy chat "${_m%% *}")" \
		    "$(cell busy logged "${_m%% *}")" "$(cell busy logratio "${_m%% *}")"
	done
fi
echo
echo "fanout:  $READERS readers and 1 sender; $LINES lines of 64 bytes, as fast as they go"
echo "stuck:   the same plus 1 peer that never reads (4 KiB receive buffer)"
echo "scale:   $PEERS peers that only read, and 1 sender; RSS from /proc before and after"
echo "idle:    $IDLE_PEERS peers that only read, and 1 sender; ${IDLE_SECS}s of silence"
echo "busy:    $BUSY_PEERS peers, all reading, $TALKERS of them saying $RATE lines/s each for ${BUSY_SECS}s"
echo "busy -L:  the same room hosted by chat -L FILE, its log on $(df -P "$T" | awk 'NR == 2 { print $1 }')"
echo "busy5k:  the same with $BUSY_PEERS2 peers"
echo "paste:   busy, and 1 more peer pastes $PASTE lines at once half way through"
echo "biggest: $BIG_PEERS peers, as many as ulimit -Hn ($(ulimit -Hn)) allows, and 1 sender"
echo "names:   $NAME_PEERS peers join with random names of 64 letters; 1 says /nick of its own name $NAME_LINES times, then a line"
echo "collide: the same with names that share a bucket of the unkeyed hash chat had before 2026-12"
echo "chat -l -s 127.0.0.1 -m N  vs  t/bench relay  vs  ncat -l --chat --max-conns N 127.0.0.1 PORT"

for _f in "$T"/*.failed; do
	[ -e "$_f" ] || continue
	_n=${_f##*/}
	echo "failed: ${_n%%.*}, $(cat "$_f")"
done
exit 0
