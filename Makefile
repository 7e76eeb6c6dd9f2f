# Thin wrapper around CMake (the source of truth). No source lists here.
BUILD    ?= build
JOBS     ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=
PREFIX   ?= /usr/local

.PHONY: all deps configure test demo demos bench install clean

all: deps configure
	cmake --build $(BUILD) -j $(JOBS)

deps:
	@./scripts/install-deps.sh

configure:
	@test -f $(BUILD)/CMakeCache.txt || cmake -S . -B $(BUILD) -DCMAKE_INSTALL_PREFIX=$(PREFIX) $(CMAKE_FLAGS)

# Builds everything and runs every suite through CTest. Each suite starts the nats-server
# processes and the streaming server it needs on free ports.
test: all
	cd $(BUILD) && ctest --output-on-failure --timeout 900 -V

# Demo 1 (basic usage) against an embedded nats-server + our streaming server.
demo: all
	./scripts/run-demo.sh $(BUILD) basic

# All nine demos.
demos: all
	./scripts/run-demo.sh $(BUILD) all

bench: all
	./bench/run.sh $(BUILD)

install: all
	cmake --install $(BUILD) --prefix $(PREFIX)

clean:
	rm -rf $(BUILD)
