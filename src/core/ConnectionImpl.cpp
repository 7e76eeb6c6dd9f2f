//
// ConnectionImpl.cpp
//
// Library: Nats
// Package: Core
// Module:  ConnectionImpl
//
// Connection state: construction, connect, flush, close, publish (framing), request / reply
// (through RequestMux), accessors. Subscriptions and drain are in ConnectionSubscriptions.cpp,
// the reader thread and reconnect in ConnectionReader.cpp.
//
// SPDX-License-Identifier: Apache-2.0
//

#include "core/ConnectionImpl.h"
#include "core/NUID.h"
#include "core/SubjectRules.h"
#include <Poco/Net/IPAddress.h>
#include <chrono>
#include <cstring>

namespace Nats {

namespace {

using Clock = std::chrono::steady_clock;

Clock::time_point deadlineAfter(Poco::Timespan t)
{
	return Clock::now() + std::chrono::microseconds(t.totalMicroseconds() > 0 ? t.totalMicroseconds() : 0);
}

} // namespace

// ---------------------------------------------------------------------------------------------
// construction

ConnectionImpl::ConnectionImpl(const Options& options)
	: _options(options),
	  _handshake(_options),
	  _parser(*this),
	  _readerThread("nats-reader"),
	  _timer("nats-timer"),
	  _events("nats-events"),
	  _dispatchers(options.dispatcherThreads, "nats-dispatch", options.sharedDispatcher),
	  _writer(options.reconnectBufferSize, options.writeDeadline, [this](const Poco::Exception& e) { onWriteError(e); }),
	  _requests(_timer, [this](const Poco::Exception& e) { reportError(e); })
{
	_writer.setReaderThread(&_readerThread);
}

ConnectionImpl::~ConnectionImpl()
{
	try
	{
		close();
	}
	catch (...)
	{
	}
	// Poco::Thread::isRunning() turns false before the thread is done: join whatever was started.
	if (_threadsStarted && Poco::Thread::current() != &_readerThread && !_readerJoined.exchange(true)) _readerThread.join();
	_writer.join();
	_dispatchers.join();
	_timer.stop();
	_events.shutdown();
}

bool ConnectionImpl::isOwnThread() const
{
	const Poco::Thread* t = Poco::Thread::current();
	return t == &_readerThread || _writer.isFlusherThread() || _timer.isCurrent() || _events.isCurrent() || _dispatchers.isWorkerThread();
}

void ConnectionImpl::checkUsable() const
{
	if (_closing || _closed) throw ConnectionClosedException("nats: connection closed");
	if (!_threadsStarted) throw Poco::IllegalStateException("nats: not connected (call connect() first)");
}

// ---------------------------------------------------------------------------------------------
// connect / handshake

void ConnectionImpl::applyInfo(const ServerInfo& info, bool initial)
{
	bool discovered = false;
	std::vector<std::string> urls;
	{
		std::lock_guard<std::mutex> lock(_mutex);
		_info = info;
		if (info.maxPayload > 0) _maxPayload = info.maxPayload;
		_serverHeaders = info.headers;
		discovered = _pool.updateDiscovered(info.connectUrls, _current.hostPort(), _current.tls() || _writer.tls() ? "tls" : "nats");
		urls = _pool.urls();
	}
	if (discovered && !initial && _options.discoveredServersHandler)
	{
		auto handler = _options.discoveredServersHandler;
		post([handler, urls]() { handler(urls); });
	}
	if (info.lameDuck && _options.lameDuckHandler)
	{
		auto handler = _options.lameDuckHandler;
		post([handler]() { handler(); });
	}
}

void ConnectionImpl::connect()
{
	{
		std::lock_guard<std::mutex> lock(_mutex);
		if (_closing || _closed) throw Poco::IllegalStateException("nats: connection closed; create a new one");
		if (_writer.status() != Connection::Status::DISCONNECTED) throw Poco::IllegalStateException("nats: already connected");
		_options.validate();
		_handshake.checkCredentials();
		_pool = ServerPool(_options.servers, _options.noRandomize);
		_writer.setStatus(Connection::Status::CONNECTING);
	}
	std::vector<ServerAddress> candidates;
	{
		std::lock_guard<std::mutex> lock(_mutex);
		for (std::size_t i = 0; i < _pool.size(); ++i) candidates.push_back(_pool.at(i));
	}
	std::string tried;
	std::unique_ptr<Poco::Exception> pTyped;
	std::string lastError;
	bool allTyped = true;
	for (auto& server: candidates)
	{
		{
			std::lock_guard<std::mutex> lock(_mutex);
			if (_closing) throw ConnectionClosedException("nats: connection closed during connect()");
		}
		if (!tried.empty()) tried += ", ";
		tried += server.url();
		try
		{
			Handshake::Result hs = _handshake.run(server, tlsNameFor(server));
			_writer.install(hs.socket, hs.tls);
			{
				std::lock_guard<std::mutex> lock(_mutex);
				int i = _pool.find(server.hostPort());
				if (i >= 0)
				{
					_pool.at(static_cast<std::size_t>(i)).everConnected = true;
					_current = _pool.at(static_cast<std::size_t>(i));
				}
				else
				{
					_current = server;
				}
				rememberTlsName(server);
			}
			applyInfo(hs.info, true);
			bool closedMeanwhile = false;
			{
				// under _mutex, so that a concurrent close() sees either nothing started or everything
				std::lock_guard<std::mutex> lock(_mutex);
				if (_closing)
				{
					closedMeanwhile = true;
					_writer.setStatus(Connection::Status::CLOSED);
				}
				else
				{
					_writer.connected(hs.extra);
					_threadsStarted = true;
					startThreads();
				}
			}
			if (closedMeanwhile)
			{
				_writer.closeSocket();
				throw ConnectionClosedException("nats: connection closed during connect()");
			}
			// the shared request inbox: one wildcard subscription per connection
			_requests.setPrefix(_options.inboxPrefix + "." + NUID::next() + ".");
			_respSub = subscribeInline(_requests.prefix() + "*", "", [this](const Message& m) { _requests.onResponse(m); });
			return;
		}
		catch (ConnectionClosedException&)
		{
			throw; // close() was called meanwhile: no other server is tried
		}
		catch (AuthorizationException& e)
		{
			pTyped.reset(e.clone());
			lastError = e.displayText();
		}
		catch (TLSException& e)
		{
			pTyped.reset(e.clone());
			lastError = e.displayText();
		}
		catch (ServerErrorException& e)
		{
			pTyped.reset(e.clone());
			lastError = e.displayText();
		}
		catch (Poco::Exception& e)
		{
			allTyped = false;
			lastError = e.displayText();
		}
	}
	if (_options.retryOnFailedConnect)
	{
		// as nats.c: return now and keep trying in the background like a reconnect (the
		// reconnected handler reports success); publishes are buffered meanwhile
		{
			std::lock_guard<std::mutex> lock(_mutex);
			if (_closing) throw ConnectionClosedException("nats: connection closed during connect()");
			_lastError = lastError;
			_writer.setStatus(Connection::Status::RECONNECTING);
			_retryInitial = true;
			_threadsStarted = true;
			startThreads();
		}
		_requests.setPrefix(_options.inboxPrefix + "." + NUID::next() + ".");
		_respSub = subscribeInline(_requests.prefix() + "*", "", [this](const Message& m) { _requests.onResponse(m); });
		return;
	}
	{
		std::lock_guard<std::mutex> lock(_mutex);
		_lastError = lastError;
		_writer.setStatus(Connection::Status::DISCONNECTED);
	}
	if (pTyped && allTyped) pTyped->rethrow();
	throw NoServerException("nats: no server available for connection (tried " + tried + "; last error: " + lastError + ")");
}

std::string ConnectionImpl::tlsNameFor(const ServerAddress& server) const
{
	// A server learned from connect_urls is usually a bare IP: its certificate is checked against
	// the host name of the URL the user gave (as nats.go / nats.c keep a TLS name).
	Poco::Net::IPAddress ip;
	if (!server.implicit || !Poco::Net::IPAddress::tryParse(server.host, ip)) return std::string();
	std::lock_guard<std::mutex> lock(_mutex);
	return _tlsName;
}

void ConnectionImpl::rememberTlsName(const ServerAddress& server)
{
	// REQUIRES: _mutex held
	Poco::Net::IPAddress ip;
	if (!server.implicit && !Poco::Net::IPAddress::tryParse(server.host, ip)) _tlsName = server.host;
}

void ConnectionImpl::startThreads()
{
	// REQUIRES: _mutex held, _threadsStarted set (a concurrent close() waits for both)
	_events.start();
	_timer.start();
	_dispatchers.start();
	_writer.start();
	_readerThread.start(*this);
	schedulePing();
}

// ---------------------------------------------------------------------------------------------
// output

void ConnectionImpl::publish(const std::string& subject, const std::string& reply, const Headers* pHeaders, const void* data, std::size_t length,
	bool writeNow)
{
	SubjectRules::checkPublishSubject(subject);
	if (!reply.empty()) SubjectRules::checkPublishSubject(reply, "reply subject");
	publishFrame(subject, reply, pHeaders, data, length, writeNow);
}

void ConnectionImpl::publishFrame(const std::string& subject, const std::string& reply, const Headers* pHeaders, const void* data,
	std::size_t length, bool writeNow)
{
	std::string headerBlock;
	if (pHeaders && !pHeaders->empty())
	{
		if (!_serverHeaders.load(std::memory_order_relaxed))
		{
			const Connection::Status st = _writer.status();
			if (st == Connection::Status::CLOSED) throw ConnectionClosedException("nats: connection closed");
			if (st == Connection::Status::CONNECTED || st == Connection::Status::RECONNECTING)
				throw HeadersNotSupportedException("nats: headers not supported by this server");
			throw Poco::IllegalStateException("nats: not connected (call connect() first)");
		}
		headerBlock = pHeaders->encode();
	}
	const std::size_t total = headerBlock.size() + length;
	const std::int64_t maxPayload = _maxPayload.load(std::memory_order_relaxed);
	if (maxPayload > 0 && static_cast<std::int64_t>(total) > maxPayload)
		throw MaxPayloadException("nats: maximum payload exceeded (" + std::to_string(total) + " > " + std::to_string(maxPayload) + " bytes)");

	// "PUB <subject> [reply] <length>\r\n" or "HPUB <subject> [reply] <hdr_len> <total_len>\r\n",
	// built before taking the lock
	char stackHeader[256];
	std::string heapHeader;
	const std::size_t headerMax = 5 + subject.size() + 1 + reply.size() + 1 + 20 + 1 + 20 + 2;
	char* h = stackHeader;
	if (headerMax > sizeof(stackHeader))
	{
		heapHeader.resize(headerMax);
		h = &heapHeader[0];
	}
	char* p = h;
	if (headerBlock.empty())
	{
		std::memcpy(p, "PUB ", 4);
		p += 4;
	}
	else
	{
		std::memcpy(p, "HPUB ", 5);
		p += 5;
	}
	std::memcpy(p, subject.data(), subject.size());
	p += subject.size();
	*p++ = ' ';
	if (!reply.empty())
	{
		std::memcpy(p, reply.data(), reply.size());
		p += reply.size();
		*p++ = ' ';
	}
	auto putNumber = [&p](std::size_t v) {
		char digits[24];
		int nd = 0;
		do
		{
			digits[nd++] = static_cast<char>('0' + v % 10);
			v /= 10;
		}
		while (v);
		while (nd) *p++ = digits[--nd];
	};
	if (!headerBlock.empty())
	{
		putNumber(headerBlock.size());
		*p++ = ' ';
	}
	putNumber(total);
	*p++ = '\r';
	*p++ = '\n';
	const std::size_t headerLength = static_cast<std::size_t>(p - h);
	_writer.publish(h, headerLength, headerBlock, data, length, writeNow);
}

void ConnectionImpl::onWriteError(const Poco::Exception& e)
{
	// a writing thread, socket mutex held: record only (the reader reconnects); a missed write
	// deadline also goes to the error handler
	if (dynamic_cast<const WriteDeadlineException*>(&e))
	{
		reportError(e);
		return;
	}
	std::lock_guard<std::mutex> lock(_mutex);
	_lastError = e.displayText();
}

void ConnectionImpl::post(std::function<void()> fn)
{
	_events.post(std::move(fn));
}

void ConnectionImpl::reportError(const Poco::Exception& e)
{
	{
		std::lock_guard<std::mutex> lock(_mutex);
		_lastError = e.displayText();
	}
	if (_options.errorHandler)
	{
		std::shared_ptr<Poco::Exception> p(e.clone());
		auto handler = _options.errorHandler;
		post([handler, p]() { handler(*p); });
	}
}

void ConnectionImpl::flush(Poco::Timespan timeout)
{
	auto deadline = deadlineAfter(timeout);
	std::unique_lock<std::mutex> lock(_mutex);
	checkUsable();
	if (!_stateCond.wait_until(lock, deadline, [this]() { return _closing || _writer.status() == Connection::Status::CONNECTED; }))
		throw NatsTimeoutException("nats: timeout (not connected)");
	if (_closing) throw ConnectionClosedException("nats: connection closed");
	auto w = std::make_shared<PongWaiter>();
	_pongs.push_back(w);
	_writer.appendPing(Poco::Thread::current() == &_readerThread);
	if (Poco::Thread::current() != &_readerThread)
	{
		// Write the PING (and what precedes it) on this thread, as nats.c does: the flusher may be
		// lingering after a burst of direct writes, which would delay the PONG by up to 2 ms.
		// Lock order: the socket mutex is never taken while holding _mutex.
		lock.unlock();
		_writer.writeNowOrKick();
		lock.lock();
	}
	if (!_stateCond.wait_until(lock, deadline, [&w]() { return w->done; })) throw NatsTimeoutException("nats: timeout");
	if (!w->ok)
	{
		if (_closing) throw ConnectionClosedException("nats: connection closed");
		throw NatsException("nats: connection lost before the flush completed");
	}
}

// ---------------------------------------------------------------------------------------------
// request / reply

Message ConnectionImpl::request(const std::string& subject, const Headers* pHeaders, const std::string& data, Poco::Timespan timeout)
{
	SubjectRules::checkPublishSubject(subject);
	{
		std::lock_guard<std::mutex> lock(_mutex);
		checkUsable();
	}
	return _requests.request([&](const std::string& reply) { publish(subject, reply, pHeaders, data.data(), data.size()); }, timeout);
}

void ConnectionImpl::requestAsync(const std::string& subject, const void* data, std::size_t length, Poco::Timespan timeout, ReplyHandler handler,
	const Headers* pHeaders)
{
	if (!handler) throw Poco::InvalidArgumentException("nats: the reply handler must not be empty");
	SubjectRules::checkPublishSubject(subject);
	{
		std::lock_guard<std::mutex> lock(_mutex);
		checkUsable();
	}
	_requests.requestAsync([&](const std::string& reply) { publish(subject, reply, pHeaders, data, length); }, timeout, std::move(handler));
}

// ---------------------------------------------------------------------------------------------
// close

void ConnectionImpl::close()
{
	{
		std::unique_lock<std::mutex> lock(_mutex);
		if (_closing)
		{
			if (!isOwnThread()) _stateCond.wait_for(lock, std::chrono::seconds(30), [this]() { return _closed; });
			return;
		}
		_closing = true;
		_stateCond.notify_all();
		if (!_threadsStarted)
		{
			_writer.setStatus(Connection::Status::CLOSED);
			_closed = true;
			return;
		}
	}
	// 1. let the flusher write what is pending (bounded by connectTimeout)
	_writer.waitWritten(deadlineAfter(_options.connectTimeout));
	// 2. mark closed, wake everybody
	{
		std::lock_guard<std::mutex> lock(_mutex);
		_writer.stop();
		failPongWaiters(0);
	}
	_writer.shutdownSocket();
	_timer.stop();
	_dispatchers.stop();
	_requests.failAll(ConnectionClosedException("nats: connection closed"));
	std::vector<std::shared_ptr<SubscriptionImpl>> subs;
	{
		std::lock_guard<std::mutex> lock(_subsMutex);
		for (auto& s: _subs) subs.push_back(s.second);
		_subs.clear();
		_subsGeneration.fetch_add(1, std::memory_order_release);
	}
	for (auto& s: subs) s->markClosed(true);
	// 3. join (never the calling thread)
	const Poco::Thread* self = Poco::Thread::current();
	if (self != &_readerThread && !_readerJoined.exchange(true)) _readerThread.join();
	_writer.join();
	_dispatchers.join();
	if (self != &_readerThread) _writer.closeSocket();
	// 4. closed handler, then stop the event thread
	if (_options.closedHandler)
	{
		auto handler = _options.closedHandler;
		post([handler]() { handler(); });
	}
	_events.shutdown();
	{
		std::lock_guard<std::mutex> lock(_mutex);
		_closed = true;
		_stateCond.notify_all();
	}
}

// ---------------------------------------------------------------------------------------------
// accessors

std::string ConnectionImpl::newInbox() const
{
	return _options.inboxPrefix + "." + NUID::next();
}

std::string ConnectionImpl::connectedUrl() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	if (_writer.status() != Connection::Status::CONNECTED) return std::string();
	return _current.url();
}

std::string ConnectionImpl::connectedServerId() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	if (_writer.status() != Connection::Status::CONNECTED) return std::string();
	return _info.serverId;
}

std::vector<std::string> ConnectionImpl::servers() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _pool.urls();
}

Statistics ConnectionImpl::statistics() const
{
	Statistics s;
	s.inMsgs = _inMsgs.load();
	s.outMsgs = _writer.outMsgs();
	s.outBytes = _writer.outBytes();
	s.inBytes = _inBytes.load();
	s.reconnects = _reconnects.load();
	return s;
}

std::string ConnectionImpl::lastError() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _lastError;
}

} // namespace Nats
