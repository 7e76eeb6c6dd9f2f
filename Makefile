# Thin wrapper around CMake (the source of truth). No source lists here.
BUILD    ?= build
JOBS     ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=
PREFIX   ?= /usr/local

.PHONY: all deps configure test demo demos bench install clean

# Builds only: never installs packages (`make deps`, `make test` and `make demo(s)` do).
all: configure
	cmake --build $(BUILD) -j $(JOBS)

deps:
	@./scripts/install-deps.sh

# Configures on first use, and again from a fresh cache whenever PREFIX or CMAKE_FLAGS differ
# from the last configure (recorded in $(BUILD)/.make-cmake-flags), so that a removed flag
# returns to its default instead of staying in the cache.
CONFIGURE_FLAGS = -DCMAKE_INSTALL_PREFIX=$(PREFIX) $(CMAKE_FLAGS)
configure:
	@if [ ! -f $(BUILD)/CMakeCache.txt ] || [ "$$(cat $(BUILD)/.make-cmake-flags 2>/dev/null)" != '$(CONFIGURE_FLAGS)' ]; then \
		rm -f $(BUILD)/CMakeCache.txt && cmake -S . -B $(BUILD) $(CONFIGURE_FLAGS) && \
		printf '%s' '$(CONFIGURE_FLAGS)' > $(BUILD)/.make-cmake-flags; \
	fi

# Builds everything and runs every suite through CTest. Each suite starts the nats-server
# processes and the streaming server it needs on free ports.
test: deps
	@$(MAKE) --no-print-directory all
	cd $(BUILD) && ctest --output-on-failure --timeout 900 -V

# Demo 1 (basic usage) against an embedded nats-server + our streaming server.
demo: deps
	@$(MAKE) --no-print-directory all
	./scripts/run-demo.sh $(BUILD) basic

# All nine demos.
demos: deps
	@$(MAKE) --no-print-directory all
	./scripts/run-demo.sh $(BUILD) all

bench: all
	./bench/run.sh $(BUILD)

install: all
	cmake --install $(BUILD) --prefix $(PREFIX)

clean:
	rm -rf $(BUILD)
