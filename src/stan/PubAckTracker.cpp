//
// PubAckTracker.cpp
//
// Library: Nats
// Package: Streaming
// Module:  PubAckTracker
//
// SPDX-License-Identifier: Apache-2.0
//

#include "stan/PubAckTracker.h"
#include "core/Base62.h"
#include "Nats/Exception.h"
#include <algorithm>
#include <random>
#include <time.h>

namespace Nats {

namespace {

const std::size_t PREFIX_LENGTH = 4;

/// steady_clock (CLOCK_MONOTONIC) at tick resolution: a cheaper read for deadlines that are
/// seconds away (an entry may expire up to one tick early).
PubAckTracker::Clock::time_point coarseNow()
{
	timespec ts;
	if (clock_gettime(CLOCK_MONOTONIC_COARSE, &ts) != 0) return PubAckTracker::Clock::now();
	return PubAckTracker::Clock::time_point(std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec));
}

} // namespace

PubAckTracker::PubAckTracker(int maxInflight, double percentage, Poco::Timespan ackWait, bool holdSlots)
	: _max(std::max(1, maxInflight)),
	  _resumeBelow(std::max(1, static_cast<int>(static_cast<double>(std::max(1, maxInflight)) * percentage))),
	  _ackWait(std::chrono::microseconds(ackWait.totalMicroseconds())),
	  _spanLimit(static_cast<std::size_t>(std::max(1, maxInflight)) * 4 + 1024),
	  _holdSlots(holdSlots)
{
	std::random_device rd;
	std::mt19937_64 gen((static_cast<std::uint64_t>(rd()) << 32) ^ rd());
	for (std::size_t i = 0; i < PREFIX_LENGTH; ++i) _prefix.push_back(Base62::digit(gen()));
}

void PubAckTracker::formatGuid(std::uint64_t seq, std::string& out) const
{
	out.assign(_prefix);
	Base62::append(out, seq);
}

bool PubAckTracker::parseGuid(std::string_view guid, std::uint64_t& seq) const
{
	if (guid.size() <= PREFIX_LENGTH || guid.size() > PREFIX_LENGTH + 11) return false;
	if (guid.compare(0, PREFIX_LENGTH, _prefix) != 0) return false;
	return Base62::parse(guid.substr(PREFIX_LENGTH), seq);
}

bool PubAckTracker::add(std::string& guid, Callback callback, Poco::Timespan maxWait, bool direct, bool ignoreHeld)
{
	bool wasEmpty;
	std::uint64_t seq;
	{
		std::unique_lock<std::mutex> lock(_mutex);
		if (_closed) throw ConnectionClosedException("stan: connection closed");
		// Slots in use: entries awaiting their ack, plus (holdSlots) completed entries whose
		// handler has not run yet. `ignoreHeld` (a caller running those handlers) counts only the
		// former, so that it never waits for itself.
		auto full = [&]() { return ignoreHeld ? _count >= _max : (_stalled || _count + _held >= _max); };
		if (full())
		{
			const bool bounded = maxWait.totalMicroseconds() >= 0;
			const auto deadline = Clock::now() + std::chrono::microseconds(bounded ? maxWait.totalMicroseconds() : 0);
			while (!_closed && full())
			{
				// Once full, the window stays stalled until it drains below the release threshold;
				// then the waiters compete for the free slots and it may stall again.
				if (_count + _held >= _max) _stalled = true;
				++_waiters;
				if (bounded)
				{
					auto st = _slotFree.wait_until(lock, deadline);
					--_waiters;
					if (st == std::cv_status::timeout && !_closed && full()) return false;
				}
				else
				{
					_slotFree.wait(lock);
					--_waiters;
				}
			}
			if (_closed) throw ConnectionClosedException("stan: connection closed");
		}
	seq = _nextSeq++;
		wasEmpty = (_count == 0);
		if (_ring.empty()) _base = seq;
		_ring.push_back(Entry());
		Entry& e = _ring.back();
		e.callback = std::move(callback);
		e.deadline = coarseNow() + _ackWait;
		e.pending = true;
		e.direct = direct;
		++_count;
		// An old entry still pending while the ring grew far beyond the window: move the front
		// into the overflow map so that the ring stays bounded.
		while (_ring.size() > _spanLimit)
		{
			Entry& front = _ring.front();
			if (front.pending) _overflow.emplace(_base, std::move(front));
			_ring.pop_front();
			++_base;
			compactLocked();
		}
	}
	formatGuid(seq, guid);
	if (wasEmpty && _arm) _arm();
	return true;
}

PubAckTracker::Entry* PubAckTracker::findLocked(std::uint64_t seq, bool& inOverflow)
{
	if (seq >= _base && seq - _base < _ring.size())
	{
		Entry& e = _ring[static_cast<std::size_t>(seq - _base)];
		inOverflow = false;
		return e.pending ? &e : nullptr;
	}
	auto it = _overflow.find(seq);
	if (it == _overflow.end()) return nullptr;
	inOverflow = true;
	return &it->second;
}

void PubAckTracker::eraseLocked(std::uint64_t seq, bool inOverflow)
{
	--_count;
	if (inOverflow)
	{
		_overflow.erase(seq);
	}
	else
	{
		Entry& e = _ring[static_cast<std::size_t>(seq - _base)];
		e.pending = false;
		e.callback = nullptr;
		compactLocked();
	}
	releaseLocked();
}

void PubAckTracker::compactLocked()
{
	while (!_ring.empty() && !_ring.front().pending)
	{
		_ring.pop_front();
		++_base;
	}
}

void PubAckTracker::releaseLocked()
{
	// Called after an entry was removed.
	if (_stalled && _count + _held < _resumeBelow)
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
	std::uint64_t seq;
	if (!parseGuid(guid, seq)) return false;
	std::lock_guard<std::mutex> lock(_mutex);
	bool inOverflow;
	Entry* e = findLocked(seq, inOverflow);
	if (!e) return false;
	out.guid.assign(guid.data(), guid.size());
	out.callback = std::move(e->callback);
	out.direct = e->direct;
	holdLocked(out);
	eraseLocked(seq, inOverflow);
	return true;
}

bool PubAckTracker::remove(std::string_view guid)
{
	std::uint64_t seq;
	if (!parseGuid(guid, seq)) return false;
	std::lock_guard<std::mutex> lock(_mutex);
	bool inOverflow;
	if (!findLocked(seq, inOverflow)) return false;
	eraseLocked(seq, inOverflow);
	return true;
}

PubAckTracker::Clock::time_point PubAckTracker::expire(Clock::time_point now, std::vector<Completion>& out)
{
	std::lock_guard<std::mutex> lock(_mutex);
	const int before = _count;
	// Overflow entries are older than every ring entry: they expire first.
	while (!_overflow.empty() && _overflow.begin()->second.deadline <= now)
	{
		auto it = _overflow.begin();
		Completion c;
		formatGuid(it->first, c.guid);
		c.callback = std::move(it->second.callback);
		c.direct = it->second.direct;
		holdLocked(c);
		out.push_back(std::move(c));
		_overflow.erase(it);
		--_count;
	}
	if (_overflow.empty())
	{
		while (!_ring.empty() && _ring.front().deadline <= now)
		{
			Entry& e = _ring.front();
			if (e.pending)
			{
				Completion c;
				formatGuid(_base, c.guid);
				c.callback = std::move(e.callback);
				c.direct = e.direct;
				holdLocked(c);
				out.push_back(std::move(c));
				--_count;
			}
			_ring.pop_front();
			++_base;
			compactLocked();
		}
	}
	if (_count != before) releaseLocked();
	if (!_overflow.empty()) return _overflow.begin()->second.deadline;
	return _ring.empty() ? Clock::time_point::max() : _ring.front().deadline;
}

PubAckTracker::Clock::time_point PubAckTracker::nextDeadline() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	if (!_overflow.empty()) return _overflow.begin()->second.deadline;
	return _ring.empty() ? Clock::time_point::max() : _ring.front().deadline;
}

void PubAckTracker::close(std::vector<Completion>& out)
{
	std::lock_guard<std::mutex> lock(_mutex);
	_closed = true;
	for (auto& kv : _overflow)
	{
		Completion c;
		formatGuid(kv.first, c.guid);
		c.callback = std::move(kv.second.callback);
		c.direct = kv.second.direct;
		out.push_back(std::move(c));
	}
	_overflow.clear();
	for (std::size_t i = 0; i < _ring.size(); ++i)
	{
		Entry& e = _ring[i];
		if (!e.pending) continue;
		Completion c;
		formatGuid(_base + i, c.guid);
		c.callback = std::move(e.callback);
		c.direct = e.direct;
		out.push_back(std::move(c));
	}
	_ring.clear(true);
	_count = 0;
	_stalled = false;
	_slotFree.notify_all();
}

void PubAckTracker::holdLocked(Completion& c)
{
	c.held = _holdSlots && c.callback && !c.direct;
	if (c.held) ++_held;
}

void PubAckTracker::release(int n)
{
	if (n <= 0) return;
	std::lock_guard<std::mutex> lock(_mutex);
	_held -= n;
	if (_held < 0) _held = 0;
	releaseLocked();
}

int PubAckTracker::held() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _held;
}

int PubAckTracker::inflight() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _count;
}

bool PubAckTracker::isClosed() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _closed;
}

} // namespace Nats
