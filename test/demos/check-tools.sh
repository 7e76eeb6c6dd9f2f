#!/usr/bin/env bash
# Tests stan-pub, stan-sub and stan-bench against servers started by demo-servers (nats-server + streaming
# server on free ports, or NATS_URL / STAN_CLUSTER_ID when set): flags, output lines, exit codes.
#
#   check-tools.sh <stan-pub> <stan-sub> <demo-servers> <stan-bench>
set -u

PUB=$1
SUB=$2
SERVERS=$3
BENCH=$4
T="timeout -k 5 60"
work=$(mktemp -d)
servers_pid=""
cleanup()
{
	if [ -n "$servers_pid" ]; then
		kill -TERM "$servers_pid" 2>/dev/null
		wait "$servers_pid" 2>/dev/null
	fi
	rm -rf "$work"
}
trap cleanup EXIT

failures=0
fail()
{
	echo "check-tools: FAIL: $*"
	failures=$((failures + 1))
}

# run <name> <expected-status> <command...>: runs it, keeps the output in $work/<name>.
run()
{
	local name=$1 want=$2
	shift 2
	$T "$@" >"$work/$name" 2>&1
	local rc=$?
	echo "--- $name (exit $rc): $*"
	cat "$work/$name"
	[ "$rc" -eq "$want" ] || fail "$name: exit status $rc, expected $want"
}

# expect <name> <regex>: the output of <name> has a matching line.
expect()
{
	grep -Eq -- "$2" "$work/$1" || fail "$1: no line matching: $2"
}

# await_line <pid> <file> <regex> <tries>: polls every 0.1 s (at most <tries> times) until
# <file> has a line matching <regex> or process <pid> ended.
await_line()
{
	local pid=$1 file=$2 pattern=$3 tries=$4
	for _ in $(seq 1 "$tries"); do
		grep -q -- "$pattern" "$file" && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
}

# Servers: started in the background, their first lines give the URL.
timeout -k 5 170 "$SERVERS" >"$work/servers" 2>&1 &
servers_pid=$!
await_line "$servers_pid" "$work/servers" '^ready$' 300
if ! grep -q '^ready$' "$work/servers"; then
	cat "$work/servers"
	echo "check-tools: FAIL: demo-servers did not start"
	exit 1
fi
URL=$(sed -n 's/^NATS_URL=//p' "$work/servers")
CLUSTER=$(sed -n 's/^STAN_CLUSTER_ID=//p' "$work/servers")
SUFFIX=$$-$RANDOM
CH="tools-$SUFFIX"
C=(-s "$URL" -c "$CLUSTER")
echo "servers: $URL cluster $CLUSTER, channel $CH"

# --help and usage errors
run pub-help 0 "$PUB" --help
expect pub-help '^Usage: stan-pub \[options\] <channel> <message>'
run sub-help 0 "$SUB" -h
expect sub-help '^Usage: stan-sub \[options\] <channel>'
expect sub-help '--durable <name>'
run pub-noargs 2 "$PUB"
run pub-badflag 2 "$PUB" --bogus "$CH" x
expect pub-badflag 'flag provided but not defined: --bogus'
run sub-noargs 2 "$SUB"
run sub-badseq 2 "$SUB" --seq 0 "$CH"
run sub-badsince 2 "$SUB" --since 5parsecs "$CH"
run sub-twostarts 2 "$SUB" --all --last "$CH"

# publish: blocking, async (-a), and with -name=value syntax
run pub1 0 "$PUB" "${C[@]}" -id "pub-$SUFFIX" "$CH" "msg one"
expect pub1 "^Published \\[$CH\\] : 'msg one'\$"
run pub2 0 "$PUB" "${C[@]}" -id "pub-$SUFFIX" -a "$CH" "msg two"
expect pub2 "^Published \\[$CH\\] : 'msg two' \\[guid: [^]]+\\]\$"
expect pub2 '^Received ACK for guid '
run pub3 0 "$PUB" -s="$URL" --cluster="$CLUSTER" --clientid="pub-$SUFFIX" "$CH" "msg three"
expect pub3 "^Published \\[$CH\\] : 'msg three'\$"

# subscribe: every start position
run sub-all 0 "$SUB" "${C[@]}" -id "sub-$SUFFIX" --all -n 3 --timeout 20s "$CH"
expect sub-all "^Listening on \\[$CH\\]"
expect sub-all "^\\[#1\\] Received: sequence:1 subject:\"$CH\" data:\"msg one\" timestamp:[0-9]+\$"
expect sub-all "^\\[#2\\] Received: sequence:2 subject:\"$CH\" data:\"msg two\" timestamp:[0-9]+\$"
expect sub-all "^\\[#3\\] Received: sequence:3 subject:\"$CH\" data:\"msg three\" timestamp:[0-9]+\$"
run sub-seq 0 "$SUB" "${C[@]}" -id "sub-$SUFFIX" --seq 2 -n 2 --timeout 20s "$CH"
expect sub-seq '^\[#1\] Received: sequence:2 '
expect sub-seq '^\[#2\] Received: sequence:3 '
run sub-last 0 "$SUB" "${C[@]}" -id "sub-$SUFFIX" --last -n 1 --timeout 20s "$CH"
expect sub-last '^\[#1\] Received: sequence:3 '
run sub-since 0 "$SUB" "${C[@]}" -id "sub-$SUFFIX" --since 1m -n 3 --timeout 20s "$CH"
expect sub-since '^\[#1\] Received: sequence:1 '
expect sub-since '^\[#3\] Received: sequence:3 '
run sub-qgroup 0 "$SUB" "${C[@]}" -id "sub-$SUFFIX" --qgroup q1 --all -n 3 --timeout 20s "$CH"
expect sub-qgroup "qgroup=\\[q1\\]"
expect sub-qgroup '^\[#3\] Received: sequence:3 '

# durable: close at exit keeps it (resume where it stopped), --unsub removes it
run dur1 0 "$SUB" "${C[@]}" -id "dsub-$SUFFIX" --durable d1 --all -n 2 --timeout 20s "$CH"
expect dur1 '^\[#1\] Received: sequence:1 '
expect dur1 '^\[#2\] Received: sequence:2 '
run dur2 0 "$SUB" "${C[@]}" -id "dsub-$SUFFIX" --durable d1 --all -n 1 --timeout 20s "$CH"
expect dur2 '^\[#1\] Received: sequence:3 '
run pub4 0 "$PUB" "${C[@]}" -id "pub-$SUFFIX" "$CH" "msg four"
run dur3 0 "$SUB" "${C[@]}" -id "dsub-$SUFFIX" --durable d1 --unsub -n 1 --timeout 20s "$CH"
expect dur3 '^\[#1\] Received: sequence:4 '
run dur4 0 "$SUB" "${C[@]}" -id "dsub-$SUFFIX" --durable d1 --all -n 1 --timeout 20s "$CH"
expect dur4 '^\[#1\] Received: sequence:1 '

# runtime errors: exit status 1
run sub-timeout 1 "$SUB" "${C[@]}" -id "sub-$SUFFIX" -n 1 --timeout 300ms "$CH"
expect sub-timeout 'timeout: received 0 of 1 messages'
run pub-wrongcluster 1 "$PUB" -s "$URL" -c "no-such-cluster-$SUFFIX" -id "pub-$SUFFIX" "$CH" x
expect pub-wrongcluster 'connect request timeout \(possibly wrong cluster ID\?\)'
run pub-noserver 1 "$PUB" -s nats://127.0.0.1:1 -c "$CLUSTER" -id "pub-$SUFFIX" "$CH" x

# SIGTERM ends a running subscriber cleanly (exit 0)
"$SUB" "${C[@]}" -id "sig-$SUFFIX" "$CH" >"$work/sub-signal" 2>&1 &
sub_pid=$!
await_line "$sub_pid" "$work/sub-signal" '^Listening on' 200
kill -TERM "$sub_pid"
for _ in $(seq 1 200); do
	kill -0 "$sub_pid" 2>/dev/null || break
	sleep 0.1
done
kill -0 "$sub_pid" 2>/dev/null && { fail "sub-signal: still running 20 s after SIGTERM"; kill -KILL "$sub_pid"; }
wait "$sub_pid"
rc=$?
echo "--- sub-signal (exit $rc)"
cat "$work/sub-signal"
[ "$rc" -eq 0 ] || fail "sub-signal: exit status $rc, expected 0"
expect sub-signal '^Received SIGTERM, unsubscribing and closing connection\.\.\.$'

# stan-bench: usage, exit codes, the report, the CSV file and the progress line of a long run
run bench-help 0 "$BENCH" -h
expect bench-help '^Usage: stan-bench '
run bench-badflag 2 "$BENCH" -bogus
run bench-noserver 1 "$BENCH" -s nats://127.0.0.1:1 -n 10 "$CH-bench"
run bench-pubsub 0 "$BENCH" "${C[@]}" -id "bench-$SUFFIX" -np 1 -ns 2 -n 2000 -ms 64 -csv "$work/bench.csv" "$CH-bench"
expect bench-pubsub '^Pub stats: [0-9,]+ msgs/sec'
expect bench-pubsub '^Sub stats: [0-9,]+ msgs/sec'
expect bench-pubsub '^CPU: [0-9.]+ s user\+sys, [0-9.]+ us/msg over 6000 msgs handled$'
[ "$(grep -c '^stan-bench, ' "$work/bench.csv" 2>/dev/null)" = 3 ] || fail "bench-pubsub: CSV does not have 1 publisher + 2 subscriber rows"
run bench-qgroup 0 "$BENCH" "${C[@]}" -id "benchq-$SUFFIX" -np 1 -ns 2 -qgroup g -io -n 1000 "$CH-benchq"
expect bench-qgroup 'over 2000 msgs handled$'
# About 8k blocking publishes per second here: 20000 take more than a second, so a progress line shows.
run bench-progress 0 "$BENCH" "${C[@]}" -id "benchp-$SUFFIX" -sync -np 1 -ns 0 -n 20000 "$CH-benchp"
expect bench-progress '^progress: published [0-9]+/20000, received 0/0$'

if [ "$failures" -ne 0 ]; then
	echo "check-tools: $failures failure(s)"
	exit 1
fi
echo "check-tools: passed"
