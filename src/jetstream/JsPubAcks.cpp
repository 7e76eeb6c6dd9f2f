//
// JsPubAcks.cpp
//
// Library: Nats
// Package: JetStream
// Module:  JsPubAcks
//
// SPDX-License-Identifier: Apache-2.0
//

#include "jetstream/JsPubAcks.h"
#include "jetstream/JetStreamContext.h"
#include "core/ConnectionImpl.h"
#include "core/Timer.h"
#include "Nats/Exception.h"
#include "Nats/Headers.h"
#include <algorithm>

namespace Nats {

namespace {

const std::string CONNECTION_CLOSED("stan: connection closed");
const std::string PUB_ACK_TIMEOUT("stan: publish ack timeout");

/// The JsPubAcks whose handlers the calling thread runs: a publishAsync() from an ack handler
/// must not wait for the slots held by the handlers queued behind it.
thread_local const JsPubAcks* tlsRunningAcksOf = nullptr;

std::string errorText(const Poco::Exception& e)
{
	return e.message().empty() ? e.displayText() : e.message();
}

} // namespace

JsPubAcks::JsPubAcks(const StanOptions& options, std::shared_ptr<StanCallbackGate> pGate, ErrorReporter reportError, ConnectionImpl& core)
	: _pubAckWait(options.pubAckWait),
	  _pGate(std::move(pGate)),
	  _reportError(std::move(reportError)),
	  _core(core),
	  _timer(core.timer()),
	  _pDispatcher(core.dispatchers().next()),
	  _tracker(options.maxPubAcksInflight, options.maxPubAcksInflightPercentage, options.pubAckWait, true)
{
}

JsPubAcks::~JsPubAcks()
{
}

void JsPubAcks::start(const std::string& pubPrefix)
{
	_pubPrefix = pubPrefix;
	std::weak_ptr<JsPubAcks> weakSelf = weak_from_this();
	_tracker.setArmCallback([weakSelf]() {
		if (auto self = weakSelf.lock()) self->arm(self->_pubAckWait);
	});
}

int JsPubAcks::inflight() const
{
	return _tracker.inflight();
}

// ---------------------------------------------------------------------------------------------
// publish
// ---------------------------------------------------------------------------------------------

std::string JsPubAcks::publishAsync(const std::string& channel, const void* data, std::size_t length, StanAckHandler handler,
	Poco::Timespan maxWait)
{
	std::string guid;
	if (!_tracker.add(guid, std::move(handler), maxWait, false, tlsRunningAcksOf == this))
		throw NatsTimeoutException("stan: publish window full");
	// Per-thread buffers: no allocation per publish once warm.
	thread_local Headers h;
	thread_local std::string reply;
	h.set(JetStreamContext::MSG_ID_HEADER, guid);
	reply.assign(_pubPrefix).append(guid);
	try
	{
		_core.publish(channel, reply, &h, data, length);
	}
	catch (...)
	{
		// If the entry is gone its handler already ran (timeout / close): the call succeeded.
		if (_tracker.remove(guid)) throw;
	}
	return guid;
}

void JsPubAcks::publish(const std::string& channel, const void* data, std::size_t length)
{
	// The waiter lives on this stack; the direct callback runs exactly once, on the reader thread
	// (ack), the timer thread (timeout) or the closing thread, and only captures its address.
	struct Waiter
	{
		std::mutex mutex;
		std::condition_variable cv;
		bool done = false;
		std::string error;
	} waiter;
	Waiter* pWaiter = &waiter;
	std::string guid;
	_tracker.add(guid,
		[pWaiter](const std::string&, const std::string& error) {
			std::lock_guard<std::mutex> lock(pWaiter->mutex);
			pWaiter->done = true;
			pWaiter->error = error;
			pWaiter->cv.notify_one();
		},
		Poco::Timespan(-1), true);
	try
	{
		thread_local Headers h;
		thread_local std::string reply;
		h.set(JetStreamContext::MSG_ID_HEADER, guid);
		reply.assign(_pubPrefix).append(guid);
		_core.publish(channel, reply, &h, data, length, true);
	}
	catch (...)
	{
		if (_tracker.remove(guid)) throw;
		// Completed meanwhile (close): report what the completion said.
	}
	{
		std::unique_lock<std::mutex> lock(waiter.mutex);
		// The timer ends the entry after pubAckWait; the margin only guards a stuck timer.
		const auto deadline = std::chrono::steady_clock::now() + std::chrono::microseconds(_pubAckWait.totalMicroseconds())
			+ std::chrono::seconds(5);
		if (!waiter.cv.wait_until(lock, deadline, [&]() { return waiter.done; }))
		{
			lock.unlock();
			if (_tracker.remove(guid)) throw StanPubAckTimeoutException(PUB_ACK_TIMEOUT);
			// A completer took the callback: it is about to run.
			lock.lock();
			waiter.cv.wait(lock, [&]() { return waiter.done; });
		}
	}
	const std::string& error = waiter.error;
	if (error.empty()) return;
	if (error == PUB_ACK_TIMEOUT) throw StanPubAckTimeoutException(error);
	if (error == CONNECTION_CLOSED) throw ConnectionClosedException(error);
	throw StanPublishException(error);
}

// ---------------------------------------------------------------------------------------------
// completion: acks (reader thread), timeouts (timer thread), close
// ---------------------------------------------------------------------------------------------

void JsPubAcks::onPubAck(const Message& m)
{
	if (m.subject().size() <= _pubPrefix.size()) return;
	const std::string_view guid(m.subject().data() + _pubPrefix.size(), m.subject().size() - _pubPrefix.size());
	std::string error;
	const std::string& d = m.data();
	// Fast path: a PubAck ({"stream":..,"seq":..}) without an error needs no JSON parse.
	const bool plainAck = m.status() == 0 && d.find("\"error\"") == std::string::npos && d.find("\"seq\"") != std::string::npos;
	if (!plainAck)
	{
		try
		{
			JetStreamContext::parsePubAck(m);
		}
		catch (const Poco::Exception& e)
		{
			error = errorText(e);
		}
	}
	PubAckTracker::Completion c;
	if (!_tracker.complete(guid, c)) return;
	bool schedule = false;
	complete(c, error, schedule);
	if (schedule) _pDispatcher->schedule(shared_from_this());
}

void JsPubAcks::complete(PubAckTracker::Completion& c, const std::string& error, bool& schedule)
{
	if (!c.callback) return;
	if (c.direct)
	{
		try
		{
			c.callback(c.guid, error);
		}
		catch (...)
		{
		}
		return;
	}
	std::lock_guard<std::mutex> lock(_queueMutex);
	_queue.push_back(AckEvent{std::move(c.guid), error, std::move(c.callback), c.held});
	if (!_scheduled && !_busy)
	{
		_scheduled = true;
		schedule = true;
	}
}

void JsPubAcks::completeAll(std::vector<PubAckTracker::Completion>& completions, const std::string& error)
{
	bool schedule = false;
	for (auto& c : completions) complete(c, error, schedule);
	completions.clear();
	if (schedule) _pDispatcher->schedule(shared_from_this());
}

void JsPubAcks::arm(Poco::Timespan delay)
{
	std::lock_guard<std::mutex> lock(_timerMutex);
	if (_timerArmed || _timerClosed) return;
	_timerArmed = true;
	std::weak_ptr<JsPubAcks> weakSelf = weak_from_this();
	_timerId = _timer.schedule(delay, [weakSelf]() {
		if (auto self = weakSelf.lock()) self->onTimer();
	});
}

void JsPubAcks::onTimer()
{
	// NATS timer thread.
	{
		std::lock_guard<std::mutex> lock(_timerMutex);
		_timerArmed = false;
		_timerId = 0;
	}
	std::vector<PubAckTracker::Completion> expired;
	const PubAckTracker::Clock::time_point now = PubAckTracker::Clock::now();
	const PubAckTracker::Clock::time_point next = _tracker.expire(now, expired);
	completeAll(expired, PUB_ACK_TIMEOUT);
	if (next != PubAckTracker::Clock::time_point::max())
	{
		const auto us = std::chrono::duration_cast<std::chrono::microseconds>(next - now).count();
		arm(Poco::Timespan(std::max<std::int64_t>(us, 1000)));
	}
}

void JsPubAcks::close()
{
	{
		std::lock_guard<std::mutex> lock(_timerMutex);
		_timerClosed = true;
		if (_timerId) _timer.cancel(_timerId);
		_timerId = 0;
	}
	std::vector<PubAckTracker::Completion> pending;
	_tracker.close(pending);
	completeAll(pending, CONNECTION_CLOSED);
}

// ---------------------------------------------------------------------------------------------
// user ack handlers (the pinned dispatcher worker, or the closing thread)
// ---------------------------------------------------------------------------------------------

void JsPubAcks::runEvents(std::deque<AckEvent>& events)
{
	const JsPubAcks* previous = tlsRunningAcksOf;
	tlsRunningAcksOf = this;
	int held = 0;
	for (auto& e : events)
	{
		{
			StanCallbackGate::Scope scope(*_pGate);
			try
			{
				e.callback(e.guid, e.error);
			}
			catch (const Poco::Exception& exc)
			{
				_reportError(exc);
			}
			catch (const std::exception& exc)
			{
				_reportError(Poco::Exception("stan: ack handler threw", exc.what()));
			}
			catch (...)
			{
				_reportError(Poco::Exception("stan: ack handler threw an unknown exception"));
			}
		}
		e.callback = nullptr; // what the handler captured goes before its slot is reused
		if (e.held) ++held;
	}
	events.clear();
	tlsRunningAcksOf = previous;
	_tracker.release(held);
}

bool JsPubAcks::dispatch(int budget)
{
	std::deque<AckEvent> batch;
	std::unique_lock<std::mutex> lock(_queueMutex);
	_scheduled = false;
	if (_busy || _queue.empty()) return false;
	_busy = true;
	do
	{
		if (_drainAll || static_cast<int>(_queue.size()) <= budget)
		{
			batch.swap(_queue);
		}
		else
		{
			auto end = _queue.begin() + budget;
			batch.insert(batch.end(), std::make_move_iterator(_queue.begin()), std::make_move_iterator(end));
			_queue.erase(_queue.begin(), end);
		}
		lock.unlock();
		runEvents(batch);
		lock.lock();
	} while (_drainAll && !_queue.empty());
	_busy = false;
	const bool more = !_queue.empty();
	if (more) _scheduled = true;
	_queueCv.notify_all();
	return more;
}

void JsPubAcks::drainHandlers()
{
	const bool inCallback = StanCallbackGate::inCallback();
	std::deque<AckEvent> batch;
	std::unique_lock<std::mutex> lock(_queueMutex);
	for (;;)
	{
		if (_busy)
		{
			if (inCallback)
			{
				// The thread running handlers (maybe this one, further up the stack) runs the rest.
				_drainAll = true;
				return;
			}
			_queueCv.wait(lock);
			continue;
		}
		if (_queue.empty()) return;
		// Nobody runs them (the worker may be stopped with the NATS connection): run them here.
		_busy = true;
		batch.swap(_queue);
		lock.unlock();
		runEvents(batch);
		lock.lock();
		_busy = false;
		_queueCv.notify_all();
	}
}

} // namespace Nats
