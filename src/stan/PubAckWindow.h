//
// PubAckWindow.h
//
// Library: Nats
// Package: Streaming
// Module:  PubAckWindow
//
// Publishing with acks, for both backends: the inflight window, ack completion, ack timeouts and
// the StanAckHandlers.
//
// SPDX-License-Identifier: Apache-2.0
//

#ifndef Nats_PubAckWindow_INCLUDED
#define Nats_PubAckWindow_INCLUDED

#include "Nats/StanConnection.h"
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
#include <string_view>
#include <vector>

namespace Nats {

class Timer;

/// The pub-ack mechanism shared by the streaming backend (StanPubAcks: PubMsg, protobuf PubAck
/// matched by guid) and the JetStream backend (JsPubAcks: Nats-Msg-Id, JSON PubAck matched by
/// reply subject). A backend derives from it, writes the message in the `send` it hands to
/// publishWithAck()/publishAndWait() and reports each ack it matched through completeAck().
///
/// design.md section 3:
/// - publishWithAck()/publishAndWait() take a slot of the PubAckTracker's window (blocking, or
///   bounded by maxWait) and register the guid the message is sent with;
/// - completeAck() (NATS reader thread) completes the entry: the internal waiter of a blocking
///   publish is signalled right there; a user StanAckHandler is queued;
/// - the queued user handlers run on one worker of the NATS connection's dispatcher pool (this
///   object is a Dispatchable pinned to it), in completion order, one at a time; an entry's window
///   slot is freed only after its handler ran, so the handlers waiting to run never exceed
///   maxPubAcksInflight (back pressure through slow handlers);
/// - ack timeouts run on the NATS connection's timer (one pending timer task at a time: all
///   entries share the same pubAckWait, so the oldest is due first);
/// - close() fails every pending publish with CONNECTION_CLOSED, exactly once each.
///
/// No allocation per publish + ack once warm (bench/run-alloc.sh, mode pubasync).
///
/// Thread safety: Thread-safe. Locks (leaves): _queueMutex, _timerMutex, the tracker's. No user
/// handler runs under any of them.
class PubAckWindow: public Dispatchable, public std::enable_shared_from_this<PubAckWindow>
{
public:
	using ErrorReporter = std::function<void(const Poco::Exception&)>;

	/// The errors a completion carries besides the server's own text.
	static const std::string CONNECTION_CLOSED; // "stan: connection closed"
	static const std::string PUB_ACK_TIMEOUT;   // "stan: publish ack timeout"

	/// `timer` and `pDispatcher` belong to the NATS connection and must outlive this object's
	/// use. `stuckTimerMargin`: how much longer than pubAckWait a blocking publish waits before it
	/// gives up on the timer (which normally ends the entry after pubAckWait).
	PubAckWindow(const StanOptions& options, Poco::Timespan stuckTimerMargin, std::shared_ptr<StanCallbackGate> pGate,
		ErrorReporter reportError, Timer& timer, Dispatcher* pDispatcher);
	~PubAckWindow() override;

	PubAckWindow(const PubAckWindow&) = delete;
	PubAckWindow& operator=(const PubAckWindow&) = delete;

	/// Cancels the timer, fails every pending publish with CONNECTION_CLOSED (their handlers are
	/// queued, a blocking publish is woken) and refuses new ones. Idempotent. Never blocks on a
	/// handler.
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

protected:
	/// Hooks the timer up. REQUIRES: called once (the object is owned by a shared_ptr), before the
	/// first publish.
	void startWindow();

	/// publishAsync(): takes a slot for `handler` (blocks while the window is full, at most
	/// `maxWait`; negative = unbounded), then calls `send(guid)`. If `send` throws, the entry is
	/// removed and the exception passes on, unless the entry already ended (timeout / close ran
	/// the handler: the call counts as a success). Returns the guid.
	/// Throws NatsTimeoutException "stan: publish window full" on timeout, ConnectionClosedException
	/// once closed, what `send` throws.
	template <class Send>
	std::string publishWithAck(StanAckHandler&& handler, Poco::Timespan maxWait, Send&& send)
	{
		std::string guid; // at most 15 characters: no allocation
		// Inline: the hot path of publishAsync() (no call, no further move of the handler).
		if (!_tracker.add(guid, std::move(handler), maxWait, false, tlsRunningAcksOf == this)) throwWindowFull();
		try
		{
			send(guid);
		}
		catch (...)
		{
			if (_tracker.remove(guid)) throw;
		}
		return guid;
	}

	/// publish(): takes a slot (waits while the window is full, unbounded), calls `send(guid)` and
	/// waits for the entry to end: at most pubAckWait + stuckTimerMargin. Throws what `send` throws, StanPubAckTimeoutException
	/// PUB_ACK_TIMEOUT, ConnectionClosedException CONNECTION_CLOSED, StanPublishException with the
	/// server's error text.
	template <class Send>
	void publishAndWait(Send&& send)
	{
		Waiter waiter;
		std::string guid;
		acquireForWaiter(guid, waiter);
		try
		{
			send(guid);
		}
		catch (...)
		{
			// Gone already: completed meanwhile (close); report what the completion said.
			if (_tracker.remove(guid)) throw;
		}
		await(guid, waiter);
	}

	/// The ack of `guid` arrived, `error` empty for success (NATS reader thread). An unknown guid
	/// (late, duplicate, foreign) is ignored.
	void completeAck(std::string_view guid, std::string_view error);

	/// Reports an asynchronous error (the session's error handler).
	void reportError(const Poco::Exception& exc) const { _reportError(exc); }

private:
	/// The state of one blocking publish, on its caller's stack: the direct completion callback
	/// only captures its address (small enough for std::function's local buffer: no allocation)
	/// and runs exactly once, on the reader (ack), the timer (timeout) or the closing thread.
	struct Waiter
	{
		std::mutex mutex;
		std::condition_variable cv;
		bool done = false;
		bool sleeping = false;
		std::string error;
	};

	struct AckEvent
	{
		std::string guid;
		std::string error;
		PubAckTracker::Callback callback;
		bool held = false;
	};

	[[noreturn]] static void throwWindowFull();
	void acquireForWaiter(std::string& guid, Waiter& waiter);
	void await(const std::string& guid, Waiter& waiter);
	void armAt(PubAckTracker::Clock::time_point deadline);
	void onTimer();
	/// Runs a direct callback in place or queues the event. Sets `schedule` when the worker must
	/// be woken.
	void completeOne(PubAckTracker::Completion& c, std::string_view error, bool& schedule);
	void completeAll(std::vector<PubAckTracker::Completion>& completions, const std::string& error);
	/// Runs the events taken into _running, then clears it (capacity kept). REQUIRES: _busy.
	void runEvents();
	/// Moves up to `n` queued events into _running. REQUIRES: _queueMutex and _busy held.
	void takeLocked(std::size_t n);

	/// The window whose handlers the calling thread runs: a publish from an ack handler must not
	/// wait for the slots held by the handlers queued behind it.
	static inline thread_local const PubAckWindow* tlsRunningAcksOf = nullptr;

	const Poco::Timespan _pubAckWait;
	const Poco::Timespan _stuckTimerMargin;
	const std::shared_ptr<StanCallbackGate> _pGate;
	const ErrorReporter _reportError;
	PubAckTracker _tracker;
	Timer& _timer;
	Dispatcher* const _pDispatcher;

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

#endif // Nats_PubAckWindow_INCLUDED
