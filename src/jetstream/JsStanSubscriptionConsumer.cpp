//
// JsStanSubscriptionConsumer.cpp
//
// Library: Nats
// Package: JetStream
// Module:  JsStanSubscription
//
// The consumer side of JsStanSubscription: creating or joining the consumer (the mapping in
// JsStanSubscription.h) and the consumer checks of the loss detection.
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

/// The non-queue, non-durable inactive threshold of a queue group's shared consumer.
const Poco::Timespan QUEUE_INACTIVE_THRESHOLD(5, 0);

} // namespace

void JsStanSubscription::start()
{
	std::shared_ptr<JsStanConnection> pConn = _pConnection.lock();
	if (!pConn) throw ConnectionClosedException("stan: connection closed");
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
	if (!_sync) _pDispatcher = core.dispatchers().next();
	// Looks the stream up (cached) and creates or joins the consumer.
	auto createOrJoin = [&]() {
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
	};
	try
	{
		try
		{
			createOrJoin();
		}
		catch (const JetStreamApiException& e)
		{
			if (e.errCode() != JetStreamApiException::STREAM_NOT_FOUND) throw;
			// The stream this connection knew is gone (deleted, or a memory stream lost with a
			// nats-server restart): look it up again and create it as on first use, once.
			if (_natsSub.isValid()) _natsSub.unsubscribe();
			pConn->forgetStream(_channel);
			createOrJoin();
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
	_lastCheckUs = nowUs();
	bool schedule = false;
	{
		std::lock_guard<std::mutex> lock(_mutex);
		_started = true;
		// What arrived before the consumer's answer was processed is delivered now.
		if (!_sync && !_stopped && !_queue.empty() && !_scheduled)
		{
			_scheduled = true;
			schedule = true;
		}
	}
	if (schedule) _pDispatcher->schedule(shared_from_this());
}

void JsStanSubscription::checkConsumer(std::chrono::microseconds period)
{
	const std::int64_t now = nowUs();
	if (_heartbeats)
	{
		if (now - _lastActivityUs.load() < period.count()) return;
	}
	else if (now - _lastCheckUs.load() < period.count())
	{
		return;
	}
	if (!isValid() || _checkInFlight.exchange(true)) return;
	_lastCheckUs = now;
	std::shared_ptr<JsStanConnection> pConn = _pConnection.lock();
	if (!pConn)
	{
		_checkInFlight = false;
		return;
	}
	const std::string subject = pConn->context().apiPrefix() + ".CONSUMER.INFO." + _stream + "." + _consumer;
	std::weak_ptr<JsStanSubscription> weak = weak_from_this();
	try
	{
		ImplAccess::impl(pConn->nats())->requestAsync(subject, "", 0, pConn->options().connectWait,
			[weak](const Message* pMessage, const Poco::Exception* pError) {
				if (auto self = weak.lock()) self->onCheckReply(pMessage, pError);
			});
		++_checksSent;
	}
	catch (...)
	{
		// Not sent (NATS reconnecting): look again at the next tick.
		_checkInFlight = false;
	}
}

void JsStanSubscription::onCheckReply(const Message* pMessage, const Poco::Exception* pError)
{
	// Reader thread (answer) or timer thread (timeout): decide, never block.
	_checkInFlight = false;
	if (pError || !pMessage) return; // no answer (reconnecting, leader election): look again later
	std::string why;
	try
	{
		JetStreamJson::throwIfError(JetStreamJson::parseObject(pMessage->data()));
		_lastActivityUs = nowUs(); // the consumer exists: silence is not loss
		++_checksFound;
		return;
	}
	catch (const JetStreamApiException& e)
	{
		if (e.errCode() != JetStreamApiException::CONSUMER_NOT_FOUND && e.errCode() != JetStreamApiException::STREAM_NOT_FOUND)
			return;
		why = "stan: consumer " + _consumer + " of channel '" + _channel + "' is gone (" + e.message() + ")";
	}
	catch (...)
	{
		return;
	}
	if (!isValid()) return; // closed meanwhile: its own close may have deleted it
	if (std::shared_ptr<JsStanConnection> pConn = _pConnection.lock()) pConn->lose(why);
}

} // namespace Nats
