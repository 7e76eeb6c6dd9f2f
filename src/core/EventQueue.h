//
// EventQueue.h
//
// Library: Nats
// Package: Core
// Module:  EventQueue
//
// The connection's event thread: runs connection handlers in order, outside every lock.
//
// SPDX-License-Identifier: Apache-2.0
//

#ifndef Nats_EventQueue_INCLUDED
#define Nats_EventQueue_INCLUDED

#include <Poco/Runnable.h>
#include <Poco/Thread.h>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>

namespace Nats {

/// A FIFO of closures run one by one on a dedicated Poco::Thread. Used for the disconnected /
/// reconnected / closed / error / discovered-servers / lame-duck handlers, so they run in the order
/// the events happened and never under an internal lock. An exception thrown by a closure is
/// swallowed (there is nowhere to report it).
///
/// Thread safety: post() from any thread; start/shutdown from the owner.
class EventQueue: public Poco::Runnable
{
public:
	explicit EventQueue(const std::string& name);
	~EventQueue() override;

	void start();

	/// Queues `fn`. Ignored after shutdown().
	void post(std::function<void()> fn);

	/// Lets the queued closures run, then stops the thread and joins it unless called from it.
	void shutdown();

	/// True when called from the event thread.
	bool isCurrent() const;

	void run() override;

private:
	std::mutex _mutex;
	std::condition_variable _cond;
	std::deque<std::function<void()>> _queue;
	bool _stop = false;
	std::atomic<bool> _started{false};
	std::atomic<bool> _joined{false};
	Poco::Thread _thread;
};

} // namespace Nats

#endif // Nats_EventQueue_INCLUDED
