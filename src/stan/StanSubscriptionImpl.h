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
#include "core/Dispatcher.h"
#include "core/RingQueue.h"
#include "stan/StanCallback.h"
#include "stan/StanSubscriptionBackend.h"
#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace Nats {

class StanConnectionImpl;

/// One streaming subscription: its delivery inbox (an inline NATS subscription that decodes
/// MsgProto on the reader thread and queues it, the NATS payload moved into the StanMessage), the
/// pending queue, and for asynchronous subscriptions the delivery through one pinned worker of the
/// NATS connection's dispatcher pool (this object is the Dispatchable): the handler runs there,
/// in order, then the message is auto-acked. No thread of its own.
///
/// Messages that arrive before the SubscriptionResponse was processed stay queued until
/// startDelivery() (they are never dropped for that reason).
///
/// Close rules: close() stops delivery, waits for a handler in progress unless the caller is
/// itself inside a streaming callback (StanCallbackGate::inCallback(): then it never waits, which
/// rules out handler-to-handler deadlocks), and releases the handler (and what it captured) once
/// no call of it is in progress. A second close() returns at once.
///
/// Thread safety: Thread-safe. Lock order: StanConnectionImpl::_mutex -> _mutex (leaf).
class StanSubscriptionImpl: public StanSubscriptionBackend, public Dispatchable, public std::enable_shared_from_this<StanSubscriptionImpl>
{
public:
	StanSubscriptionImpl(std::shared_ptr<StanConnectionImpl> pConn, const std::string& channel, const std::string& group,
		StanMessageHandler handler, const StanSubscriptionOptions& options, bool sync);
	~StanSubscriptionImpl() override;

	/// Subscribes the delivery inbox, sends the SubscriptionRequest and waits for the reply
	/// (connectWait). Throws as StanConnection::subscribe(); on a throw nothing stays registered.
	void start();

	/// After start() and the registration with the connection: delivers what is queued and what
	/// comes. Throws if delivery cannot start (the caller then calls abortStart()).
	void startDelivery();

	/// The server accepted the subscription but it could not start locally: stops it and asks the
	/// server to close it (waits at most connectWait), so that a durable can be subscribed again.
	void abortStart();

	/// The user's close() / unsubscribe().
	void close(bool unsubscribe) override;

	/// The last public handle went away: close(), errors reported, never thrown.
	void closeFromHandle() override;

	/// Stops delivery without any request (the connection is closing). Waits for a handler in
	/// progress at most until `deadline` (StanCallbackGate::Deadline::max(): unbounded).
	void closeLocal(StanCallbackGate::Deadline deadline = StanCallbackGate::Deadline::max());

	void ack(const StanMessage& msg) override;
	StanMessage nextMessage(Poco::Timespan timeout) override;

	/// Dispatchable: runs the handler for up to `budget` queued messages (pinned worker).
	bool dispatch(int budget) override;

	bool isValid() const override;
	const std::string& channel() const override { return *_pChannel; }
	const std::string& queueGroup() const override { return _group; }
	const std::string& durableName() const override { return _options.durableName; }
	bool isManualAck() const override { return _options.manualAcks; }
	int pendingMessages() const override;
	long long pendingBytes() const override;
	std::uint64_t delivered() const override { return _delivered.load(std::memory_order_relaxed); }
	std::uint64_t dropped() const override;
	void setPendingLimits(PendingLimits limits) override;
	PendingLimits pendingLimits() const override;

	/// The delivery inbox (tests).
	const std::string& inbox() const { return _inbox; }

private:
	void onMsg(const Message& msg);
	void sendAck(std::uint64_t sequence);
	/// Stops the inbox; waits for a handler in progress (unless in a callback), at most until
	/// `deadline`; acks the last pulled message (pull, auto-ack). Returns false if it was already
	/// stopped.
	bool stopDelivery(StanCallbackGate::Deadline deadline = StanCallbackGate::Deadline::max());

	const std::shared_ptr<StanConnectionImpl> _pConn;
	const std::shared_ptr<StanCallbackGate> _pGate;
	const std::shared_ptr<const std::string> _pChannel;
	const std::string _group;
	const StanSubscriptionOptions _options;
	const bool _sync;
	StanMessageHandler _handler; // released once stopped and idle (breaks handle-capture cycles)
	Dispatcher* _pDispatcher = nullptr;

	std::string _inbox;
	std::string _ackInbox; // immutable once _ready
	Subscription _natsSub;

	mutable std::mutex _mutex;
	std::condition_variable _cv;     // nextMessage() waiters
	std::condition_variable _idleCv; // closers waiting for the handler in progress
	RingQueue<StanMessage> _queue; // keeps its capacity: no allocation per queued message
	long long _queueBytes = 0;
	std::vector<StanMessage> _batch; // only the dispatch in progress touches it
	std::atomic<int> _inBatch{0};    // taken from _queue, not yet handed to the handler
	std::atomic<long long> _inBatchBytes{0};
	PendingLimits _limits;
	std::uint64_t _dropped = 0;
	std::uint64_t _lastPulled = 0; // pull + auto-ack: acked by the next pull or the close
	bool _ready = false;
	bool _stopped = false;   // delivery stopped (locally)
	bool _closed = false;    // close()/unsubscribe() was called or the connection closed
	bool _scheduled = false; // queued on (or running in) the dispatcher
	bool _busy = false;      // the handler runs
	bool _slow = false;      // in a slow-consumer episode (reported once)
	std::atomic<bool> _stopFlag{false};
	std::atomic<std::uint64_t> _delivered{0};
};

} // namespace Nats

#endif // Nats_StanSubscriptionImpl_INCLUDED
