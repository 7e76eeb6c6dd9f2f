//
// SubscriptionImpl.cpp
//
// Library: Nats
// Package: Core
// Module:  SubscriptionImpl
//
// SPDX-License-Identifier: Apache-2.0
//

#include "core/SubscriptionImpl.h"
#include "core/ConnectionImpl.h"
#include "Nats/Exception.h"
#include <chrono>

namespace Nats {

SubscriptionImpl::SubscriptionImpl(std::weak_ptr<ConnectionImpl> connection, std::int64_t sid, const std::string& subject,
	const std::string& queue, Kind kind, MessageHandler handler, int maxPendingMessages, long long maxPendingBytes, Dispatcher* pDispatcher)
	: _connection(std::move(connection)),
	  _sid(sid),
	  _subject(subject),
	  _queue(queue),
	  _kind(kind),
	  _handler(std::move(handler)),
	  _pDispatcher(pDispatcher),
	  _limits{maxPendingMessages, maxPendingBytes}
{
}

bool SubscriptionImpl::countReceived(bool& limitReached)
{
	limitReached = false;
	std::uint64_t n = _received.fetch_add(1) + 1;
	std::uint64_t max = _max.load();
	if (max == 0) return true;
	if (n > max) return false;
	limitReached = (n == max);
	return true;
}

std::uint64_t SubscriptionImpl::setMax(std::uint64_t max)
{
	_max.store(max);
	return _received.load();
}

bool SubscriptionImpl::enqueue(Message&& message, bool& reportSlow)
{
	reportSlow = false;
	bool schedule = false;
	{
		std::lock_guard<std::mutex> lock(_mutex);
		if (_closed) return false;
		const long long size = static_cast<long long>(message.data().size() + message.rawHeaders().size());
		if (!_limits.admits(_pendingMessages.load(std::memory_order_relaxed), _pendingBytes.load(std::memory_order_relaxed), size))
		{
			_dropped.fetch_add(1);
			if (!_slow)
			{
				_slow = true;
				_slowUnreported = true;
				reportSlow = (_kind == Kind::ASYNC);
			}
			return false;
		}
		_messages.push_back(std::move(message));
		_pendingMessages.fetch_add(1, std::memory_order_relaxed);
		_pendingBytes.fetch_add(size, std::memory_order_relaxed);
		if (_kind == Kind::SYNC)
		{
			if (_messages.size() == 1) _cond.notify_one();
		}
		else if (!_scheduled)
		{
			_scheduled = true;
			schedule = true;
		}
	}
	if (schedule && _pDispatcher) _pDispatcher->schedule(shared_from_this());
	return true;
}

bool SubscriptionImpl::dispatch(int budget)
{
	{
		std::lock_guard<std::mutex> lock(_mutex);
		if (_closed || _messages.empty())
		{
			_scheduled = false;
			return false;
		}
		// take a batch under one lock; pending counters drop message by message as they are handed out
		for (int n = 0; n < budget && !_messages.empty(); ++n)
		{
			_batch.push_back(_messages.take_front());
		}
		_busy = true;
	}
	for (const Message& m: _batch)
	{
		if (_closed.load(std::memory_order_relaxed)) break;
		_pendingMessages.fetch_sub(1, std::memory_order_relaxed);
		_pendingBytes.fetch_sub(static_cast<long long>(m.data().size() + m.rawHeaders().size()), std::memory_order_relaxed);
		_delivered.fetch_add(1, std::memory_order_relaxed);
		try
		{
			_handler(m);
		}
		catch (Poco::Exception& e)
		{
			if (auto c = _connection.lock()) c->reportError(e);
		}
		catch (std::exception& e)
		{
			if (auto c = _connection.lock()) c->reportError(NatsException("exception in message handler of '" + _subject + "': " + e.what()));
		}
		catch (...)
		{
			if (auto c = _connection.lock()) c->reportError(NatsException("unknown exception in message handler of '" + _subject + "'"));
		}
		afterDelivery();
	}
	_batch.clear();
	std::lock_guard<std::mutex> lock(_mutex);
	_busy = false;
	if (_closed || _messages.empty())
	{
		_slow = false;
		_scheduled = false;
		_idleCond.notify_all();
		return false;
	}
	return true;
}

void SubscriptionImpl::deliverInline(const Message& message)
{
	_delivered.fetch_add(1);
	try
	{
		_handler(message);
	}
	catch (Poco::Exception& e)
	{
		if (auto c = _connection.lock()) c->reportError(e);
	}
	catch (std::exception& e)
	{
		if (auto c = _connection.lock()) c->reportError(NatsException("exception in message handler of '" + _subject + "': " + e.what()));
	}
	catch (...)
	{
	}
	afterDelivery();
}

void SubscriptionImpl::afterDelivery()
{
	std::uint64_t max = _max.load();
	if (max > 0 && _delivered.load() >= max) markClosed(false);
}

Message SubscriptionImpl::nextMessage(Poco::Timespan timeout)
{
	if (_kind != Kind::SYNC) throw Poco::IllegalStateException("nextMessage() needs a synchronous subscription (subscribeSync)");
	std::unique_lock<std::mutex> lock(_mutex);
	auto deadline = std::chrono::steady_clock::now() + std::chrono::microseconds(timeout.totalMicroseconds());
	for (;;)
	{
		if (_slowUnreported)
		{
			_slowUnreported = false;
			throw SlowConsumerException("nats: slow consumer, messages dropped on '" + _subject + "'");
		}
		if (!_messages.empty())
		{
			Message m = std::move(_messages.front());
			_messages.pop_front();
			--_pendingMessages;
			_pendingBytes -= static_cast<long long>(m.data().size() + m.rawHeaders().size());
			if (_pendingMessages == 0) _slow = false;
			if (_messages.empty()) _idleCond.notify_all();
			lock.unlock();
			_delivered.fetch_add(1);
			afterDelivery();
			return m;
		}
		if (_closed)
		{
			if (_connectionClosed) throw ConnectionClosedException("nats: connection closed");
			throw Poco::IllegalStateException("nats: invalid subscription (unsubscribed)");
		}
		if (_cond.wait_until(lock, deadline) == std::cv_status::timeout && _messages.empty() && !_closed && !_slowUnreported)
			throw NatsTimeoutException("nats: timeout");
	}
}

void SubscriptionImpl::markClosed(bool connectionClosed)
{
	std::function<void()> onClosed;
	{
		std::lock_guard<std::mutex> lock(_mutex);
		if (!_closed || connectionClosed) _connectionClosed = _connectionClosed || connectionClosed;
		_closed = true;
		_messages.clear(true);
		_pendingMessages = 0;
		_pendingBytes = 0;
		_cond.notify_all();
		_idleCond.notify_all();
		if (connectionClosed) onClosed = std::move(_connectionClosedHandler);
	}
	if (onClosed) onClosed();
}

void SubscriptionImpl::setConnectionClosedHandler(std::function<void()> handler)
{
	std::lock_guard<std::mutex> lock(_mutex);
	_connectionClosedHandler = std::move(handler);
}

bool SubscriptionImpl::isClosed() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _closed;
}

bool SubscriptionImpl::idle() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _closed || (_messages.empty() && !_busy);
}

bool SubscriptionImpl::waitIdle(std::chrono::steady_clock::time_point deadline)
{
	std::unique_lock<std::mutex> lock(_mutex);
	return _idleCond.wait_until(lock, deadline, [this]() { return _closed || (_messages.empty() && !_busy); });
}

int SubscriptionImpl::pendingMessages() const
{
	int n = _pendingMessages.load();
	return n > 0 ? n : 0;
}

long long SubscriptionImpl::pendingBytes() const
{
	long long n = _pendingBytes.load();
	return n > 0 ? n : 0;
}

void SubscriptionImpl::setPendingLimits(PendingLimits limits)
{
	std::lock_guard<std::mutex> lock(_mutex);
	_limits = limits;
}

PendingLimits SubscriptionImpl::pendingLimits() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _limits;
}

} // namespace Nats
