#!/bin/sh
# JetStream benchmark: bench/js-bench (our streaming API on the JetStream backend) side by side
# with bench/js-bench-natsc (nats.c's JetStream API), against one nats-server -js started on a
# free port with a temporary store (memory streams). Each scenario runs RUNS times per client,
# alternating; the median is reported.
#
#     bench/run-js.sh <build-dir> [count] [sync-count] [runs]
#
# Scenarios: async publish (128 B, 16384 in flight), sync publish (128 B), replay of <count>
# stored messages (push consumer, auto-ack, flow control). Columns: msgs/s and client CPU per message.
set -eu
BUILD=${1:?usage: bench/run-js.sh <build-dir> [count] [sync-count] [runs]}
COUNT=${2:-200000}
SYNC_COUNT=${3:-20000}
RUNS=${4:-3}
OURS="$BUILD/bench/js-bench"
THEIRS="$BUILD/bench/js-bench-natsc"
for f in "$OURS" "$THEIRS"; do
	[ -x "$f" ] || { echo "missing $f (build targets js-bench, js-bench-natsc)" >&2; exit 1; }
done

. "$(dirname "$0")/servers.sh"
NATS_SERVER=${NATS_SERVER:-$(command -v nats-server || echo /usr/sbin/nats-server)}
PORT=$(free_port)
URL="nats://127.0.0.1:$PORT"
TMP=$(mktemp -d)
NATS_PID=""
STAN_PID=""
trap stop_servers EXIT INT TERM
"$NATS_SERVER" -a 127.0.0.1 -p "$PORT" -js -sd "$TMP/js" >"$TMP/nats.log" 2>&1 &
NATS_PID=$!
wait_for_line "$NATS_PID" "$TMP/nats.log" "Server is ready" nats-server
echo "nats-server -js :$PORT; async/replay $COUNT msgs, sync $SYNC_COUNT msgs, 128 B, $RUNS runs each (median)"

run() {
	out=$("$@" 2>&1) || { echo "FAILED: $*" >&2; echo "$out" >&2; exit 1; }
	rate=$(echo "$out" | awk '/^(Pub|Sub) stats:/ { gsub(",", "", $3); print $3; exit }')
	cpu=$(echo "$out" | awk '/^CPU:/ { print $5; exit }')
	echo "$rate $cpu"
}
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

# The replay stream is filled once and read by both clients.
"$OURS" -s "$URL" -id fill -n "$COUNT" -ms 128 -mpa 16384 replay >/dev/null

scenario() {
	name=$1; shift
	: >"$TMP/ours"; : >"$TMP/theirs"
	r=1
	while [ $r -le "$RUNS" ]; do
		case $name in
			replay) chO=replay; chT=replay ;;
			*) chO="$name-ours-$r"; chT="$name-natsc-$r" ;;
		esac
		run "$OURS" -s "$URL" -id "ours-$name-$r" "$@" "$chO" >>"$TMP/ours"
		run "$THEIRS" -s "$URL" -id "natsc-$name-$r" "$@" "$chT" >>"$TMP/theirs"
		r=$((r + 1))
	done
	oRate=$(cut -d' ' -f1 "$TMP/ours" | median); tRate=$(cut -d' ' -f1 "$TMP/theirs" | median)
	oCpu=$(cut -d' ' -f2 "$TMP/ours" | median); tCpu=$(cut -d' ' -f2 "$TMP/theirs" | median)
	awk -v n="$name" -v orate="$oRate" -v trate="$tRate" -v ocpu="$oCpu" -v tcpu="$tCpu" 'BEGIN {
		printf "%-14s %12.0f %12.0f %7.2f   %9.3f %9.3f %7.2f\n", n, orate, trate, orate / trate, ocpu, tcpu, ocpu / tcpu }'
}

printf "%-14s %12s %12s %7s   %9s %9s %7s\n" scenario "ours msg/s" "nats.c msg/s" ratio "ours us" "nats.c us" ratio
scenario async -np 1 -ns 0 -n "$COUNT" -ms 128 -mpa 16384
scenario sync -sync -np 1 -ns 0 -n "$SYNC_COUNT" -ms 128
scenario replay -np 0 -ns 1 -n "$COUNT" -ms 128
