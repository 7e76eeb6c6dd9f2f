# Reliability (#11): bad input (every row of the README table is a test) and faults against real
# processes (nats-server killed, stopped, restarted; our streaming server restarted; slow consumer).
if(TARGET stanfixture)
	nats_add_test_suite(test-reliability
		SOURCES BadInputTest.cpp FaultTest.cpp
		LIBS stan stanfixture natsproto
		TIMEOUT 900)
endif()

# Fuzz targets: replay runners over the committed corpora in CTest; libFuzzer builds for `make fuzz`.
include(fuzz/Fuzz.cmake)
