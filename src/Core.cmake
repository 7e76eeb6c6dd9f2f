# Core NATS client sources (helper "core").
set(NATS_CORE_SOURCES
	src/Exception.cpp
	src/Message.cpp
	src/Options.cpp
	src/NUID.cpp
	src/Parser.cpp
	src/ServerInfo.cpp
	src/ServerPool.cpp
	src/Dispatcher.cpp
	src/EventQueue.cpp
	src/Timer.cpp
	src/SubscriptionImpl.cpp
	src/Subscription.cpp
	src/ConnectionImpl.cpp
	src/Connection.cpp)
