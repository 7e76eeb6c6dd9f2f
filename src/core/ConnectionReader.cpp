//
// ConnectionReader.cpp
//
// Library: Nats
// Package: Core
// Module:  ConnectionImpl
//
// The reader thread of ConnectionImpl: reads the socket, runs the Parser, demuxes MSG/HMSG by sid,
// answers server PINGs, sends client PINGs (stale detection) and, when the socket is lost,
// reconnects (the one thread that ever replaces the socket).
//
// SPDX-License-Identifier: Apache-2.0
//

#include "core/ConnectionImpl.h"
#include "core/ImplAccess.h"
#include "core/ThreadName.h"
#include <chrono>
#include <random>

namespace Nats {

namespace {

constexpr std::size_t READ_BUFFER_SIZE = 64 * 1024;

std::chrono::steady_clock::time_point deadlineAfter(Poco::Timespan t)
{
	return std::chrono::steady_clock::now() + std::chrono::microseconds(t.totalMicroseconds() > 0 ? t.totalMicroseconds() : 0);
}

} // namespace

// ---------------------------------------------------------------------------------------------
// reader

void ConnectionImpl::run()
{
	setCurrentThreadName("nats-reader");
	std::unique_ptr<char[]> buffer(new char[READ_BUFFER_SIZE]);
	// Options::retryOnFailedConnect: connect() failed and returned; this thread keeps trying
	if (_retryInitial.exchange(false) && !reconnect("nats: not yet connected", true)) return;
	for (;;)
	{
		std::string reason;
		try
		{
			for (;;)
			{
				int n = 0;
				Poco::Net::StreamSocket& socket = _writer.socket();
				if (_writer.tls())
				{
					for (;;)
					{
						bool ready = socket.available() > 0 || socket.poll(Poco::Timespan(0, 200000), Poco::Net::Socket::SELECT_READ | Poco::Net::Socket::SELECT_ERROR);
						if (!ready)
						{
							std::lock_guard<std::mutex> lock(_mutex);
							if (_closing) break;
							continue;
						}
						std::lock_guard<std::mutex> lock(_writer.socketMutex());
						n = socket.receiveBytes(buffer.get(), static_cast<int>(READ_BUFFER_SIZE));
						break;
					}
				}
				else
				{
					n = socket.receiveBytes(buffer.get(), static_cast<int>(READ_BUFFER_SIZE));
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
	if (headers.empty())
	{
		// built in place (no temporary to move from): this path runs for every MSG
		Message m(std::move(subject), std::move(reply), std::move(payload));
		deliver(*sub, m, subject, reply);
		return;
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
	deliver(*sub, m, subject, reply);
}

void ConnectionImpl::deliver(SubscriptionImpl& subscription, Message& m, std::string& subject, std::string& reply)
{
	SubscriptionImpl* sub = &subscription;
	if (sub->kind() == SubscriptionImpl::Kind::INLINE)
	{
		sub->deliverInline(m);
		// The handler is done with the message: the parser gets its subject and reply buffers back
		// (capacity kept), so a stream of frames on one inbox costs only the payload allocation.
		ImplAccess::takeBack(m, subject, reply);
		return;
	}
	bool reportSlow = false;
	sub->enqueue(std::move(m), reportSlow);
	if (reportSlow) reportError(SlowConsumerException("nats: slow consumer, messages dropped on '" + sub->subject() + "'"));
}

void ConnectionImpl::onPing()
{
	_writer.appendIfConnected("PONG\r\n");
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
		out += std::to_string(sub->sid());
		out += "\r\n";
		std::uint64_t max = sub->max();
		if (max > 0)
		{
			std::uint64_t received = sub->received();
			out += "UNSUB ";
			out += std::to_string(sub->sid());
			if (received < max)
			{
				out += ' ';
				out += std::to_string(max - received);
			}
			out += "\r\n";
		}
	}
	return out;
}

bool ConnectionImpl::reconnect(const std::string& reason, bool initial)
{
	bool allow;
	{
		std::lock_guard<std::mutex> lock(_mutex);
		if (_closing) return false;
		if (!initial) _lastError = reason;
		allow = initial || _options.allowReconnect;
		std::size_t keep = _writer.lost(allow ? Connection::Status::RECONNECTING : Connection::Status::DISCONNECTED);
		failPongWaiters(keep);
		_pingsOut = 0;
	}
	_writer.closeSocket();
	if (!initial && _options.disconnectedHandler)
	{
		auto handler = _options.disconnectedHandler;
		post([handler]() { handler(); });
	}
	if (!allow)
	{
		close();
		return false;
	}
	if (!initial)
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
				Handshake::Result hs = _handshake.run(server, tlsNameFor(server));
				_writer.install(hs.socket, hs.tls);
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
					rememberTlsName(server);
					_pingsOut = 0;
				}
				applyInfo(hs.info, false);
				{
					std::lock_guard<std::mutex> lock(_mutex);
					std::lock_guard<std::mutex> subsLock(_subsMutex);
					_writer.connected(hs.extra + buildResubscribe());
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
			Poco::Timespan jitter = _writer.tls() ? _options.reconnectJitterTLS : _options.reconnectJitter;
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
		if (_writer.status() == Connection::Status::CONNECTED)
		{
			if (++_pingsOut > _options.maxPingsOut)
			{
				stale = true;
				_pingsOut = 0;
			}
			else
			{
				_pongs.push_back(nullptr);
				_writer.appendPing(true);
			}
		}
	}
	if (stale)
	{
		reportError(StaleConnectionException("nats: stale connection"));
		_writer.shutdownSocket();
	}
	schedulePing();
}
} // namespace Nats
