#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan + coverage) in <build-dir> and runs each
# for <seconds> over its committed seed corpus (test/fuzz/corpus/<target>/). New inputs go to
# <build-dir>/corpus/<target>/, crashes to <build-dir>/crashes/<target>/ (copy a crash into
# test/fuzz/regressions/<target>/ once fixed: the fuzz-replay-<target> CTest test replays it).
# Prints executions and executions per second per target; exit status 1 if any target failed.
#
#   test/fuzz/run.sh <build-dir> <seconds> [jobs]       (make fuzz FUZZ_SECONDS=N)
set -uo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build-fuzz}
seconds=${2:-60}
jobs=${3:-2}
targets=(parser stan-codec server-handlers server-pool tool-flags)

if [ ! -f "$build/CMakeCache.txt" ]; then
	CC=clang CXX=clang++ cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNATS_FUZZ=ON \
		-DNATS_SANITIZE=address,undefined -DCMAKE_CXX_FLAGS=-fsanitize=fuzzer-no-link \
		-DNATS_BUILD_DEMOS=OFF -DNATS_BUILD_BENCH=OFF || exit 1
fi
cmake --build "$build" -j "$jobs" --target $(printf 'fuzz-%s ' "${targets[@]}") || exit 1

# nats-server for the server-handlers target: started here, stopped by its PID.
nats_pid=""
cleanup() { if [ -n "$nats_pid" ]; then kill -KILL "$nats_pid" 2>/dev/null; wait "$nats_pid" 2>/dev/null; fi; }
trap cleanup EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
/usr/sbin/nats-server -a 127.0.0.1 -p "$port" -l /dev/null &
nats_pid=$!
for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
export FUZZ_NATS_URL="nats://127.0.0.1:$port"

summary="$build/fuzz-summary.txt"
: >"$summary"
failed=0
for t in "${targets[@]}"; do
	mkdir -p "$build/corpus/$t" "$build/crashes/$t"
	log="$build/fuzz-$t.log"
	ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		"$build/test/fuzz-$t" -max_total_time="$seconds" -timeout=20 -print_final_stats=1 \
		-artifact_prefix="$build/crashes/$t/" "$build/corpus/$t" "test/fuzz/corpus/$t" >"$log" 2>&1
	rc=$?
	execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
	rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
	execs=${execs:-0}
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*')
	crashes=$(find "$build/crashes/$t" -type f | wc -l)
	line=$(printf '%-16s exit %-3s %10s execs %8s execs/s  cov %-6s crashes %s' "$t" "$rc" "$execs" "${rate:-0}" "${cov:-?}" "$crashes")
	echo "$line" | tee -a "$summary"
	if [ "$rc" -ne 0 ] || [ "$crashes" -ne 0 ]; then failed=1; tail -40 "$log"; fi
done
exit $failed
