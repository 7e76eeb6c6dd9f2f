#!/bin/sh
# Runs the three side-by-side benchmarks: core NATS (ours vs nats.c), streaming client (ours vs
# nats.c streaming) and the streaming server under a nats.c load. Usage: bench/run.sh [build-dir]
set -eu
BUILD=${1:-build}
DIR=$(dirname "$0")
echo "=== core NATS: bench/run-nats.sh"
sh "$DIR/run-nats.sh" "$BUILD"
echo "=== streaming client: bench/run-stan.sh"
sh "$DIR/run-stan.sh" "$BUILD"
echo "=== streaming server: bench/run-server.sh"
sh "$DIR/run-server.sh" "$BUILD"
