#!/bin/sh
# Core NATS throughput: our client (demo/nats-bench) against nats.c (bench/nats-c-bench) on the same
# nats-server, started here on a free loopback port. Prints msgs/s of both and the ratio ours/nats.c.
#
#   bench/run-nats.sh [build-dir]          (default: ./build)
#   env: COUNT (default 1000000), SIZES (default "128"), MODES (default "pub pubsub"), RUNS (default 5;
#        runs alternate between the two programs and the median is reported, which is robust to a
#        busy machine), NATS_SERVER (default nats-server from PATH or /usr/sbin/nats-server)
set -eu

BUILD=${1:-build}
COUNT=${COUNT:-1000000}
SIZES=${SIZES:-128}
MODES=${MODES:-"pub pubsub"}
RUNS=${RUNS:-5}
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
echo "nats-server $("$SERVER" --version 2>/dev/null | head -1) on $URL; $COUNT msgs per run"

# run <program> <mode> <size> <run> -> "<pub msgs/s> <sub msgs/s or 0> <client CPU s per 1M msgs or n/a>"
run() {
	if [ -x /usr/bin/time ]; then
		out=$(/usr/bin/time -f "cpu: %U %S" "$1" -s "$URL" -subj "bench.$$.$4" -n "$COUNT" -size "$3" -mode "$2" 2>&1) || { echo "$1 failed: $out" >&2; exit 1; }
	else
		out=$("$1" -s "$URL" -subj "bench.$$.$4" -n "$COUNT" -size "$3" -mode "$2") || { echo "$1 failed" >&2; exit 1; }
	fi
	p=$(printf '%s\n' "$out" | awk '$1=="pub:" { for (i=1;i<=NF;i++) if ($i=="msgs/s") print $(i-1) }')
	q=$(printf '%s\n' "$out" | awk '$1=="sub:" { for (i=1;i<=NF;i++) if ($i=="msgs/s") print $(i-1) }')
	c=$(printf '%s\n' "$out" | awk -v n="$COUNT" '$1=="cpu:" { printf "%.3f", ($2 + $3) * 1000000 / n }')
	echo "${p:-0} ${q:-0} ${c:-n/a}"
}

median() {
	tr ' ' '\n' | awk 'NF { a[n++] = $1 } END { if (n == 0) { print "n/a"; exit } ; for (i = 0; i < n; i++) for (j = i + 1; j < n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t } ; print a[int(n / 2)] }'
}

ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "n/a" }'
}

echo "runs alternate ours / nats.c; medians of $RUNS runs"
printf '%-8s %-6s %-4s %14s %14s %8s   %s\n' mode size side "ours msgs/s" "nats.c msgs/s" ratio "client CPU s per 1M msgs (ours / nats.c)"
for size in $SIZES; do
	for mode in $MODES; do
		op=; os=; oc=; tp=; ts=; tc=
		r=0
		while [ $r -lt "$RUNS" ]; do
			r=$((r+1))
			set -- $(run "$OURS" "$mode" "$size" "o$r"); op="$op $1"; os="$os $2"; oc="$oc $3"
			set -- $(run "$THEIRS" "$mode" "$size" "t$r"); tp="$tp $1"; ts="$ts $2"; tc="$tc $3"
		done
		op=$(echo $op | median); os=$(echo $os | median); oc=$(echo $oc | median)
		tp=$(echo $tp | median); ts=$(echo $ts | median); tc=$(echo $tc | median)
		printf '%-8s %-6s %-4s %14s %14s %8s   %s / %s\n' "$mode" "$size" pub "$op" "$tp" "$(ratio "$op" "$tp")" "$oc" "$tc"
		if [ "$mode" = pubsub ]; then
			printf '%-8s %-6s %-4s %14s %14s %8s\n' "$mode" "$size" sub "$os" "$ts" "$(ratio "$os" "$ts")"
		fi
	done
done
