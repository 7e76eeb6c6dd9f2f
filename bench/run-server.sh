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
NATS_SERVER=${NATS_SERVER:-$(command -v nats-server || echo /usr/sbin/nats-server)}
STAN_SERVER="$BUILD/demo/stan-server"
LOAD="$BUILD/bench/stan-server-load"
for f in "$STAN_SERVER" "$LOAD"; do
	[ -x "$f" ] || { echo "missing $f (build targets stan-server and stan-server-load)" >&2; exit 1; }
done

free_port() {
	if command -v python3 >/dev/null 2>&1; then
		python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
	else
		echo $((20000 + $$ % 40000))
	fi
}
PORT=$(free_port)
TMP=$(mktemp -d)
NATS_PID=""
STAN_PID=""
cleanup() {
	[ -n "$STAN_PID" ] && kill "$STAN_PID" 2>/dev/null || true
	[ -n "$NATS_PID" ] && kill "$NATS_PID" 2>/dev/null || true
	wait 2>/dev/null || true
	rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

"$NATS_SERVER" -a 127.0.0.1 -p "$PORT" >"$TMP/nats.log" 2>&1 &
NATS_PID=$!
i=0
until grep -q "Server is ready" "$TMP/nats.log" 2>/dev/null; do
	i=$((i + 1))
	if [ $i -gt 100 ] || ! kill -0 "$NATS_PID" 2>/dev/null; then
		echo "nats-server did not start:" >&2; cat "$TMP/nats.log" >&2; exit 1
	fi
	sleep 0.1
done
"$STAN_SERVER" -cid bench-cluster -ns "nats://127.0.0.1:$PORT" -mm 0 -mb 0 >"$TMP/stan.log" 2>&1 &
STAN_PID=$!
i=0
until grep -q "ready" "$TMP/stan.log" 2>/dev/null; do
	i=$((i + 1))
	if [ $i -gt 100 ] || ! kill -0 "$STAN_PID" 2>/dev/null; then
		echo "stan-server did not start:" >&2; cat "$TMP/stan.log" >&2; exit 1
	fi
	sleep 0.1
done
echo "nats-server :$PORT, stan-server (pid $STAN_PID), $COUNT msgs of $SIZE bytes, nats.c streaming client"
"$LOAD" -s "nats://127.0.0.1:$PORT" -c bench-cluster -n "$COUNT" -size "$SIZE" -pubinflight 16384
