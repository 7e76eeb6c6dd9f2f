//
// PubAckTracker.cpp
//
// Library: Nats
// Package: Streaming
// Module:  PubAckTracker
//
// SPDX-License-Identifier: Apache-2.0
//

#include "PubAckTracker.h"
#include "Nats/Exception.h"
#include <algorithm>

namespace Nats {

PubAckTracker::PubAckTracker(int maxInflight, double percentage, Poco::Timespan ackWait)
	: _max(std::max(1, maxInflight)),
	  _resumeBelow(std::max(1, static_cast<int>(static_cast<double>(std::max(1, maxInflight)) * percentage))),
	  _ackWait(std::chrono::microseconds(ackWait.totalMicroseconds()))
{
	_map.reserve(static_cast<std::size_t>(std::min(_max, 1 << 16)));
}

bool PubAckTracker::add(const std::string& guid, Callback callback, Poco::Timespan maxWait, bool direct)
{
	bool wasEmpty;
	{
		std::unique_lock<std::mutex> lock(_mutex);
		if (_closed) throw ConnectionClosedException("stan: connection closed");
		if (_stalled || static_cast<int>(_map.size()) >= _max)
		{
			const bool bounded = maxWait.totalMicroseconds() >= 0;
			const auto deadline = Clock::now() + std::chrono::microseconds(bounded ? maxWait.totalMicroseconds() : 0);
			while (!_closed && (_stalled || static_cast<int>(_map.size()) >= _max))
			{
				// Once full, the window stays stalled until it drains below the release threshold;
				// then the waiters compete for the free slots and it may stall again.
				if (static_cast<int>(_map.size()) >= _max) _stalled = true;
				++_waiters;
				if (bounded)
				{
					auto st = _slotFree.wait_until(lock, deadline);
					--_waiters;
					if (st == std::cv_status::timeout && !_closed && (_stalled || static_cast<int>(_map.size()) >= _max))
						return false;
				}
				else
				{
					_slotFree.wait(lock);
					--_waiters;
				}
			}
			if (_closed) throw ConnectionClosedException("stan: connection closed");
		}
		auto res = _map.emplace(guid, Entry());
		if (!res.second) throw Poco::InvalidArgumentException("stan: duplicate publish guid", guid);
		Map::value_type* node = &*res.first;
		node->second.callback = std::move(callback);
		node->second.direct = direct;
		node->second.deadline = Clock::now() + _ackWait;
		wasEmpty = (_tail == nullptr);
		node->second.prev = _tail;
		if (_tail)
			_tail->second.next = node;
		else
			_head = node;
		_tail = node;
	}
	if (wasEmpty && _arm) _arm();
	return true;
}

void PubAckTracker::unlinkLocked(Map::value_type& node)
{
	Entry& e = node.second;
	if (e.prev)
		e.prev->second.next = e.next;
	else
		_head = e.next;
	if (e.next)
		e.next->second.prev = e.prev;
	else
		_tail = e.prev;
	e.prev = e.next = nullptr;
}

void PubAckTracker::releaseLocked()
{
	// Called after an entry was erased.
	if (_stalled && static_cast<int>(_map.size()) < _resumeBelow)
	{
		_stalled = false;
		if (_waiters > 0) _slotFree.notify_all();
	}
	else if (!_stalled && _waiters > 0)
	{
		_slotFree.notify_all();
	}
}

bool PubAckTracker::complete(std::string_view guid, Completion& out)
{
	// A thread-local key buffer avoids an allocation per ack (C++17 has no heterogeneous lookup
	// for unordered_map).
	thread_local std::string key;
	key.assign(guid.data(), guid.size());
	std::lock_guard<std::mutex> lock(_mutex);
	auto it = _map.find(key);
	if (it == _map.end()) return false;
	unlinkLocked(*it);
	out.guid = key;
	out.callback = std::move(it->second.callback);
	out.direct = it->second.direct;
	_map.erase(it);
	releaseLocked();
	return true;
}

bool PubAckTracker::remove(const std::string& guid)
{
	std::lock_guard<std::mutex> lock(_mutex);
	auto it = _map.find(guid);
	if (it == _map.end()) return false;
	unlinkLocked(*it);
	_map.erase(it);
	releaseLocked();
	return true;
}

PubAckTracker::Clock::time_point PubAckTracker::expire(Clock::time_point now, std::vector<Completion>& out)
{
	std::lock_guard<std::mutex> lock(_mutex);
	bool erased = false;
	while (_head && _head->second.deadline <= now)
	{
		Map::value_type* node = _head;
		unlinkLocked(*node);
		out.push_back(Completion{node->first, std::move(node->second.callback), node->second.direct});
		_map.erase(_map.find(out.back().guid));
		erased = true;
	}
	if (erased) releaseLocked();
	return _head ? _head->second.deadline : Clock::time_point::max();
}

PubAckTracker::Clock::time_point PubAckTracker::nextDeadline() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _head ? _head->second.deadline : Clock::time_point::max();
}

void PubAckTracker::close(std::vector<Completion>& out)
{
	std::lock_guard<std::mutex> lock(_mutex);
	_closed = true;
	for (Map::value_type* node = _head; node; node = node->second.next)
		out.push_back(Completion{node->first, std::move(node->second.callback), node->second.direct});
	_head = _tail = nullptr;
	_map.clear();
	_stalled = false;
	_slotFree.notify_all();
}

int PubAckTracker::inflight() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return static_cast<int>(_map.size());
}

bool PubAckTracker::isClosed() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _closed;
}

} // namespace Nats
