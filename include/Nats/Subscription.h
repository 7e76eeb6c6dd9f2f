//
// Subscription.h
//
// Library: Nats
// Package: Core
// Module:  Subscription
//
// A handle to a core NATS subscription.
//
// SPDX-License-Identifier: Apache-2.0
//

#ifndef Nats_Subscription_INCLUDED
#define Nats_Subscription_INCLUDED

#include "Nats/Nats.h"
#include "Nats/Message.h"
#include <Poco/Timespan.h>
#include <cstdint>
#include <memory>
#include <string>

namespace Nats {

class SubscriptionImpl;

/// A cheap, copyable handle to a subscription. The subscription lives until unsubscribe(),
/// its auto-unsubscribe limit, or the connection's close; dropping every handle does NOT
/// unsubscribe (as in nats.go), so `conn.subscribe("x", cb);` keeps delivering.
///
///     Nats::Subscription sub = conn.subscribeSync("updates");
///     Nats::Message m = sub.nextMessage(Poco::Timespan(1, 0));
///     sub.unsubscribe();
///
/// Thread safety: Handles may be used from several threads, but nextMessage() must be called by
/// one thread at a time.
class Nats_API Subscription
{
public:
	/// An invalid handle (isValid() == false).
	Subscription();
	explicit Subscription(std::shared_ptr<SubscriptionImpl> pImpl);
	~Subscription();

	/// Removes the interest from the server. Messages already queued are discarded.
	/// Idempotent on a subscription that is already unsubscribed.
	/// Throws: ConnectionClosedException if the connection is closed.
	void unsubscribe();

	/// Drains: removes the interest from the server (UNSUB), waits for the messages the server
	/// sent before (one PING/PONG round trip), lets every queued message be delivered (callback
	/// or nextMessage()), then closes the subscription. Blocks at most `timeout`; do not call it
	/// from this subscription's own callback (it would wait for itself until the timeout).
	/// Throws: NatsTimeoutException when it did not drain in time (the subscription is closed
	/// anyway; queued messages are dropped), ConnectionClosedException.
	void drain(Poco::Timespan timeout);

	/// Unsubscribes automatically after `max` messages in total have been delivered
	/// (counting those already delivered). REQUIRES: max > 0.
	/// Throws: Poco::InvalidArgumentException, ConnectionClosedException.
	void autoUnsubscribe(int max);

	/// Waits for the next message of a synchronous subscription, at most `timeout`.
	/// REQUIRES: the subscription was created with subscribeSync().
	/// Throws: NatsTimeoutException when nothing arrived in time, ConnectionClosedException when the
	/// connection closed, Poco::IllegalStateException on an asynchronous or invalid subscription,
	/// SlowConsumerException once after messages were dropped.
	Message nextMessage(Poco::Timespan timeout);

	/// True until unsubscribed, auto-unsubscribed to the end, or the connection closed.
	bool isValid() const;

	const std::string& subject() const;
	const std::string& queue() const;
	std::int64_t sid() const;

	/// Messages / bytes queued and not yet handed to the callback or nextMessage().
	int pendingMessages() const;
	long long pendingBytes() const;
	/// Messages dropped because the pending limits were exceeded.
	std::uint64_t dropped() const;
	/// Messages handed to the callback or returned by nextMessage().
	std::uint64_t delivered() const;

	/// Changes the pending limits; negative = unlimited. REQUIRES: neither is 0.
	void setPendingLimits(int maxMessages, long long maxBytes);
	int maxPendingMessages() const;
	long long maxPendingBytes() const;

private:
	friend struct ImplAccess; // the library's own access to the implementation (src/core/ImplAccess.h)

	std::shared_ptr<SubscriptionImpl> _pImpl;
};

} // namespace Nats

#endif // Nats_Subscription_INCLUDED
