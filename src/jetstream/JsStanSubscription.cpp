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
#include "jetstream/JsBackend.h"
#include "jetstream/JetStreamContext.h"
#include "jetstream/JetStreamException.h"
#include "core/ConnectionImpl.h"
#include "core/ImplAccess.h"
#include "core/SubjectRules.h"
#include "core/ThreadName.h"
#include "Nats/Exception.h"

namespace Nats {

namespace {

std::int64_t nowUs()
{
	return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

/// The non-queue, non-durable inactive threshold of a queue group's shared consumer.
const Poco::Timespan QUEUE_INACTIVE_THRESHOLD(5, 0);

} // namespace

JsStanSubscription::JsStanSubscription(std::shared_ptr<JsStanConnection> pConnection, std::string channel, std::string group,
	StanMessageHandler handler, StanSubscriptionOptions options, bool sync)
	: _pConnection(pConnection), _channel(std::move(channel)), _group(std::move(group)), _handler(std::move(handler)),
	  _options(std::move(options)), _sync(sync), _clientId(pConnection->clientId())
{
}

JsStanSubscription::~JsStanSubscription()
{
	if (_worker.joinable())
	{
		if (_worker.get_id() == std::this_thread::get_id()) _worker.detach();
		else _worker.join();
	}
}

void JsStanSubscription::start(const std::shared_ptr<StanSubscriptionImpl>& handle)
{
	std::shared_ptr<JsStanConnection> pConn = _pConnection.lock();
	if (!pConn) throw ConnectionClosedException("stan: connection closed");
	_handle = handle;
	const std::string& durable = _options.durableName;
	if (!_group.empty() && durable.find(':') != std::string::npos)
		throw StanSubscriptionException("stan: durable name of a durable queue subscriber can't contain the character ':'");

	std::string name;
	ConsumerConfig cc;
	if (_group.empty())
	{
		if (!durable.empty()) name = "d__" + JsStanConnection::escapeName(_clientId) + "__" + JsStanConnection::escapeName(durable);
		cc.flowControl = true;
		cc.idleHeartbeat = pConn->options().jetStream.idleHeartbeat;
	}
	else if (!durable.empty())
	{
		name = "q__" + JsStanConnection::escapeName(durable) + "__" + JsStanConnection::escapeName(_group);
		cc.deliverGroup = _group;
	}
	else
	{
		name = "g__" + JsStanConnection::escapeName(_group);
		cc.deliverGroup = _group;
		cc.inactiveThreshold = QUEUE_INACTIVE_THRESHOLD;
	}
	_ephemeral = name.empty();
	cc.durableName = name;
	switch (_options.startPosition)
	{
	case StanSubscriptionOptions::StartPosition::NEW_ONLY: cc.deliverPolicy = ConsumerConfig::DeliverPolicy::NEW; break;
	case StanSubscriptionOptions::StartPosition::LAST_RECEIVED: cc.deliverPolicy = ConsumerConfig::DeliverPolicy::LAST; break;
	case StanSubscriptionOptions::StartPosition::FIRST: cc.deliverPolicy = ConsumerConfig::DeliverPolicy::ALL; break;
	case StanSubscriptionOptions::StartPosition::SEQUENCE_START:
		cc.deliverPolicy = ConsumerConfig::DeliverPolicy::BY_START_SEQUENCE;
		cc.optStartSeq = _options.startSequence;
		break;
	case StanSubscriptionOptions::StartPosition::TIME_DELTA_START:
		cc.deliverPolicy = ConsumerConfig::DeliverPolicy::BY_START_TIME;
		cc.optStartTimeNs = static_cast<std::int64_t>(_options.startTime.epochMicroseconds()) * 1000;
		break;
	}
	cc.ackPolicy = ConsumerConfig::AckPolicy::EXPLICIT;
	cc.ackWait = _options.ackWait;
	cc.maxAckPending = _options.maxInflight;

	std::weak_ptr<JsStanSubscription> weak = shared_from_this();
	MessageHandler onMsg = [weak](const Message& m) {
		if (std::shared_ptr<JsStanSubscription> p = weak.lock()) p->onMessage(m);
	};
	ConnectionImpl& core = *ImplAccess::impl(pConn->nats());
	try
	{
		_stream = pConn->ensureStream(_channel, false);
		JetStreamContext& js = pConn->context();
		for (int attempt = 0;; ++attempt)
		{
			ConsumerInfo info;
			bool exists = false;
			if (!name.empty())
			{
				try
				{
					info = js.consumerInfo(_stream, name);
					exists = true;
				}
				catch (const JetStreamApiException& e)
				{
					if (e.errCode() != JetStreamApiException::CONSUMER_NOT_FOUND) throw;
				}
			}
			if (exists)
			{
				if (_group.empty() && info.pushBound) throw StanSubscriptionException("stan: duplicate durable registration");
				_lastActivityUs = nowUs();
				_natsSub = core.subscribeInline(info.config.deliverSubject, _group, onMsg);
				_heartbeats = info.config.idleHeartbeat.totalMicroseconds() > 0;
				_consumer = info.name;
				break;
			}
			cc.deliverSubject = pConn->nats().newInbox();
			_lastActivityUs = nowUs();
			_natsSub = core.subscribeInline(cc.deliverSubject, _group, onMsg);
			try
			{
				info = js.addConsumer(_stream, cc);
			}
			catch (const JetStreamApiException&)
			{
				_natsSub.unsubscribe();
				// Another member of the group created it in between: join it.
				if (!name.empty() && attempt == 0) continue;
				throw;
			}
			_heartbeats = cc.idleHeartbeat.totalMicroseconds() > 0;
			_consumer = info.name;
			break;
		}
	}
	catch (const JetStreamApiException& e)
	{
		if (_natsSub.isValid()) _natsSub.unsubscribe();
		throw StanSubscriptionException(e.message());
	}
	catch (const NatsTimeoutException&)
	{
		if (_natsSub.isValid()) _natsSub.unsubscribe();
		throw StanRequestTimeoutException("stan: subscribe request timeout");
	}
	catch (...)
	{
		if (_natsSub.isValid()) _natsSub.unsubscribe();
		throw;
	}
	{
		std::lock_guard<std::mutex> lock(_mutex);
		_started = true;
	}
	if (!_sync)
	{
		std::shared_ptr<JsStanSubscription> self = shared_from_this();
		_worker = std::thread([self]() { self->workerLoop(); });
	}
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
		std::lock_guard<std::mutex> lock(_mutex);
		if (_stopped) return;
		Entry e;
		e.reply = m.reply();
		e.flowControl = true;
		_queue.push_back(std::move(e));
		_cond.notify_all();
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
	e.message = StanMessage(md.streamSequence, md.timestamp, md.numDelivered > 1, redeliveries, _channel, m.data(), 0, _handle);
	e.reply = m.reply();
	std::lock_guard<std::mutex> lock(_mutex);
	if (_stopped) return;
	const long long size = static_cast<long long>(m.data().size());
	if ((_maxPendingMessages > 0 && static_cast<int>(_queue.size()) >= _maxPendingMessages)
		|| (_maxPendingBytes > 0 && _queueBytes + size > _maxPendingBytes))
	{
		++_dropped;
		return;
	}
	_queueBytes += size;
	_queue.push_back(std::move(e));
	_cond.notify_all();
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
	std::shared_ptr<JsStanConnection> pConn = _pConnection.lock();
	if (!pConn) return;
	try
	{
		ImplAccess::impl(pConn->nats())->publish(reply, "", "+ACK", 4);
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
	if (_options.manualAcks) _unacked[out.message.sequence()] = out.reply;
	return true;
}

void JsStanSubscription::workerLoop()
{
	setCurrentThreadName("stan-sub");
	std::shared_ptr<JsStanConnection> pConn = _pConnection.lock();
	std::unique_lock<std::mutex> lock(_mutex);
	while (true)
	{
		_cond.wait(lock, [this]() { return _stopped || !_queue.empty(); });
		if (_stopped) break;
		Entry e;
		if (!takeFrontLocked(lock, e)) continue;
		_inHandler = true;
		lock.unlock();
		++_delivered;
		bool ok = true;
		try
		{
			_handler(e.message);
		}
		catch (const Poco::Exception& ex)
		{
			ok = false;
			if (pConn) pConn->reportError(ex);
		}
		catch (const std::exception& ex)
		{
			ok = false;
			if (pConn) pConn->reportError(Poco::Exception(std::string("stan: message handler threw: ") + ex.what()));
		}
		catch (...)
		{
			ok = false;
			if (pConn) pConn->reportError(Poco::Exception("stan: message handler threw"));
		}
		if (ok && !_options.manualAcks) sendAck(e.reply);
		lock.lock();
		_inHandler = false;
		_cond.notify_all();
	}
}

bool JsStanSubscription::stop()
{
	{
		std::lock_guard<std::mutex> lock(_mutex);
		if (_stopped) return false;
		_stopped = true;
		_queue.clear();
		_queueBytes = 0;
		_cond.notify_all();
	}
	try
	{
		if (_natsSub.isValid()) _natsSub.unsubscribe();
	}
	catch (...)
	{
	}
	if (_worker.joinable())
	{
		if (_worker.get_id() == std::this_thread::get_id()) _worker.detach();
		else _worker.join();
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

void JsStanSubscription::closeOnConnectionClose()
{
	{
		std::lock_guard<std::mutex> lock(_mutex);
		if (_closed) return;
		_closed = true;
	}
	stop();
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

void JsStanSubscription::closeLocal()
{
	{
		std::lock_guard<std::mutex> lock(_mutex);
		_closed = true;
	}
	stop();
}

void JsStanSubscription::ack(const StanMessage& message)
{
	if (!_options.manualAcks) throw Poco::IllegalStateException("stan: cannot manually ack in auto-ack mode");
	std::shared_ptr<StanSubscriptionImpl> owner = message.subscriptionImpl().lock();
	// A JetStream handle has a null pointer: test the control block, not the pointer.
	if (owner.use_count() == 0 || JsBackend::subscription(owner) != this)
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
		lock.unlock();
		++_delivered;
		if (!_options.manualAcks) sendAck(e.reply);
		return e.message;
	}
}

bool JsStanSubscription::checkAlive(std::chrono::microseconds silence, std::string& why)
{
	if (!_heartbeats || !isValid()) return true;
	if (nowUs() - _lastActivityUs.load() < silence.count()) return true;
	std::shared_ptr<JsStanConnection> pConn = _pConnection.lock();
	if (!pConn) return true;
	try
	{
		pConn->context().consumerInfo(_stream, _consumer);
		_lastActivityUs = nowUs();
		return true;
	}
	catch (const JetStreamApiException& e)
	{
		if (e.errCode() == JetStreamApiException::CONSUMER_NOT_FOUND || e.errCode() == JetStreamApiException::STREAM_NOT_FOUND)
		{
			why = "stan: consumer " + _consumer + " of channel '" + _channel + "' is gone (" + e.message() + ")";
			return false;
		}
		_lastActivityUs = nowUs();
		return true;
	}
	catch (...)
	{
		// No answer (NATS reconnecting, leader election): look again later.
		return true;
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

void JsStanSubscription::setPendingLimits(int maxMessages, long long maxBytes)
{
	if (maxMessages == 0 || maxBytes == 0) throw Poco::InvalidArgumentException("stan: pending limits must not be 0 (negative = unlimited)");
	std::lock_guard<std::mutex> lock(_mutex);
	_maxPendingMessages = maxMessages;
	_maxPendingBytes = maxBytes;
}

int JsStanSubscription::maxPendingMessages() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _maxPendingMessages;
}

long long JsStanSubscription::maxPendingBytes() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _maxPendingBytes;
}

} // namespace Nats
