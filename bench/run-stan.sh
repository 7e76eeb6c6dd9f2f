#!/bin/sh
# Streaming client benchmark: our demo/stan-bench side by side with bench/stan-bench-natsc (the
# same program on the nats.c streaming client), against one nats-server + our stan-server started
# on free ports. Each scenario runs RUNS times per client, alternating; the median is reported.
#
#     bench/run-stan.sh <build-dir> [count] [sync-count] [runs]
#
# Scenarios: async publish (128 B, -mpa 16384), sync publish (128 B), subscriber replay of
# <count> stored messages with auto-ack. Columns: msgs/s and client CPU (user+sys) per message.
set -eu
BUILD=${1:?usage: bench/run-stan.sh <build-dir> [count] [sync-count] [runs]}
COUNT=${2:-200000}
SYNC_COUNT=${3:-20000}
RUNS=${4:-3}
STAN_SERVER="$BUILD/demo/stan-server"
OURS="$BUILD/demo/stan-bench"
THEIRS="$BUILD/bench/stan-bench-natsc"
for f in "$STAN_SERVER" "$OURS" "$THEIRS"; do
	[ -x "$f" ] || { echo "missing $f (build targets stan-server, stan-bench, stan-bench-natsc)" >&2; exit 1; }
done

. "$(dirname "$0")/servers.sh"
start_servers "$STAN_SERVER" -mc 0 -mm 0 -mb 0
echo "nats-server :$PORT + stan-server; async/replay $COUNT msgs, sync $SYNC_COUNT msgs, 128 B, $RUNS runs each (median)"

# run <label> <binary> <args...>: prints "<rate> <cpu-us-per-msg>"
run() {
	out=$("$@" 2>&1) || { echo "FAILED: $*" >&2; echo "$out" >&2; exit 1; }
	rate=$(echo "$out" | awk '/^(Pub|Sub) stats:/ { gsub(",", "", $3); print $3; exit }')
	cpu=$(echo "$out" | awk '/^CPU:/ { print $5; exit }')
	echo "$rate $cpu"
}
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

# The replay channel is filled once and read by both clients.
"$OURS" -s "$URL" -c bench-cluster -id fill -n "$COUNT" -ms 128 -mpa 16384 replay >/dev/null

scenario() { # name, then args shared by both (channel suffix added)
	name=$1; shift
	: >"$TMP/ours"; : >"$TMP/theirs"
	r=1
	while [ $r -le "$RUNS" ]; do
		case $name in
			replay) chO=replay; chT=replay ;;
			*) chO="$name-ours-$r"; chT="$name-natsc-$r" ;;
		esac
		run "$OURS" -s "$URL" -c bench-cluster -id "ours-$name-$r" "$@" "$chO" >>"$TMP/ours"
		run "$THEIRS" -s "$URL" -c bench-cluster -id "natsc-$name-$r" "$@" "$chT" >>"$TMP/theirs"
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
