//
// StanCodec.h
//
// Library: Nats
// Package: Streaming
// Module:  StanCodec
//
// Encoding and decoding of the NATS Streaming protocol messages (protocol.md 2.2).
//
// SPDX-License-Identifier: Apache-2.0
//

#ifndef Nats_StanCodec_INCLUDED
#define Nats_StanCodec_INCLUDED

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace Nats {

/// A decoded MsgProto whose string fields point into the decoded buffer.
struct MsgProtoView
{
	std::uint64_t sequence = 0;
	std::string_view subject;
	std::string_view reply;
	std::string_view data;
	std::int64_t timestamp = 0;
	bool redelivered = false;
	std::uint32_t redeliveryCount = 0;
	std::uint32_t crc32 = 0;
};

/// A decoded PubAck whose fields point into the decoded buffer.
struct PubAckView
{
	std::string_view guid;
	std::string_view error;
};

struct StanConnectRequest
{
	std::string clientID;
	std::string heartbeatInbox;
	int protocol = 0;
	std::string connID;
	int pingInterval = 0;
	int pingMaxOut = 0;
};

struct StanConnectResponse
{
	std::string pubPrefix;
	std::string subRequests;
	std::string unsubRequests;
	std::string closeRequests;
	std::string error;
	std::string subCloseRequests;
	std::string pingRequests;
	int pingInterval = 0;
	int pingMaxOut = 0;
	int protocol = 0;
};

struct StanSubscriptionRequest
{
	std::string clientID;
	std::string subject;
	std::string qGroup;
	std::string inbox;
	int maxInFlight = 0;
	int ackWaitInSecs = 0;
	std::string durableName;
	int startPosition = 0;
	std::uint64_t startSequence = 0;
	std::int64_t startTimeDelta = 0;
};

struct StanSubscriptionResponse
{
	std::string ackInbox;
	std::string error;
};

struct StanUnsubscribeRequest
{
	std::string clientID;
	std::string subject;
	std::string inbox;
	std::string durableName;
};

/// The codec of the streaming protocol. The hot-path messages (PubMsg, Ack encoding; MsgProto,
/// PubAck decoding) are hand-written proto3 (no allocation beyond the output buffer); the control
/// messages use the generated code (this is the only file that includes "protocol.pb.h").
/// Decoders skip unknown fields and throw NatsProtocolException on malformed input.
///
/// Thread safety: Stateless; all functions are reentrant.
class StanCodec
{
public:
	/// Appends an encoded PubMsg to `out`.
	static void encodePubMsg(std::string& out, std::string_view clientID, std::string_view guid,
		std::string_view subject, const void* data, std::size_t length, std::string_view connID);

	/// Most bytes encodePubMsg() writes for these fields.
	static std::size_t pubMsgMaxSize(std::string_view clientID, std::string_view guid, std::string_view subject, std::size_t length,
		std::string_view connID);

	/// Writes an encoded PubMsg at `out` (room for pubMsgMaxSize() bytes); returns its end.
	static char* encodePubMsg(char* out, std::string_view clientID, std::string_view guid, std::string_view subject,
		const void* data, std::size_t length, std::string_view connID);

	/// Appends an encoded Ack to `out`.
	static void encodeAck(std::string& out, std::string_view subject, std::uint64_t sequence);

	/// Appends an encoded PubAck (the server's answer to a PubMsg) to `out`.
	static void encodePubAck(std::string& out, std::string_view guid, std::string_view error);

	/// Appends an encoded SubscriptionResponse (also the answer to unsubscribe / close
	/// requests) to `out`.
	static void encodeSubscriptionResponse(std::string& out, std::string_view ackInbox, std::string_view error);

	/// Appends the redelivered flag (field 6) and, if `count` > 0, redeliveryCount (field 7) to
	/// an encoded MsgProto (the server redelivers a stored encoding without re-encoding it).
	static void appendRedelivered(std::string& encodedMsgProto, std::uint32_t count);

	/// Decodes a MsgProto. Throws NatsProtocolException if malformed.
	static void decodeMsgProto(const char* data, std::size_t length, MsgProtoView& msg);

	/// Decodes a PubAck. Throws NatsProtocolException if malformed.
	static void decodePubAck(const char* data, std::size_t length, PubAckView& ack);

	static std::string encodePing(std::string_view connID);
	/// Returns the PingResponse error ("" = OK). Throws NatsProtocolException if malformed.
	static std::string decodePingResponse(const std::string& data);

	static std::string encodeConnectRequest(const StanConnectRequest& req);
	static StanConnectResponse decodeConnectResponse(const std::string& data);

	static std::string encodeSubscriptionRequest(const StanSubscriptionRequest& req);
	static StanSubscriptionResponse decodeSubscriptionResponse(const std::string& data);

	static std::string encodeUnsubscribeRequest(const StanUnsubscribeRequest& req);

	static std::string encodeCloseRequest(const std::string& clientID);
	/// Returns the CloseResponse error ("" = OK).
	static std::string decodeCloseResponse(const std::string& data);

	// Generic proto3 wire helpers (also used by tests).
	static void appendVarint(std::string& out, std::uint64_t value);
	static void appendTag(std::string& out, int field, int wireType);
	static void appendBytesField(std::string& out, int field, const void* data, std::size_t length);
	static void appendVarintField(std::string& out, int field, std::uint64_t value);
};

} // namespace Nats

#endif // Nats_StanCodec_INCLUDED
