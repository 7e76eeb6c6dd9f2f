//
// ConnectionImpl.cpp
//
// Library: Nats
// Package: Core
// Module:  ConnectionImpl
//
// The facade's calls: construction (the wiring of the parts), connect, publish (framing), flush,
// request / reply (through RequestMux), close, accessors. Subscriptions and drain are in
// ConnectionSubscriptions.cpp, the reader thread in Reader.cpp, the reconnect in Reconnector.cpp,
// the state transitions in ConnectionState.cpp.
//
// SPDX-License-Identifier: Apache-2.0
//

#include "core/ConnectionImpl.h"
#include "core/NUID.h"
#include "core/SubjectRules.h"
#include <chrono>
#include <cstring>

namespace Nats {

using Status = Connection::Status;

// ---------------------------------------------------------------------------------------------
// construction

ConnectionImpl::ConnectionImpl(const Options& options)
	: _options(options),
	  _handshake(_options),
	  _timer("nats-timer"),
	  _events("nats-events"),
	  _dispatchers(options.dispatcherThreads, "nats-dispatch", options.sharedDispatcher),
	  _writer(_state.statusCell(), options.reconnectBufferSize, options.writeDeadline, [this](const Poco::Exception& e) { onWriteError(e); }),
	  _requests(_timer, [this](const Poco::Exception& e) { reportError(e); }),
	  _reader(*this, _options, _handshake, _state, _servers, _subs, _writer, _timer)
{
	_writer.setReaderThread(_reader.thread());
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
	_reader.join();
	_writer.join();
	_dispatchers.join();
	_timer.stop();
	_events.shutdown();
}

bool ConnectionImpl::isOwnThread() const
{
	return _reader.isCurrent() || _writer.isFlusherThread() || _timer.isCurrent() || _events.isCurrent() || _dispatchers.isWorkerThread();
}

// ---------------------------------------------------------------------------------------------
// connect / handshake

void ConnectionImpl::applyInfo(const ServerInfo& info, bool initial)
{
	bool discovered = false;
	std::vector<std::string> urls;
	{
		ConnectionState::Lock lock = _state.lock();
		if (info.maxPayload > 0) _maxPayload = info.maxPayload;
		_serverHeaders = info.headers;
		discovered = _servers.applyInfo(info, _writer.tls());
		urls = _servers.urls();
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
		ConnectionState::Lock lock = _state.lock();
		_state.checkConnectableLocked();
		_options.validate();
		_handshake.checkCredentials();
		_servers.reset(_options.servers, _options.noRandomize);
		_writer.setStatus(Status::CONNECTING);
	}
	std::vector<ServerAddress> candidates;
	{
		ConnectionState::Lock lock = _state.lock();
		candidates = _servers.candidates();
	}
	std::string tried;
	std::unique_ptr<Poco::Exception> pTyped;
	std::string lastError;
	bool allTyped = true;
	for (auto& server: candidates)
	{
		std::string tlsName;
		{
			ConnectionState::Lock lock = _state.lock();
			if (_state.isClosingLocked()) throw ConnectionClosedException("nats: connection closed during connect()");
			tlsName = _servers.tlsNameFor(server);
		}
		if (!tried.empty()) tried += ", ";
		tried += server.url();
		try
		{
			Handshake::Result hs = _handshake.run(server, tlsName);
			_writer.install(hs.socket, hs.tls);
			{
				ConnectionState::Lock lock = _state.lock();
				_servers.connectedTo(server);
			}
			applyInfo(hs.info, true);
			bool closedMeanwhile = false;
			{
				// under the state lock, so that a concurrent close() sees either nothing started or everything
				ConnectionState::Lock lock = _state.lock();
				if (_state.isClosingLocked())
				{
					closedMeanwhile = true;
					_writer.setStatus(Status::CLOSED);
				}
				else
				{
					_writer.connected(hs.extra);
					_state.markStartedLocked();
					startThreadsLocked(false);
				}
			}
			if (closedMeanwhile)
			{
				_writer.closeSocket();
				throw ConnectionClosedException("nats: connection closed during connect()");
			}
			subscribeResponses();
			return;
		}
		catch (ConnectionClosedException&)
		{
			throw; // close() was called meanwhile: no other server is tried
		}
		catch (Poco::Exception& e)
		{
			// when every server failed with one of these, connect() throws the last of them
			if (dynamic_cast<ServerErrorException*>(&e) || dynamic_cast<TLSException*>(&e))  // incl. AuthorizationException
				pTyped.reset(e.clone());
			else
				allTyped = false;
			lastError = e.displayText();
		}
	}
	if (_options.retryOnFailedConnect)
	{
		// as nats.c: return now and keep trying in the background like a reconnect (the
		// reconnected handler reports success); publishes are buffered meanwhile
		{
			ConnectionState::Lock lock = _state.lock();
			if (_state.isClosingLocked()) throw ConnectionClosedException("nats: connection closed during connect()");
			_state.setLastErrorLocked(lastError);
			_writer.setStatus(Status::RECONNECTING);
			_state.markStartedLocked();
			startThreadsLocked(true);
		}
		subscribeResponses();
		return;
	}
	{
		ConnectionState::Lock lock = _state.lock();
		_state.setLastErrorLocked(lastError);
		_writer.setStatus(Status::DISCONNECTED);
	}
	if (pTyped && allTyped) pTyped->rethrow();
	throw NoServerException("nats: no server available for connection (tried " + tried + "; last error: " + lastError + ")");
}

void ConnectionImpl::startThreadsLocked(bool retryInitial)
{
	_events.start();
	_timer.start();
	_dispatchers.start();
	_writer.start();
	_reader.start(retryInitial);
}

void ConnectionImpl::subscribeResponses()
{
	_requests.setPrefix(_options.inboxPrefix + "." + NUID::next() + ".");
	_respSub = subscribeInline(_requests.prefix() + "*", "", [this](const Message& m) { _requests.onResponse(m); });
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
			const Status st = _state.linkStatus();
			if (st == Status::CLOSED) throw ConnectionClosedException("nats: connection closed");
			if (st == Status::CONNECTED || st == Status::RECONNECTING)
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
	_state.setLastError(e.displayText());
}

void ConnectionImpl::post(std::function<void()> fn)
{
	_events.post(std::move(fn));
}

void ConnectionImpl::reportError(const Poco::Exception& e)
{
	_state.setLastError(e.displayText());
	if (_options.errorHandler)
	{
		std::shared_ptr<Poco::Exception> p(e.clone());
		auto handler = _options.errorHandler;
		post([handler, p]() { handler(*p); });
	}
}

void ConnectionImpl::flush(Poco::Timespan timeout)
{
	auto deadline = ConnectionState::deadlineAfter(timeout);
	ConnectionState::Lock lock = _state.lock();
	_state.checkUsableLocked();
	if (!_state.waitConnected(lock, deadline)) throw NatsTimeoutException("nats: timeout (not connected)");
	if (_state.isClosingLocked()) throw ConnectionClosedException("nats: connection closed");
	std::shared_ptr<ConnectionState::PongWaiter> w = _state.addPongWaiterLocked();
	const bool onReader = _reader.isCurrent();
	_writer.appendPing(onReader);
	if (!onReader)
	{
		// Write the PING (and what precedes it) on this thread, as nats.c does: the flusher may be
		// lingering after a burst of direct writes, which would delay the PONG by up to 2 ms.
		// Lock order: the socket mutex is never taken while holding the state mutex.
		lock.unlock();
		_writer.writeNowOrKick();
		lock.lock();
	}
	if (!_state.waitPong(lock, w, deadline)) throw NatsTimeoutException("nats: timeout");
	if (!w->ok)
	{
		if (_state.isClosingLocked()) throw ConnectionClosedException("nats: connection closed");
		throw NatsException("nats: connection lost before the flush completed");
	}
}

// ---------------------------------------------------------------------------------------------
// request / reply

Message ConnectionImpl::request(const std::string& subject, const Headers* pHeaders, const std::string& data, Poco::Timespan timeout)
{
	SubjectRules::checkPublishSubject(subject);
	{
		ConnectionState::Lock lock = _state.lock();
		_state.checkUsableLocked();
	}
	return _requests.request([&](const std::string& reply) { publish(subject, reply, pHeaders, data.data(), data.size()); }, timeout);
}

void ConnectionImpl::requestAsync(const std::string& subject, const void* data, std::size_t length, Poco::Timespan timeout, ReplyHandler handler,
	const Headers* pHeaders)
{
	if (!handler) throw Poco::InvalidArgumentException("nats: the reply handler must not be empty");
	SubjectRules::checkPublishSubject(subject);
	{
		ConnectionState::Lock lock = _state.lock();
		_state.checkUsableLocked();
	}
	_requests.requestAsync([&](const std::string& reply) { publish(subject, reply, pHeaders, data, length); }, timeout, std::move(handler));
}

// ---------------------------------------------------------------------------------------------
// close

void ConnectionImpl::close()
{
	{
		ConnectionState::Lock lock = _state.lock();
		switch (_state.beginCloseLocked())
		{
		case ConnectionState::CloseStep::ALREADY_CLOSING:
			if (!isOwnThread()) _state.waitClosed(lock, std::chrono::seconds(30));
			return;
		case ConnectionState::CloseStep::NOTHING_STARTED:
			_writer.setStatus(Status::CLOSED);
			return;
		case ConnectionState::CloseStep::TEAR_DOWN:
			break;
		}
	}
	// 1. let the flusher write what is pending (bounded by connectTimeout)
	_writer.waitWritten(ConnectionState::deadlineAfter(_options.connectTimeout));
	// 2. mark closed, wake everybody
	{
		ConnectionState::Lock lock = _state.lock();
		_writer.stop();
		_state.failPongWaitersLocked(0);
	}
	_writer.shutdownSocket();
	_timer.stop();
	_dispatchers.stop();
	_requests.failAll(ConnectionClosedException("nats: connection closed"));
	for (auto& s: _subs.takeAll()) s->markClosed(true);
	// 3. join (never the calling thread)
	const bool onReader = _reader.isCurrent();
	_reader.join();
	_writer.join();
	_dispatchers.join();
	if (!onReader) _writer.closeSocket();
	// 4. closed handler, then stop the event thread
	if (_options.closedHandler)
	{
		auto handler = _options.closedHandler;
		post([handler]() { handler(); });
	}
	_events.shutdown();
	_state.markClosed();
}

// ---------------------------------------------------------------------------------------------
// accessors

std::string ConnectionImpl::newInbox() const
{
	return _options.inboxPrefix + "." + NUID::next();
}

std::string ConnectionImpl::connectedUrl() const
{
	ConnectionState::Lock lock = _state.lock();
	if (_state.linkStatus() != Status::CONNECTED) return std::string();
	return _servers.current().url();
}

std::string ConnectionImpl::connectedServerId() const
{
	ConnectionState::Lock lock = _state.lock();
	if (_state.linkStatus() != Status::CONNECTED) return std::string();
	return _servers.info().serverId;
}

std::vector<std::string> ConnectionImpl::servers() const
{
	ConnectionState::Lock lock = _state.lock();
	return _servers.urls();
}

Statistics ConnectionImpl::statistics() const
{
	Statistics s;
	s.inMsgs = _reader.inMsgs();
	s.inBytes = _reader.inBytes();
	s.outMsgs = _writer.outMsgs();
	s.outBytes = _writer.outBytes();
	s.reconnects = _reader.reconnects();
	return s;
}

std::string ConnectionImpl::lastError() const
{
	return _state.lastError();
}

} // namespace Nats
