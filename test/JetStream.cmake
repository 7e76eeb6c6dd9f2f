# JetStream backend tests (issue #13).
# test-jetstream: the JetStream API client (src/jetstream) against nats-server -js (temporary
# store directory per server), plus its parsing without a network.

nats_add_test_suite(test-jetstream
	SOURCES JetStreamTest.cpp
	LIBS stan natsproto
	TIMEOUT 600)
