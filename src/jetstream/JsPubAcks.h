//
// JsPubAcks.h
//
// Library: Nats
// Package: JetStream
// Module:  JsPubAcks
//
// Publishing on JetStream with acks: the inflight window, PubAck completion, ack timeouts and
// the StanAckHandlers, all on the NATS connection's own threads.
//
// SPDX-License-Identifier: Apache-2.0
//

#ifndef Nats_JsPubAcks_INCLUDED
#define Nats_JsPubAcks_INCLUDED

#include "Nats/StanConnection.h"
#include "Nats/Message.h"
#include "core/Dispatcher.h"
#include "stan/PubAckTracker.h"
#include "stan/StanCallback.h"
#include <Poco/Exception.h>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

namespace Nats {

class ConnectionImpl;
class Timer;

/// The publishing half of a JetStream StanConnection (the same mechanism as the streaming
/// backend's StanPubAcks, with JetStream's wire format):
/// - publishAsync()/publish() take a slot of the PubAckTracker window and publish the message with
///   `Nats-Msg-Id: <guid>` and the reply subject "<pubPrefix><guid>";
/// - onPubAck() (NATS reader thread) completes the entry: the waiter of a blocking publish() is
///   signalled there; a user StanAckHandler is queued;
/// - queued handlers run on one worker of the NATS connection's dispatcher pool (this object is a
///   Dispatchable pinned to it), in completion order, one at a time; an entry's window slot is
///   freed only after its handler ran (#10 item 5: the completions waiting for their handler
///   never exceed maxPubAcksInflight);
/// - ack timeouts run on the NATS connection's timer (one pending timer task at a time: all
///   entries share pubAckWait, so the oldest is due first).
///
/// Thread safety: Thread-safe. Locks (leaves): _queueMutex, _timerMutex, the tracker's.
class JsPubAcks: public Dispatchable, public std::enable_shared_from_this<JsPubAcks>
{
public:
	using ErrorReporter = std::function<void(const Poco::Exception&)>;

	/// `core` is the NATS connection (its timer and dispatcher pool are used; it must outlive
	/// this object's use). Call start() before the pub-ack subscription exists.
	JsPubAcks(const StanOptions& options, std::shared_ptr<StanCallbackGate> pGate, ErrorReporter reportError, ConnectionImpl& core);
	~JsPubAcks() override;

	/// Binds the reply prefix ("<inbox>.") and the timer. REQUIRES: once, before any publish.
	void start(const std::string& pubPrefix);

	/// See StanConnection::publishAsync(); the caller validated channel and stream.
	std::string publishAsync(const std::string& channel, const void* data, std::size_t length, StanAckHandler handler,
		Poco::Timespan maxWait);

	/// See StanConnection::publish(). Blocks at most pubAckWait (+ a margin against a stuck timer).
	void publish(const std::string& channel, const void* data, std::size_t length);

	/// A PubAck (or API error / 503 status) arrived on "<pubPrefix><guid>" (NATS reader thread).
	void onPubAck(const Message& m);

	/// Cancels the timer, fails every pending publish with "stan: connection closed" (their
	/// handlers are queued) and refuses new ones. Idempotent.
	void close();

	/// After close(): every queued handler runs exactly once. Outside a callback it runs them (or
	/// waits for the worker running them) before it returns; inside a callback it never waits: it
	/// runs them in place if nobody does, else the running thread runs them all before it returns.
	void drainHandlers();

	int inflight() const;

	/// Dispatchable: runs queued ack handlers (the pinned worker).
	bool dispatch(int budget) override;

private:
	struct AckEvent
	{
		std::string guid;
		std::string error;
		PubAckTracker::Callback callback;
		bool held;
	};

	void arm(Poco::Timespan delay);
	void onTimer();
	void complete(PubAckTracker::Completion& c, const std::string& error, bool& schedule);
	void completeAll(std::vector<PubAckTracker::Completion>& completions, const std::string& error);
	void runEvents(std::deque<AckEvent>& events);

	const Poco::Timespan _pubAckWait;
	const std::shared_ptr<StanCallbackGate> _pGate;
	const ErrorReporter _reportError;
	ConnectionImpl& _core;
	Timer& _timer;
	Dispatcher* const _pDispatcher;
	PubAckTracker _tracker;
	std::string _pubPrefix;

	std::mutex _timerMutex;
	bool _timerArmed = false;
	bool _timerClosed = false;
	std::uint64_t _timerId = 0;

	std::mutex _queueMutex;
	std::condition_variable _queueCv;
	std::deque<AckEvent> _queue;
	bool _scheduled = false;
	bool _busy = false;     // a thread runs handlers (the worker, or a drain in place)
	bool _drainAll = false; // the running thread runs everything before it stops
};

} // namespace Nats

#endif // Nats_JsPubAcks_INCLUDED
