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
	_ready.clear();
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
			item = std::move(_ready.front());
			_ready.pop_front();
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

DispatcherPool::DispatcherPool(int threads, const std::string& name)
{
	if (threads < 1) threads = 1;
	for (int i = 0; i < threads; ++i) _workers.emplace_back(new Dispatcher(name + "-" + std::to_string(i)));
}

void DispatcherPool::start()
{
	for (auto& w: _workers) w->start();
}

void DispatcherPool::stop()
{
	for (auto& w: _workers) w->stop();
}

void DispatcherPool::join()
{
	for (auto& w: _workers) w->join();
}

Dispatcher* DispatcherPool::next()
{
	std::size_t i = _next.fetch_add(1, std::memory_order_relaxed);
	return _workers[i % _workers.size()].get();
}

bool DispatcherPool::isWorkerThread() const
{
	for (const auto& w: _workers)
	{
		if (w->isCurrent()) return true;
	}
	return false;
}

} // namespace Nats
