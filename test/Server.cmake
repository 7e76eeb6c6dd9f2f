# Streaming server: the fixture library other areas link, and the `test-server` suite.

add_library(stanfixture STATIC server/StanServerFixture.cpp server/StanBackendFixture.cpp)
target_include_directories(stanfixture PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/server ${CMAKE_CURRENT_SOURCE_DIR})
# stan + src/: StanBackendFixture asks JetStream through the library's own API client.
target_include_directories(stanfixture PRIVATE ${PROJECT_SOURCE_DIR}/src)
target_link_libraries(stanfixture PUBLIC testsupport stanserver stan)
target_compile_options(stanfixture PRIVATE ${NATS_WARNING_FLAGS})

# The nats.c streaming client (nats_c_shared, cmake/NatsC.cmake) is the interop oracle.

set(_server_test_sources
	ServerProtocolTest.cpp
	MemoryMsgStoreTest.cpp
	StanServerTest.cpp
	StanMonitorTest.cpp
	StanMonitorTlsTest.cpp)
# StanMonitorTest drives the server with our own streaming client (library `stan`).
set(_server_test_libs stanfixture stanserver natsproto stan)
if(TARGET nats_c_shared)
	list(APPEND _server_test_sources StanServerInteropTest.cpp StanSubscriptionInteropTest.cpp StanQueueInteropTest.cpp)
	list(APPEND _server_test_libs nats_c_shared)
	if(TARGET stan-server)
		list(APPEND _server_test_sources StanServerToolTest.cpp)
	endif()
endif()
nats_add_test_suite(test-server SOURCES ${_server_test_sources} LIBS ${_server_test_libs} TIMEOUT 900)
if(TARGET nats_c_shared AND TARGET stan-server)
	# The tool test runs the stan-server program built from demo/.
	target_compile_definitions(test-server PRIVATE STAN_SERVER_BIN="$<TARGET_FILE:stan-server>")
	add_dependencies(test-server stan-server)
endif()
