//
// Dispatcher.h
//
// Library: Nats
// Package: Core
// Module:  Dispatcher
//
// Worker threads that run asynchronous subscription callbacks.
//
// SPDX-License-Identifier: Apache-2.0
//

#ifndef Nats_Dispatcher_INCLUDED
#define Nats_Dispatcher_INCLUDED

#include "core/RingQueue.h"
#include <Poco/Runnable.h>
#include <Poco/Thread.h>
#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <vector>

namespace Nats {

/// Something a Dispatcher can run: a subscription with queued messages.
class Dispatchable
{
public:
	virtual ~Dispatchable() = default;

	/// Delivers up to `budget` queued messages. Returns true if more are queued (the dispatcher
	/// then schedules it again behind the others).
	virtual bool dispatch(int budget) = 0;
};

/// One worker (Poco::Thread) with a FIFO of ready subscriptions. A subscription is queued once
/// while it has messages (it keeps a "scheduled" flag), so a worker hop costs one lock per batch,
/// not per message.
///
/// Thread safety: schedule() from any thread; start/stop/join from the owner.
class Dispatcher: public Poco::Runnable
{
public:
	explicit Dispatcher(const std::string& name);
	~Dispatcher() override;

	void start();

	/// Asks the thread to exit after the callback in progress; queued work is dropped.
	void stop();

	/// Waits for the thread; returns at once when called from the worker itself.
	void join();

	/// Queues `item` to run on this worker.
	void schedule(std::shared_ptr<Dispatchable> item);

	/// True when called from this worker's thread.
	bool isCurrent() const;

	void run() override;

private:
	std::mutex _mutex;
	std::condition_variable _cond;
	RingQueue<std::shared_ptr<Dispatchable>> _ready; // no allocation per schedule
	bool _stop = false;
	std::atomic<bool> _started{false};
	std::atomic<bool> _joined{false};
	Poco::Thread _thread;
};

/// A fixed set of Dispatchers; next() hands them out round robin (subscription pinning).
///
/// Two modes:
/// - own workers (the default): the pool belongs to one connection; stop()/join() end them;
/// - shared: next() hands out the workers of the process-wide pool (created on first use with
///   sharedThreads() workers, never stopped: it lives until the process exits); stop() and join()
///   do nothing, since other connections deliver through the same workers. A subscription of a
///   closed connection that is still queued on a shared worker is skipped by its own closed flag.
///
/// Thread safety: next() from any thread; start/stop/join from the owner.
class DispatcherPool
{
public:
	/// `threads` (>= 1, smaller values mean 1) own workers, or the shared pool if `shared`.
	DispatcherPool(int threads, const std::string& name, bool shared = false);

	void start();
	void stop();
	/// Joins every worker except the calling one.
	void join();

	Dispatcher* next();

	/// True when called from one of the workers.
	bool isWorkerThread() const;

	/// Number of workers this pool hands out.
	std::size_t size() const;

	bool isShared() const { return _shared; }

	/// Sets the size of the process-wide pool before its first use (default
	/// min(hardware threads, 4), at least 1).
	/// Throws: Poco::InvalidArgumentException if `threads` < 1; Poco::IllegalStateException once
	/// the shared pool exists with another size.
	static void setSharedThreads(int threads);

	/// The size the shared pool has or will have.
	static int sharedThreads();

private:
	struct Workers
	{
		std::vector<std::unique_ptr<Dispatcher>> workers;
		std::atomic<std::size_t> next{0};
	};

	static Workers& sharedWorkers();

	Workers _own;
	Workers* _pWorkers;
	const bool _shared;
};

} // namespace Nats

#endif // Nats_Dispatcher_INCLUDED
