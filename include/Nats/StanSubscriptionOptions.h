//
// StanSubscriptionOptions.h
//
// Library: Nats
// Package: Streaming
// Module:  StanSubscriptionOptions
//
// Settings of a NATS Streaming subscription.
//
// SPDX-License-Identifier: Apache-2.0
//

#ifndef Nats_StanSubscriptionOptions_INCLUDED
#define Nats_StanSubscriptionOptions_INCLUDED

#include "Nats/Nats.h"
#include <Poco/Timespan.h>
#include <Poco/Timestamp.h>
#include <cstdint>
#include <string>

namespace Nats {

/// Settings of a streaming subscription (stan.go defaults). The start-position fields belong
/// together; set them with one of the helpers, which return *this for chaining:
///
///     sc.subscribe("orders", handler,
///         Nats::StanSubscriptionOptions().startAtSequence(42).setDurableName("billing"));
///
/// Start positions are ignored by the server when a durable resumes, when joining an existing
/// queue group, and when a durable queue group is reactivated (protocol.md 3.4).
///
/// Thread safety: Plain value; not synchronised.
struct Nats_API StanSubscriptionOptions
{
	/// Where a new subscription starts (values of the protocol's StartPosition enum).
	enum class StartPosition
	{
		NEW_ONLY = 0,          ///< only messages published after the subscription (default)
		LAST_RECEIVED = 1,     ///< the last stored message, then new ones
		TIME_DELTA_START = 2,  ///< the first message with timestamp >= startTime
		SEQUENCE_START = 3,    ///< the message with sequence startSequence (or the first available)
		FIRST = 4              ///< every available message
	};

	static constexpr int DEFAULT_MAX_INFLIGHT = 1024;
	static const Poco::Timespan DEFAULT_ACK_WAIT;   // 30 s

	/// Durable name; empty (default) = not durable. A durable survives close() and the connection's
	/// close, and resumes where it was when the same client ID subscribes again with the same name;
	/// StanSubscription::unsubscribe() deletes it. With a queue group it makes a durable queue group;
	/// the server then rejects a ':' in the name ("stan: durable name of a durable queue subscriber
	/// can't contain the character ':'").
	std::string durableName;

	/// Most messages delivered to this subscription and not yet acked; the server stops sending
	/// while the limit is reached. Default DEFAULT_MAX_INFLIGHT (1024); must be >= 1.
	int maxInflight = DEFAULT_MAX_INFLIGHT;

	/// Time the server waits for an ack before redelivering. Sent in whole seconds, truncated
	/// toward zero (1.9 s is sent as 1 s), as stan.go does. Default DEFAULT_ACK_WAIT (30 s); must
	/// be >= 1 s and at most INT32_MAX seconds (Poco::InvalidArgumentException otherwise: a
	/// released server refuses ackWaitInSecs <= 0).
	Poco::Timespan ackWait = DEFAULT_ACK_WAIT;

	/// Where to start; use the helpers below. Default NEW_ONLY.
	StartPosition startPosition = StartPosition::NEW_ONLY;

	/// First sequence for SEQUENCE_START; must be >= 1 then.
	std::uint64_t startSequence = 0;

	/// Start time for TIME_DELTA_START. The request carries "now - startTime" computed at
	/// subscribe time (as stan.go).
	Poco::Timestamp startTime;

	/// Manual acks: the handler (or the nextMessage() caller) must call StanSubscription::ack()
	/// or StanMessage::ack(). Default false: each message is acked after its handler returns
	/// (nextMessage(): before it returns the message).
	bool manualAcks = false;

	/// Start at sequence `sequence` (SEQUENCE_START). REQUIRES: sequence >= 1 (checked by validate()).
	StanSubscriptionOptions& startAtSequence(std::uint64_t sequence);

	/// Start at the first message stored at or after `time` (TIME_DELTA_START).
	StanSubscriptionOptions& startAtTime(const Poco::Timestamp& time);

	/// Start at the first message stored at or after now - `delta`, "now" being the time of this
	/// call (TIME_DELTA_START; as nats.c). REQUIRES: delta >= 0.
	StanSubscriptionOptions& startAtTimeDelta(const Poco::Timespan& delta);

	/// Start with the last stored message (LAST_RECEIVED).
	StanSubscriptionOptions& startWithLastReceived();

	/// Start with the first available message (FIRST).
	StanSubscriptionOptions& deliverAllAvailable();

	/// Sets durableName and returns *this.
	StanSubscriptionOptions& setDurableName(const std::string& name);

	/// Sets maxInflight and returns *this.
	StanSubscriptionOptions& setMaxInflight(int max);

	/// Sets ackWait and returns *this.
	StanSubscriptionOptions& setAckWait(const Poco::Timespan& wait);

	/// Sets manualAcks and returns *this.
	StanSubscriptionOptions& setManualAckMode(bool manual = true);

	/// Throws Poco::InvalidArgumentException naming the first invalid field and the rule, e.g.
	/// "StanSubscriptionOptions.ackWait must be >= 1 s".
	void validate() const;
};

} // namespace Nats

#endif // Nats_StanSubscriptionOptions_INCLUDED
