#!/usr/bin/env bash
# Soak (#11; not CI): nats-server + our stan-server as processes on free ports, and the stan-soak
# client (publishers, plain / durable / queue / manual-ack subscribers) for MINUTES minutes while
# nats-server is killed (-9) and restarted on the same port every minute. Prints the client's
# figures (sent / acked / failed / received / lost per subscriber kind, its RSS and thread count
# at start and end) and the stan-server's RSS and thread count at start and end.
# Exit status 0 = nothing acked was lost and no session was lost.
#
#   bench/soak.sh MINUTES [build-dir] [rate msgs/s]
# Every process is started here and stopped by its PID.
set -uo pipefail
minutes=${1:?usage: bench/soak.sh MINUTES [build-dir] [rate]}
build=${2:-build}
rate=${3:-1000}
cd "$(dirname "$0")/.."
soak="$build/test/stan-soak"
stan="$build/demo/stan-server"
nats=/usr/sbin/nats-server
for b in "$soak" "$stan" "$nats"; do [ -x "$b" ] || { echo "soak: $b missing (make all)"; exit 2; }; done

tmp=$(mktemp -d)
nats_pid=""
stan_pid=""
soak_pid=""
cleanup()
{
	for p in $soak_pid $stan_pid $nats_pid; do kill -KILL "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
url="nats://127.0.0.1:$port"

wait_port()
{
	for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0; sleep 0.1; done
	echo "soak: nats-server did not open port $port"; return 1
}
start_nats()
{
	"$nats" -a 127.0.0.1 -p "$port" -l "$tmp/nats.log" &
	nats_pid=$!
	wait_port
}
proc()
{
	awk '/^VmRSS:/ {r=$2} /^Threads:/ {t=$2} END {printf "RSS %s kB, threads %s", r, t}' "/proc/$1/status" 2>/dev/null
}

start_nats || exit 2
"$stan" -cid soak-cluster -ns "$url" -mm 0 -mb 0 >"$tmp/stan.log" 2>&1 &
stan_pid=$!
sleep 1
echo "soak: stan-server start: $(proc $stan_pid)"
"$soak" -s "$url" -c soak-cluster -m "$minutes" -r "$rate" &
soak_pid=$!

restarts=0
elapsed=0
while kill -0 "$soak_pid" 2>/dev/null; do
	sleep 1
	elapsed=$((elapsed + 1))
	if [ $((elapsed % 60)) -eq 30 ] && [ "$elapsed" -lt $((minutes * 60)) ]; then
		kill -KILL "$nats_pid"; wait "$nats_pid" 2>/dev/null
		start_nats || exit 2
		restarts=$((restarts + 1))
		echo "soak: nats-server restarted ($restarts) at ${elapsed} s"
	fi
done
wait "$soak_pid"
rc=$?
soak_pid=""
echo "soak: stan-server end: $(proc $stan_pid)"
echo "soak: nats-server restarts: $restarts; stan-soak exit status $rc"
exit $rc
