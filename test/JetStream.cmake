# JetStream backend tests (issue #13).
# test-jetstream: the JetStream API client (src/jetstream) against nats-server -js (temporary
# store directory per server), plus its parsing without a network; the streaming scenarios on
# both backends (StanBackendTest: one body, a streaming-server fixture and a JetStream fixture);
# a 3-node JetStream cluster with a node killed mid-publish; nats.c's JetStream API both ways.

set(_js_sources JetStreamTest.cpp JetStreamClusterTest.cpp JetStreamLossTest.cpp)
set(_js_libs stan natsproto)
# nats_c_shared: the nats.c library (cmake/NatsC.cmake), the JetStream cross-check.
if(TARGET nats_c_shared)
	list(APPEND _js_sources JetStreamInteropTest.cpp)
	list(APPEND _js_libs nats_c_shared)
endif()
if(TARGET stanfixture)
	# The streaming client's suites written for both backends (StanBackendFixture.h): here their
	# JetStream variants (NATS_JETSTREAM_SUITE below), test-client runs the streaming-server ones
	# (test-reliability those of StanFaultTest).
	list(APPEND _js_sources StanBackendTest.cpp StanLifecycleTest.cpp StanSubscriptionTest.cpp
		StanConnectionTest.cpp StanCloseTimeoutTest.cpp StanFaultTest.cpp StanCredentialsTest.cpp)
	list(APPEND _js_libs stanfixture)
	if(TARGET stan2js)
		list(APPEND _js_sources Stan2JsToolTest.cpp)
	endif()
endif()
nats_add_test_suite(test-jetstream
	SOURCES ${_js_sources}
	LIBS ${_js_libs}
	TIMEOUT 900)
target_compile_definitions(test-jetstream PRIVATE NATS_JETSTREAM_SUITE)
if(TARGET stanfixture AND TARGET stan2js)
	# The migration tool test runs the stan2js program built from tools/.
	target_compile_definitions(test-jetstream PRIVATE STAN2JS_BIN="$<TARGET_FILE:stan2js>")
	add_dependencies(test-jetstream stan2js)
endif()

# The nine demos on JetStream: the same programs and checks with STAN_BACKEND=jetstream
# (demo/DemoEnvironment starts nats-server -js instead of nats-server + streaming server).
if(TARGET demo-basic AND NATS_DEMO_NAMES)
	foreach(demo ${NATS_DEMO_NAMES})
		add_test(NAME demo-js-${demo}
			COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/demos/check-demo.sh $<TARGET_FILE:demo-${demo}> ${demo})
		set_tests_properties(demo-js-${demo} PROPERTIES TIMEOUT 180 ENVIRONMENT "STAN_BACKEND=jetstream")
	endforeach()
endif()
