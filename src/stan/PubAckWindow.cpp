//
// PubAckWindow.cpp
//
// Library: Nats
// Package: Streaming
// Module:  PubAckWindow
//
// SPDX-License-Identifier: Apache-2.0
//

#include "stan/PubAckWindow.h"
#include "core/Timer.h"
#include "Nats/Exception.h"
#include <algorithm>

namespace Nats {

const std::string PubAckWindow::CONNECTION_CLOSED("stan: connection closed");
const std::string PubAckWindow::PUB_ACK_TIMEOUT("stan: publish ack timeout");

PubAckWindow::PubAckWindow(const StanOptions& options, Poco::Timespan stuckTimerMargin, std::shared_ptr<StanCallbackGate> pGate,
	ErrorReporter reportError, Timer& timer, Dispatcher* pDispatcher)
	: _pubAckWait(options.pubAckWait),
	  _stuckTimerMargin(stuckTimerMargin),
	  _pGate(std::move(pGate)),
	  _reportError(std::move(reportError)),
	  _tracker(options.maxPubAcksInflight, options.maxPubAcksInflightPercentage, options.pubAckWait, true),
	  _timer(timer),
	  _pDispatcher(pDispatcher)
{
}

PubAckWindow::~PubAckWindow()
{
}

void PubAckWindow::startWindow()
{
	std::weak_ptr<PubAckWindow> weakSelf = weak_from_this();
	_tracker.setArmCallback([weakSelf]() {
		if (auto self = weakSelf.lock())
			self->armAt(PubAckTracker::Clock::now() + std::chrono::microseconds(self->_pubAckWait.totalMicroseconds()));
	});
}

int PubAckWindow::inflight() const
{
	return _tracker.inflight();
}

// ---------------------------------------------------------------------------------------------
// slots
// ---------------------------------------------------------------------------------------------

void PubAckWindow::throwWindowFull()
{
	throw NatsTimeoutException("stan: publish window full");
}

void PubAckWindow::acquireForWaiter(std::string& guid, Waiter& waiter)
{
	Waiter* pWaiter = &waiter;
	const bool added = _tracker.add(guid,
		[pWaiter](const std::string&, const std::string& error) {
			std::lock_guard<std::mutex> lock(pWaiter->mutex);
			pWaiter->done = true;
			pWaiter->error = error;
			if (pWaiter->sleeping) pWaiter->cv.notify_one();
		},
		Poco::Timespan(-1), true, tlsRunningAcksOf == this);
	if (!added) throwWindowFull(); // add() fails only on a timeout: not with an unbounded wait
}

void PubAckWindow::await(const std::string& guid, Waiter& waiter)
{
	{
		std::unique_lock<std::mutex> lock(waiter.mutex);
		const auto deadline = std::chrono::steady_clock::now() + std::chrono::microseconds(_pubAckWait.totalMicroseconds())
			+ std::chrono::microseconds(_stuckTimerMargin.totalMicroseconds());
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

// ---------------------------------------------------------------------------------------------
// completion: acks (reader thread), timeouts (timer thread), close
// ---------------------------------------------------------------------------------------------

void PubAckWindow::completeOne(PubAckTracker::Completion& c, std::string_view error, bool& schedule)
{
	if (!c.callback) return;
	if (c.direct)
	{
		try
		{
			c.callback(c.guid, std::string(error));
		}
		catch (...)
		{
		}
		return;
	}
	std::lock_guard<std::mutex> lock(_queueMutex);
	_queue.push_back(AckEvent{std::move(c.guid), std::string(error), std::move(c.callback), c.held});
	if (!_scheduled && !_busy)
	{
		_scheduled = true;
		schedule = true;
	}
}

void PubAckWindow::completeAck(std::string_view guid, std::string_view error)
{
	PubAckTracker::Completion c;
	if (!_tracker.complete(guid, c)) return;
	bool schedule = false;
	completeOne(c, error, schedule);
	if (schedule) _pDispatcher->schedule(shared_from_this());
}

void PubAckWindow::completeAll(std::vector<PubAckTracker::Completion>& completions, const std::string& error)
{
	bool schedule = false;
	for (auto& c : completions) completeOne(c, error, schedule);
	completions.clear();
	if (schedule) _pDispatcher->schedule(shared_from_this());
}

void PubAckWindow::armAt(PubAckTracker::Clock::time_point deadline)
{
	std::lock_guard<std::mutex> lock(_timerMutex);
	if (_timerArmed || _timerClosed) return;
	_timerArmed = true;
	std::weak_ptr<PubAckWindow> weakSelf = weak_from_this();
	_timerId = _timer.schedule(deadline, [weakSelf]() {
		if (auto self = weakSelf.lock()) self->onTimer();
	});
}

void PubAckWindow::onTimer()
{
	// NATS timer thread.
	{
		std::lock_guard<std::mutex> lock(_timerMutex);
		_timerArmed = false;
		_timerId = 0;
	}
	std::vector<PubAckTracker::Completion> expired;
	const PubAckTracker::Clock::time_point next = _tracker.expire(PubAckTracker::Clock::now(), expired);
	completeAll(expired, PUB_ACK_TIMEOUT);
	if (next != PubAckTracker::Clock::time_point::max()) armAt(next);
}

void PubAckWindow::close()
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
// user ack handlers (a pinned dispatcher worker, or the closing thread)
// ---------------------------------------------------------------------------------------------

void PubAckWindow::takeLocked(std::size_t n)
{
	for (std::size_t i = 0; i < n && !_queue.empty(); ++i)
	{
		_running.push_back(_queue.take_front());
	}
}

void PubAckWindow::runEvents()
{
	const PubAckWindow* previous = tlsRunningAcksOf;
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
		e.callback = nullptr; // what the handler captured goes now, before its slot is reused
		if (e.held) ++held;
	}
	_running.clear();
	tlsRunningAcksOf = previous;
	_tracker.release(held);
}

bool PubAckWindow::dispatch(int budget)
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

void PubAckWindow::drainHandlers(StanCallbackGate::Deadline deadline)
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
