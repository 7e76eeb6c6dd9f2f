# JetStream backend (issue #13): the JetStream API client and the streaming API on JetStream.
# Built into the `stan` library target (the public wrappers in src/stan choose the backend).
# Paths relative to the project root.
list(APPEND NATS_STAN_SOURCES
	src/jetstream/JetStreamException.cpp
	src/jetstream/JetStreamTypes.cpp
	src/jetstream/JetStreamContext.cpp)
list(APPEND NATS_STAN_SOURCES
	src/jetstream/JsPubAcks.cpp
	src/jetstream/JsStanConnection.cpp
	src/jetstream/JsStanSubscription.cpp
	src/jetstream/JsStanSubscriptionConsumer.cpp)
