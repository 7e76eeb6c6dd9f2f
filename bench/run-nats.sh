#!/bin/sh
# Core NATS throughput: our client (demo/nats-bench) against nats.c (bench/nats-c-bench) on the same
# nats-server, started here on a free loopback port. Prints msgs/s of both and the ratio ours/nats.c.
#
#   bench/run-nats.sh [build-dir]          (default: ./build)
#   env: COUNT (default 1000000), SIZES (default "128"), MODES (default "pub pubsub"), RUNS (default 3,
#        the best run of each program is reported), NATS_SERVER (default nats-server from PATH or
#        /usr/sbin/nats-server)
set -eu

BUILD=${1:-build}
COUNT=${COUNT:-1000000}
SIZES=${SIZES:-128}
MODES=${MODES:-"pub pubsub"}
RUNS=${RUNS:-3}
OURS="$BUILD/demo/nats-bench"
THEIRS="$BUILD/bench/nats-c-bench"
SERVER=${NATS_SERVER:-$(command -v nats-server || echo /usr/sbin/nats-server)}

for f in "$OURS" "$THEIRS" "$SERVER"; do
	[ -x "$f" ] || { echo "missing executable: $f (build targets nats-bench nats-c-bench)" >&2; exit 2; }
done

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
LOG=$(mktemp)
"$SERVER" -a 127.0.0.1 -p "$PORT" -l "$LOG" &
SERVER_PID=$!
trap 'kill $SERVER_PID 2>/dev/null || true; wait $SERVER_PID 2>/dev/null || true; rm -f "$LOG"' EXIT INT TERM
i=0
until python3 -c "import socket; socket.create_connection(('127.0.0.1',$PORT),0.2)" 2>/dev/null; do
	i=$((i+1)); [ $i -lt 100 ] || { echo "nats-server did not start" >&2; exit 1; }
	sleep 0.1
done
URL="nats://127.0.0.1:$PORT"
echo "nats-server $("$SERVER" --version 2>/dev/null | head -1) on $URL; $COUNT msgs per run, best of $RUNS"

# best <program> <mode> <size> -> "<best pub msgs/s> <best sub msgs/s>" over RUNS runs
best() {
	bp=0
	bs=0
	bc=
	r=0
	while [ $r -lt "$RUNS" ]; do
		r=$((r+1))
		if [ -x /usr/bin/time ]; then
			out=$(/usr/bin/time -f "cpu: %U %S" "$1" -s "$URL" -subj "bench.$$.$r" -n "$COUNT" -size "$3" -mode "$2" 2>&1) || { echo "$1 failed: $out" >&2; exit 1; }
		else
			out=$("$1" -s "$URL" -subj "bench.$$.$r" -n "$COUNT" -size "$3" -mode "$2") || { echo "$1 failed" >&2; exit 1; }
		fi
		c=$(printf '%s\n' "$out" | awk -v n="$COUNT" '$1=="cpu:" { printf "%.3f", ($2 + $3) * 1000000 / n }')
		bc=$(awk -v a="${bc:-}" -v c="${c:-}" 'BEGIN { if (c == "") print a; else if (a == "" || c+0 < a+0) print c; else print a }')
		p=$(printf '%s\n' "$out" | awk '$1=="pub:" { for (i=1;i<=NF;i++) if ($i=="msgs/s") print $(i-1) }')
		q=$(printf '%s\n' "$out" | awk '$1=="sub:" { for (i=1;i<=NF;i++) if ($i=="msgs/s") print $(i-1) }')
		bp=$(awk -v a="$bp" -v c="${p:-0}" 'BEGIN { print (c+0 > a+0) ? c : a }')
		bs=$(awk -v a="$bs" -v c="${q:-0}" 'BEGIN { print (c+0 > a+0) ? c : a }')
	done
	echo "$bp $bs ${bc:-n/a}"
}

ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "n/a" }'
}

printf '%-8s %-6s %-4s %14s %14s %8s   %s\n' mode size side "ours msgs/s" "nats.c msgs/s" ratio "client CPU s per 1M msgs (ours / nats.c)"
for size in $SIZES; do
	for mode in $MODES; do
		set -- $(best "$OURS" "$mode" "$size")
		op=$1; os=$2; oc=$3
		set -- $(best "$THEIRS" "$mode" "$size")
		tp=$1; ts=$2; tc=$3
		printf '%-8s %-6s %-4s %14s %14s %8s   %s / %s\n' "$mode" "$size" pub "$op" "$tp" "$(ratio "$op" "$tp")" "$oc" "$tc"
		if [ "$mode" = pubsub ]; then
			printf '%-8s %-6s %-4s %14s %14s %8s\n' "$mode" "$size" sub "$os" "$ts" "$(ratio "$os" "$ts")"
		fi
	done
done
