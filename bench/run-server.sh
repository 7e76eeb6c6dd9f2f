#!/bin/sh
# Streaming server benchmark: nats-server + our stan-server on free ports, loaded by the nats.c
# streaming client (async publish of N 128-byte messages with 16384 pub acks in flight, then
# replay of the N stored messages to one subscriber). Prints msgs/s per phase.
#
#     bench/run-server.sh <build-dir> [count] [size]
set -eu
BUILD=${1:?usage: bench/run-server.sh <build-dir> [count] [size]}
COUNT=${2:-100000}
SIZE=${3:-128}
STAN_SERVER="$BUILD/demo/stan-server"
LOAD="$BUILD/bench/stan-server-load"
. "$(dirname "$0")/servers.sh"
require_executables "build targets stan-server and stan-server-load" "$STAN_SERVER" "$LOAD"
start_servers "$STAN_SERVER" -mm 0 -mb 0
echo "nats-server :$PORT, stan-server (pid $STAN_PID), $COUNT msgs of $SIZE bytes, nats.c streaming client"
"$LOAD" -s "nats://127.0.0.1:$PORT" -c bench-cluster -n "$COUNT" -size "$SIZE" -pubinflight 16384
