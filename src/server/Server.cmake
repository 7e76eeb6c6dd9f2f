# Streaming server sources (library target `stanserver`).
set(NATS_SERVER_SOURCES
	src/server/StanServer.cpp
	src/server/StanServerImpl.cpp
	src/server/ServerContext.cpp
	src/server/ClientRegistry.cpp
	src/server/ChannelRegistry.cpp
	src/server/SubscriptionManager.cpp
	src/server/DeliveryEngine.cpp
	src/server/MemoryMsgStore.cpp
	src/server/MonitorServer.cpp
	src/server/MonitorSnapshot.cpp)
