//
// ConnectionImpl.cpp
//
// Library: Nats
// Package: Core
// Module:  ConnectionImpl
//
// SPDX-License-Identifier: Apache-2.0
//

#include "core/ConnectionImpl.h"
#include "core/NUID.h"
#include "core/Base62.h"
#include "core/SubjectRules.h"
#include "core/ThreadName.h"
#include "Nats/Version.h"
#include <Poco/JSON/Object.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/NetSSL.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/NetException.h>
#include <Poco/String.h>
#include <algorithm>
#include <chrono>
#include <cstring>
#include <random>
#include <sstream>
#include <sys/socket.h>

namespace Nats {

namespace {

constexpr std::size_t READ_BUFFER_SIZE = 64 * 1024;
constexpr std::size_t OUTPUT_HIGH_WATER = 64 * 1024 * 1024;
constexpr std::size_t DIRECT_WRITE_THRESHOLD = 32 * 1024;
constexpr std::chrono::microseconds FLUSHER_LINGER(1000);
constexpr int DEFAULT_RECONNECT_BUFFER = 8 * 1024 * 1024;

using Clock = std::chrono::steady_clock;

Clock::time_point deadlineAfter(Poco::Timespan t)
{
	return Clock::now() + std::chrono::microseconds(t.totalMicroseconds() > 0 ? t.totalMicroseconds() : 0);
}

void appendUnsigned(std::string& out, std::uint64_t v)
{
	char tmp[24];
	int n = 0;
	do
	{
		tmp[n++] = static_cast<char>('0' + v % 10);
		v /= 10;
	}
	while (v);
	while (n) out.push_back(tmp[--n]);
}

std::unique_ptr<Poco::Exception> makeServerError(const std::string& text)
{
	std::string lower = Poco::toLower(text);
	if (lower.find("authorization violation") != std::string::npos || lower.find("authentication") != std::string::npos
		|| lower.find("permissions violation") != std::string::npos)
		return std::unique_ptr<Poco::Exception>(new AuthorizationException(text));
	if (lower.find("stale connection") != std::string::npos) return std::unique_ptr<Poco::Exception>(new StaleConnectionException(text));
	return std::unique_ptr<Poco::Exception>(new ServerErrorException(text));
}

std::once_flag sslOnce;

Poco::Net::Context::Ptr makeTlsContext(const Options& o)
{
	std::call_once(sslOnce, []() { Poco::Net::initializeSSL(); });
	Poco::Net::Context::Params p;
	p.privateKeyFile = o.tlsKeyFile;
	p.certificateFile = o.tlsCertFile;
	p.caLocation = o.tlsCaFile;
	// VERIFY_STRICT: with RELAXED, POCO skips the host name check for loopback addresses.
	p.verificationMode = o.tlsVerify ? Poco::Net::Context::VERIFY_STRICT : Poco::Net::Context::VERIFY_NONE;
	p.loadDefaultCAs = o.tlsCaFile.empty();
	p.cipherList = "ALL:!ADH:!LOW:!EXP:!MD5:@STRENGTH";
	Poco::Net::Context::Ptr ctx = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, p);
	ctx->enableExtendedCertificateVerification(o.tlsVerify && o.tlsVerifyHostname);
	return ctx;
}

void sendAll(Poco::Net::StreamSocket& socket, const char* data, std::size_t length)
{
	while (length > 0)
	{
		int chunk = length > (1u << 30) ? (1 << 30) : static_cast<int>(length);
		int n = socket.sendBytes(data, chunk);
		if (n <= 0) throw Poco::Net::NetException("send failed");
		data += n;
		length -= static_cast<std::size_t>(n);
	}
}

/// Collects what the server sends during the handshake.
struct HandshakeHandler: public ParserHandler
{
	bool gotInfo = false;
	bool gotPong = false;
	bool gotErr = false;
	bool first = true;
	bool firstWasInfo = false;
	std::string info;
	std::string err;
	int pings = 0;

	void onInfo(const std::string& json) override
	{
		if (first) firstWasInfo = true;
		first = false;
		gotInfo = true;
		info = json;
	}
	void onMsg(std::string&, std::int64_t, std::string&, std::string&, std::string&) override
	{
		first = false;
	}
	void onPing() override
	{
		first = false;
		++pings;
	}
	void onPong() override
	{
		first = false;
		gotPong = true;
	}
	void onOk() override
	{
		first = false;
	}
	void onErr(const std::string& text) override
	{
		first = false;
		if (!gotErr) err = text;
		gotErr = true;
	}
};

} // namespace

// ---------------------------------------------------------------------------------------------
// construction

ConnectionImpl::ConnectionImpl(const Options& options)
	: _options(options),
	  _parser(*this),
	  _readerThread("nats-reader"),
	  _flusherThread("nats-flusher"),
	  _flusher(*this),
	  _timer("nats-timer"),
	  _events("nats-events"),
	  _dispatchers(options.dispatcherThreads, "nats-dispatch")
{
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
	if (_threadsStarted && Poco::Thread::current() != &_flusherThread && !_flusherJoined.exchange(true)) _flusherThread.join();
	_dispatchers.join();
	_timer.stop();
	_events.shutdown();
}

bool ConnectionImpl::isOwnThread() const
{
	const Poco::Thread* t = Poco::Thread::current();
	return t == &_readerThread || t == &_flusherThread || _timer.isCurrent() || _events.isCurrent() || _dispatchers.isWorkerThread();
}

void ConnectionImpl::checkUsable() const
{
	if (_closing || _closed) throw ConnectionClosedException("nats: connection closed");
	if (!_threadsStarted) throw Poco::IllegalStateException("nats: not connected (call connect() first)");
}

// ---------------------------------------------------------------------------------------------
// connect / handshake

std::string ConnectionImpl::connectJson(const ServerAddress& server, const ServerInfo& info) const
{
	Poco::JSON::Object obj(Poco::JSON_PRESERVE_KEY_ORDER);
	obj.set("verbose", _options.verbose);
	obj.set("pedantic", _options.pedantic);
	obj.set("tls_required", _options.secure || server.tls());
	obj.set("name", _options.name);
	obj.set("lang", std::string("cpp"));
	obj.set("version", std::string(NATS_CPP_VERSION_STRING));
	obj.set("protocol", 1);
	obj.set("echo", !_options.noEcho);
	obj.set("headers", info.headers);
	obj.set("no_responders", info.headers);
	std::string user = server.user.empty() ? _options.user : server.user;
	std::string pass = server.user.empty() ? _options.password : server.password;
	std::string token = server.token.empty() ? _options.token : server.token;
	if (!user.empty())
	{
		obj.set("user", user);
		obj.set("pass", pass);
	}
	if (!token.empty()) obj.set("auth_token", token);
	std::ostringstream out;
	obj.stringify(out);
	return out.str();
}

Poco::Net::StreamSocket ConnectionImpl::handshake(ServerAddress& server, ServerInfo& info, std::string& extra)
{
	Poco::Net::SocketAddress address(server.host, static_cast<Poco::UInt16>(server.port));
	Poco::Net::StreamSocket socket;
	socket.connect(address, _options.connectTimeout);
	socket.setNoDelay(true);
	socket.setReceiveTimeout(_options.connectTimeout);
	socket.setSendTimeout(_options.connectTimeout);

	HandshakeHandler hs;
	Parser parser(hs);
	char buffer[4096];
	while (!hs.gotInfo && !hs.gotErr)
	{
		int n = socket.receiveBytes(buffer, sizeof(buffer));
		if (n <= 0) throw NatsException("nats: connection closed by " + server.url() + " before INFO");
		parser.parse(buffer, static_cast<std::size_t>(n));
	}
	if (hs.gotErr) makeServerError(hs.err)->rethrow();
	if (!hs.firstWasInfo) throw NatsProtocolException("nats: expected INFO from " + server.url());
	info = ServerInfo::parse(hs.info);

	bool tls = _options.secure || server.tls() || info.tlsRequired;
	if (tls)
	{
		try
		{
			Poco::Net::SecureStreamSocket secure = Poco::Net::SecureStreamSocket::attach(socket, server.host, makeTlsContext(_options));
			secure.completeHandshake();
			socket = secure;
		}
		catch (Poco::Exception& e)
		{
			throw TLSException("nats: TLS handshake with " + server.url() + " failed: " + e.displayText());
		}
	}
	std::string hello = "CONNECT " + connectJson(server, info) + "\r\nPING\r\n";
	sendAll(socket, hello.data(), hello.size());
	hs.gotInfo = false;
	while (!hs.gotPong && !hs.gotErr)
	{
		int n = socket.receiveBytes(buffer, sizeof(buffer));
		if (n <= 0)
		{
			throw NatsException("nats: connection closed by " + server.url() + " during handshake");
		}
		parser.parse(buffer, static_cast<std::size_t>(n));
	}
	if (hs.gotErr) makeServerError(hs.err)->rethrow();
	if (hs.gotInfo) info = ServerInfo::parse(hs.info);
	for (int i = 0; i < hs.pings; ++i) extra += "PONG\r\n";
	socket.setReceiveTimeout(Poco::Timespan(0));
	socket.setSendTimeout(Poco::Timespan(0));
	_tls = tls;
	return socket;
}

void ConnectionImpl::installSocket(Poco::Net::StreamSocket socket, bool tls)
{
	std::lock_guard<std::mutex> lock(_sockMutex);
	_socket = socket;
	_tls = tls;
	std::lock_guard<std::mutex> fdLock(_fdMutex);
	_fd = static_cast<int>(_socket.impl()->sockfd());
}

void ConnectionImpl::shutdownSocket()
{
	std::lock_guard<std::mutex> lock(_fdMutex);
	if (_fd >= 0) ::shutdown(_fd, SHUT_RDWR);
}

void ConnectionImpl::closeSocket()
{
	shutdownSocket();
	std::lock_guard<std::mutex> lock(_sockMutex);
	{
		std::lock_guard<std::mutex> fdLock(_fdMutex);
		_fd = -1;
	}
	try
	{
		_socket.close();
	}
	catch (...)
	{
	}
	_socket = Poco::Net::StreamSocket();
}

void ConnectionImpl::applyInfo(const ServerInfo& info, bool initial)
{
	bool discovered = false;
	std::vector<std::string> urls;
	{
		std::lock_guard<std::mutex> lock(_mutex);
		_info = info;
		if (info.maxPayload > 0) _maxPayload = info.maxPayload;
		_serverHeaders = info.headers;
		discovered = _pool.updateDiscovered(info.connectUrls, _current.hostPort(), _current.tls() || _tls ? "tls" : "nats");
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
		if (_status != Connection::Status::DISCONNECTED) throw Poco::IllegalStateException("nats: already connected");
		_options.validate();
		_pool = ServerPool(_options.servers, _options.noRandomize);
		_status = Connection::Status::CONNECTING;
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
			ServerInfo info;
			std::string extra;
			Poco::Net::StreamSocket socket = handshake(server, info, extra);
			installSocket(socket, _tls);
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
			}
			applyInfo(info, true);
			bool closedMeanwhile = false;
			{
				// under _mutex, so that a concurrent close() sees either nothing started or everything
				std::lock_guard<std::mutex> lock(_mutex);
				if (_closing)
				{
					closedMeanwhile = true;
					std::lock_guard<std::mutex> out(_outMutex);
					_status = Connection::Status::CLOSED;
				}
				else
				{
					{
						std::lock_guard<std::mutex> out(_outMutex);
						_outBuf.insert(0, extra);
						_status = Connection::Status::CONNECTED;
					}
					_threadsStarted = true;
					startThreads();
				}
			}
			if (closedMeanwhile)
			{
				closeSocket();
				throw ConnectionClosedException("nats: connection closed during connect()");
			}
			// the shared request inbox: one wildcard subscription per connection
			_respPrefix = NUID::newInbox() + ".";
			_respSub = subscribeInline(_respPrefix + "*", "", [this](const Message& m) { onResponse(m); });
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
	{
		std::lock_guard<std::mutex> lock(_mutex);
		_lastError = lastError;
		_status = Connection::Status::DISCONNECTED;
	}
	if (pTyped && allTyped) pTyped->rethrow();
	throw NoServerException("nats: no server available for connection (tried " + tried + "; last error: " + lastError + ")");
}

void ConnectionImpl::startThreads()
{
	// REQUIRES: _mutex held, _threadsStarted set (a concurrent close() waits for both)
	_events.start();
	_timer.start();
	_dispatchers.start();
	_flusherThread.start(_flusher);
	_readerThread.start(*this);
	schedulePing();
}

// ---------------------------------------------------------------------------------------------
// reader

void ConnectionImpl::run()
{
	setCurrentThreadName("nats-reader");
	std::unique_ptr<char[]> buffer(new char[READ_BUFFER_SIZE]);
	for (;;)
	{
		std::string reason;
		try
		{
			for (;;)
			{
				int n = 0;
				if (_tls)
				{
					for (;;)
					{
						bool ready = _socket.available() > 0 || _socket.poll(Poco::Timespan(0, 200000), Poco::Net::Socket::SELECT_READ | Poco::Net::Socket::SELECT_ERROR);
						if (!ready)
						{
							std::lock_guard<std::mutex> lock(_mutex);
							if (_closing) break;
							continue;
						}
						std::lock_guard<std::mutex> lock(_sockMutex);
						n = _socket.receiveBytes(buffer.get(), static_cast<int>(READ_BUFFER_SIZE));
						break;
					}
				}
				else
				{
					n = _socket.receiveBytes(buffer.get(), static_cast<int>(READ_BUFFER_SIZE));
				}
				if (n <= 0)
				{
					reason = "nats: connection closed by server";
					break;
				}
				_parser.parse(buffer.get(), static_cast<std::size_t>(n));
			}
		}
		catch (Poco::Exception& e)
		{
			reason = e.displayText();
		}
		catch (std::exception& e)
		{
			reason = e.what();
		}
		{
			std::lock_guard<std::mutex> lock(_mutex);
			if (_closing) return;
		}
		if (!reconnect(reason)) return;
	}
}

void ConnectionImpl::onInfo(const std::string& json)
{
	ServerInfo info;
	try
	{
		info = ServerInfo::parse(json);
	}
	catch (Poco::Exception& e)
	{
		reportError(e);
		return;
	}
	applyInfo(info, false);
}

void ConnectionImpl::onMsg(std::string& subject, std::int64_t sid, std::string& reply, std::string& headers, std::string& payload)
{
	_inMsgs.fetch_add(1, std::memory_order_relaxed);
	_inBytes.fetch_add(payload.size(), std::memory_order_relaxed);
	// Reader-only cache of the last sid; any change of the map bumps _subsGeneration.
	const std::uint64_t generation = _subsGeneration.load(std::memory_order_acquire);
	if (sid != _cachedSid || generation != _cachedGeneration || !_cachedSub)
	{
		std::lock_guard<std::mutex> lock(_subsMutex);
		auto it = _subs.find(sid);
		_cachedSid = sid;
		_cachedGeneration = _subsGeneration.load(std::memory_order_relaxed);
		_cachedSub = it == _subs.end() ? nullptr : it->second;
	}
	SubscriptionImpl* sub = _cachedSub.get();
	if (!sub) return;
	bool limitReached = false;
	if (!sub->countReceived(limitReached)) return;
	if (limitReached)
	{
		std::lock_guard<std::mutex> lock(_subsMutex);
		_subs.erase(sid);
		_subsGeneration.fetch_add(1, std::memory_order_release);
	}
	Message m;
	try
	{
		m = Message(std::move(subject), std::move(reply), std::move(payload), std::move(headers));
	}
	catch (Poco::Exception& e)
	{
		// a malformed header block: drop this message only (the frame itself was well formed)
		reportError(NatsProtocolException("nats: message on '" + sub->subject() + "' dropped: " + e.message()));
		return;
	}
	if (sub->kind() == SubscriptionImpl::Kind::INLINE)
	{
		sub->deliverInline(m);
		return;
	}
	bool reportSlow = false;
	sub->enqueue(std::move(m), reportSlow);
	if (reportSlow) reportError(SlowConsumerException("nats: slow consumer, messages dropped on '" + sub->subject() + "'"));
}

void ConnectionImpl::onPing()
{
	appendProtocol("PONG\r\n");
}

void ConnectionImpl::onPong()
{
	std::lock_guard<std::mutex> lock(_mutex);
	_pingsOut = 0;
	if (!_pongs.empty())
	{
		std::shared_ptr<PongWaiter> w = _pongs.front();
		_pongs.pop_front();
		if (w)
		{
			w->done = true;
			w->ok = true;
		}
	}
	_stateCond.notify_all();
}

void ConnectionImpl::onOk()
{
}

void ConnectionImpl::onErr(const std::string& text)
{
	reportError(*makeServerError(text));
}

// ---------------------------------------------------------------------------------------------
// reconnect

void ConnectionImpl::failPongWaiters(std::size_t keepLast)
{
	// REQUIRES: _mutex held
	while (_pongs.size() > keepLast)
	{
		std::shared_ptr<PongWaiter> w = _pongs.front();
		_pongs.pop_front();
		if (w) w->done = true;
	}
	_stateCond.notify_all();
}

std::string ConnectionImpl::buildResubscribe()
{
	// REQUIRES: _subsMutex held
	std::string out;
	for (const auto& entry: _subs)
	{
		const auto& sub = entry.second;
		out += "SUB ";
		out += sub->subject();
		if (!sub->queue().empty())
		{
			out += ' ';
			out += sub->queue();
		}
		out += ' ';
		appendUnsigned(out, static_cast<std::uint64_t>(sub->sid()));
		out += "\r\n";
		std::uint64_t max = sub->max();
		if (max > 0)
		{
			std::uint64_t received = sub->received();
			out += "UNSUB ";
			appendUnsigned(out, static_cast<std::uint64_t>(sub->sid()));
			if (received < max)
			{
				out += ' ';
				appendUnsigned(out, max - received);
			}
			out += "\r\n";
		}
	}
	return out;
}

bool ConnectionImpl::reconnect(const std::string& reason)
{
	bool allow;
	{
		std::lock_guard<std::mutex> lock(_mutex);
		if (_closing) return false;
		_lastError = reason;
		allow = _options.allowReconnect;
		std::size_t keep;
		{
			std::lock_guard<std::mutex> out(_outMutex);
			keep = _pingsInBuffer;
			_status = allow ? Connection::Status::RECONNECTING : Connection::Status::DISCONNECTED;
			_spaceCond.notify_all();
		}
		failPongWaiters(keep);
		_pingsOut = 0;
	}
	closeSocket();
	if (_options.disconnectedHandler)
	{
		auto handler = _options.disconnectedHandler;
		post([handler]() { handler(); });
	}
	if (!allow)
	{
		close();
		return false;
	}
	{
		std::lock_guard<std::mutex> lock(_mutex);
		_pool.moveToEnd(_current.hostPort());
	}
	std::mt19937 rng(std::random_device{}());
	for (;;)
	{
		std::vector<ServerAddress> candidates;
		{
			std::lock_guard<std::mutex> lock(_mutex);
			for (std::size_t i = 0; i < _pool.size(); ++i) candidates.push_back(_pool.at(i));
		}
		for (auto& candidate: candidates)
		{
			ServerAddress server;
			{
				std::lock_guard<std::mutex> lock(_mutex);
				if (_closing) return false;
				int i = _pool.find(candidate.hostPort());
				if (i < 0) continue;
				ServerAddress& ps = _pool.at(static_cast<std::size_t>(i));
				if (_options.maxReconnect >= 0 && ps.reconnects >= _options.maxReconnect)
				{
					_pool.remove(static_cast<std::size_t>(i));
					continue;
				}
				++ps.reconnects;
				server = ps;
			}
			try
			{
				ServerInfo info;
				std::string extra;
				Poco::Net::StreamSocket socket = handshake(server, info, extra);
				installSocket(socket, _tls);
				_parser.reset();
				{
					std::lock_guard<std::mutex> lock(_mutex);
					if (_closing)
					{
						// close() is waiting for us; it closes the socket after joining
						return false;
					}
					int i = _pool.find(server.hostPort());
					if (i >= 0)
					{
						ServerAddress& ps = _pool.at(static_cast<std::size_t>(i));
						ps.reconnects = 0;
						ps.everConnected = true;
						_current = ps;
					}
					else
					{
						_current = server;
					}
					_pingsOut = 0;
				}
				applyInfo(info, false);
				{
					std::lock_guard<std::mutex> lock(_mutex);
					std::lock_guard<std::mutex> subsLock(_subsMutex);
					std::string subs = buildResubscribe();
					std::lock_guard<std::mutex> out(_outMutex);
					_outBuf.insert(0, extra + subs);
					_status = Connection::Status::CONNECTED;
					_outCond.notify_all();
					_stateCond.notify_all();
				}
				_reconnects.fetch_add(1);
				if (_options.reconnectedHandler)
				{
					auto handler = _options.reconnectedHandler;
					post([handler]() { handler(); });
				}
				return true;
			}
			catch (Poco::Exception& e)
			{
				std::lock_guard<std::mutex> lock(_mutex);
				_lastError = "nats: reconnect to " + server.url() + " failed: " + e.displayText();
			}
		}
		{
			std::unique_lock<std::mutex> lock(_mutex);
			if (_closing) return false;
			if (_pool.empty())
			{
				_lastError = "nats: no servers available for connection";
				break;
			}
			Poco::Timespan jitter = _tls ? _options.reconnectJitterTLS : _options.reconnectJitter;
			Poco::Timespan::TimeDiff extra = 0;
			if (jitter.totalMicroseconds() > 0)
				extra = static_cast<Poco::Timespan::TimeDiff>(rng() % static_cast<std::uint64_t>(jitter.totalMicroseconds()));
			auto until = deadlineAfter(_options.reconnectWait + Poco::Timespan(extra));
			_stateCond.wait_until(lock, until, [this]() { return _closing; });
			if (_closing) return false;
		}
	}
	close();
	return false;
}

// ---------------------------------------------------------------------------------------------
// output

void ConnectionImpl::appendProtocol(const std::string& text)
{
	std::lock_guard<std::mutex> out(_outMutex);
	if (_status != Connection::Status::CONNECTED) return;
	_outBuf += text;
	kickFlusher();
}

void ConnectionImpl::publish(const std::string& subject, const std::string& reply, const Headers* pHeaders, const void* data, std::size_t length,
	bool writeNow)
{
	SubjectRules::checkPublishSubject(subject);
	if (!reply.empty()) SubjectRules::checkPublishSubject(reply, "reply subject");
	std::string headerBlock;
	if (pHeaders && !pHeaders->empty())
	{
		if (!_serverHeaders.load(std::memory_order_relaxed))
		{
			const Connection::Status st = _status.load();
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
	const std::size_t frame = headerLength + total + 2;

	std::unique_lock<std::mutex> out(_outMutex);
	for (;;)
	{
		Connection::Status st = _status.load(std::memory_order_relaxed);
		if (st == Connection::Status::CONNECTED)
		{
			if (_outBuf.size() < OUTPUT_HIGH_WATER || Poco::Thread::current() == &_readerThread) break;
			_spaceCond.wait(out);
			continue;
		}
		if (st == Connection::Status::CLOSED) throw ConnectionClosedException("nats: connection closed");
		if (st == Connection::Status::RECONNECTING)
		{
			int limit = _options.reconnectBufferSize == 0 ? DEFAULT_RECONNECT_BUFFER : _options.reconnectBufferSize;
			if (limit < 0 || _outBuf.size() + frame > static_cast<std::size_t>(limit))
				throw NatsException("nats: outbound buffer limit exceeded");
			break;
		}
		if (st == Connection::Status::DISCONNECTED && _threadsStarted) throw NatsException("nats: not connected");
		throw Poco::IllegalStateException("nats: not connected (call connect() first)");
	}
	if (_outBuf.capacity() < _outBuf.size() + frame) _outBuf.reserve(std::max<std::size_t>(2 * (_outBuf.size() + frame), 64 * 1024));
	_outBuf.append(h, headerLength);
	if (!headerBlock.empty()) _outBuf.append(headerBlock);
	_outBuf.append(static_cast<const char*>(data), length);
	_outBuf.append("\r\n", 2);
	++_outMsgs;
	_outBytes += length;
	if (_status.load(std::memory_order_relaxed) != Connection::Status::CONNECTED) return;
	const bool full = _outBuf.size() >= DIRECT_WRITE_THRESHOLD;
	if (writeNow && !full && Poco::Thread::current() != &_readerThread)
	{
		// The caller waits for the answer to this message (synchronous streaming publish): write it
		// on this thread instead of waking the flusher (saves a futex wake and a thread hop).
		out.unlock();
		writeNowOrKick();
		return;
	}
	if (full && Poco::Thread::current() != &_readerThread)
	{
		// Like nats.c: with a full buffer the publisher writes it itself (waiting for a write in
		// progress to end). This is the back pressure under load and saves a thread hop per write.
		// Whoever writes holds _sockMutex from the swap to the end of the write, so frames keep
		// their order. Lock order: _sockMutex before _outMutex.
		out.unlock();
		std::lock_guard<std::mutex> sock(_sockMutex);
		out.lock();
		if (_status.load(std::memory_order_relaxed) != Connection::Status::CONNECTED || _outBuf.size() < DIRECT_WRITE_THRESHOLD)
		{
			if (!_outBuf.empty()) kickFlusher();
			return;
		}
		_directBuf.swap(_outBuf);
		_pingsInBuffer = 0;
		_writing = true;
		++_directWrites;
		out.unlock();
		writeOut(_directBuf);
		out.lock();
		_writing = false;
		_spaceCond.notify_all();
		return;
	}
	kickFlusher();
}

void ConnectionImpl::writeNowOrKick()
{
	// REQUIRES: no lock held; not the reader thread. Lock order: _sockMutex before _outMutex.
	std::unique_lock<std::mutex> sock(_sockMutex, std::try_to_lock);
	std::unique_lock<std::mutex> out(_outMutex);
	if (_status.load(std::memory_order_relaxed) != Connection::Status::CONNECTED || _outBuf.empty()) return;
	if (!sock.owns_lock())
	{
		// A write is in progress (or the TLS reader is reading): do not queue behind it. The
		// flusher loops back by itself when busy, and is woken here when it sleeps.
		kickFlusher();
		return;
	}
	_directBuf.swap(_outBuf);
	_pingsInBuffer = 0;
	_writing = true;
	out.unlock();
	writeOut(_directBuf);
	out.lock();
	_writing = false;
	_spaceCond.notify_all();
}

void ConnectionImpl::kickFlusher()
{
	// REQUIRES: _outMutex held. Wakes the flusher only when it sleeps, once: while it is busy it
	// looks at the buffer again by itself, so a burst of publishes costs no futex call each.
	if (_flusherIdle)
	{
		_flusherIdle = false;
		_outCond.notify_one();
	}
}

void ConnectionImpl::writeOut(std::string& buffer)
{
	// REQUIRES: _sockMutex held
	try
	{
		sendAll(_socket, buffer.data(), buffer.size());
	}
	catch (Poco::Exception& e)
	{
		{
			std::lock_guard<std::mutex> lock(_mutex);
			_lastError = "nats: write failed: " + e.displayText();
		}
		shutdownSocket();
	}
	if (buffer.capacity() > 16 * 1024 * 1024)
		std::string().swap(buffer);
	else
		buffer.clear();
}

void ConnectionImpl::flusherLoop()
{
	setCurrentThreadName("nats-flusher");
	std::string buffer;
	std::uint64_t seenDirectWrites = 0;
	for (;;)
	{
		{
			std::unique_lock<std::mutex> out(_outMutex);
			for (;;)
			{
				if (_stopFlusher) return;
				if (_directWrites != seenDirectWrites)
				{
					// Publishers are writing 32 KiB chunks themselves (a burst): stay out of their way
					// and look again in a moment (nats.c's flusher always lingers 1 ms). Lone publishes
					// (requests, acks) never take this path, so they are written without delay.
					seenDirectWrites = _directWrites;
					_outCond.wait_for(out, FLUSHER_LINGER, [this]() { return _stopFlusher; });
					continue;
				}
				if (_status == Connection::Status::CONNECTED && !_outBuf.empty()) break;
				_flusherIdle = true; // set before every sleep (a kick clears it)
				_outCond.wait(out);
			}
			_flusherIdle = false;
		}
		std::unique_lock<std::mutex> sock(_sockMutex, std::try_to_lock);
		if (!sock.owns_lock())
		{
			// A publisher is writing directly or the TLS reader is reading: do not queue behind it.
			std::unique_lock<std::mutex> out(_outMutex);
			_outCond.wait_for(out, std::chrono::microseconds(500), [this]() { return _stopFlusher; });
			continue;
		}
		{
			std::lock_guard<std::mutex> out(_outMutex);
			if (_stopFlusher) return;
			if (_outBuf.empty() || _status != Connection::Status::CONNECTED) continue;
			buffer.swap(_outBuf);
			_pingsInBuffer = 0;
			_writing = true;
			_spaceCond.notify_all();
		}
		writeOut(buffer);
		{
			std::lock_guard<std::mutex> out(_outMutex);
			_writing = false;
			_spaceCond.notify_all();
		}
	}
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

// ---------------------------------------------------------------------------------------------
// pings and flush

void ConnectionImpl::schedulePing()
{
	if (_options.pingInterval.totalMicroseconds() <= 0) return;
	_timer.schedule(_options.pingInterval, [this]() { onPingTimer(); });
}

void ConnectionImpl::onPingTimer()
{
	bool stale = false;
	{
		std::lock_guard<std::mutex> lock(_mutex);
		if (_closing) return;
		if (_status == Connection::Status::CONNECTED)
		{
			if (++_pingsOut > _options.maxPingsOut)
			{
				stale = true;
				_pingsOut = 0;
			}
			else
			{
				_pongs.push_back(nullptr);
				std::lock_guard<std::mutex> out(_outMutex);
				_outBuf += "PING\r\n";
				++_pingsInBuffer;
				kickFlusher();
			}
		}
	}
	if (stale)
	{
		reportError(StaleConnectionException("nats: stale connection"));
		shutdownSocket();
	}
	schedulePing();
}

void ConnectionImpl::flush(Poco::Timespan timeout)
{
	auto deadline = deadlineAfter(timeout);
	std::unique_lock<std::mutex> lock(_mutex);
	checkUsable();
	if (!_stateCond.wait_until(lock, deadline, [this]() { return _closing || _status == Connection::Status::CONNECTED; }))
		throw NatsTimeoutException("nats: timeout (not connected)");
	if (_closing) throw ConnectionClosedException("nats: connection closed");
	auto w = std::make_shared<PongWaiter>();
	_pongs.push_back(w);
	{
		std::lock_guard<std::mutex> out(_outMutex);
		_outBuf += "PING\r\n";
		++_pingsInBuffer;
		if (Poco::Thread::current() == &_readerThread) kickFlusher();
	}
	if (Poco::Thread::current() != &_readerThread)
	{
		// Write the PING (and what precedes it) on this thread, as nats.c does: the flusher may be
		// lingering after a burst of direct writes, which would delay the PONG by up to 2 ms.
		// Lock order: _sockMutex is never taken while holding _mutex.
		lock.unlock();
		writeNowOrKick();
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
// subscriptions

std::shared_ptr<SubscriptionImpl> ConnectionImpl::addSubscription(const std::string& subject, const std::string& queue,
	SubscriptionImpl::Kind kind, MessageHandler handler, int maxMsgs, long long maxBytes)
{
	std::lock_guard<std::mutex> lock(_mutex);
	checkUsable();
	std::lock_guard<std::mutex> subsLock(_subsMutex);
	std::int64_t sid = ++_nextSid;
	Dispatcher* d = kind == SubscriptionImpl::Kind::ASYNC ? _dispatchers.next() : nullptr;
	auto sub = std::make_shared<SubscriptionImpl>(weak_from_this(), sid, subject, queue, kind, std::move(handler), maxMsgs, maxBytes, d);
	_subs[sid] = sub;
	_subsGeneration.fetch_add(1, std::memory_order_release);
	std::lock_guard<std::mutex> out(_outMutex);
	if (_status == Connection::Status::CONNECTED)
	{
		_outBuf += "SUB ";
		_outBuf += subject;
		if (!queue.empty())
		{
			_outBuf += ' ';
			_outBuf += queue;
		}
		_outBuf += ' ';
		appendUnsigned(_outBuf, static_cast<std::uint64_t>(sid));
		_outBuf += "\r\n";
		kickFlusher();
	}
	return sub;
}

Subscription ConnectionImpl::subscribe(const std::string& subject, const std::string& queue, MessageHandler handler, bool sync)
{
	SubjectRules::checkSubscribeSubject(subject);
	SubjectRules::checkQueue(queue);
	if (!sync && !handler) throw Poco::InvalidArgumentException("nats: the message handler must not be empty");
	auto kind = sync ? SubscriptionImpl::Kind::SYNC : SubscriptionImpl::Kind::ASYNC;
	return Subscription(addSubscription(subject, queue, kind, std::move(handler), _options.maxPendingMessages, _options.maxPendingBytes));
}

Subscription ConnectionImpl::subscribeInline(const std::string& subject, const std::string& queue, MessageHandler handler)
{
	SubjectRules::checkSubscribeSubject(subject);
	SubjectRules::checkQueue(queue);
	if (!handler) throw Poco::InvalidArgumentException("nats: the message handler must not be empty");
	return Subscription(addSubscription(subject, queue, SubscriptionImpl::Kind::INLINE, std::move(handler), -1, -1));
}

void ConnectionImpl::unsubscribe(const std::shared_ptr<SubscriptionImpl>& sub)
{
	{
		std::lock_guard<std::mutex> lock(_mutex);
		if (_closing || _closed) throw ConnectionClosedException("nats: connection closed");
		if (sub->isClosed()) return;
		std::lock_guard<std::mutex> subsLock(_subsMutex);
		_subs.erase(sub->sid());
		_subsGeneration.fetch_add(1, std::memory_order_release);
		std::lock_guard<std::mutex> out(_outMutex);
		if (_status == Connection::Status::CONNECTED)
		{
			_outBuf += "UNSUB ";
			appendUnsigned(_outBuf, static_cast<std::uint64_t>(sub->sid()));
			_outBuf += "\r\n";
			kickFlusher();
		}
	}
	sub->markClosed(false);
}

void ConnectionImpl::autoUnsubscribe(const std::shared_ptr<SubscriptionImpl>& sub, int max)
{
	if (max <= 0) throw Poco::InvalidArgumentException("nats: autoUnsubscribe needs max > 0");
	bool closeNow = false;
	{
		std::lock_guard<std::mutex> lock(_mutex);
		if (_closing || _closed) throw ConnectionClosedException("nats: connection closed");
		if (sub->isClosed()) throw Poco::IllegalStateException("nats: invalid subscription");
		std::uint64_t received = sub->setMax(static_cast<std::uint64_t>(max));
		std::lock_guard<std::mutex> subsLock(_subsMutex);
		std::lock_guard<std::mutex> out(_outMutex);
		bool send = _status == Connection::Status::CONNECTED;
		if (received >= static_cast<std::uint64_t>(max))
		{
			_subs.erase(sub->sid());
			_subsGeneration.fetch_add(1, std::memory_order_release);
			if (send)
			{
				_outBuf += "UNSUB ";
				appendUnsigned(_outBuf, static_cast<std::uint64_t>(sub->sid()));
				_outBuf += "\r\n";
			}
			closeNow = sub->delivered() >= static_cast<std::uint64_t>(max);
		}
		else if (send)
		{
			_outBuf += "UNSUB ";
			appendUnsigned(_outBuf, static_cast<std::uint64_t>(sub->sid()));
			_outBuf += ' ';
			appendUnsigned(_outBuf, static_cast<std::uint64_t>(max));
			_outBuf += "\r\n";
		}
		if (!_outBuf.empty()) kickFlusher();
	}
	if (closeNow) sub->markClosed(false);
}

// ---------------------------------------------------------------------------------------------
// request / reply

void ConnectionImpl::onResponse(const Message& m)
{
	if (m.subject().size() <= _respPrefix.size()) return;
	std::string token = m.subject().substr(_respPrefix.size());
	if (m.isNoResponders())
	{
		NoRespondersException e("nats: no responders available for request");
		finishRequest(token, nullptr, &e);
	}
	else
	{
		finishRequest(token, &m, nullptr);
	}
}

void ConnectionImpl::finishRequest(const std::string& token, const Message* pMessage, const Poco::Exception* pError)
{
	std::shared_ptr<RequestWaiter> w;
	{
		std::lock_guard<std::mutex> lock(_reqMutex);
		auto it = _requests.find(token);
		if (it == _requests.end()) return;
		w = it->second;
		_requests.erase(it);
	}
	if (w->handler)
	{
		if (w->timerId) _timer.cancel(w->timerId);
		try
		{
			w->handler(pMessage, pError);
		}
		catch (Poco::Exception& e)
		{
			reportError(e);
		}
		catch (...)
		{
		}
		return;
	}
	std::lock_guard<std::mutex> lock(w->mutex);
	if (pMessage) w->message = *pMessage;
	if (pError) w->pError.reset(pError->clone());
	w->done = true;
	w->cond.notify_all();
}

void ConnectionImpl::failRequests(const Poco::Exception& e)
{
	std::vector<std::string> tokens;
	{
		std::lock_guard<std::mutex> lock(_reqMutex);
		for (const auto& r: _requests) tokens.push_back(r.first);
	}
	for (const auto& t: tokens) finishRequest(t, nullptr, &e);
}

Message ConnectionImpl::request(const std::string& subject, const Headers* pHeaders, const std::string& data, Poco::Timespan timeout)
{
	SubjectRules::checkPublishSubject(subject);
	{
		std::lock_guard<std::mutex> lock(_mutex);
		checkUsable();
	}
	auto w = std::make_shared<RequestWaiter>();
	std::string token;
	{
		std::lock_guard<std::mutex> lock(_reqMutex);
		token = Base62::encode(++_nextToken);
		_requests[token] = w;
	}
	try
	{
		publish(subject, _respPrefix + token, pHeaders, data.data(), data.size());
	}
	catch (...)
	{
		std::lock_guard<std::mutex> lock(_reqMutex);
		_requests.erase(token);
		throw;
	}
	auto deadline = deadlineAfter(timeout);
	{
		std::unique_lock<std::mutex> lock(w->mutex);
		w->cond.wait_until(lock, deadline, [&w]() { return w->done; });
	}
	{
		std::lock_guard<std::mutex> lock(_reqMutex);
		_requests.erase(token);
	}
	std::lock_guard<std::mutex> lock(w->mutex);
	if (!w->done) throw NatsTimeoutException("nats: timeout");
	if (w->pError) w->pError->rethrow();
	return w->message;
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
	auto w = std::make_shared<RequestWaiter>();
	w->handler = std::move(handler);
	std::string token;
	{
		std::lock_guard<std::mutex> lock(_reqMutex);
		token = Base62::encode(++_nextToken);
		_requests[token] = w;
	}
	w->timerId = _timer.schedule(timeout, [this, token]() {
		NatsTimeoutException e("nats: timeout");
		finishRequest(token, nullptr, &e);
	});
	try
	{
		publish(subject, _respPrefix + token, pHeaders, data, length);
	}
	catch (...)
	{
		std::lock_guard<std::mutex> lock(_reqMutex);
		_requests.erase(token);
		if (w->timerId) _timer.cancel(w->timerId);
		throw;
	}
}

// ---------------------------------------------------------------------------------------------
// close / drain

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
			std::lock_guard<std::mutex> out(_outMutex);
			_status = Connection::Status::CLOSED;
			_closed = true;
			return;
		}
	}
	// 1. let the flusher write what is pending (bounded by connectTimeout)
	{
		std::unique_lock<std::mutex> out(_outMutex);
		if (Poco::Thread::current() != &_flusherThread)
		{
			_spaceCond.wait_until(out, deadlineAfter(_options.connectTimeout), [this]() {
				return (_outBuf.empty() && !_writing) || _status != Connection::Status::CONNECTED;
			});
		}
	}
	// 2. mark closed, wake everybody
	{
		std::lock_guard<std::mutex> lock(_mutex);
		{
			std::lock_guard<std::mutex> out(_outMutex);
			_status = Connection::Status::CLOSED;
			_stopFlusher = true;
			_outBuf.clear();
			_outCond.notify_all();
			_spaceCond.notify_all();
		}
		failPongWaiters(0);
	}
	shutdownSocket();
	_timer.stop();
	_dispatchers.stop();
	failRequests(ConnectionClosedException("nats: connection closed"));
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
	if (self != &_flusherThread && !_flusherJoined.exchange(true)) _flusherThread.join();
	_dispatchers.join();
	if (self != &_readerThread) closeSocket();
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

void ConnectionImpl::drain(Poco::Timespan timeout)
{
	auto deadline = deadlineAfter(timeout);
	std::vector<std::shared_ptr<SubscriptionImpl>> subs;
	{
		std::lock_guard<std::mutex> lock(_mutex);
		checkUsable();
		if (_draining.exchange(true)) throw Poco::IllegalStateException("nats: already draining");
		std::lock_guard<std::mutex> subsLock(_subsMutex);
		std::lock_guard<std::mutex> out(_outMutex);
		for (auto& s: _subs)
		{
			if (s.second->subject().compare(0, _respPrefix.size(), _respPrefix) == 0) continue;
			subs.push_back(s.second);
			if (_status == Connection::Status::CONNECTED)
			{
				_outBuf += "UNSUB ";
				appendUnsigned(_outBuf, static_cast<std::uint64_t>(s.first));
				_outBuf += "\r\n";
			}
		}
		_outCond.notify_one();
	}
	bool timedOut = false;
	try
	{
		auto remaining = std::chrono::duration_cast<std::chrono::microseconds>(deadline - Clock::now()).count();
		flush(Poco::Timespan(remaining > 0 ? remaining : 1));
	}
	catch (NatsTimeoutException&)
	{
		timedOut = true;
	}
	catch (Poco::Exception&)
	{
	}
	{
		std::lock_guard<std::mutex> lock(_subsMutex);
		for (auto& s: subs) _subs.erase(s->sid());
		_subsGeneration.fetch_add(1, std::memory_order_release);
	}
	for (auto& s: subs)
	{
		while (!timedOut && !s->idle())
		{
			if (Clock::now() >= deadline)
			{
				timedOut = true;
				break;
			}
			Poco::Thread::sleep(1);
		}
	}
	close();
	if (timedOut) throw NatsTimeoutException("nats: drain timeout");
}

// ---------------------------------------------------------------------------------------------
// accessors

std::string ConnectionImpl::newInbox() const
{
	return NUID::newInbox();
}

std::string ConnectionImpl::connectedUrl() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	if (_status != Connection::Status::CONNECTED) return std::string();
	return _current.url();
}

std::string ConnectionImpl::connectedServerId() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	if (_status != Connection::Status::CONNECTED) return std::string();
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
	{
		std::lock_guard<std::mutex> out(_outMutex);
		s.outMsgs = _outMsgs;
		s.outBytes = _outBytes;
	}
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
