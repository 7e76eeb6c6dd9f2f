//
// StanSubscription.h
//
// Library: Nats
// Package: Streaming
// Module:  StanSubscription
//
// A handle to a NATS Streaming subscription.
//
// SPDX-License-Identifier: Apache-2.0
//

#ifndef Nats_StanSubscription_INCLUDED
#define Nats_StanSubscription_INCLUDED

#include "Nats/Nats.h"
#include "Nats/StanMessage.h"
#include <Poco/Timespan.h>
#include <cstdint>
#include <memory>
#include <string>

namespace Nats {

class StanSubscriptionBackend;

/// A cheap, copyable handle to a streaming subscription (all copies share one subscription).
///
/// Lifetime (RAII): when the last handle is destroyed the subscription is close()d — a durable is
/// kept on the server and can be resumed; only an explicit unsubscribe() deletes it. So keep the
/// handle as long as you want messages:
///
///     Nats::StanSubscription sub = sc.subscribe("orders", handler,
///         Nats::StanSubscriptionOptions().setDurableName("billing"));
///     ...
///     sub.close();          // or let `sub` go out of scope; sub.unsubscribe() forgets the durable
///
/// A subscription created with subscribeSync() / queueSubscribeSync() has no handler; read it
/// with nextMessage().
///
/// Counters: pending = received from the server and not yet handed to the handler or
/// nextMessage(); delivered = handed over; dropped = discarded because the pending limits were
/// exceeded (the server redelivers them after ackWait, since they were never acked).
///
/// Handles and handlers: do not capture a handle in the subscription's own handler (that keeps
/// the subscription open until it is closed explicitly); use StanMessage::subscription(), a
/// non-owning handle, instead. Once a subscription is closed its handler (and whatever it
/// captured) is released, after the call in progress returned.
///
/// Thread safety: Thread-safe; nextMessage() must be called by one thread at a time.
class Nats_API StanSubscription
{
public:
	/// An invalid handle (isValid() == false); every operation but the accessors throws
	/// StanSubscriptionException "stan: invalid subscription".
	StanSubscription();

	/// Used by the library. A handle made from the inner object directly (StanMessage::subscription())
	/// does not own it: destroying it never closes the subscription.
	explicit StanSubscription(std::shared_ptr<StanSubscriptionBackend> pImpl);

	/// Closes the subscription when this is the last owning handle (as close(), errors are
	/// swallowed and go to StanOptions::errorHandler). Blocks like close().
	~StanSubscription();

	StanSubscription(const StanSubscription&) = default;
	StanSubscription& operator=(const StanSubscription&) = default;
	StanSubscription(StanSubscription&&) noexcept = default;
	StanSubscription& operator=(StanSubscription&&) noexcept = default;

	/// Removes the subscription from the server; a durable (or a durable queue group, when this is
	/// its last member) is deleted for good. Stops delivery first: waits for a handler in progress
	/// to return (unless called from that handler), flushes the acks already given, then sends the
	/// unsubscribe request and waits for the reply, at most StanOptions::connectWait. From inside a
	/// streaming callback it does not wait for a handler in progress (of this or another
	/// subscription). Called while a close of the same subscription is in progress, it throws
	/// "stan: invalid subscription" at once.
	/// Throws: StanSubscriptionException ("stan: invalid subscription" if already closed, or the
	/// server's text), StanRequestTimeoutException "stan: unsubscribe request timeout",
	/// ConnectionClosedException "stan: connection closed".
	void unsubscribe();

	/// Stops the subscription, keeping a durable (and a durable queue group) on the server for a
	/// later resume. Same blocking as unsubscribe(). Calling it again (also while the first call is
	/// in progress, e.g. from the handler the first call waits for) returns at once.
	/// Throws: StanSubscriptionException (server text), StanRequestTimeoutException
	/// "stan: close request timeout", StanNotSupportedException "stan: not supported by server",
	/// ConnectionClosedException "stan: connection closed".
	void close();

	/// Acks `message` (manual-ack mode). Does not block: the ack is written by the connection's
	/// flusher; acks are flushed before any close or unsubscribe request.
	/// REQUIRES: `message` was delivered by this subscription.
	/// Throws: Poco::IllegalStateException "stan: cannot manually ack in auto-ack mode",
	/// Poco::InvalidArgumentException if the message belongs to another subscription,
	/// StanSubscriptionException "stan: invalid subscription" after close, ConnectionClosedException.
	void ack(const StanMessage& message);

	/// Waits for the next message of a subscription created with subscribeSync() or
	/// queueSubscribeSync(), at most `timeout`. In auto-ack mode a returned message is acked when the
	/// application pulls the next one (this call acks the previous message first) or closes the
	/// subscription, never before the application has it: if the application stops in between,
	/// the server redelivers it after ackWait.
	/// Throws: NatsTimeoutException when nothing arrived in time, Poco::IllegalStateException on a
	/// subscription that has a handler, StanSubscriptionException "stan: invalid subscription" once
	/// closed, ConnectionClosedException "stan: connection closed" when the connection closed.
	StanMessage nextMessage(Poco::Timespan timeout);

	/// True until close(), unsubscribe() or the connection's close.
	bool isValid() const;

	/// The channel, queue group ("" if none) and durable name ("" if none) it was created with.
	const std::string& channel() const;
	const std::string& queueGroup() const;
	const std::string& durableName() const;

	/// True if messages are acked by the application (StanSubscriptionOptions::manualAcks).
	bool isManualAck() const;

	/// See the class comment.
	int pendingMessages() const;
	long long pendingBytes() const;
	std::uint64_t delivered() const;
	std::uint64_t dropped() const;

	/// Limits of the pending queue; negative = unlimited (the default: the server's maxInflight
	/// already bounds it). REQUIRES: neither is 0 (Poco::InvalidArgumentException).
	void setPendingLimits(int maxMessages, long long maxBytes);
	int maxPendingMessages() const;
	long long maxPendingBytes() const;

private:
	friend struct ImplAccess; // the library's own access to the implementation (src/core/ImplAccess.h)

	std::shared_ptr<StanSubscriptionBackend> _pImpl; // the backend's subscription (src/stan/StanSubscriptionBackend.h)
};

} // namespace Nats

#endif // Nats_StanSubscription_INCLUDED
