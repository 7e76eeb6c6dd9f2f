//
// SubscriptionImpl.h
//
// Library: Nats
// Package: Core
// Module:  SubscriptionImpl
//
// State of one core subscription: pending queue, limits, counters.
//
// SPDX-License-Identifier: Apache-2.0
//

#ifndef Nats_SubscriptionImpl_INCLUDED
#define Nats_SubscriptionImpl_INCLUDED

#include "Nats/Connection.h"
#include "core/Dispatcher.h"
#include "core/PendingLimits.h"
#include "core/RingQueue.h"
#include <Poco/Timespan.h>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace Nats {

class ConnectionImpl;

/// One subscription. Three kinds:
/// - ASYNC: messages are queued (within the pending limits) by the reader and delivered to the
///   handler by the pinned Dispatcher, in order, one at a time;
/// - SYNC: messages are queued and pulled with nextMessage();
/// - INLINE: the handler runs on the reader thread at once (no queue, no limits).
///
/// Auto-unsubscribe: the reader counts received messages and drops any beyond the limit; once the
/// limit is reached the connection forgets the sid and the subscription becomes invalid when the
/// last message was delivered.
///
/// Thread safety: thread-safe. Lock: _mutex, a leaf (nothing else is locked under it and no handler
/// runs under it).
class SubscriptionImpl: public Dispatchable, public std::enable_shared_from_this<SubscriptionImpl>
{
public:
	enum class Kind
	{
		ASYNC,
		SYNC,
		INLINE
	};

	SubscriptionImpl(std::weak_ptr<ConnectionImpl> connection, std::int64_t sid, const std::string& subject, const std::string& queue,
		Kind kind, MessageHandler handler, int maxPendingMessages, long long maxPendingBytes, Dispatcher* pDispatcher);

	std::int64_t sid() const { return _sid; }
	const std::string& subject() const { return _subject; }
	const std::string& queue() const { return _queue; }
	Kind kind() const { return _kind; }

	/// Called by the reader for each MSG. Never blocks on a full queue: drops and counts instead.
	/// Returns false if the message was dropped by the pending limits; sets `reportSlow` when
	/// this drop starts a slow-consumer episode (to be reported once).
	bool enqueue(Message&& message, bool& reportSlow);

	/// Dispatchable: runs the handler for up to `budget` queued messages.
	bool dispatch(int budget) override;

	/// See Subscription::nextMessage().
	Message nextMessage(Poco::Timespan timeout);

	/// Marks the subscription closed, drops queued messages and wakes nextMessage().
	/// `connectionClosed` makes nextMessage() throw ConnectionClosedException instead of
	/// IllegalStateException.
	void markClosed(bool connectionClosed);

	bool isClosed() const;

	/// `handler` runs once, on the thread closing the connection (outside any lock), when the
	/// connection closes while this subscription is active (not after an unsubscribe). It must not
	/// block. The streaming client uses it to notice that a borrowed NATS connection was closed.
	void setConnectionClosedHandler(std::function<void()> handler);

	/// Counts one received message for auto-unsubscribe. Returns false if it is beyond the limit
	/// (to be dropped); sets `limitReached` when this is the last one.
	bool countReceived(bool& limitReached);

	/// Sets the auto-unsubscribe limit; returns the number received so far.
	std::uint64_t setMax(std::uint64_t max);
	std::uint64_t max() const { return _max.load(); }
	std::uint64_t received() const { return _received.load(); }

	int pendingMessages() const;
	long long pendingBytes() const;
	std::uint64_t dropped() const { return _dropped.load(); }
	std::uint64_t delivered() const { return _delivered.load(); }
	/// `limits` are checked by the caller (PendingLimits::checked()).
	void setPendingLimits(PendingLimits limits);
	PendingLimits pendingLimits() const;

	/// True when nothing is queued and no callback is running (used by drain()).
	bool idle() const;

	/// Waits until idle() or closed, at most until `deadline`; false on timeout. No polling: the
	/// dispatcher and nextMessage() signal when the queue runs empty.
	bool waitIdle(std::chrono::steady_clock::time_point deadline);

	std::shared_ptr<ConnectionImpl> connection() const { return _connection.lock(); }

	/// Runs the handler of an INLINE subscription (reader thread). `message` is the reader's own
	/// temporary (Reader::onMsg()), not used after the handler returns: an internal INLINE
	/// handler may move its payload out (the streaming client does, to avoid a copy).
	void deliverInline(const Message& message);

private:
	void afterDelivery();

	std::weak_ptr<ConnectionImpl> _connection;
	const std::int64_t _sid;
	const std::string _subject;
	const std::string _queue;
	const Kind _kind;
	const MessageHandler _handler;
	Dispatcher* const _pDispatcher;

	mutable std::mutex _mutex;
	std::condition_variable _cond;
	std::condition_variable _idleCond;  // queue ran empty / closed (drain)
	RingQueue<Message> _messages; // keeps its capacity: no allocation per queued message
	std::vector<Message> _batch;  // only the one dispatcher running this subscription touches it
	std::atomic<int> _pendingMessages{0};
	std::atomic<long long> _pendingBytes{0};
	PendingLimits _limits;
	bool _scheduled = false;
	bool _busy = false;
	bool _slow = false;
	bool _slowUnreported = false;
	std::atomic<bool> _closed{false};
	bool _connectionClosed = false;
	std::function<void()> _connectionClosedHandler;

	std::atomic<std::uint64_t> _dropped{0};
	std::atomic<std::uint64_t> _delivered{0};
	std::atomic<std::uint64_t> _received{0};
	std::atomic<std::uint64_t> _max{0};
};

} // namespace Nats

#endif // Nats_SubscriptionImpl_INCLUDED
