//
// JetStreamTypes.h
//
// Library: Nats
// Package: JetStream
// Module:  JetStreamTypes
//
// The JetStream API's configurations and answers as plain structs, with their JSON forms.
//
// SPDX-License-Identifier: Apache-2.0
//

#ifndef Nats_JetStreamTypes_INCLUDED
#define Nats_JetStreamTypes_INCLUDED

#include <Poco/JSON/Object.h>
#include <Poco/Timespan.h>
#include <cstdint>
#include <string>
#include <vector>

namespace Nats {

/// Stream configuration ($JS.API.STREAM.CREATE). Only the fields the library uses; everything
/// else takes the server's default. Durations go over the wire in nanoseconds.
struct StreamConfig
{
	enum class Storage { FILE, MEMORY };

	std::string name;
	std::vector<std::string> subjects;
	Storage storage = Storage::FILE;
	int replicas = 1;
	/// Limits; -1 = unlimited, maxAge 0 = unlimited.
	std::int64_t maxMsgs = -1;
	std::int64_t maxBytes = -1;
	Poco::Timespan maxAge = 0;
	int maxConsumers = -1;
	/// Nats-Msg-Id de-duplication window; 0 = the server's default (2 min).
	Poco::Timespan duplicateWindow = 0;

	Poco::JSON::Object::Ptr toJson() const;
	static StreamConfig fromJson(const Poco::JSON::Object::Ptr& obj);
};

/// state of a stream.
struct StreamState
{
	std::uint64_t messages = 0;
	std::uint64_t bytes = 0;
	std::uint64_t firstSeq = 0;
	std::uint64_t lastSeq = 0;
	int consumerCount = 0;
};

/// Answer of STREAM.CREATE / STREAM.INFO.
struct StreamInfo
{
	StreamConfig config;
	StreamState state;
	/// The cluster part: leader name and replica count known to the server ("" outside a cluster).
	std::string leader;

	static StreamInfo fromJson(const Poco::JSON::Object::Ptr& obj);
};

/// Consumer configuration ($JS.API.CONSUMER[.DURABLE].CREATE).
struct ConsumerConfig
{
	enum class DeliverPolicy { ALL, LAST, NEW, BY_START_SEQUENCE, BY_START_TIME };
	enum class AckPolicy { NONE, ALL, EXPLICIT };

	/// Empty = ephemeral.
	std::string durableName;
	/// Push consumer when not empty.
	std::string deliverSubject;
	std::string deliverGroup;
	DeliverPolicy deliverPolicy = DeliverPolicy::ALL;
	std::uint64_t optStartSeq = 0;
	/// Unix epoch nanoseconds for BY_START_TIME.
	std::int64_t optStartTimeNs = 0;
	AckPolicy ackPolicy = AckPolicy::EXPLICIT;
	Poco::Timespan ackWait = 0;            ///< 0 = server default (30 s)
	int maxDeliver = -1;
	int maxAckPending = 0;                 ///< 0 = server default (1000)
	std::string filterSubject;
	bool flowControl = false;
	Poco::Timespan idleHeartbeat = 0;      ///< 0 = none; required (> 0) with flowControl
	Poco::Timespan inactiveThreshold = 0;  ///< 0 = server default (ephemeral: 5 s, durable: never)

	Poco::JSON::Object::Ptr toJson() const;
	static ConsumerConfig fromJson(const Poco::JSON::Object::Ptr& obj);
};

/// Answer of CONSUMER.CREATE / CONSUMER.INFO.
struct ConsumerInfo
{
	std::string stream;
	std::string name;
	ConsumerConfig config;
	std::uint64_t deliveredConsumerSeq = 0;
	std::uint64_t deliveredStreamSeq = 0;
	std::uint64_t ackFloorConsumerSeq = 0;
	std::uint64_t ackFloorStreamSeq = 0;
	std::int64_t numAckPending = 0;
	std::int64_t numRedelivered = 0;
	std::uint64_t numPending = 0;
	bool pushBound = false;

	static ConsumerInfo fromJson(const Poco::JSON::Object::Ptr& obj);
};

/// Answer of $JS.API.INFO.
struct AccountInfo
{
	std::uint64_t memory = 0;
	std::uint64_t storage = 0;
	std::int64_t streams = 0;
	std::int64_t consumers = 0;
	std::string domain;

	static AccountInfo fromJson(const Poco::JSON::Object::Ptr& obj);
};

/// The PubAck of a JetStream publish.
struct PubAck
{
	std::string stream;
	std::uint64_t sequence = 0;
	bool duplicate = false;
	std::string domain;
};

/// What the reply subject of a JetStream message says about it:
///   $JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<cseq>.<ts>.<pending>              (9 tokens)
///   $JS.ACK.<domain>.<account hash>.<stream>.<consumer>.<delivered>.<sseq>.<cseq>.<ts>.<pending>[.<random>]
///                                                                               (11 or 12 tokens; domain "_" = none)
struct AckMetadata
{
	std::string domain;
	std::string accountHash;
	std::string stream;
	std::string consumer;
	std::uint64_t numDelivered = 0;
	std::uint64_t streamSequence = 0;
	std::uint64_t consumerSequence = 0;
	std::int64_t timestamp = 0;   ///< Unix epoch nanoseconds
	std::uint64_t numPending = 0;

	/// Parses `reply`. Returns false (and leaves `out` unspecified) unless it is one of the forms
	/// above with numeric fields.
	static bool parse(const std::string& reply, AckMetadata& out);
};

/// JSON helpers shared by the JetStream classes.
namespace JetStreamJson {

/// Parses a JSON object. Throws NatsProtocolException when `text` is not a JSON object.
Poco::JSON::Object::Ptr parseObject(const std::string& text);

/// Serialises compactly.
std::string stringify(const Poco::JSON::Object::Ptr& obj);

/// Throws JetStreamApiException if `obj` has an "error" member.
void throwIfError(const Poco::JSON::Object::Ptr& obj);

/// RFC 3339 UTC with nanoseconds ("2026-12-02T06:00:00.123456789Z") <-> Unix epoch nanoseconds.
std::string formatTime(std::int64_t unixNanos);
std::int64_t parseTime(const std::string& text);

} // namespace JetStreamJson

} // namespace Nats

#endif // Nats_JetStreamTypes_INCLUDED
