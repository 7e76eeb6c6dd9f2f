//
// Dispatcher.cpp
//
// Library: Nats
// Package: Core
// Module:  Dispatcher
//
// SPDX-License-Identifier: Apache-2.0
//

#include "core/Dispatcher.h"
#include "core/ThreadName.h"
#include <Poco/Exception.h>
#include <algorithm>
#include <thread>

namespace Nats {

namespace {

constexpr int BATCH = 64;

} // namespace

Dispatcher::Dispatcher(const std::string& name): _thread(name)
{
}

Dispatcher::~Dispatcher()
{
	stop();
	join();
}

void Dispatcher::start()
{
	_started = true;
	_thread.start(*this);
}

void Dispatcher::stop()
{
	std::lock_guard<std::mutex> lock(_mutex);
	_stop = true;
	_ready.clear(true);
	_cond.notify_all();
}

void Dispatcher::join()
{
	if (isCurrent()) return;
	if (_started && !_joined.exchange(true)) _thread.join();
}

bool Dispatcher::isCurrent() const
{
	return Poco::Thread::current() == &_thread;
}

void Dispatcher::schedule(std::shared_ptr<Dispatchable> item)
{
	std::lock_guard<std::mutex> lock(_mutex);
	if (_stop) return;
	_ready.push_back(std::move(item));
	if (_ready.size() == 1) _cond.notify_one();
}

void Dispatcher::run()
{
	setCurrentThreadName(_thread.getName());
	for (;;)
	{
		std::shared_ptr<Dispatchable> item;
		{
			std::unique_lock<std::mutex> lock(_mutex);
			_cond.wait(lock, [this]() { return _stop || !_ready.empty(); });
			if (_stop) return;
			item = _ready.take_front();
		}
		bool more = item->dispatch(BATCH);
		if (more)
		{
			std::lock_guard<std::mutex> lock(_mutex);
			if (_stop) return;
			_ready.push_back(std::move(item));
		}
	}
}

namespace {

std::mutex sharedMutex;
int sharedSize = 0;  // 0 = default
bool sharedCreated = false;

int defaultSharedSize()
{
	unsigned n = std::thread::hardware_concurrency();
	if (n == 0) n = 1;
	return static_cast<int>(std::min(n, 4u));
}

} // namespace

DispatcherPool::DispatcherPool(int threads, const std::string& name, bool shared): _pWorkers(&_own), _shared(shared)
{
	if (shared)
	{
		_pWorkers = &sharedWorkers();
		return;
	}
	if (threads < 1) threads = 1;
	for (int i = 0; i < threads; ++i) _own.workers.emplace_back(new Dispatcher(name + "-" + std::to_string(i)));
}

DispatcherPool::Workers& DispatcherPool::sharedWorkers()
{
	std::lock_guard<std::mutex> lock(sharedMutex);
	// Never destroyed: connections of static objects may still deliver during exit.
	static Workers* pShared = nullptr;
	if (!pShared)
	{
		const int n = sharedSize > 0 ? sharedSize : defaultSharedSize();
		pShared = new Workers;
		for (int i = 0; i < n; ++i)
		{
			pShared->workers.emplace_back(new Dispatcher("nats-shared-" + std::to_string(i)));
			pShared->workers.back()->start();
		}
		sharedSize = n;
		sharedCreated = true;
	}
	return *pShared;
}

void DispatcherPool::setSharedThreads(int threads)
{
	if (threads < 1) throw Poco::InvalidArgumentException("nats: shared dispatcher threads must be >= 1");
	std::lock_guard<std::mutex> lock(sharedMutex);
	if (sharedCreated && threads != sharedSize)
		throw Poco::IllegalStateException("nats: the shared dispatcher pool already runs with " + std::to_string(sharedSize) + " threads");
	sharedSize = threads;
}

int DispatcherPool::sharedThreads()
{
	std::lock_guard<std::mutex> lock(sharedMutex);
	return sharedSize > 0 ? sharedSize : defaultSharedSize();
}

void DispatcherPool::start()
{
	if (_shared) return;
	for (auto& w: _own.workers) w->start();
}

void DispatcherPool::stop()
{
	if (_shared) return;
	for (auto& w: _own.workers) w->stop();
}

void DispatcherPool::join()
{
	if (_shared) return;
	for (auto& w: _own.workers) w->join();
}

Dispatcher* DispatcherPool::next()
{
	std::size_t i = _pWorkers->next.fetch_add(1, std::memory_order_relaxed);
	return _pWorkers->workers[i % _pWorkers->workers.size()].get();
}

bool DispatcherPool::isWorkerThread() const
{
	for (const auto& w: _pWorkers->workers)
	{
		if (w->isCurrent()) return true;
	}
	return false;
}

std::size_t DispatcherPool::size() const
{
	return _pWorkers->workers.size();
}

} // namespace Nats
