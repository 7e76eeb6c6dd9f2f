# What the streaming client and server share (library target `natsproto`, with the protobuf
# code generated from proto/protocol.proto): the streaming codec, the server's error texts and
# name validation. Paths relative to the project root.
set(NATS_PROTOCOL_SOURCES
	src/protocol/StanCodec.cpp
	src/protocol/ServerProtocol.cpp)
