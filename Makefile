# Thin wrapper around CMake (the source of truth). No source lists here.
BUILD    ?= build
JOBS     ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=
PREFIX   ?= /usr/local

.PHONY: all deps configure test demo demos bench install clean test-asan test-tsan fuzz

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

# --- reliability (#11) ---
# The whole suite under AddressSanitizer + UndefinedBehaviorSanitizer, and under ThreadSanitizer,
# each in its own build folder (build-asan, build-tsan). A sanitizer report fails the test that
# produced it (UBSan halts on the first finding; ASan and TSan exit non-zero).
SAN_CTEST = ctest --output-on-failure --timeout 900 -j $(JOBS)
# -O1 -g1 (line tables): what the sanitizers recommend, and about 3x faster to compile than -O2 -g.
SAN_CMAKE = -DNATS_BUILD_BENCH=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo '-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG'
test-asan: deps
	@test -f build-asan/CMakeCache.txt || cmake -S . -B build-asan -DNATS_SANITIZE=address,undefined $(SAN_CMAKE) $(CMAKE_FLAGS)
	cmake --build build-asan -j $(JOBS)
	cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:$(ASAN_OPTIONS) \
		LSAN_OPTIONS=suppressions=$(CURDIR)/test/sanitizer/lsan.supp:print_suppressions=0 \
		UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 $(SAN_CTEST)

test-tsan: deps
	@test -f build-tsan/CMakeCache.txt || cmake -S . -B build-tsan -DNATS_SANITIZE=thread $(SAN_CMAKE) $(CMAKE_FLAGS)
	cmake --build build-tsan -j $(JOBS)
	cd build-tsan && TSAN_OPTIONS=suppressions=$(CURDIR)/test/sanitizer/tsan.supp:second_deadlock_stack=1:$(TSAN_OPTIONS) $(SAN_CTEST)

# libFuzzer targets (Debian clang), built in build-fuzz; each runs FUZZ_SECONDS over its seed
# corpus in test/fuzz/corpus/<target>/ (new inputs go to build-fuzz/corpus/<target>/, crashes to
# build-fuzz/crashes/). See README "Testing".
FUZZ_SECONDS ?= 60
fuzz:
	@NATS_WITH_FUZZ=1 ./scripts/install-deps.sh
	./test/fuzz/run.sh build-fuzz $(FUZZ_SECONDS) $(JOBS)
