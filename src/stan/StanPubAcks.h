//
// StanPubAcks.h
//
// Library: Nats
// Package: Streaming
// Module:  StanPubAcks
//
// Publishing with acks: the inflight window, PubAck dispatch, ack timeouts, ack handlers.
//
// SPDX-License-Identifier: Apache-2.0
//

#ifndef Nats_StanPubAcks_INCLUDED
#define Nats_StanPubAcks_INCLUDED

#include "Nats/StanConnection.h"
#include "Nats/Connection.h"
#include "core/Dispatcher.h"
#include "core/RingQueue.h"
#include "stan/PubAckTracker.h"
#include "stan/StanCallback.h"
#include <Poco/Exception.h>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace Nats {

class Timer;

/// The publishing half of one streaming session (docs/design.md section 3):
/// - publishAsync()/publish() take a slot of the PubAckTracker's window and write the PubMsg;
/// - onPubAck() (NATS reader thread) completes the entry: the internal waiter of a blocking
///   publish() is signalled right there; a user StanAckHandler is queued;
/// - the queued user handlers run on one worker of the NATS connection's dispatcher pool (this
///   object is a Dispatchable pinned to it), in completion order, one at a time; an entry's
///   window slot is freed only after its handler ran, so the handlers waiting to run never exceed
///   maxPubAcksInflight (back pressure through slow handlers);
/// - ack timeouts run on the NATS connection's timer (one pending timer entry at a time: all
///   entries share the same pubAckWait, so the oldest is due first).
///
/// One instance per successful connect(); a retried connect() makes a fresh one.
///
/// Thread safety: Thread-safe. Locks (leaves): _queueMutex, _timerMutex, the tracker's.
class StanPubAcks: public Dispatchable, public std::enable_shared_from_this<StanPubAcks>
{
public:
	using ErrorReporter = std::function<void(const Poco::Exception&)>;

	/// `timer` and `pDispatcher` belong to the NATS connection (set here, before the pub-ack
	/// subscription exists, so that the reader thread sees them).
	StanPubAcks(const StanOptions& options, std::shared_ptr<StanCallbackGate> pGate, ErrorReporter reportError, Timer& timer,
		Dispatcher* pDispatcher);
	~StanPubAcks() override;

	/// Binds to the session once the server answered. REQUIRES: called once, before any publish.
	void start(Connection& nc, const std::string& clientId, const std::string& connID, const std::string& pubPrefix,
		const std::string& ackSubject);

	/// SubjectRules::checkPublishChannel(), skipped for the channel this thread checked last.
	static void checkChannel(const std::string& channel);

	/// See StanConnection::publishAsync(). `userHandler` false: the internal waiter of publish().
	std::string publishAsync(const std::string& channel, const void* data, std::size_t length, StanAckHandler handler,
		Poco::Timespan maxWait, bool userHandler = true);

	/// See StanConnection::publish().
	void publish(const std::string& channel, const void* data, std::size_t length);

	/// A PubAck arrived (NATS reader thread).
	void onPubAck(const Message& msg);

	/// Stops the timer, fails every pending publish with "stan: connection closed" (their handlers
	/// are queued) and refuses new ones.
	void close();

	/// After close(): makes sure every queued handler runs exactly once. Outside a callback it
	/// runs them (or waits for the worker running them, at most until `deadline`) before
	/// returning; inside a callback, or once the deadline passed, it no longer waits: it runs them
	/// in place if nobody does, else the running worker runs them all before it returns.
	void drainHandlers(StanCallbackGate::Deadline deadline = StanCallbackGate::Deadline::max());

	/// Publishes awaiting their ack.
	int inflight() const;

	/// Dispatchable: runs queued ack handlers.
	bool dispatch(int budget) override;

private:
	struct AckEvent
	{
		std::string guid;
		std::string error;
		PubAckTracker::Callback callback;
		bool held = false;
	};

	/// The NATS subject of `channel` (prefix + channel), checked; cached per thread.
	const std::string& subjectFor(const std::string& channel) const;
	void armAt(PubAckTracker::Clock::time_point deadline);
	void onTimer();
	void complete(std::vector<PubAckTracker::Completion>& completions, const std::string& error);
	/// Runs the events taken into _running, then clears it (capacity kept). REQUIRES: _busy.
	void runEvents();
	/// Moves up to `n` queued events into _running. REQUIRES: _queueMutex and _busy held.
	void takeLocked(std::size_t n);

	const Poco::Timespan _pubAckWait;
	const Poco::Timespan _connectWait;
	const std::shared_ptr<StanCallbackGate> _pGate;
	const ErrorReporter _reportError;
	PubAckTracker _tracker;

	Connection* _pNc = nullptr;
	Timer* const _pTimer;
	Dispatcher* const _pDispatcher;
	const std::uint64_t _sessionId; // unique per instance (key of the per-thread subject cache)
	std::string _clientId;
	std::string _connID;
	std::string _pubPrefix;
	std::string _ackSubject;

	std::mutex _timerMutex;
	bool _timerArmed = false;
	bool _timerClosed = false;
	std::uint64_t _timerId = 0;

	std::mutex _queueMutex;
	std::condition_variable _queueCv;
	RingQueue<AckEvent> _queue;     // no allocation per ack (a deque allocates every few)
	std::vector<AckEvent> _running; // the batch being run: only the thread that set _busy touches it
	bool _scheduled = false;
	bool _busy = false;     // a thread runs handlers (the worker, or a drain in place)
	bool _drainAll = false; // the running thread runs everything before it stops
};

} // namespace Nats

#endif // Nats_StanPubAcks_INCLUDED
