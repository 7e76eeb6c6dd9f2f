//
// StanMessage.h
//
// Library: Nats
// Package: Streaming
// Module:  StanMessage
//
// A message delivered by a NATS Streaming subscription.
//
// SPDX-License-Identifier: Apache-2.0
//

#ifndef Nats_StanMessage_INCLUDED
#define Nats_StanMessage_INCLUDED

#include "Nats/Nats.h"
#include <Poco/Timestamp.h>
#include <cstdint>
#include <memory>
#include <string>

namespace Nats {

class StanSubscriptionBackend;
class StanSubscription;

/// A message delivered by a streaming subscription (the protocol's MsgProto): per-channel
/// sequence, server timestamp in nanoseconds, redelivery flag and count, channel and payload.
///
///     sc.subscribe("orders", [](const Nats::StanMessage& m) {
///         std::cout << m.sequence() << ": " << m.data() << '\n';
///     }, Nats::StanSubscriptionOptions().deliverAllAvailable());
///
/// A message remembers (weakly) the subscription that received it, so that ack() works from a
/// handler without the subscription handle. Holding a message does not keep its subscription open.
///
/// Thread safety: Immutable value; safe to share and copy between threads.
class Nats_API StanMessage
{
public:
	/// An empty message (sequence 0, no subscription).
	StanMessage() = default;

	/// Builds a message; used by the library (and tests). `pSubscription` may be null.
	StanMessage(std::uint64_t sequence, std::int64_t timestamp, bool redelivered, std::uint32_t redeliveryCount,
		std::string channel, std::string data, std::uint32_t crc32 = 0,
		std::weak_ptr<StanSubscriptionBackend> pSubscription = std::weak_ptr<StanSubscriptionBackend>())
		: StanMessage(sequence, timestamp, redelivered, redeliveryCount, std::make_shared<const std::string>(std::move(channel)),
			std::move(data), crc32, std::move(pSubscription))
	{
	}

	/// As above, with a channel name shared by the messages of one subscription (no allocation
	/// per message). Used by the library.
	StanMessage(std::uint64_t sequence, std::int64_t timestamp, bool redelivered, std::uint32_t redeliveryCount,
		std::shared_ptr<const std::string> pChannel, std::string data, std::uint32_t crc32,
		std::weak_ptr<StanSubscriptionBackend> pSubscription)
		: _sequence(sequence), _timestamp(timestamp), _redeliveryCount(redeliveryCount), _crc32(crc32),
		  _redelivered(redelivered), _pChannel(std::move(pChannel)), _data(std::move(data)),
		  _pSubscription(std::move(pSubscription))
	{
	}

	/// Per-channel sequence, starting at 1.
	std::uint64_t sequence() const { return _sequence; }

	/// Time the server stored the message, Unix epoch in nanoseconds.
	std::int64_t timestamp() const { return _timestamp; }

	/// timestamp() as a Poco::Timestamp (microsecond resolution).
	Poco::Timestamp time() const { return Poco::Timestamp(static_cast<Poco::Timestamp::TimeVal>(_timestamp / 1000)); }

	/// True if the server sent this message before (its ack wait expired).
	bool isRedelivered() const { return _redelivered; }

	/// 0 on the first delivery, then 1, 2, ... (not persisted by the server).
	std::uint32_t redeliveryCount() const { return _redeliveryCount; }

	/// The channel the message was published on.
	const std::string& channel() const { return _pChannel ? *_pChannel : emptyString(); }

	/// The payload (binary-safe).
	const std::string& data() const { return _data; }

	/// The CRC32 field of the protocol message (0 when the server did not set it; the Go server never does).
	std::uint32_t crc32() const { return _crc32; }

	/// Acks this message on the subscription that received it; same as
	/// StanSubscription::ack(*this). Does not block (the ack is queued for sending).
	/// REQUIRES: the subscription uses manual acks.
	/// Throws: Poco::IllegalStateException "stan: cannot manually ack in auto-ack mode" in auto-ack
	/// mode, StanSubscriptionException "stan: invalid subscription" if the subscription is closed
	/// or this message did not come from a subscription, ConnectionClosedException if the
	/// connection is closed.
	void ack() const;

	/// The subscription that received the message, as a non-owning handle: destroying it (or every
	/// copy of it) never closes the subscription, and it does not count for the RAII rule of
	/// StanSubscription. This is how a handler reaches its own subscription ("unsubscribe after N
	/// messages") without capturing a handle, which would keep the handler, the subscription and
	/// the connection alive until the subscription is closed. Invalid (isValid() false) for a
	/// message that came from no subscription or whose subscription object is gone.
	/// Does not block; throws nothing.
	StanSubscription subscription() const;

	/// The subscription that received the message (weak), for the library.
	const std::weak_ptr<StanSubscriptionBackend>& subscriptionImpl() const { return _pSubscription; }

private:
	std::uint64_t _sequence = 0;
	std::int64_t _timestamp = 0;
	std::uint32_t _redeliveryCount = 0;
	std::uint32_t _crc32 = 0;
	bool _redelivered = false;
	static const std::string& emptyString();

	std::shared_ptr<const std::string> _pChannel;
	std::string _data;
	std::weak_ptr<StanSubscriptionBackend> _pSubscription;
};

} // namespace Nats

#endif // Nats_StanMessage_INCLUDED
