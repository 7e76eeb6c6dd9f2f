//
// ConnectionState.h
//
// Library: Nats
// Package: Core
// Module:  ConnectionState
//
// The lifecycle of one core connection: status, connect / close / drain transitions, the PINGs
// awaiting their PONG (flush() waiters, keepalives), the last error, and the condition variable
// all of them are waited on with.
//
// SPDX-License-Identifier: Apache-2.0
//

#ifndef Nats_ConnectionState_INCLUDED
#define Nats_ConnectionState_INCLUDED

#include "Nats/Connection.h"
#include <Poco/Timespan.h>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <string>

namespace Nats {

/// The state machine of a connection. Status: DISCONNECTED -> CONNECTING -> CONNECTED <->
/// RECONNECTING -> CLOSED (DRAINING is CONNECTED while drain() runs). Lifecycle flags: started
/// (connect() started the threads), closing (close() began: every wait ends, every new call throws),
/// closed (close() is done).
///
/// The link status cell is written only by the Writer (statusCell()), under its output mutex, so a
/// status change is atomic with what it does to the output buffer; everybody reads it lock-free.
/// The rest is guarded by the connection's state mutex (lock()), which also guards its
/// ServerSelection (lock order: see ConnectionImpl.h). Methods named ...Locked() and the waits
/// REQUIRE it held; the others take it.
///
///     ConnectionState::Lock lock = state.lock();
///     state.checkUsableLocked();                         // throws when closed / never connected
///     state.waitConnected(lock, deadline);               // wakes on CONNECTED or close()
///
/// Thread safety: thread-safe as described above.
class ConnectionState
{
public:
	using Status = Connection::Status;
	using Clock = std::chrono::steady_clock;
	using Lock = std::unique_lock<std::mutex>;

	/// A flush() waiting for the PONG of its PING; `ok` = the PONG came (else: link lost / closed).
	struct PongWaiter
	{
		bool done = false;
		bool ok = false;
	};

	ConnectionState() = default;
	ConnectionState(const ConnectionState&) = delete;
	ConnectionState& operator=(const ConnectionState&) = delete;

	/// Takes the state mutex.
	Lock lock() const { return Lock(_mutex); }

	/// Now + `t` (a negative `t` counts as 0): the deadline of a call bounded by `t`.
	static Clock::time_point deadlineAfter(Poco::Timespan t)
	{
		return Clock::now() + std::chrono::microseconds(t.totalMicroseconds() > 0 ? t.totalMicroseconds() : 0);
	}

	// ---- status (lock-free) ----

	/// The status callers see: CONNECTED reads as DRAINING while drain() runs.
	Status status() const
	{
		const Status st = _status.load();
		return (st == Status::CONNECTED && _draining.load()) ? Status::DRAINING : st;
	}

	/// The link status (what the Writer does with a frame): never DRAINING.
	Status linkStatus() const { return _status.load(); }

	/// The cell the Writer keeps the link status in.
	std::atomic<Status>& statusCell() { return _status; }

	// ---- lifecycle (REQUIRE the lock) ----

	bool isClosingLocked() const { return _closing; }

	/// As isClosingLocked(), taking the lock.
	bool isClosing() const
	{
		std::lock_guard<std::mutex> lock(_mutex);
		return _closing;
	}
	bool isStartedLocked() const { return _threadsStarted; }

	/// connect() may begin. Throws: Poco::IllegalStateException when closed or not DISCONNECTED.
	void checkConnectableLocked() const;

	/// Throws: ConnectionClosedException when close() began or ended.
	void checkOpenLocked() const;

	/// As checkOpenLocked(), and Poco::IllegalStateException when connect() never started the threads.
	void checkUsableLocked() const;

	/// connect() started (or is about to start) the threads: close() now tears them down.
	void markStartedLocked() { _threadsStarted = true; }

	/// What close() has to do.
	enum class CloseStep
	{
		ALREADY_CLOSING,  ///< another close() runs or ran
		NOTHING_STARTED,  ///< now closed; there were no threads (the caller sets the link status CLOSED)
		TEAR_DOWN         ///< now closing; the caller stops the parts, then calls markClosed()
	};

	/// The first close() sets closing and wakes every waiter.
	CloseStep beginCloseLocked();

	/// Waits (at most `timeout`) until the close() in progress has ended.
	void waitClosed(Lock& lock, std::chrono::seconds timeout);

	/// The close() in progress has ended (takes the lock).
	void markClosed();

	/// drain() begins. Throws: Poco::IllegalStateException when a drain is already running.
	void beginDrain();

	// ---- waits (REQUIRE the lock; each also ends on close()) ----

	/// Waits until CONNECTED, close() or `deadline`. Returns false on the deadline.
	bool waitConnected(Lock& lock, Clock::time_point deadline);

	/// Waits until close() or `deadline` (the reconnect wait). Returns true when closing.
	bool waitClosing(Lock& lock, Clock::time_point deadline);

	/// Wakes every waiter (the link status changed).
	void notifyAll() { _cond.notify_all(); }

	// ---- PINGs awaiting their PONG, in the order they were sent (REQUIRE the lock) ----

	/// Queues a flush() waiter; the caller appends its PING before unlocking.
	std::shared_ptr<PongWaiter> addPongWaiterLocked();

	/// A keepalive PING is due: counts it as outstanding and queues its placeholder (nobody waits
	/// for its PONG); the caller appends the PING before unlocking. Returns false instead when more
	/// than `maxPingsOut` went unanswered: the connection is stale (the count starts again).
	bool keepaliveLocked(int maxPingsOut);

	/// No keepalive is outstanding any more (the link was lost or replaced).
	void resetPingsOutLocked() { _pingsOut = 0; }

	/// A PONG arrived: completes the oldest waiter; no keepalive is outstanding any more.
	void pongLocked();

	/// Fails all but the last `keepLast` waiters (their PINGs are lost with the link; the last
	/// `keepLast` are still in the unsent buffer and will be answered).
	void failPongWaitersLocked(std::size_t keepLast);

	/// Waits until `w` is done or `deadline`. Returns false on the deadline.
	bool waitPong(Lock& lock, const std::shared_ptr<PongWaiter>& w, Clock::time_point deadline);

	// ---- last error ----

	void setLastErrorLocked(const std::string& text) { _lastError = text; }
	void setLastError(const std::string& text);
	std::string lastError() const;

private:
	mutable std::mutex _mutex;
	std::condition_variable _cond;  // status changes, PONG arrivals, close()
	std::atomic<Status> _status{Status::DISCONNECTED};
	std::atomic<bool> _draining{false};
	bool _closing = false;          // guarded by _mutex
	bool _closed = false;           // guarded by _mutex
	bool _threadsStarted = false;   // guarded by _mutex
	std::deque<std::shared_ptr<PongWaiter>> _pongs;  // guarded by _mutex; nullptr = keepalive PING
	int _pingsOut = 0;              // guarded by _mutex: keepalives sent since the last PONG
	std::string _lastError;         // guarded by _mutex
};

} // namespace Nats

#endif // Nats_ConnectionState_INCLUDED
