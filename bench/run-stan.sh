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
CLIENT_ARGS="-c bench-cluster"
. "$(dirname "$0")/servers.sh"
require_executables "build targets stan-server, stan-bench, stan-bench-natsc" "$STAN_SERVER" "$OURS" "$THEIRS"
start_servers "$STAN_SERVER" -mc 0 -mm 0 -mb 0
echo "nats-server :$PORT + stan-server; async/replay $COUNT msgs, sync $SYNC_COUNT msgs, 128 B, $RUNS runs each (median)"

# The replay channel is filled once and read by both clients.
"$OURS" -s "$URL" -c bench-cluster -id fill -n "$COUNT" -ms 128 -mpa 16384 replay >/dev/null

compare_header
compare_scenario async -np 1 -ns 0 -n "$COUNT" -ms 128 -mpa 16384
compare_scenario sync -sync -np 1 -ns 0 -n "$SYNC_COUNT" -ms 128
compare_scenario replay -np 0 -ns 1 -n "$COUNT" -ms 128
