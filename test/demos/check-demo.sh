#!/usr/bin/env bash
# Runs one demo and checks its exit status and the key lines of its output.
#
#   check-demo.sh <demo-binary> <demo-name>      (demo-name: basic, replay, ... as in demo-<name>)
#
# The demo runs under `timeout` (DEMO_TIMEOUT seconds, default 120), which signals the whole
# process group, so an embedded nats-server child is killed with it. Exit status 0 = pass.
set -u

bin=$1
name=$2
limit=${DEMO_TIMEOUT:-120}
out=$(mktemp)
trap 'rm -f "$out"' EXIT

timeout -k 5 "$limit" "$bin" >"$out" 2>&1
rc=$?
cat "$out"
echo "--- check-demo $name: exit status $rc"

failures=0
fail()
{
	echo "check-demo $name: FAIL: $*"
	failures=$((failures + 1))
}

expect()
{
	grep -Eq -- "$1" "$out" || fail "no line matching: $1"
}

if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
	fail "timed out after ${limit}s"
elif [ "$rc" -ne 0 ]; then
	fail "exit status $rc"
fi
grep -q -- '\[FAILED\]' "$out" && fail "a check inside the demo failed"
expect "^demo-$name: OK\$"

case "$name" in
	basic)
		expect '^Received a message: \[#1\] Hello World 1$'
		expect '^Received a message: \[#2\] Hello World 2$'
		expect '^received 2 messages$'
		expect '\[ok\] the borrowed NATS connection is still open'
		;;
	replay)
		expect '^last received: +5$'
		expect '^all available: +1-5$'
		expect '^from sequence 3: +3-5$'
		expect '^from 2 minutes ago: +1-5$'
		;;
	durable)
		expect ' received 1-40$'
		expect ' resumed and received 41-80$'
		;;
	queue)
		expect '\[ok\] group "bar" received each of the 40 messages exactly once'
		for i in 1 2 3; do
			expect "^plain subscriber $i received 40 messages: 1-40\$"
		done
		;;
	durable-queue)
		expect '^the group received 10 messages$'
		expect '^the rejoined member received 11-20$'
		expect '^a new member of the new group received 1-20$'
		;;
	async-publish)
		expect '^received 1024 acks, 0 errors$'
		expect '\[ok\] every guid acked exactly once'
		;;
	manual-ack)
		expect '^deliveries: 6 first, 3 redelivered unacked ones, 0 redelivered acked ones$'
		for s in 1 3 5; do
			expect "^\\[#$s\\] message $s -> no ack\$"
			expect "^\\[#$s\\] message $s \\(redelivered, count [0-9]+\\) -> ack\$"
		done
		;;
	pub-rate-limit)
		expect '^acks: 2048 ok, 0 failed$'
		most=$(sed -n 's/^most acks in flight: \([0-9]*\)$/\1/p' "$out")
		if [ -z "$most" ] || [ "$most" -gt 512 ]; then
			fail "most acks in flight '$most' is not <= 512"
		fi
		;;
	sub-rate-limit)
		expect '^received 512 messages, most unacked at once: [0-9]+$'
		most=$(sed -n 's/^received 512 messages, most unacked at once: \([0-9]*\)$/\1/p' "$out")
		if [ -z "$most" ] || [ "$most" -gt 128 ]; then
			fail "most unacked '$most' is not <= 128"
		fi
		;;
	*)
		fail "unknown demo name"
		;;
esac

if [ "$failures" -ne 0 ]; then
	echo "check-demo $name: $failures failure(s)"
	exit 1
fi
echo "check-demo $name: passed"
