//
// RingQueue.h
//
// Library: Nats
// Package: Core
// Module:  RingQueue
//
// A FIFO on a circular buffer that keeps its capacity: the per-subscription message queues.
//
// SPDX-License-Identifier: Apache-2.0
//

#ifndef Nats_RingQueue_INCLUDED
#define Nats_RingQueue_INCLUDED

#include <cstddef>
#include <memory>
#include <utility>

namespace Nats {

/// A FIFO of movable values on one circular array that doubles when full and is kept when the
/// queue runs empty (up to MAX_KEPT slots; a larger array, left by a burst, is freed when the
/// queue runs empty). std::deque allocates a 512-byte node every few messages and frees it again
/// as the front passes it (about 0.2 to 0.3 allocations per queued message for our message
/// types); once this queue has grown to a subscription's usual backlog, push and pop allocate
/// nothing. An empty queue that never held anything owns no memory (idle subscriptions stay
/// cheap); clear() with `release` gives the memory back.
///
/// Thread safety: none (the owner's lock guards it).
template <class T>
class RingQueue
{
public:
	static constexpr std::size_t MAX_KEPT = 4096;

	RingQueue() = default;
	RingQueue(const RingQueue&) = delete;
	RingQueue& operator=(const RingQueue&) = delete;

	bool empty() const { return _size == 0; }
	std::size_t size() const { return _size; }

	T& front() { return _pSlots[_head]; }
	const T& front() const { return _pSlots[_head]; }
	T& back() { return _pSlots[(_head + _size - 1) & (_capacity - 1)]; }

	/// The i-th value from the front. REQUIRES: i < size().
	T& operator[](std::size_t i) { return _pSlots[(_head + i) & (_capacity - 1)]; }

	/// May allocate (when full: the array doubles, the values are moved).
	void push_back(T&& value)
	{
		if (_size == _capacity) grow();
		_pSlots[(_head + _size) & (_capacity - 1)] = std::move(value);
		++_size;
	}

	/// REQUIRES: !empty(). The slot is reset to T() so that what the value owned goes now.
	void pop_front()
	{
		_pSlots[_head] = T();
		_head = (_head + 1) & (_capacity - 1);
		if (--_size == 0)
		{
			_head = 0;
			if (_capacity > MAX_KEPT) clear(true);
		}
	}

	/// Moves the front value out and removes it. REQUIRES: !empty(). Cheaper than front() +
	/// pop_front(): the slot keeps the moved-from value (which owns nothing for the library's
	/// message and event types) until it is overwritten.
	T take_front()
	{
		T value = std::move(_pSlots[_head]);
		_head = (_head + 1) & (_capacity - 1);
		if (--_size == 0)
		{
			_head = 0;
			if (_capacity > MAX_KEPT) clear(true);
		}
		return value;
	}

	/// Drops every value; `release` also frees the array.
	void clear(bool release = false)
	{
		while (_size > 0) pop_front();
		_head = 0;
		if (release)
		{
			_pSlots.reset();
			_capacity = 0;
		}
	}

private:
	void grow()
	{
		const std::size_t capacity = _capacity ? _capacity * 2 : 16;
		std::unique_ptr<T[]> pSlots(new T[capacity]);
		for (std::size_t i = 0; i < _size; ++i) pSlots[i] = std::move(_pSlots[(_head + i) & (_capacity - 1)]);
		_pSlots = std::move(pSlots);
		_capacity = capacity;
		_head = 0;
	}

	std::unique_ptr<T[]> _pSlots;
	std::size_t _capacity = 0; // 0 or a power of two
	std::size_t _head = 0;
	std::size_t _size = 0;
};

} // namespace Nats

#endif // Nats_RingQueue_INCLUDED
