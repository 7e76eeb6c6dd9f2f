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

#include <Poco/Runnable.h>
#include <Poco/Thread.h>
#include <atomic>
#include <condition_variable>
#include <deque>
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
	std::deque<std::shared_ptr<Dispatchable>> _ready;
	bool _stop = false;
	std::atomic<bool> _started{false};
	std::atomic<bool> _joined{false};
	Poco::Thread _thread;
};

/// A fixed set of Dispatchers; next() hands them out round robin (subscription pinning).
///
/// Thread safety: next() from any thread; start/stop/join from the owner.
class DispatcherPool
{
public:
	DispatcherPool(int threads, const std::string& name);

	void start();
	void stop();
	/// Joins every worker except the calling one.
	void join();

	Dispatcher* next();

	/// True when called from one of the workers.
	bool isWorkerThread() const;

private:
	std::vector<std::unique_ptr<Dispatcher>> _workers;
	std::atomic<std::size_t> _next{0};
};

} // namespace Nats

#endif // Nats_Dispatcher_INCLUDED
