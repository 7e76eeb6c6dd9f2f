# Streaming client tests.
# test-client-unit: no network (codec, PubAckTracker, options).
# test-client: integration against nats-server + our streaming server (StanServerFixture), and
# interop with the nats.c streaming client when libnats is available.

nats_add_test_suite(test-client-unit
	SOURCES StanCodecTest.cpp PubAckTrackerTest.cpp StanOptionsTest.cpp
	LIBS stan natsproto
	TIMEOUT 120)

# Against a scripted streaming server on a real nats-server (needs no streaming server).
nats_add_test_suite(test-client-fake
	SOURCES StanFakeServerTest.cpp
	LIBS stan natsproto
	TIMEOUT 300)

if(TARGET stanfixture)
	set(_client_it_sources StanConnectionTest.cpp StanSubscriptionTest.cpp)
	set(_client_it_libs stan stanfixture natsproto)
	find_library(NATS_C_LIBRARY NAMES nats)
	find_path(NATS_C_INCLUDE_DIR NAMES nats/nats.h)
	if(NATS_C_LIBRARY AND NATS_C_INCLUDE_DIR)
		list(APPEND _client_it_sources StanCrossClientTest.cpp)
		list(APPEND _client_it_libs ${NATS_C_LIBRARY})
	endif()
	nats_add_test_suite(test-client
		SOURCES ${_client_it_sources}
		LIBS ${_client_it_libs}
		TIMEOUT 900)
	if(NATS_C_INCLUDE_DIR)
		target_include_directories(test-client PRIVATE ${NATS_C_INCLUDE_DIR})
	endif()
endif()
