//
// StanPubAcks.cpp
//
// Library: Nats
// Package: Streaming
// Module:  StanPubAcks
//
// SPDX-License-Identifier: Apache-2.0
//

#include "stan/StanPubAcks.h"
#include "protocol/StanCodec.h"
#include "core/ConnectionImpl.h"
#include "core/Timer.h"
#include "core/ImplAccess.h"
#include "core/SubjectRules.h"
#include "Nats/Exception.h"
#include <algorithm>
#include <atomic>

namespace Nats {

namespace {

const std::string CONNECTION_CLOSED("stan: connection closed");
const std::string PUB_ACK_TIMEOUT("stan: publish ack timeout");

std::atomic<std::uint64_t> nextSessionId{1};

/// The ack queue whose handler the calling thread runs (publishAsync() from an ack handler must
/// not wait for the slots held by the handlers queued behind it).
thread_local const StanPubAcks* tlsRunningAcksOf = nullptr;

} // namespace

StanPubAcks::StanPubAcks(const StanOptions& options, std::shared_ptr<StanCallbackGate> pGate, ErrorReporter reportError, Timer& timer,
	Dispatcher* pDispatcher)
	: _pubAckWait(options.pubAckWait),
	  _connectWait(options.connectWait),
	  _pGate(std::move(pGate)),
	  _reportError(std::move(reportError)),
	  _tracker(options.maxPubAcksInflight, options.maxPubAcksInflightPercentage, options.pubAckWait, true),
	  _pTimer(&timer),
	  _pDispatcher(pDispatcher),
	  _sessionId(nextSessionId.fetch_add(1))
{
}

StanPubAcks::~StanPubAcks()
{
}

void StanPubAcks::start(Connection& nc, const std::string& clientId, const std::string& connID, const std::string& pubPrefix,
	const std::string& ackSubject)
{
	_pNc = &nc;
	_clientId = clientId;
	_connID = connID;
	_pubPrefix = pubPrefix;
	_ackSubject = ackSubject;
	std::weak_ptr<StanPubAcks> weakSelf = weak_from_this();
	_tracker.setArmCallback([weakSelf]() {
		if (auto self = weakSelf.lock())
			self->armAt(PubAckTracker::Clock::now() + std::chrono::microseconds(self->_pubAckWait.totalMicroseconds()));
	});
}

// ---------------------------------------------------------------------------------------------
// publish
// ---------------------------------------------------------------------------------------------

namespace {

/// What this thread checked last (publishers mostly publish to one channel): the channel name
/// valid as such, and the NATS subject of a channel in one session. The session is keyed by its
/// id (not its address, which a later session may reuse), so a cached subject is never another
/// prefix's.
struct PublishCache
{
	std::string validChannel;
	std::uint64_t session = 0;
	std::string channel;
	std::string subject;
};

thread_local PublishCache tlsPublishCache;

} // namespace

void StanPubAcks::checkChannel(const std::string& channel)
{
	PublishCache& cache = tlsPublishCache;
	if (!cache.validChannel.empty() && cache.validChannel == channel) return;
	SubjectRules::checkPublishChannel(channel);
	cache.validChannel.assign(channel);
}

const std::string& StanPubAcks::subjectFor(const std::string& channel) const
{
	PublishCache& cache = tlsPublishCache;
	if (cache.session != _sessionId || cache.channel != channel)
	{
		cache.session = 0;
		cache.subject.assign(_pubPrefix);
		cache.subject.append(channel);
		SubjectRules::checkPublishSubject(cache.subject); // throws as the NATS publish would
		cache.channel.assign(channel);
		cache.session = _sessionId;
	}
	return cache.subject;
}

std::string StanPubAcks::publishAsync(const std::string& channel, const void* data, std::size_t length, StanAckHandler handler,
	Poco::Timespan maxWait, bool userHandler)
{
	std::string guid; // at most 15 characters: no allocation
	if (!_tracker.add(guid, std::move(handler), maxWait, !userHandler, tlsRunningAcksOf == this))
		throw NatsTimeoutException("stan: publish window full");
	// A per-thread scratch buffer that only grows (its size is its capacity: encoding writes
	// through a pointer, no resize and no zero-fill per publish).
	thread_local std::string buf;
	const std::size_t max = StanCodec::pubMsgMaxSize(_clientId, guid, channel, length, _connID);
	if (buf.size() < max) buf.resize(std::max<std::size_t>(max, 512));
	const std::size_t encoded =
		static_cast<std::size_t>(StanCodec::encodePubMsg(&buf[0], _clientId, guid, channel, data, length, _connID) - buf.data());
	try
	{
		// The reply (_ackSubject) is ours and valid; the subject is checked once per channel and
		// session on this thread, then the NATS publish skips the checks. A sync publish writes on
		// this thread (its caller waits for the answer).
		ImplAccess::impl(*_pNc)->publishValidated(subjectFor(channel), _ackSubject, buf.data(), encoded, !userHandler);
	}
	catch (...)
	{
		// If the entry is gone, its handler already ran (timeout / close): report success of the call.
		if (_tracker.remove(guid)) throw;
	}
	return guid;
}

void StanPubAcks::publish(const std::string& channel, const void* data, std::size_t length)
{
	// The waiter lives on this stack; the callback only captures its address (small enough for
	// std::function's local buffer: no allocation) and runs exactly once, on the reader thread
	// (ack), the timer thread (timeout) or the closing thread.
	struct Waiter
	{
		std::mutex mutex;
		std::condition_variable cv;
		bool done = false;
		bool sleeping = false;
		std::string error;
	} waiter;
	Waiter* pWaiter = &waiter;
	const std::string guid = publishAsync(channel, data, length,
		[pWaiter](const std::string&, const std::string& error) {
			std::lock_guard<std::mutex> lock(pWaiter->mutex);
			pWaiter->done = true;
			pWaiter->error = error;
			if (pWaiter->sleeping) pWaiter->cv.notify_one();
		},
		Poco::Timespan(-1), false);
	{
		std::unique_lock<std::mutex> lock(waiter.mutex);
		// The timer completes the entry after pubAckWait; the margin only guards against a stuck
		// timer.
		auto deadline = std::chrono::steady_clock::now() + std::chrono::microseconds(_pubAckWait.totalMicroseconds())
			+ std::chrono::microseconds(_connectWait.totalMicroseconds()) + std::chrono::seconds(1);
		waiter.sleeping = true;
		if (!waiter.cv.wait_until(lock, deadline, [&]() { return waiter.done; }))
		{
			lock.unlock();
			if (_tracker.remove(guid)) throw StanPubAckTimeoutException(PUB_ACK_TIMEOUT);
			// The callback was taken by a completer: it is about to run.
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

int StanPubAcks::inflight() const
{
	return _tracker.inflight();
}

// ---------------------------------------------------------------------------------------------
// completion: acks (reader thread), timeouts (timer thread), close
// ---------------------------------------------------------------------------------------------

void StanPubAcks::onPubAck(const Message& msg)
{
	PubAckView v;
	try
	{
		StanCodec::decodePubAck(msg.data().data(), msg.data().size(), v);
	}
	catch (Poco::Exception& exc)
	{
		_reportError(exc);
		return;
	}
	PubAckTracker::Completion c;
	if (!_tracker.complete(v.guid, c)) return;
	if (!c.callback) return;
	if (c.direct)
	{
		c.callback(c.guid, std::string(v.error));
		return;
	}
	bool schedule = false;
	{
		std::lock_guard<std::mutex> lock(_queueMutex);
		_queue.push_back(AckEvent{std::move(c.guid), std::string(v.error), std::move(c.callback), c.held});
		if (!_scheduled && !_busy)
		{
			_scheduled = true;
			schedule = true;
		}
	}
	if (schedule) _pDispatcher->schedule(shared_from_this());
}

void StanPubAcks::complete(std::vector<PubAckTracker::Completion>& completions, const std::string& error)
{
	bool schedule = false;
	for (auto& c : completions)
	{
		if (!c.callback) continue;
		if (c.direct)
		{
			try
			{
				c.callback(c.guid, error);
			}
			catch (...)
			{
			}
			continue;
		}
		std::lock_guard<std::mutex> lock(_queueMutex);
		_queue.push_back(AckEvent{std::move(c.guid), error, std::move(c.callback), c.held});
		if (!_scheduled && !_busy)
		{
			_scheduled = true;
			schedule = true;
		}
	}
	completions.clear();
	if (schedule) _pDispatcher->schedule(shared_from_this());
}

void StanPubAcks::armAt(PubAckTracker::Clock::time_point deadline)
{
	std::lock_guard<std::mutex> lock(_timerMutex);
	if (_timerArmed || _timerClosed || !_pTimer) return;
	_timerArmed = true;
	const auto delay = std::chrono::duration_cast<std::chrono::microseconds>(deadline - PubAckTracker::Clock::now());
	std::weak_ptr<StanPubAcks> weakSelf = weak_from_this();
	_timerId = _pTimer->schedule(Poco::Timespan(std::max<std::int64_t>(0, delay.count())), [weakSelf]() {
		if (auto self = weakSelf.lock()) self->onTimer();
	});
}

void StanPubAcks::onTimer()
{
	// NATS timer thread.
	{
		std::lock_guard<std::mutex> lock(_timerMutex);
		_timerArmed = false;
		_timerId = 0;
	}
	std::vector<PubAckTracker::Completion> expired;
	const PubAckTracker::Clock::time_point next = _tracker.expire(PubAckTracker::Clock::now(), expired);
	complete(expired, PUB_ACK_TIMEOUT);
	if (next != PubAckTracker::Clock::time_point::max()) armAt(next);
}

void StanPubAcks::close()
{
	{
		std::lock_guard<std::mutex> lock(_timerMutex);
		_timerClosed = true;
		if (_timerId && _pTimer) _pTimer->cancel(_timerId);
		_timerId = 0;
	}
	std::vector<PubAckTracker::Completion> pending;
	_tracker.close(pending);
	complete(pending, CONNECTION_CLOSED);
}

// ---------------------------------------------------------------------------------------------
// user ack handlers (a pinned dispatcher worker, or the closing thread)
// ---------------------------------------------------------------------------------------------

void StanPubAcks::takeLocked(std::size_t n)
{
	for (std::size_t i = 0; i < n && !_queue.empty(); ++i)
	{
		_running.push_back(_queue.take_front());
	}
}

void StanPubAcks::runEvents()
{
	const StanPubAcks* previous = tlsRunningAcksOf;
	tlsRunningAcksOf = this;
	int held = 0;
	for (auto& e : _running)
	{
		{
			StanCallbackGate::Scope scope(*_pGate);
			try
			{
				e.callback(e.guid, e.error);
			}
			catch (Poco::Exception& exc)
			{
				_reportError(exc);
			}
			catch (std::exception& exc)
			{
				_reportError(Poco::Exception("stan: ack handler threw", exc.what()));
			}
			catch (...)
			{
				_reportError(Poco::Exception("stan: ack handler threw an unknown exception"));
			}
		}
		e.callback = nullptr; // what the handler captured goes now, before its slot is reused
		if (e.held) ++held;
	}
	_running.clear();
	tlsRunningAcksOf = previous;
	_tracker.release(held);
}

bool StanPubAcks::dispatch(int budget)
{
	std::unique_lock<std::mutex> lock(_queueMutex);
	_scheduled = false;
	if (_busy || _queue.empty()) return false;
	_busy = true;
	do
	{
		takeLocked(_drainAll ? _queue.size() : static_cast<std::size_t>(budget));
		lock.unlock();
		runEvents();
		lock.lock();
	} while (_drainAll && !_queue.empty());
	_busy = false;
	const bool more = !_queue.empty();
	if (more) _scheduled = true;
	_queueCv.notify_all();
	return more;
}

void StanPubAcks::drainHandlers(StanCallbackGate::Deadline deadline)
{
	const bool inCallback = StanCallbackGate::inCallback();
	std::unique_lock<std::mutex> lock(_queueMutex);
	for (;;)
	{
		if (_busy)
		{
			if (inCallback || StanCallbackGate::Deadline::clock::now() >= deadline)
			{
				// The thread running handlers (maybe this one, further up the stack) runs the rest.
				_drainAll = true;
				return;
			}
			if (deadline == StanCallbackGate::Deadline::max())
				_queueCv.wait(lock);
			else
				_queueCv.wait_until(lock, deadline);
			continue;
		}
		if (_queue.empty()) return;
		// Nobody runs them (the worker may be stopped with the NATS connection): run them here, in order.
		_busy = true;
		takeLocked(_queue.size());
		lock.unlock();
		runEvents();
		lock.lock();
		_busy = false;
		_queueCv.notify_all();
	}
}

} // namespace Nats
