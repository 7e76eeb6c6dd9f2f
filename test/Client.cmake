# Streaming client tests.
# test-client-unit: no network (codec, PubAckTracker, PubAckWindow, options).
# test-client: integration against nats-server + our streaming server (StanServerFixture), and
# interop with the nats.c streaming client when libnats is available.

nats_add_test_suite(test-client-unit
	SOURCES StanCodecTest.cpp PubAckTrackerTest.cpp PubAckWindowTest.cpp StanOptionsTest.cpp
	LIBS stan natsproto
	TIMEOUT 120)

# Against a scripted streaming server on a real nats-server (needs no streaming server).
nats_add_test_suite(test-client-fake
	SOURCES StanFakeServerTest.cpp
	LIBS stan natsproto
	TIMEOUT 300)

if(TARGET stanfixture)
	set(_client_it_sources StanConnectionTest.cpp StanSubscriptionTest.cpp StanCredentialsTest.cpp StanLifecycleTest.cpp
		StanCloseTimeoutTest.cpp)
	set(_client_it_libs stan stanfixture natsproto)
	# nats_c_shared: the nats.c library imported by cmake/NatsC.cmake (Debian libnats-dev).
	if(TARGET nats_c_shared)
		list(APPEND _client_it_sources StanCrossClientTest.cpp)
		list(APPEND _client_it_libs nats_c_shared)
	endif()
	nats_add_test_suite(test-client
		SOURCES ${_client_it_sources}
		LIBS ${_client_it_libs}
		TIMEOUT 900)
endif()
