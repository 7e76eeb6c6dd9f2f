//
// JsStanConnection.cpp
//
// Library: Nats
// Package: JetStream
// Module:  JsStanConnection
//
// SPDX-License-Identifier: Apache-2.0
//

#include "jetstream/JsStanConnection.h"
#include "jetstream/JsStanSubscription.h"
#include "jetstream/JsBackend.h"
#include "jetstream/JetStreamException.h"
#include "core/ConnectionImpl.h"
#include "core/ImplAccess.h"
#include "core/SubjectRules.h"
#include "core/ThreadName.h"
#include "core/Timer.h"
#include "Nats/Exception.h"
#include <algorithm>
#include <chrono>

namespace Nats {

namespace {

void nameThread(const char* name)
{
	setCurrentThreadName(name);
}

std::string errorText(const Poco::Exception& e)
{
	return e.message().empty() ? e.displayText() : e.message();
}

} // namespace

JsStanConnection::JsStanConnection(const std::string& clusterId, const std::string& clientId, const StanOptions& options)
	: _clusterId(clusterId), _clientId(clientId), _options(options)
{
}

JsStanConnection::~JsStanConnection()
{
	if (_lostThread.joinable())
	{
		if (_lostThread.get_id() == std::this_thread::get_id()) _lostThread.detach();
		else _lostThread.join();
	}
}

void JsStanConnection::setFacade(StanConnection* pFacade)
{
	std::lock_guard<std::mutex> lock(_mutex);
	_pFacade = pFacade;
}

std::string JsStanConnection::escapeName(const std::string& text)
{
	static const char* HEX = "0123456789ABCDEF";
	std::string out;
	out.reserve(text.size());
	for (unsigned char c: text)
	{
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')
		{
			out += static_cast<char>(c);
		}
		else
		{
			out += '_';
			out += HEX[c >> 4];
			out += HEX[c & 0xf];
		}
	}
	return out;
}

std::string JsStanConnection::streamName(const std::string& prefix, const std::string& channel)
{
	return prefix + escapeName(channel);
}

std::string JsStanConnection::clientSubject() const
{
	return "_STAN.js." + escapeName(_clusterId) + ".clients." + escapeName(_clientId);
}

void JsStanConnection::checkConnected() const
{
	if (_status.load() != StanConnection::Status::CONNECTED) throw ConnectionClosedException("stan: connection closed");
}

void JsStanConnection::reportError(const Poco::Exception& e) const
{
	if (!_options.errorHandler) return;
	try
	{
		_options.errorHandler(e);
	}
	catch (...)
	{
	}
}

void JsStanConnection::connect()
{
	if (_clusterId.empty()) throw Poco::InvalidArgumentException("stan: cluster ID must not be empty");
	if (_clientId.empty()) throw Poco::InvalidArgumentException("stan: client ID must not be empty");
	_options.validate();
	const StanOptions::JetStreamOptions& jo = _options.jetStream;
	if (jo.replicas < 1 || jo.replicas > 5) throw Poco::InvalidArgumentException("StanOptions.jetStream.replicas must be in 1..5");
	if (jo.idleHeartbeat < Poco::Timespan(100 * Poco::Timespan::MILLISECONDS))
		throw Poco::InvalidArgumentException("StanOptions.jetStream.idleHeartbeat must be >= 100 ms");
	if (jo.apiPrefix.empty()) throw Poco::InvalidArgumentException("StanOptions.jetStream.apiPrefix must not be empty");
	if (jo.maxAge.totalMicroseconds() < 0) throw Poco::InvalidArgumentException("StanOptions.jetStream.maxAge must be >= 0");
	for (char c: jo.streamPrefix)
	{
		if (c == '.' || c == '*' || c == '>' || c == '/' || c == '\\' || static_cast<unsigned char>(c) <= ' ')
			throw Poco::InvalidArgumentException("StanOptions.jetStream.streamPrefix must be a valid stream name prefix");
	}
	for (char c: _clientId)
	{
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
			throw StanConnectException("stan: invalid clientID: only alphanumeric and `-` or `_` characters allowed");
	}
	{
		std::lock_guard<std::mutex> lock(_mutex);
		if (_status.load() != StanConnection::Status::DISCONNECTED || _pConn)
			throw Poco::IllegalStateException("stan: already connected or closed");
	}

	try
	{
		if (_options.natsConnection)
		{
			_pConn = _options.natsConnection;
		}
		else
		{
			Options no = _options.natsOptions;
			no.servers = _options.effectiveServers();
			no.maxReconnect = -1;
			no.reconnectBufferSize = -1;
			if (no.name.empty()) no.name = _clientId;
			_pOwned.reset(new Connection(no));
			_pOwned->connect();
			_pConn = _pOwned.get();
		}
		_pJs.reset(new JetStreamContext(*_pConn, _options.connectWait, jo.apiPrefix));
		// Is JetStream there at all? (fails with "nats: JetStream not enabled")
		_pJs->accountInfo();

		// Client ID uniqueness: a live client with the same ID answers its probe subject.
		const std::string idSubject = clientSubject();
		bool taken = false;
		try
		{
			_pConn->request(idSubject, "", _options.connectWait);
			taken = true;
		}
		catch (const NoRespondersException&)
		{
		}
		catch (const NatsTimeoutException&)
		{
		}
		if (taken) throw StanClientIDRegisteredException("stan: clientID already registered");
		ConnectionImpl& core = *ImplAccess::impl(*_pConn);
		_idSub = core.subscribeInline(idSubject, "", [this](const Message& m) {
			if (!m.reply().empty() && _status.load() == StanConnection::Status::CONNECTED)
			{
				try
				{
					ImplAccess::impl(*_pConn)->publish(m.reply(), "", "", 0);
				}
				catch (...)
				{
				}
			}
		});

		_pTracker.reset(new PubAckTracker(_options.maxPubAcksInflight, _options.maxPubAcksInflightPercentage, _options.pubAckWait));
		_pTracker->setArmCallback([this]() { armTimer(); });
		_pTimer.reset(new Timer("stan-js-timer"));
		_pTimer->start();
		_pubPrefix = _pConn->newInbox() + ".";
		_pubSub = core.subscribeInline(_pubPrefix + "*", "", [this](const Message& m) { onPubAck(m); });
		_pConn->flush(_options.connectWait);

		_ackThread = std::thread([this]() { ackLoop(); });
		_monThread = std::thread([this]() { monitorLoop(); });
	}
	catch (...)
	{
		try
		{
			if (_idSub.isValid()) _idSub.unsubscribe();
			if (_pubSub.isValid()) _pubSub.unsubscribe();
		}
		catch (...)
		{
		}
		if (_pTimer) _pTimer->stop();
		if (_pOwned) _pOwned->close();
		_pOwned.reset();
		_pConn = nullptr;
		throw;
	}
	_status = StanConnection::Status::CONNECTED;
}

Connection& JsStanConnection::natsConnection()
{
	if (!_pConn) throw Poco::IllegalStateException("stan: not connected");
	return *_pConn;
}

std::string JsStanConnection::lostError() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _lostError;
}

int JsStanConnection::pubAcksInflight() const
{
	return _pTracker ? _pTracker->inflight() : 0;
}

std::string JsStanConnection::ensureStream(const std::string& channel, bool forPublish)
{
	{
		std::lock_guard<std::mutex> lock(_mutex);
		auto it = _streams.find(channel);
		if (it != _streams.end()) return it->second;
	}
	const std::string name = streamName(_options.jetStream.streamPrefix, channel);
	try
	{
		_pJs->streamInfo(name);
	}
	catch (const JetStreamApiException& e)
	{
		if (e.errCode() != JetStreamApiException::STREAM_NOT_FOUND) throw;
		if (!_options.jetStream.createStreams)
		{
			const std::string text = "stan: no stream for channel '" + channel + "' (stream " + name + ")";
			if (forPublish) throw StanPublishException(text);
			throw StanSubscriptionException(text);
		}
		StreamConfig cfg;
		cfg.name = name;
		cfg.subjects = {channel};
		cfg.storage = _options.jetStream.memoryStorage ? StreamConfig::Storage::MEMORY : StreamConfig::Storage::FILE;
		cfg.replicas = _options.jetStream.replicas;
		cfg.maxMsgs = _options.jetStream.maxMsgs;
		cfg.maxBytes = _options.jetStream.maxBytes;
		cfg.maxAge = _options.jetStream.maxAge;
		try
		{
			_pJs->addStream(cfg);
		}
		catch (const JetStreamApiException& e2)
		{
			// Another client created it in between (with other limits): use it.
			if (e2.errCode() != JetStreamApiException::STREAM_NAME_IN_USE) throw;
		}
	}
	std::lock_guard<std::mutex> lock(_mutex);
	_streams.emplace(channel, name);
	return name;
}

// ---------------------------------------------------------------------------------------------
// publish
// ---------------------------------------------------------------------------------------------

void JsStanConnection::ensureKnownChannel(const std::string& channel)
{
	{
		std::lock_guard<std::mutex> lock(_mutex);
		if (_streams.count(channel)) return;
	}
	SubjectRules::checkPublishSubject(channel, "channel");
	ensureStream(channel, true);
}

std::string JsStanConnection::publishAsync(const std::string& channel, const void* data, std::size_t length,
	StanAckHandler handler, Poco::Timespan maxWait)
{
	SubjectRules::checkPublishChannel(channel);
	checkConnected();
	ensureKnownChannel(channel);
	std::string guid;
	if (!_pTracker->add(guid, std::move(handler), maxWait)) throw NatsTimeoutException("stan: publish window full");
	try
	{
		// Per-thread buffers: no allocation per publish once warm.
		thread_local Headers h;
		thread_local std::string reply;
		h.set(JetStreamContext::MSG_ID_HEADER, guid);
		reply.assign(_pubPrefix).append(guid);
		ImplAccess::impl(*_pConn)->publish(channel, reply, &h, data, length);
	}
	catch (...)
	{
		_pTracker->remove(guid);
		throw;
	}
	return guid;
}

void JsStanConnection::publish(const std::string& channel, const void* data, std::size_t length)
{
	SubjectRules::checkPublishChannel(channel);
	checkConnected();
	ensureKnownChannel(channel);
	struct Waiter
	{
		std::mutex mutex;
		std::condition_variable cond;
		bool done = false;
		std::string error;
	};
	auto pWaiter = std::make_shared<Waiter>();
	std::string guid;
	_pTracker->add(guid, [pWaiter](const std::string&, const std::string& error) {
			std::lock_guard<std::mutex> lock(pWaiter->mutex);
			pWaiter->done = true;
			pWaiter->error = error;
			pWaiter->cond.notify_all();
		}, Poco::Timespan(-1), true);
	try
	{
		Headers h;
		h.set(JetStreamContext::MSG_ID_HEADER, guid);
		ImplAccess::impl(*_pConn)->publish(channel, _pubPrefix + guid, &h, data, length, true);
	}
	catch (...)
	{
		_pTracker->remove(guid);
		throw;
	}
	std::unique_lock<std::mutex> lock(pWaiter->mutex);
	// The tracker ends every entry by pubAckWait (timer) or close(); the margin only guards a
	// stopped timer.
	const auto limit = std::chrono::microseconds(_options.pubAckWait.totalMicroseconds()) + std::chrono::seconds(5);
	if (!pWaiter->cond.wait_for(lock, limit, [&]() { return pWaiter->done; }))
	{
		lock.unlock();
		_pTracker->remove(guid);
		throw StanPubAckTimeoutException("stan: publish ack timeout");
	}
	if (pWaiter->error.empty()) return;
	if (pWaiter->error == "stan: publish ack timeout") throw StanPubAckTimeoutException(pWaiter->error);
	if (pWaiter->error == "stan: connection closed") throw ConnectionClosedException(pWaiter->error);
	throw StanPublishException(pWaiter->error);
}

void JsStanConnection::onPubAck(const Message& m)
{
	if (!_pTracker || m.subject().size() <= _pubPrefix.size()) return;
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
	if (_pTracker->complete(guid, c)) completeAndDispatch(c, error);
}

void JsStanConnection::completeAndDispatch(PubAckTracker::Completion& c, const std::string& error)
{
	if (!c.callback) return;
	if (c.direct)
	{
		c.callback(c.guid, error);
		return;
	}
	auto cb = std::make_shared<PubAckTracker::Completion>(std::move(c));
	postAck([cb, error]() { cb->callback(cb->guid, error); });
}

void JsStanConnection::armTimer()
{
	std::lock_guard<std::mutex> lock(_timerMutex);
	if (_timerArmed || !_pTimer) return;
	_timerArmed = true;
	_pTimer->schedule(_options.pubAckWait, [this]() { expireTimer(); });
}

void JsStanConnection::expireTimer()
{
	std::vector<PubAckTracker::Completion> out;
	{
		std::lock_guard<std::mutex> lock(_timerMutex);
		PubAckTracker::Clock::time_point now = PubAckTracker::Clock::now();
		PubAckTracker::Clock::time_point next = _pTracker->expire(now, out);
		if (next == PubAckTracker::Clock::time_point::max())
		{
			_timerArmed = false;
		}
		else
		{
			auto us = std::chrono::duration_cast<std::chrono::microseconds>(next - now).count();
			_pTimer->schedule(Poco::Timespan(std::max<long long>(us, 1000)), [this]() { expireTimer(); });
		}
	}
	for (auto& c: out) completeAndDispatch(c, "stan: publish ack timeout");
}

void JsStanConnection::postAck(std::function<void()> fn)
{
	std::lock_guard<std::mutex> lock(_ackMutex);
	_ackQueue.push_back(std::move(fn));
	_ackCond.notify_all();
}

void JsStanConnection::ackLoop()
{
	nameThread("stan-acks");
	{
		std::lock_guard<std::mutex> lock(_ackMutex);
		_ackThreadId = std::this_thread::get_id();
	}
	std::unique_lock<std::mutex> lock(_ackMutex);
	while (true)
	{
		_ackCond.wait(lock, [this]() { return _ackStop || !_ackQueue.empty(); });
		if (_ackQueue.empty())
		{
			if (_ackStop) break;
			continue;
		}
		std::function<void()> fn = std::move(_ackQueue.front());
		_ackQueue.pop_front();
		_ackBusy = true;
		lock.unlock();
		try
		{
			fn();
		}
		catch (const Poco::Exception& e)
		{
			reportError(e);
		}
		catch (...)
		{
		}
		lock.lock();
		_ackBusy = false;
		_ackCond.notify_all();
	}
}

// ---------------------------------------------------------------------------------------------
// subscriptions
// ---------------------------------------------------------------------------------------------

StanSubscription JsStanConnection::subscribe(const std::string& channel, const std::string& group, StanMessageHandler handler,
	const StanSubscriptionOptions& options, bool sync)
{
	if (channel.empty()) throw Poco::InvalidArgumentException("stan: channel must not be empty");
	if (!sync && !handler) throw Poco::InvalidArgumentException("stan: message handler must not be empty");
	options.validate();
	checkConnected();
	SubjectRules::checkPublishSubject(channel, "channel");
	if (!group.empty()) SubjectRules::checkQueue(group);
	auto pSub = std::make_shared<JsStanSubscription>(shared_from_this(), channel, group, std::move(handler), options, sync);
	std::shared_ptr<StanSubscriptionImpl> handle = JsBackend::makeSubscriptionHandle(pSub);
	pSub->start(handle);
	{
		std::lock_guard<std::mutex> lock(_mutex);
		if (_status.load() == StanConnection::Status::CONNECTED) _subs.push_back(pSub);
	}
	if (_status.load() != StanConnection::Status::CONNECTED)
	{
		pSub->closeLocal();
		throw ConnectionClosedException("stan: connection closed");
	}
	return StanSubscription(handle);
}

void JsStanConnection::removeSubscription(const JsStanSubscription* pSub)
{
	std::lock_guard<std::mutex> lock(_mutex);
	_subs.erase(std::remove_if(_subs.begin(), _subs.end(), [pSub](const std::shared_ptr<JsStanSubscription>& p) { return p.get() == pSub; }),
		_subs.end());
}

void JsStanConnection::monitorLoop()
{
	nameThread("stan-js-mon");
	const auto interval = std::chrono::microseconds(_options.jetStream.idleHeartbeat.totalMicroseconds());
	std::unique_lock<std::mutex> lock(_monMutex);
	while (!_monStop)
	{
		_monCond.wait_for(lock, interval, [this]() { return _monStop; });
		if (_monStop) break;
		lock.unlock();
		std::vector<std::shared_ptr<JsStanSubscription>> subs;
		{
			std::lock_guard<std::mutex> l(_mutex);
			subs = _subs;
		}
		for (auto& pSub: subs)
		{
			std::string why;
			if (!pSub->checkAlive(3 * interval, why))
			{
				lose(why);
				break;
			}
		}
		lock.lock();
	}
}

// ---------------------------------------------------------------------------------------------
// close / loss
// ---------------------------------------------------------------------------------------------

void JsStanConnection::teardown(bool requests)
{
	{
		std::lock_guard<std::mutex> lock(_mutex);
		if (_tornDown) return;
		_tornDown = true;
	}
	{
		std::lock_guard<std::mutex> lock(_monMutex);
		_monStop = true;
		_monCond.notify_all();
	}
	if (_monThread.joinable())
	{
		if (_monThread.get_id() == std::this_thread::get_id()) _monThread.detach();
		else _monThread.join();
	}
	std::vector<std::shared_ptr<JsStanSubscription>> subs;
	{
		std::lock_guard<std::mutex> lock(_mutex);
		subs.swap(_subs);
	}
	for (auto& pSub: subs)
	{
		if (requests) pSub->closeOnConnectionClose();
		else pSub->closeLocal();
	}
	// Pending publishes fail; their handlers have all run when this returns.
	std::vector<PubAckTracker::Completion> out;
	if (_pTracker) _pTracker->close(out);
	for (auto& c: out) completeAndDispatch(c, "stan: connection closed");
	{
		std::unique_lock<std::mutex> lock(_ackMutex);
		_ackStop = true;
		_ackCond.notify_all();
	}
	if (_ackThread.joinable())
	{
		if (_ackThread.get_id() == std::this_thread::get_id())
		{
			_ackThread.detach();
		}
		else
		{
			_ackThread.join();
		}
	}
	// Handlers queued after the thread ended (a completion racing the stop) run here.
	std::deque<std::function<void()>> rest;
	{
		std::lock_guard<std::mutex> lock(_ackMutex);
		rest.swap(_ackQueue);
	}
	for (auto& fn: rest)
	{
		try
		{
			fn();
		}
		catch (...)
		{
		}
	}
	if (_pTimer) _pTimer->stop();
	try
	{
		if (_idSub.isValid()) _idSub.unsubscribe();
		if (_pubSub.isValid()) _pubSub.unsubscribe();
	}
	catch (...)
	{
	}
	if (_pOwned)
	{
		if (requests)
		{
			try
			{
				_pOwned->flush(_options.connectWait);
			}
			catch (...)
			{
			}
		}
		_pOwned->close();
	}
}

void JsStanConnection::close()
{
	StanConnection::Status st = _status.load();
	if (st == StanConnection::Status::CLOSED || st == StanConnection::Status::LOST) return;
	if (st == StanConnection::Status::DISCONNECTED)
	{
		_status = StanConnection::Status::CLOSED;
		return;
	}
	if (!_status.compare_exchange_strong(st, StanConnection::Status::CLOSED)) return;
	teardown(true);
}

void JsStanConnection::lose(const std::string& error)
{
	StanConnection::Status expected = StanConnection::Status::CONNECTED;
	if (!_status.compare_exchange_strong(expected, StanConnection::Status::LOST)) return;
	std::lock_guard<std::mutex> lock(_mutex);
	_lostError = error;
	std::shared_ptr<JsStanConnection> self = shared_from_this();
	_lostThread = std::thread([self, error]() {
		nameThread("stan-lost");
		self->teardown(false);
		StanConnection* pFacade;
		{
			std::lock_guard<std::mutex> l(self->_mutex);
			pFacade = self->_pFacade;
		}
		if (self->_options.connectionLostHandler && pFacade)
		{
			try
			{
				self->_options.connectionLostHandler(*pFacade, error);
			}
			catch (const Poco::Exception& e)
			{
				self->reportError(e);
			}
			catch (...)
			{
			}
		}
	});
}

void JsStanConnection::destroy()
{
	try
	{
		close();
	}
	catch (...)
	{
	}
	std::thread t;
	{
		std::lock_guard<std::mutex> lock(_mutex);
		t.swap(_lostThread);
	}
	if (t.joinable())
	{
		if (t.get_id() == std::this_thread::get_id()) t.detach();
		else t.join();
	}
	std::lock_guard<std::mutex> lock(_mutex);
	_pFacade = nullptr;
}

} // namespace Nats
