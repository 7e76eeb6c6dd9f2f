//
// StanSubscriptionImpl.h
//
// Library: Nats
// Package: Streaming
// Module:  StanSubscriptionImpl
//
// The implementation of StanSubscription.
//
// SPDX-License-Identifier: Apache-2.0
//

#ifndef Nats_StanSubscriptionImpl_INCLUDED
#define Nats_StanSubscriptionImpl_INCLUDED

#include "Nats/StanConnection.h"
#include "Nats/StanMessage.h"
#include "Nats/StanSubscriptionOptions.h"
#include "Nats/Subscription.h"
#include "Nats/Message.h"
#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace Nats {

class StanConnectionImpl;

/// One streaming subscription: its delivery inbox (an inline NATS subscription that decodes
/// MsgProto on the reader thread and queues it), the pending queue, and for asynchronous
/// subscriptions a worker thread ("stan-sub") that runs the handler and auto-acks.
///
/// Messages that arrive before the SubscriptionResponse was processed stay queued until
/// setReady() (they are never dropped for that reason).
///
/// Thread safety: Thread-safe. Lock order: StanConnectionImpl::_mutex -> _mutex (leaf).
class StanSubscriptionImpl : public std::enable_shared_from_this<StanSubscriptionImpl>
{
public:
	StanSubscriptionImpl(std::shared_ptr<StanConnectionImpl> pConn, const std::string& channel, const std::string& group,
		StanMessageHandler handler, const StanSubscriptionOptions& options, bool sync);
	~StanSubscriptionImpl();

	/// Subscribes the delivery inbox, sends the SubscriptionRequest and waits for the reply
	/// (connectWait). Starts the worker on success. Throws as StanConnection::subscribe().
	void start();

	/// The user's close() / unsubscribe().
	void close(bool unsubscribe);

	/// The last public handle went away: close(), errors reported, never thrown.
	void closeFromHandle();

	/// Stops delivery without any request (the connection is closing).
	void closeLocal();

	void ack(const StanMessage& msg);
	StanMessage nextMessage(Poco::Timespan timeout);

	bool isValid() const;
	const std::string& channel() const { return _channel; }
	const std::string& queueGroup() const { return _group; }
	const std::string& durableName() const { return _options.durableName; }
	bool isManualAck() const { return _options.manualAcks; }
	int pendingMessages() const;
	long long pendingBytes() const;
	std::uint64_t delivered() const { return _delivered.load(std::memory_order_relaxed); }
	std::uint64_t dropped() const;
	void setPendingLimits(int maxMessages, long long maxBytes);
	int maxPendingMessages() const;
	long long maxPendingBytes() const;

	/// The delivery inbox (tests).
	const std::string& inbox() const { return _inbox; }

private:
	void onMsg(const Message& msg);
	void setReady(const std::string& ackInbox);
	void workerLoop();
	void sendAck(std::uint64_t sequence);
	/// Stops the inbox and the worker; returns false if it was already stopped.
	bool stopDelivery();

	const std::shared_ptr<StanConnectionImpl> _pConn;
	const std::string _channel;
	const std::string _group;
	const StanMessageHandler _handler;
	const StanSubscriptionOptions _options;
	const bool _sync;

	std::string _inbox;
	std::string _ackInbox; // immutable once _ready
	Subscription _natsSub;

	mutable std::mutex _mutex;
	std::condition_variable _cv;
	std::deque<StanMessage> _queue;
	long long _queueBytes = 0;
	std::atomic<int> _inBatch{0}; // taken from _queue by the worker, not yet handed to the handler
	std::atomic<long long> _inBatchBytes{0};
	int _maxPendingMessages = -1;
	long long _maxPendingBytes = -1;
	std::uint64_t _dropped = 0;
	bool _ready = false;
	bool _stopped = false;      // delivery stopped (locally)
	bool _closed = false;       // close()/unsubscribe() was called or the connection closed
	bool _workerWaiting = false;
	std::atomic<bool> _stopFlag{false};
	std::atomic<std::uint64_t> _delivered{0};
	std::thread _worker;
	std::mutex _closeMutex; // serialises close()/unsubscribe()/closeLocal()
};

} // namespace Nats

#endif // Nats_StanSubscriptionImpl_INCLUDED
