# Core NATS client (library target `nats`): connection, parser, writer, reconnect, server pool,
# TLS, dispatcher. Paths relative to the project root.
set(NATS_CORE_SOURCES
	src/core/Exception.cpp
	src/core/Headers.cpp
	src/core/Message.cpp
	src/core/Options.cpp
	src/core/NUID.cpp
	src/core/SubjectRules.cpp
	src/core/Parser.cpp
	src/core/ServerInfo.cpp
	src/core/ServerPool.cpp
	src/core/Dispatcher.cpp
	src/core/EventQueue.cpp
	src/core/Timer.cpp
	src/core/ThreadName.cpp
	src/core/ThreadName.cpp
	src/core/SubscriptionImpl.cpp
	src/core/Subscription.cpp
	src/core/NKeys.cpp
	src/core/Credentials.cpp
	src/core/Handshake.cpp
	src/core/Writer.cpp
	src/core/RequestMux.cpp
	src/core/ConnectionImpl.cpp
	src/core/ConnectionSubscriptions.cpp
	src/core/ConnectionReader.cpp
	src/core/Connection.cpp)
