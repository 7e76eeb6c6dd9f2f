#!/usr/bin/env bash
# Runs demo 1 (basic usage) or all nine demos.
#
#   scripts/run-demo.sh <build-dir> basic|all|<demo-name>...
#
# Each demo starts its own nats-server (/usr/sbin/nats-server, free loopback port) and an
# in-process streaming server, unless NATS_URL (and optionally STAN_CLUSTER_ID) point it at
# servers that already run. Exits non-zero if a demo fails.
set -u

usage()
{
	echo "usage: $0 <build-dir> basic|all|<demo-name>..." >&2
	echo "demos: ${ALL[*]}" >&2
	exit 2
}

ALL=(demo-basic demo-replay demo-durable demo-queue demo-durable-queue demo-async-publish
     demo-manual-ack demo-pub-rate-limit demo-sub-rate-limit)

[ $# -ge 2 ] || usage
BUILD=$1
shift
case "$1" in
	basic) DEMOS=(demo-basic) ;;
	all) DEMOS=("${ALL[@]}") ;;
	-h|--help) usage ;;
	*) DEMOS=("$@") ;;
esac

failed=()
for d in "${DEMOS[@]}"; do
	d=${d#demo-}
	bin="$BUILD/demo/demo-$d"
	if [ ! -x "$bin" ]; then
		echo "run-demo: $bin not found (build it first: cmake --build $BUILD --target demo-$d)" >&2
		failed+=("demo-$d")
		continue
	fi
	echo "=== demo-$d"
	if ! "$bin"; then
		failed+=("demo-$d")
	fi
	echo
done

if [ ${#failed[@]} -ne 0 ]; then
	echo "run-demo: FAILED: ${failed[*]}" >&2
	exit 1
fi
echo "run-demo: ${#DEMOS[@]} demo(s) passed"
