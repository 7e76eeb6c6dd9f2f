//
// ConnectionState.cpp
//
// Library: Nats
// Package: Core
// Module:  ConnectionState
//
// SPDX-License-Identifier: Apache-2.0
//

#include "core/ConnectionState.h"
#include "Nats/Exception.h"

namespace Nats {

void ConnectionState::checkConnectableLocked() const
{
	if (_closing || _closed) throw Poco::IllegalStateException("nats: connection closed; create a new one");
	if (_status.load() != Status::DISCONNECTED) throw Poco::IllegalStateException("nats: already connected");
}

void ConnectionState::checkOpenLocked() const
{
	if (_closing || _closed) throw ConnectionClosedException("nats: connection closed");
}

void ConnectionState::checkUsableLocked() const
{
	checkOpenLocked();
	if (!_threadsStarted) throw Poco::IllegalStateException("nats: not connected (call connect() first)");
}

ConnectionState::CloseStep ConnectionState::beginCloseLocked()
{
	if (_closing) return CloseStep::ALREADY_CLOSING;
	_closing = true;
	_cond.notify_all();
	if (_threadsStarted) return CloseStep::TEAR_DOWN;
	_closed = true;
	return CloseStep::NOTHING_STARTED;
}

void ConnectionState::waitClosed(Lock& lock, std::chrono::seconds timeout)
{
	// woken by markClosed()
	_cond.wait_for(lock, timeout, [this]() { return _closed; });
}

void ConnectionState::markClosed()
{
	std::lock_guard<std::mutex> lock(_mutex);
	_closed = true;
	_cond.notify_all();
}

void ConnectionState::beginDrain()
{
	if (_draining.exchange(true)) throw Poco::IllegalStateException("nats: already draining");
}

bool ConnectionState::waitConnected(Lock& lock, Clock::time_point deadline)
{
	// woken by the Writer's connected() (through notifyAll()) and by close()
	return _cond.wait_until(lock, deadline, [this]() { return _closing || _status.load() == Status::CONNECTED; });
}

bool ConnectionState::waitClosing(Lock& lock, Clock::time_point deadline)
{
	// woken only by close(): the reconnect wait is otherwise a plain timed wait
	_cond.wait_until(lock, deadline, [this]() { return _closing; });
	return _closing;
}

std::shared_ptr<ConnectionState::PongWaiter> ConnectionState::addPongWaiterLocked()
{
	auto w = std::make_shared<PongWaiter>();
	_pongs.push_back(w);
	return w;
}

bool ConnectionState::keepaliveLocked(int maxPingsOut)
{
	if (++_pingsOut > maxPingsOut)
	{
		_pingsOut = 0;
		return false;
	}
	_pongs.push_back(nullptr);
	return true;
}

void ConnectionState::pongLocked()
{
	_pingsOut = 0;
	if (!_pongs.empty())
	{
		std::shared_ptr<PongWaiter> w = _pongs.front();
		_pongs.pop_front();
		if (w)
		{
			w->done = true;
			w->ok = true;
		}
	}
	_cond.notify_all();
}

void ConnectionState::failPongWaitersLocked(std::size_t keepLast)
{
	while (_pongs.size() > keepLast)
	{
		std::shared_ptr<PongWaiter> w = _pongs.front();
		_pongs.pop_front();
		if (w) w->done = true;
	}
	_cond.notify_all();
}

bool ConnectionState::waitPong(Lock& lock, const std::shared_ptr<PongWaiter>& w, Clock::time_point deadline)
{
	// woken by pongLocked() and failPongWaitersLocked() (link lost, close())
	return _cond.wait_until(lock, deadline, [&w]() { return w->done; });
}

void ConnectionState::setLastError(const std::string& text)
{
	std::lock_guard<std::mutex> lock(_mutex);
	_lastError = text;
}

std::string ConnectionState::lastError() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _lastError;
}

} // namespace Nats
