set(NATS_CORE_SOURCES src/Exception.cpp src/Message.cpp)
