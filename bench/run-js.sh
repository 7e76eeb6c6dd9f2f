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
CLIENT_ARGS=
. "$(dirname "$0")/servers.sh"
require_executables "build targets js-bench, js-bench-natsc" "$OURS" "$THEIRS"

start_nats --jetstream
echo "nats-server -js :$PORT; async/replay $COUNT msgs, sync $SYNC_COUNT msgs, 128 B, $RUNS runs each (median)"

# The replay stream is filled once and read by both clients.
"$OURS" -s "$URL" -id fill -n "$COUNT" -ms 128 -mpa 16384 replay >/dev/null

compare_header
compare_scenario async -np 1 -ns 0 -n "$COUNT" -ms 128 -mpa 16384
compare_scenario sync -sync -np 1 -ns 0 -n "$SYNC_COUNT" -ms 128
compare_scenario replay -np 0 -ns 1 -n "$COUNT" -ms 128
