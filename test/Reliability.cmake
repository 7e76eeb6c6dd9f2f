# Reliability (#11): bad input (every row of the README table is a test) and faults against real
# processes: the core slow consumer (FaultTest), and the streaming faults written for both backends
# (StanFaultTest: nats-server killed, stopped, restarted; the streaming state lost or kept), whose
# streaming-server suite runs here and whose JetStream suite runs in test-jetstream.
if(TARGET stanfixture)
	nats_add_test_suite(test-reliability
		SOURCES BadInputTest.cpp FaultTest.cpp StanFaultTest.cpp
		LIBS stan stanfixture natsproto
		TIMEOUT 900)
endif()

# Fuzz targets: replay runners over the committed corpora in CTest; libFuzzer builds for `make fuzz`.
include(fuzz/Fuzz.cmake)

# The client of bench/soak.sh (not a CTest test).
add_executable(stan-soak soak/StanSoak.cpp)
target_link_libraries(stan-soak PRIVATE stan)
target_compile_options(stan-soak PRIVATE ${NATS_WARNING_FLAGS})

# Processes are stopped by PID only (a shared machine runs other jobs' servers): no kill by name
# in CI, scripts, tests, benchmarks or demos. (The bracketed letters keep this line from matching.)
add_test(NAME no-kill-by-name
	COMMAND sh -c "! grep -rnE 'p[k]ill|kill[a]ll' .ci scripts test bench demo"
	WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
