# JetStream backend tests (issue #13).
# test-jetstream: the JetStream API client (src/jetstream) against nats-server -js (temporary
# store directory per server), plus its parsing without a network; the streaming scenarios on
# both backends (StanBackendTest: one body, a streaming-server fixture and a JetStream fixture).

set(_js_sources JetStreamTest.cpp)
set(_js_libs stan natsproto)
if(TARGET stanfixture)
	list(APPEND _js_sources StanBackendTest.cpp)
	list(APPEND _js_libs stanfixture)
endif()
nats_add_test_suite(test-jetstream
	SOURCES ${_js_sources}
	LIBS ${_js_libs}
	TIMEOUT 900)
