set(NATS_SERVER_SOURCES src/server/ServerPlaceholder.cpp)
