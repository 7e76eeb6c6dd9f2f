#!/bin/sh
# Threads and lifecycle of the streaming client (issue #10), against one nats-server + our
# stan-server started on free ports:
#   - N idle subscriptions on one connection: threads, RSS per subscription, subscribe-all and
#     close-all times (ours only: nats.c runs one thread per subscription);
#   - C StanConnections in one process: threads (ours and nats.c);
#   - fan-out: S subscriptions on one connection x M messages of 128 B, msgs/s (ours and nats.c).
#
#     bench/run-threads.sh <build-dir> [subs] [conns] [fanout-subs] [fanout-msgs]
#
# JetStream backend (#13): the same figures for StanOptions::Backend::JETSTREAM against one
# nats-server -js (temporary store directory):
#
#     bench/run-threads.sh <build-dir> js [subs] [conns]          (defaults 1000, 100)
set -eu
BUILD=${1:?usage: bench/run-threads.sh <build-dir> [subs] [conns] [fanout-subs] [fanout-msgs] | <build-dir> js [subs] [conns]}
if [ "${2:-}" = js ]; then
	OURS="$BUILD/bench/stan-threads-bench"
	[ -x "$OURS" ] || { echo "missing $OURS (build target stan-threads-bench)" >&2; exit 1; }
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
	echo "== ours, JetStream: ${3:-1000} idle subscriptions on one connection (default pool: 1 worker)"
	"$OURS" -js -s "$URL" subs "${3:-1000}"
	echo "== ours, JetStream: ${4:-100} connections (own pool of 1 each)"
	"$OURS" -js -s "$URL" conns "${4:-100}"
	exit 0
fi
SUBS=${2:-20000}
CONNS=${3:-100}
FSUBS=${4:-1000}
FMSGS=${5:-100}
STAN_SERVER="$BUILD/demo/stan-server"
OURS="$BUILD/bench/stan-threads-bench"
THEIRS="$BUILD/bench/stan-threads-bench-natsc"
. "$(dirname "$0")/servers.sh"
require_executables "build targets stan-server, stan-threads-bench" "$STAN_SERVER" "$OURS"
start_servers "$STAN_SERVER" -mc 0 -mm 0 -mb 0 -msu 0
C="-s $URL -c bench-cluster"

echo "== ours: $SUBS idle subscriptions on one connection (default pool: 1 worker)"
"$OURS" $C subs "$SUBS"
echo "== ours: $CONNS connections (own pool of 1 each)"
"$OURS" $C conns "$CONNS"
echo "== ours: $CONNS connections (shared pool)"
"$OURS" $C -shared conns "$CONNS"
[ -x "$THEIRS" ] && { echo "== nats.c: $CONNS connections"; "$THEIRS" $C conns "$CONNS"; }
echo "== ours: fan-out $FSUBS x $FMSGS (pool 1)"
"$OURS" $C fanout "$FSUBS" "$FMSGS"
echo "== ours: fan-out $FSUBS x $FMSGS (pool 4)"
"$OURS" $C -pool 4 fanout "$FSUBS" "$FMSGS"
if [ -x "$THEIRS" ]; then
	echo "== nats.c: fan-out $FSUBS x $FMSGS (thread per subscription)"
	"$THEIRS" $C fanout "$FSUBS" "$FMSGS"
	echo "== nats.c: fan-out $FSUBS x $FMSGS (global message delivery)"
	"$THEIRS" $C -global fanout "$FSUBS" "$FMSGS"
fi
