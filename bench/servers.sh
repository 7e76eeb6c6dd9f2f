# Sourced by bench/run-stan.sh and bench/run-server.sh: starts nats-server and our stan-server
# (cluster "bench-cluster") on a free loopback port and stops both when the script exits.
#
#     start_servers <stan-server> [extra stan-server flags...]
# sets PORT, URL, NATS_PID, STAN_PID and TMP (a scratch folder removed at exit).

free_port() {
	if command -v python3 >/dev/null 2>&1; then
		python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
	else
		echo $((20000 + $$ % 40000))
	fi
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

start_servers() {
	_stan=$1
	shift
	NATS_SERVER=${NATS_SERVER:-$(command -v nats-server || echo /usr/sbin/nats-server)}
	PORT=$(free_port)
	URL="nats://127.0.0.1:$PORT"
	TMP=$(mktemp -d)
	NATS_PID=""
	STAN_PID=""
	trap stop_servers EXIT INT TERM
	"$NATS_SERVER" -a 127.0.0.1 -p "$PORT" >"$TMP/nats.log" 2>&1 &
	NATS_PID=$!
	wait_for_line "$NATS_PID" "$TMP/nats.log" "Server is ready" nats-server
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
