//
// JsStanSubscription.h
//
// Library: Nats
// Package: JetStream
// Module:  JsStanSubscription
//
// A streaming subscription on JetStream: a push consumer and the NATS subscription on its
// deliver subject.
//
// SPDX-License-Identifier: Apache-2.0
//
// ---------------------------------------------------------------------------------------------
// MAPPING
//   plain              ephemeral push consumer (deliver subject = new inbox), flow control and
//                      idle heartbeats; deleted on close
//   durable            durable consumer "d__<esc(clientID)>__<esc(durable)>"; resumed when it
//                      exists and no subscriber is bound ("stan: duplicate durable registration"
//                      otherwise); close keeps it, unsubscribe deletes it
//   queue group        durable consumer "g__<esc(group)>" with deliver group = group and an
//                      inactive threshold (gone ~5 s after the last member left)
//   durable queue      durable consumer "q__<esc(durable)>__<esc(group)>" with deliver group;
//                      unsubscribe deletes it when no member is bound any more
//   start position     deliver policy (new, last, by_start_sequence, by_start_time, all)
//   acks               AckExplicit, ackWait, MaxAckPending = maxInflight; "+ACK" to the
//                      message's reply subject; redelivered / count from the reply metadata
// THREADS
//   NATS reader        onMessage(): metadata parse, queue, heartbeats (inline subscription)
//   "stan-sub"         the handler of an asynchronous subscription, in order; answers flow
//                      control requests when it reaches them
// ---------------------------------------------------------------------------------------------

#ifndef Nats_JsStanSubscription_INCLUDED
#define Nats_JsStanSubscription_INCLUDED

#include "Nats/StanConnection.h"
#include "Nats/Subscription.h"
#include "jetstream/JetStreamTypes.h"
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace Nats {

class JsStanConnection;

/// See the mapping above. Public methods behave and throw as documented in StanSubscription.h.
///
/// Thread safety: Thread-safe; nextMessage() by one thread at a time.
class JsStanSubscription: public std::enable_shared_from_this<JsStanSubscription>
{
public:
	JsStanSubscription(std::shared_ptr<JsStanConnection> pConnection, std::string channel, std::string group,
		StanMessageHandler handler, StanSubscriptionOptions options, bool sync);
	~JsStanSubscription();

	/// Creates or looks up the consumer and subscribes to its deliver subject. `handle` is the
	/// public handle's control block (messages keep it weakly, for StanMessage::ack()).
	/// Throws: StanSubscriptionException (API error text verbatim, "stan: duplicate durable
	/// registration"), StanRequestTimeoutException "stan: subscribe request timeout",
	/// ConnectionClosedException.
	void start(const std::shared_ptr<StanSubscriptionImpl>& handle);

	/// StanSubscription::close() (unsubscribe = false) / unsubscribe() (true).
	void close(bool unsubscribe);

	/// The last public handle went away: close(false), errors to the error handler.
	void closeFromHandle();

	/// The connection closes: stop locally, delete an ephemeral consumer (best effort).
	void closeOnConnectionClose();

	/// Stop locally without any request (lost session).
	void closeLocal();

	void ack(const StanMessage& message);
	StanMessage nextMessage(Poco::Timespan timeout);

	/// False if nothing (message or heartbeat) arrived for `silence` and the consumer is gone;
	/// `why` says so. Blocks for one API request at most. Always true without heartbeats.
	bool checkAlive(std::chrono::microseconds silence, std::string& why);

	bool isValid() const;
	const std::string& channel() const { return _channel; }
	const std::string& queueGroup() const { return _group; }
	const std::string& durableName() const { return _options.durableName; }
	bool isManualAck() const { return _options.manualAcks; }
	const std::string& stream() const { return _stream; }
	const std::string& consumer() const { return _consumer; }
	int pendingMessages() const;
	long long pendingBytes() const;
	std::uint64_t delivered() const { return _delivered.load(); }
	std::uint64_t dropped() const { return _dropped.load(); }
	/// Flow-control requests answered so far (tests).
	std::uint64_t flowControlReplies() const { return _fcReplies.load(); }
	void setPendingLimits(int maxMessages, long long maxBytes);
	int maxPendingMessages() const;
	long long maxPendingBytes() const;

private:
	struct Entry
	{
		StanMessage message;
		std::string reply;
		bool flowControl = false;
	};

	void onMessage(const Message& m);
	void workerLoop();
	/// Stops delivery; joins the worker unless called from it. Returns false if already stopped.
	bool stop();
	void sendAck(const std::string& reply);
	void deliverBookkeeping(const Entry& e);
	void answerFlowControl(const std::string& reply);
	/// Pops the front entry. REQUIRES: `lock` holds _mutex and the queue is not empty.
	/// A flow-control request is answered (outside the lock) and false returned; otherwise the
	/// entry's bytes leave the pending count, a manual-ack message is recorded as unacked and true
	/// is returned with `lock` still held.
	bool takeFrontLocked(std::unique_lock<std::mutex>& lock, Entry& out);

	std::weak_ptr<JsStanConnection> _pConnection;
	const std::string _channel;
	const std::string _group;
	StanMessageHandler _handler;
	const StanSubscriptionOptions _options;
	const bool _sync;
	std::string _clientId;
	std::string _stream;
	std::string _consumer;
	bool _ephemeral = true;
	bool _heartbeats = false;
	std::weak_ptr<StanSubscriptionImpl> _handle;
	Subscription _natsSub;

	mutable std::mutex _mutex;
	std::condition_variable _cond;
	std::deque<Entry> _queue;
	long long _queueBytes = 0;
	int _maxPendingMessages = -1;
	long long _maxPendingBytes = -1;
	std::map<std::uint64_t, std::string> _unacked;   // manual acks: stream sequence -> reply
	bool _started = false;
	bool _stopped = false;
	bool _closed = false;
	std::atomic<std::uint64_t> _delivered{0};
	std::atomic<std::uint64_t> _dropped{0};
	std::atomic<std::uint64_t> _fcReplies{0};
	std::atomic<std::int64_t> _lastActivityUs{0};
	std::thread _worker;
	std::atomic<bool> _inHandler{false};
};

} // namespace Nats

#endif // Nats_JsStanSubscription_INCLUDED
