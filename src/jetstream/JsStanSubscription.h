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
// THREADS (no thread of its own)
//   NATS reader        onMessage(): metadata parse, queue, heartbeats (inline subscription);
//                      the answer of a consumer check
//   NATS dispatcher    an asynchronous subscription is a Dispatchable pinned to one worker of the
//                      connection's pool: the handler runs there, in order, then the auto-ack;
//                      flow-control requests are answered when delivery reaches them
//   NATS timer         checkConsumer() (sends the CONSUMER.INFO request, never waits for it)
// PULL + AUTO-ACK
//   nextMessage() acks the message it returned before at the next pull, or at close /
//   unsubscribe / connection close: never before the application has it (at-least-once).
// ---------------------------------------------------------------------------------------------

#ifndef Nats_JsStanSubscription_INCLUDED
#define Nats_JsStanSubscription_INCLUDED

#include "Nats/StanConnection.h"
#include "Nats/Subscription.h"
#include "jetstream/JetStreamTypes.h"
#include "core/Dispatcher.h"
#include "stan/StanCallback.h"
#include "stan/StanSubscriptionBackend.h"
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace Nats {

class JsStanConnection;
class StanCallbackGate;

/// See the mapping above. Public methods behave and throw as documented in StanSubscription.h.
///
/// Thread safety: Thread-safe; nextMessage() by one thread at a time.
class JsStanSubscription: public StanSubscriptionBackend, public Dispatchable, public std::enable_shared_from_this<JsStanSubscription>
{
public:
	JsStanSubscription(std::shared_ptr<JsStanConnection> pConnection, std::string channel, std::string group,
		StanMessageHandler handler, StanSubscriptionOptions options, bool sync);
	~JsStanSubscription() override;

	/// Creates or looks up the consumer and subscribes to its deliver subject.
	/// Throws: StanSubscriptionException (API error text verbatim, "stan: duplicate durable
	/// registration"), StanRequestTimeoutException "stan: subscribe request timeout",
	/// ConnectionClosedException.
	void start();

	/// StanSubscription::close() (unsubscribe = false) / unsubscribe() (true).
	void close(bool unsubscribe) override;

	/// The last public handle went away: close(false), errors to the error handler.
	void closeFromHandle() override;

	/// The connection closes: stop locally, delete an ephemeral consumer (best effort). Waits for
	/// a handler in progress at most until `deadline`.
	void closeOnConnectionClose(StanCallbackGate::Deadline deadline = StanCallbackGate::Deadline::max());

	/// Stop locally without any request (lost session); waits as closeOnConnectionClose().
	void closeLocal(StanCallbackGate::Deadline deadline = StanCallbackGate::Deadline::max());

	void ack(const StanMessage& message) override;
	StanMessage nextMessage(Poco::Timespan timeout) override;

	/// Consumer check (NATS timer thread; see JsStanConnection.h "CONSUMER CHECKS"): with idle
	/// heartbeats, when nothing arrived for `period`; without, once per `period`. Sends
	/// CONSUMER.INFO without waiting; the answer (reader thread) declares the session lost when the
	/// consumer or its stream is gone. Never blocks.
	void checkConsumer(std::chrono::microseconds period);

	/// Dispatchable: runs the handler for up to `budget` queued messages (pinned worker).
	bool dispatch(int budget) override;

	bool isValid() const override;
	const std::string& channel() const override { return _channel; }
	const std::string& queueGroup() const override { return _group; }
	const std::string& durableName() const override { return _options.durableName; }
	bool isManualAck() const override { return _options.manualAcks; }
	const std::string& stream() const { return _stream; }
	const std::string& consumer() const { return _consumer; }
	int pendingMessages() const override;
	long long pendingBytes() const override;
	std::uint64_t delivered() const override { return _delivered.load(); }
	std::uint64_t dropped() const override { return _dropped.load(); }
	/// Flow-control requests answered so far (tests).
	std::uint64_t flowControlReplies() const { return _fcReplies.load(); }
	/// Consumer checks sent / answered "the consumer exists" so far (tests).
	std::uint64_t consumerChecksSent() const { return _checksSent.load(); }
	std::uint64_t consumerChecksFound() const { return _checksFound.load(); }
	void setPendingLimits(PendingLimits limits) override;
	PendingLimits pendingLimits() const override;

private:
	struct Entry
	{
		StanMessage message;
		std::string reply;
		bool flowControl = false;
	};

	void onMessage(const Message& m);
	/// Queues `e` (`size` payload bytes) unless stopped or over the pending limits; schedules the
	/// delivery or wakes nextMessage().
	void push(Entry&& e, long long size);
	/// The answer to a consumer check (reader or timer thread).
	void onCheckReply(const Message* pMessage, const Poco::Exception* pError);
	/// Stops delivery; acks the last pulled message (pull, auto-ack); waits for a handler in
	/// progress (at most until `deadline`) unless called from a streaming callback. Returns false
	/// if already stopped.
	bool stop(StanCallbackGate::Deadline deadline = StanCallbackGate::Deadline::max());
	void sendAck(const std::string& reply);
	void sendAck(const std::shared_ptr<JsStanConnection>& pConn, const std::string& reply);
	/// Hands `e` to the connection's error handler (event thread), if the connection still exists.
	void report(const Poco::Exception& e);
	void deliverBookkeeping(const Entry& e);
	void answerFlowControl(const std::string& reply);
	/// Pops the front entry. REQUIRES: `lock` holds _mutex and the queue is not empty.
	/// A flow-control request is answered (outside the lock) and false returned; otherwise the
	/// entry's bytes leave the pending count, a manual-ack message is recorded as unacked and true
	/// is returned with `lock` still held.
	bool takeFrontLocked(std::unique_lock<std::mutex>& lock, Entry& out);

	std::weak_ptr<JsStanConnection> _pConnection;
	const std::shared_ptr<StanCallbackGate> _pGate;
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
	Subscription _natsSub;

	mutable std::mutex _mutex;
	std::condition_variable _cond;
	std::deque<Entry> _queue;
	long long _queueBytes = 0;
	PendingLimits _limits;
	std::map<std::uint64_t, std::string> _unacked;   // manual acks: stream sequence -> reply
	std::string _lastPulled; // pull + auto-ack: reply subject of the message to ack at the next pull
	Dispatcher* _pDispatcher = nullptr;
	bool _started = false;
	bool _stopped = false;
	bool _closed = false;
	bool _scheduled = false; // queued on (or running in) the dispatcher
	bool _slow = false;      // in a slow-consumer episode (reported once; ends when the queue drained)
	bool _busy = false;      // the handler runs
	std::condition_variable _idleCv; // closers waiting for the handler in progress
	std::atomic<std::uint64_t> _delivered{0};
	std::atomic<std::uint64_t> _dropped{0};
	std::atomic<std::uint64_t> _fcReplies{0};
	std::atomic<std::int64_t> _lastActivityUs{0};
	std::atomic<std::int64_t> _lastCheckUs{0};
	std::atomic<bool> _checkInFlight{false};
	std::atomic<std::uint64_t> _checksSent{0};
	std::atomic<std::uint64_t> _checksFound{0};
	std::atomic<bool> _stopFlag{false};
};

} // namespace Nats

#endif // Nats_JsStanSubscription_INCLUDED
