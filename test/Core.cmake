# Core NATS client test suites (helper "core").
#   test-core-unit: no network (parser, NUID, URLs / server pool, options)
#   test-core:      integration against real nats-server processes (or NATS_URL)
nats_add_test_suite(test-core-unit
	SOURCES
		ParserTest.cpp
		HeadersTest.cpp
		NKeysTest.cpp
		NUIDTest.cpp
		TimerTest.cpp
		ServerPoolTest.cpp
		OptionsTest.cpp
		InternalsTest.cpp
		ExceptionTest.cpp
	TIMEOUT 120)

nats_add_test_suite(test-core
	SOURCES
		ConnectionTest.cpp
		ReconnectTest.cpp
		SecurityTest.cpp
		ProtocolTest.cpp
		CoreHeadersTest.cpp
		CoreFeaturesTest.cpp
		CoreAuthTest.cpp
		CoreTlsFailoverTest.cpp
		server/FakeNatsServer.cpp
	TIMEOUT 600)
