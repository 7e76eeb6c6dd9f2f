# Shell library of the bench/run-*.sh scripts (sourced, not run): starts nats-server (and our
# stan-server, cluster "bench-cluster") on a free loopback port, stops them by PID when the script
# exits, and runs the side-by-side "ours vs nats.c" scenarios.
#
#     require_executables <build hint> <file>...   exits 1 naming the first one missing
#     start_nats [--jetstream]                     sets PORT, URL, NATS_PID, STAN_PID, TMP
#                                         (--jetstream: -js with its store in TMP/js)
#     start_servers <stan-server> [extra stan-server flags...]   start_nats, then stan-server
#     compare_header; compare_scenario <name> <client args...>   (needs OURS, THEIRS, RUNS, and
#                                         CLIENT_ARGS: flags both clients get before their own)
# TMP is a scratch folder removed at exit.

free_port() {
	if command -v python3 >/dev/null 2>&1; then
		python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
	else
		echo $((20000 + $$ % 40000))
	fi
}

# require_executables <build hint> <file>...: each must be executable.
require_executables() {
	_hint=$1
	shift
	for f in "$@"; do
		[ -x "$f" ] || { echo "missing $f ($_hint)" >&2; exit 1; }
	done
}

# wait_for_line <pid> <log> <pattern> <what>: up to 10 s for <pattern> in <log>.
wait_for_line() {
	i=0
	until grep -q "$3" "$2" 2>/dev/null; do
		i=$((i + 1))
		if [ $i -gt 100 ] || ! kill -0 "$1" 2>/dev/null; then
			echo "$4 did not start:" >&2; cat "$2" >&2; exit 1
		fi
		sleep 0.1
	done
}

start_nats() {
	NATS_SERVER=${NATS_SERVER:-$(command -v nats-server || echo /usr/sbin/nats-server)}
	PORT=$(free_port)
	URL="nats://127.0.0.1:$PORT"
	TMP=$(mktemp -d)
	NATS_PID=""
	STAN_PID=""
	trap stop_servers EXIT INT TERM
	if [ "${1:-}" = --jetstream ]; then
		set -- -js -sd "$TMP/js"
	fi
	"$NATS_SERVER" -a 127.0.0.1 -p "$PORT" "$@" >"$TMP/nats.log" 2>&1 &
	NATS_PID=$!
	wait_for_line "$NATS_PID" "$TMP/nats.log" "Server is ready" nats-server
}

start_servers() {
	_stan=$1
	shift
	start_nats
	"$_stan" -cid bench-cluster -ns "$URL" "$@" >"$TMP/stan.log" 2>&1 &
	STAN_PID=$!
	wait_for_line "$STAN_PID" "$TMP/stan.log" "ready" stan-server
}

stop_servers() {
	[ -n "$STAN_PID" ] && kill "$STAN_PID" 2>/dev/null || true
	[ -n "$NATS_PID" ] && kill "$NATS_PID" 2>/dev/null || true
	wait 2>/dev/null || true
	rm -rf "$TMP"
}

# run_client <binary> <args...>: prints "<rate> <cpu-us-per-msg>" from the bench's
# "Pub stats:"/"Sub stats:" and "CPU:" lines.
run_client() {
	out=$("$@" 2>&1) || { echo "FAILED: $*" >&2; echo "$out" >&2; exit 1; }
	rate=$(echo "$out" | awk '/^(Pub|Sub) stats:/ { gsub(",", "", $3); print $3; exit }')
	cpu=$(echo "$out" | awk '/^CPU:/ { print $5; exit }')
	echo "$rate $cpu"
}
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

compare_header() {
	printf "%-14s %12s %12s %7s   %9s %9s %7s\n" scenario "ours msg/s" "nats.c msg/s" ratio "ours us" "nats.c us" ratio
}

# compare_scenario <name> <args shared by both clients>: RUNS runs of each, alternating, on
# channels of their own (scenario "replay": the shared channel "replay"); prints the medians.
compare_scenario() {
	name=$1; shift
	: >"$TMP/ours"; : >"$TMP/theirs"
	r=1
	while [ $r -le "$RUNS" ]; do
		case $name in
			replay) chO=replay; chT=replay ;;
			*) chO="$name-ours-$r"; chT="$name-natsc-$r" ;;
		esac
		run_client "$OURS" -s "$URL" $CLIENT_ARGS -id "ours-$name-$r" "$@" "$chO" >>"$TMP/ours"
		run_client "$THEIRS" -s "$URL" $CLIENT_ARGS -id "natsc-$name-$r" "$@" "$chT" >>"$TMP/theirs"
		r=$((r + 1))
	done
	oRate=$(cut -d' ' -f1 "$TMP/ours" | median); tRate=$(cut -d' ' -f1 "$TMP/theirs" | median)
	oCpu=$(cut -d' ' -f2 "$TMP/ours" | median); tCpu=$(cut -d' ' -f2 "$TMP/theirs" | median)
	awk -v n="$name" -v orate="$oRate" -v trate="$tRate" -v ocpu="$oCpu" -v tcpu="$tCpu" 'BEGIN {
		printf "%-14s %12.0f %12.0f %7.2f   %9.3f %9.3f %7.2f\n", n, orate, trate, orate / trate, ocpu, tcpu, ocpu / tcpu }'
}
