#!/usr/bin/env bash
# Installs the build into a temporary prefix and builds + runs a consumer project against it,
# once through the CMake package (find_package(NatsCpp), Nats::stan) and once through pkg-config
# (g++ $(pkg-config --cflags --libs natscpp)).
#
#   run.sh <build-dir> <consumer-source-dir>
set -u

BUILD=$1
CONSUMER=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix
failures=0
fail()
{
	echo "install-test: FAIL: $*"
	failures=$((failures + 1))
}

echo "=== cmake --install $BUILD --prefix $prefix"
if ! cmake --install "$BUILD" --prefix "$prefix" >"$tmp/install.log" 2>&1; then
	cat "$tmp/install.log"
	echo "install-test: FAIL: cmake --install failed"
	exit 1
fi

# What must be there.
for f in include/Nats/Nats.h include/Nats/Connection.h include/Nats/StanConnection.h include/Nats/StanServer.h; do
	[ -f "$prefix/$f" ] || fail "missing $f"
done
for lib in natscpp natscpp-stan natscpp-stanserver natscpp-proto; do
	[ -n "$(find "$prefix" -name "lib$lib.a" -o -name "lib$lib.so")" ] || fail "missing library lib$lib"
done
config=$(find "$prefix" -name NatsCppConfig.cmake | head -1)
[ -n "$config" ] || fail "missing NatsCppConfig.cmake"
[ -n "$(find "$prefix" -name NatsCppConfigVersion.cmake)" ] || fail "missing NatsCppConfigVersion.cmake"
pc=$(find "$prefix" -name natscpp.pc | head -1)
[ -n "$pc" ] || fail "missing natscpp.pc"
for tool in stan-pub stan-sub stan-bench stan-server nats-pub nats-sub nats-bench; do
	if [ -x "$prefix/bin/$tool" ]; then
		echo "installed tool: bin/$tool"
	else
		fail "missing tool bin/$tool"
	fi
done
# Public headers only: no generated protobuf code, no internal headers.
[ -z "$(find "$prefix/include" -name '*.pb.h')" ] || fail "generated protobuf headers were installed"
if grep -rlE '#include "(src/|protocol\.pb\.h)' "$prefix/include" >/dev/null 2>&1; then
	fail "an installed header includes an internal header"
fi
if [ -x "$prefix/bin/stan-pub" ]; then
	"$prefix/bin/stan-pub" --help | grep -q '^Usage: stan-pub' || fail "installed stan-pub --help"
fi

echo "=== CMake consumer: find_package(NatsCpp) + Nats::stan"
if cmake -S "$CONSUMER" -B "$tmp/cmake-build" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Release \
	-DCMAKE_CXX_FLAGS="${CONSUMER_FLAGS:-}" -DCMAKE_EXE_LINKER_FLAGS="${CONSUMER_FLAGS:-}" >"$tmp/cmake.log" 2>&1 \
	&& cmake --build "$tmp/cmake-build" -j 2 >>"$tmp/cmake.log" 2>&1; then
	timeout -k 5 60 "$tmp/cmake-build/consumer" || fail "CMake-built consumer failed"
else
	cat "$tmp/cmake.log"
	fail "CMake consumer did not build"
fi

echo "=== pkg-config consumer: g++ \$(pkg-config --cflags --libs natscpp)"
export PKG_CONFIG_PATH="$(dirname "${pc:-/nonexistent/x}")"
if flags=$(pkg-config --cflags --libs natscpp 2>"$tmp/pc.log"); then
	echo "pkg-config: $flags"
	case "$flags" in
		*"$prefix"*) ;;
		*) fail "pkg-config flags do not point into the install prefix" ;;
	esac
	# shellcheck disable=SC2086
	if g++ -std=c++17 -O1 -o "$tmp/consumer-pc" "$CONSUMER/consumer.cpp" ${CONSUMER_FLAGS:-} $flags >"$tmp/gxx.log" 2>&1; then
		timeout -k 5 60 "$tmp/consumer-pc" || fail "pkg-config-built consumer failed"
	else
		cat "$tmp/gxx.log"
		fail "pkg-config consumer did not build"
	fi
else
	cat "$tmp/pc.log"
	fail "pkg-config --cflags --libs natscpp failed"
fi

if [ "$failures" -ne 0 ]; then
	echo "install-test: $failures failure(s)"
	exit 1
fi
echo "install-test: passed"
