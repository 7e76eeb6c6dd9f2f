//
// StanCallback.h
//
// Library: Nats
// Package: Streaming
// Module:  StanCallback
//
// Bookkeeping of user callbacks in progress (who may wait for whom).
//
// SPDX-License-Identifier: Apache-2.0
//

#ifndef Nats_StanCallback_INCLUDED
#define Nats_StanCallback_INCLUDED

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

namespace Poco {
class Exception;
}

namespace Nats {

class StanConnection;

class Connection;

/// Counts the user callbacks of one StanConnection in progress (message handlers, ack handlers,
/// the error handler), so that destroying the connection can wait until none runs, and marks the
/// calling thread as "inside a streaming callback" while one runs.
///
/// The rule that keeps close paths free of deadlocks: a thread inside a streaming callback never
/// waits for another callback (nor for a teardown in progress); threads outside callbacks do.
///
/// Thread safety: Thread-safe.
class StanCallbackGate
{
public:
	/// RAII: one callback in progress on this thread.
	class Scope
	{
	public:
		explicit Scope(StanCallbackGate& gate): _gate(gate)
		{
			_gate.enter();
			++depth();
		}

		~Scope()
		{
			--depth();
			_gate.leave();
		}

		Scope(const Scope&) = delete;
		Scope& operator=(const Scope&) = delete;

	private:
		StanCallbackGate& _gate;
	};

	/// True while the calling thread runs a streaming callback (of any connection).
	static bool inCallback() { return depth() > 0; }

	using Deadline = std::chrono::steady_clock::time_point;

	/// Waits until no callback is in progress, at most until `deadline` (Deadline::max():
	/// unbounded). Returns false on timeout. REQUIRES: !inCallback().
	bool waitIdle(Deadline deadline = Deadline::max())
	{
		std::unique_lock<std::mutex> lock(_mutex);
		auto isIdle = [this]() { return _running.load(std::memory_order_acquire) == 0; };
		if (deadline == Deadline::max())
		{
			_cv.wait(lock, isIdle);
			return true;
		}
		return _cv.wait_until(lock, deadline, isIdle);
	}

	/// True when no callback is in progress now.
	bool idle() const { return _running.load(std::memory_order_acquire) == 0; }

private:
	static int& depth()
	{
		thread_local int d = 0;
		return d;
	}

	void enter()
	{
		_running.fetch_add(1, std::memory_order_acq_rel);
	}

	void leave()
	{
		if (_running.fetch_sub(1, std::memory_order_acq_rel) == 1)
		{
			// Under the mutex: a waiter between its check and its wait cannot miss the wake-up.
			std::lock_guard<std::mutex> lock(_mutex);
			_cv.notify_all();
		}
	}

	std::mutex _mutex;
	std::condition_variable _cv;
	std::atomic<int> _running{0};
};

/// StanOptions::ErrorHandler.
using StanErrorHandler = std::function<void(const Poco::Exception& error)>;

/// Reports an asynchronous error of a StanConnection (either backend): `handler` runs on the event
/// thread of `pNc`, never on the thread where the error happened (the reader must not run user
/// code; the handler may call close()), inside a Scope of `gate`, and only if `owner` (the
/// connection that holds `handler` and `gate`) still lives by then; an exception it throws is
/// swallowed. Without a handler or a NATS connection the text goes to the logger
/// "Nats.StanConnection" (warning). Never blocks; does not throw (short of std::bad_alloc).
void reportStanError(const Poco::Exception& exc, const StanErrorHandler& handler, Connection* pNc, std::weak_ptr<const void> owner,
	StanCallbackGate& gate);

/// Runs the application's connection-lost `handler` (if any) for `facade` with `error`, inside a
/// Scope of `gate`; a Poco::Exception it throws goes to `report`, anything else is swallowed.
/// Called by both backends' `stan-lost` thread once the session is torn down; blocks as long as
/// the handler runs.
void runConnectionLostHandler(const std::function<void(StanConnection&, const std::string&)>& handler, StanConnection* pFacade,
	const std::string& error, StanCallbackGate& gate, const std::function<void(const Poco::Exception&)>& report);

/// Joins `t` if it is joinable, or detaches it if it is the calling thread (a lost handler
/// that dropped the last reference to its connection). Blocks as long as `t` runs.
void joinOrDetach(std::thread& t);

/// A backend's destructor hands its owned NATS connection over here. The last reference to a
/// StanConnection may go on a thread of that NATS connection (a dispatcher worker finishing a
/// handler, the event thread after an error handler), and callbacks may still run on its threads
/// (the destructor gave up waiting at closeTimeout): destroying it there would join its own
/// thread or wait for them, so a detached thread of its own destroys it. Otherwise `pOwned` is
/// left for the caller's destructor (it closes it there). Never blocks.
void releaseOwnedConnection(std::unique_ptr<Connection>& pOwned, const StanCallbackGate& gate);

} // namespace Nats

#endif // Nats_StanCallback_INCLUDED
