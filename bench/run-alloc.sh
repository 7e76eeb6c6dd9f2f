#!/bin/sh
# Heap allocations per message of our client (issue #10): bench/alloc-bench (a counting operator
# new) against one nats-server + our stan-server started on free ports.
#
#     bench/run-alloc.sh <build-dir> [count]
#
# Prints, per mode, the operator new calls per message after a warm-up of count/10 messages:
# core (async subscription), stan (streaming async subscription, replay with auto-ack),
# pubasync (streaming publishAsync() with its pub ack and ack handler).
set -eu
BUILD=${1:?usage: bench/run-alloc.sh <build-dir> [count]}
COUNT=${2:-200000}
STAN_SERVER="$BUILD/demo/stan-server"
BENCH="$BUILD/bench/alloc-bench"
for f in "$STAN_SERVER" "$BENCH"; do
	[ -x "$f" ] || { echo "missing $f (build targets stan-server, alloc-bench)" >&2; exit 1; }
done

. "$(dirname "$0")/servers.sh"
start_servers "$STAN_SERVER" -mc 0 -mm 0 -mb 0
echo "nats-server :$PORT + stan-server; $COUNT messages of 128 B per mode"
for mode in core stan pubasync; do
	"$BENCH" -s "$URL" -c bench-cluster "$mode" "$COUNT" | awk -v m="$mode" '/^allocations per message:/ { printf "%-10s %s allocations per message\n", m, $4 }'
done
