//
// JsStanSubscription.cpp
//
// Library: Nats
// Package: JetStream
// Module:  JsStanSubscription
//
// SPDX-License-Identifier: Apache-2.0
//

#include "jetstream/JsStanSubscription.h"
#include "jetstream/JsStanConnection.h"
#include "jetstream/JetStreamContext.h"
#include "jetstream/JetStreamException.h"
#include "core/ConnectionImpl.h"
#include "core/ImplAccess.h"
#include "core/SubjectRules.h"
#include "stan/StanCallback.h"
#include "Nats/Exception.h"

namespace Nats {

namespace {

std::int64_t nowUs()
{
	return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

} // namespace

JsStanSubscription::JsStanSubscription(std::shared_ptr<JsStanConnection> pConnection, std::string channel, std::string group,
	StanMessageHandler handler, StanSubscriptionOptions options, bool sync)
	: _pConnection(pConnection), _pGate(pConnection->callbackGate()), _channel(std::move(channel)), _group(std::move(group)), _handler(std::move(handler)),
	  _options(std::move(options)), _sync(sync), _clientId(pConnection->clientId())
{
}

JsStanSubscription::~JsStanSubscription()
{
}

void JsStanSubscription::onMessage(const Message& m)
{
	_lastActivityUs = nowUs();
	const int status = m.status();
	if (status == 100)
	{
		// Flow control requests carry a reply subject, idle heartbeats do not; a heartbeat of a
		// consumer stalled by a lost flow-control reply names the subject to answer.
		if (m.reply().empty())
		{
			const std::string stalled = m.headers().get("Nats-Consumer-Stalled");
			if (!stalled.empty()) answerFlowControl(stalled);
			return;
		}
		Entry e;
		e.reply = m.reply();
		e.flowControl = true;
		push(std::move(e), 0);
		return;
	}
	if (status != 0) return;
	thread_local AckMetadata md; // reader thread: its strings keep their capacity
	if (!AckMetadata::parse(m.reply(), md))
	{
		if (std::shared_ptr<JsStanConnection> pConn = _pConnection.lock())
			pConn->reportError(NatsProtocolException("stan: JetStream message without ack metadata on " + m.subject() + ": " + m.reply()));
		return;
	}
	const std::uint32_t redeliveries = md.numDelivered > 1 ? static_cast<std::uint32_t>(md.numDelivered - 1) : 0;
	Entry e;
	e.message = StanMessage(md.streamSequence, md.timestamp, md.numDelivered > 1, redeliveries, _channel, m.data(), 0, weak_from_this());
	e.reply = m.reply();
	const long long size = static_cast<long long>(m.data().size());
	push(std::move(e), size);
}

void JsStanSubscription::push(Entry&& e, long long size)
{
	bool schedule = false;
	bool wake = false;
	bool reportSlow = false;
	{
		std::lock_guard<std::mutex> lock(_mutex);
		if (_stopped) return;
		if (!e.flowControl
			&& !_limits.admits(static_cast<long long>(_queue.size()), _queueBytes, size))
		{
			++_dropped;
			// reported once per episode (it ends when the queue drained), as on the streaming backend
			reportSlow = !_slow;
			_slow = true;
		}
		else
		{
			_queueBytes += size;
			_queue.push_back(std::move(e));
			if (_sync)
			{
				wake = true;
			}
			else if (_started && !_scheduled)
			{
				_scheduled = true;
				schedule = true;
			}
		}
	}
	if (wake) _cond.notify_all();
	if (schedule) _pDispatcher->schedule(shared_from_this());
	if (reportSlow) report(SlowConsumerException("stan: slow consumer, messages dropped on channel " + _channel));
}

void JsStanSubscription::answerFlowControl(const std::string& reply)
{
	std::shared_ptr<JsStanConnection> pConn = _pConnection.lock();
	if (!pConn) return;
	try
	{
		ImplAccess::impl(pConn->nats())->publish(reply, "", "", 0);
		++_fcReplies;
	}
	catch (const Poco::Exception& e)
	{
		pConn->reportError(e);
	}
}

void JsStanSubscription::sendAck(const std::string& reply)
{
	sendAck(_pConnection.lock(), reply);
}

void JsStanSubscription::sendAck(const std::shared_ptr<JsStanConnection>& pConn, const std::string& reply)
{
	if (!pConn) return;
	try
	{
		// `reply` passed AckMetadata::parse (no empty or wildcard token; the parser admits no white
		// space), so the per-character subject check is skipped: it was half the cost of an ack.
		ImplAccess::impl(pConn->nats())->publishValidated(reply, "", "+ACK", 4);
	}
	catch (const Poco::Exception& e)
	{
		pConn->reportError(e);
	}
}

bool JsStanSubscription::takeFrontLocked(std::unique_lock<std::mutex>& lock, Entry& out)
{
	out = std::move(_queue.front());
	_queue.pop_front();
	if (out.flowControl)
	{
		lock.unlock();
		answerFlowControl(out.reply);
		lock.lock();
		return false;
	}
	_queueBytes -= static_cast<long long>(out.message.data().size());
	if (_sync && _queue.empty()) _slow = false; // the slow-consumer episode is over (pull)
	if (_options.manualAcks) _unacked[out.message.sequence()] = out.reply;
	return true;
}

void JsStanSubscription::report(const Poco::Exception& e)
{
	if (std::shared_ptr<JsStanConnection> pConn = _pConnection.lock()) pConn->reportError(e);
}

bool JsStanSubscription::dispatch(int budget)
{
	// The pinned dispatcher worker. No strong reference to the connection is kept across calls:
	// the last one must not go on a thread of the NATS connection it owns.
	StanMessageHandler released;
	int done = 0;
	std::unique_lock<std::mutex> lock(_mutex);
	while (true)
	{
		if (_stopped || _queue.empty())
		{
			_scheduled = false;
			_slow = false; // the handler caught up: the slow-consumer episode is over
			if (_stopped) released = std::move(_handler); // destroyed after the lock is released
			return false;
		}
		if (done >= budget) return true; // behind the other subscriptions of this worker
		Entry e;
		if (!takeFrontLocked(lock, e)) continue;
		++done;
		_busy = true;
		lock.unlock();
		bool ok = true;
		if (!_stopFlag.load(std::memory_order_acquire))
		{
			// The handler keeps the connection alive: a destructor that gave up waiting for it
			// (StanOptions::closeTimeout) leaves it to this thread, and the auto-ack below needs it.
			const std::shared_ptr<JsStanConnection> pConn = _pConnection.lock();
			StanCallbackGate::Scope scope(*_pGate);
			try
			{
				_handler(e.message);
			}
			catch (const Poco::Exception& ex)
			{
				ok = false;
				report(ex);
			}
			catch (const std::exception& ex)
			{
				ok = false;
				report(Poco::Exception("stan: message handler threw", ex.what()));
			}
			catch (...)
			{
				ok = false;
				report(Poco::Exception("stan: message handler threw an unknown exception"));
			}
			++_delivered;
			// Also when close() began while the handler ran: it returned normally, so it is acked
			// (close() flushes the acks before it deletes anything).
			if (ok && !_options.manualAcks) sendAck(pConn, e.reply);
		}
		lock.lock();
		_busy = false;
		_idleCv.notify_all();
	}
}

bool JsStanSubscription::stop(StanCallbackGate::Deadline deadline)
{
	StanMessageHandler released;
	std::string lastPulled;
	{
		std::lock_guard<std::mutex> lock(_mutex);
		if (_stopped) return false;
		_stopped = true;
		_stopFlag.store(true, std::memory_order_release);
		_queue.clear();
		_queueBytes = 0;
		if (!_busy) released = std::move(_handler);
		lastPulled.swap(_lastPulled);
		_cond.notify_all();
	}
	try
	{
		if (_natsSub.isValid()) _natsSub.unsubscribe();
	}
	catch (...)
	{
	}
	// Pull + auto-ack: the application had the last pulled message; ack it before any flush.
	if (!lastPulled.empty()) sendAck(lastPulled);
	if (!StanCallbackGate::inCallback())
	{
		// Waits for a handler in progress (its auto-ack goes out before the caller's flush).
		std::unique_lock<std::mutex> lock(_mutex);
		if (deadline == StanCallbackGate::Deadline::max())
			_idleCv.wait(lock, [this]() { return !_busy; });
		else
			_idleCv.wait_until(lock, deadline, [this]() { return !_busy; });
	}
	return true;
}

void JsStanSubscription::close(bool unsubscribe)
{
	std::shared_ptr<JsStanConnection> pConn = _pConnection.lock();
	{
		std::lock_guard<std::mutex> lock(_mutex);
		if (_closed || !_started)
		{
			if (unsubscribe) throw StanSubscriptionException("stan: invalid subscription");
			return;
		}
		_closed = true;
	}
	stop();
	if (!pConn || pConn->status() != StanConnection::Status::CONNECTED)
	{
		if (pConn) pConn->removeSubscription(this);
		throw ConnectionClosedException("stan: connection closed");
	}
	pConn->removeSubscription(this);
	const Poco::Timespan wait = pConn->options().connectWait;
	try
	{
		// The acks given so far reach the server before the consumer may be deleted.
		pConn->nats().flush(wait);
	}
	catch (...)
	{
	}
	const bool plainDurable = _group.empty() && !_options.durableName.empty();
	const bool queueGroup = !_group.empty();
	bool remove = _ephemeral || (plainDurable && unsubscribe) || (queueGroup && (unsubscribe || _options.durableName.empty()));
	if (!remove) return;
	JetStreamContext& js = pConn->context();
	try
	{
		// A queue group's consumer stays while another member is bound to it.
		if (queueGroup && js.consumerInfo(_stream, _consumer).pushBound) return;
		js.deleteConsumer(_stream, _consumer);
	}
	catch (const JetStreamApiException& e)
	{
		if (e.errCode() == JetStreamApiException::CONSUMER_NOT_FOUND || _ephemeral) return;
		throw StanSubscriptionException(e.message());
	}
	catch (const NatsTimeoutException&)
	{
		if (_ephemeral) return;
		throw StanRequestTimeoutException(unsubscribe ? "stan: unsubscribe request timeout" : "stan: close request timeout");
	}
}

void JsStanSubscription::closeFromHandle()
{
	try
	{
		close(false);
	}
	catch (const ConnectionClosedException&)
	{
	}
	catch (const Poco::Exception& e)
	{
		if (std::shared_ptr<JsStanConnection> pConn = _pConnection.lock()) pConn->reportError(e);
	}
	catch (...)
	{
	}
}

void JsStanSubscription::closeOnConnectionClose(StanCallbackGate::Deadline deadline)
{
	{
		std::lock_guard<std::mutex> lock(_mutex);
		if (_closed) return;
		_closed = true;
	}
	stop(deadline);
	if (!_ephemeral) return;
	std::shared_ptr<JsStanConnection> pConn = _pConnection.lock();
	if (!pConn) return;
	try
	{
		pConn->context().deleteConsumer(_stream, _consumer);
	}
	catch (...)
	{
	}
}

void JsStanSubscription::closeLocal(StanCallbackGate::Deadline deadline)
{
	{
		std::lock_guard<std::mutex> lock(_mutex);
		_closed = true;
	}
	stop(deadline);
}

void JsStanSubscription::ack(const StanMessage& message)
{
	if (!_options.manualAcks) throw Poco::IllegalStateException("stan: cannot manually ack in auto-ack mode");
	const auto& owner = message.subscriptionImpl();
	std::weak_ptr<JsStanSubscription> me = weak_from_this();
	if (owner.owner_before(me) || me.owner_before(owner))
		throw Poco::InvalidArgumentException("stan: the message was not delivered by this subscription");
	std::string reply;
	{
		std::lock_guard<std::mutex> lock(_mutex);
		if (_closed)
		{
			std::shared_ptr<JsStanConnection> pConn = _pConnection.lock();
			if (!pConn || pConn->status() != StanConnection::Status::CONNECTED) throw ConnectionClosedException("stan: connection closed");
			throw StanSubscriptionException("stan: invalid subscription");
		}
		auto it = _unacked.find(message.sequence());
		if (it == _unacked.end()) return; // acked already
		reply = std::move(it->second);
		_unacked.erase(it);
	}
	sendAck(reply);
}

StanMessage JsStanSubscription::nextMessage(Poco::Timespan timeout)
{
	if (!_sync) throw Poco::IllegalStateException("stan: nextMessage() needs a subscription without a handler");
	const auto deadline = std::chrono::steady_clock::now() + std::chrono::microseconds(timeout.totalMicroseconds());
	std::string previous;
	{
		std::lock_guard<std::mutex> lock(_mutex);
		previous.swap(_lastPulled);
	}
	// The application is done with the message pulled before: ack it now (auto-ack).
	if (!previous.empty()) sendAck(previous);
	std::unique_lock<std::mutex> lock(_mutex);
	while (true)
	{
		if (_closed)
		{
			std::shared_ptr<JsStanConnection> pConn = _pConnection.lock();
			if (!pConn || pConn->status() != StanConnection::Status::CONNECTED) throw ConnectionClosedException("stan: connection closed");
			throw StanSubscriptionException("stan: invalid subscription");
		}
		if (!_cond.wait_until(lock, deadline, [this]() { return _closed || !_queue.empty(); }))
		{
			throw NatsTimeoutException("stan: timeout waiting for a message");
		}
		if (_queue.empty()) continue;
		Entry e;
		if (!takeFrontLocked(lock, e)) continue;
		// Auto-ack: acked at the next pull or at close (see the header), never before the
		// application has it.
		if (!_options.manualAcks) _lastPulled = std::move(e.reply);
		lock.unlock();
		++_delivered;
		return e.message;
	}
}

bool JsStanSubscription::isValid() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _started && !_closed;
}

int JsStanSubscription::pendingMessages() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	int n = 0;
	for (const auto& e: _queue)
	{
		if (!e.flowControl) ++n;
	}
	return n;
}

long long JsStanSubscription::pendingBytes() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _queueBytes;
}

void JsStanSubscription::setPendingLimits(PendingLimits limits)
{
	std::lock_guard<std::mutex> lock(_mutex);
	_limits = limits;
}

PendingLimits JsStanSubscription::pendingLimits() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _limits;
}

} // namespace Nats
