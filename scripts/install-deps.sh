#!/usr/bin/env bash
# Installs the build and test dependencies with apt, only those missing. Idempotent and
# non-interactive; does nothing (and needs no network) when everything is present.
set -euo pipefail

PKGS=(g++ cmake make pkg-config libpoco-dev libprotobuf-dev protobuf-compiler libcppunit-dev
      nats-server libnats-dev openssl libssl-dev)
# `make fuzz` only (#11): clang with libFuzzer and the sanitizer runtimes.
if [ "${NATS_WITH_FUZZ:-0}" = 1 ]; then PKGS+=(clang libclang-rt-14-dev); fi

missing=()
for p in "${PKGS[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing+=("$p")
	fi
done

if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
