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
OURS="$BUILD/bench/stan-threads-bench"
. "$(dirname "$0")/servers.sh"
if [ "${2:-}" = js ]; then
	require_executables "build target stan-threads-bench" "$OURS"
	start_nats --jetstream
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
THEIRS="$BUILD/bench/stan-threads-bench-natsc"
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
