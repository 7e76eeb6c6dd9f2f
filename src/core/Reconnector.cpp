//
// Reconnector.cpp
//
// Library: Nats
// Package: Core
// Module:  Reconnector
//
// SPDX-License-Identifier: Apache-2.0
//

#include "core/Reconnector.h"
#include "core/ConnectionState.h"
#include "core/Handshake.h"
#include "core/Parser.h"
#include "core/ReaderHost.h"
#include "core/ServerSelection.h"
#include "core/SubscriptionTable.h"
#include "core/Writer.h"
#include <random>
#include <vector>

namespace Nats {

Reconnector::Reconnector(ReaderHost& host, const Options& options, const Handshake& handshake, ConnectionState& state,
	ServerSelection& servers, SubscriptionTable& subs, Writer& writer, Parser& parser)
	: _host(host),
	  _options(options),
	  _handshake(handshake),
	  _state(state),
	  _servers(servers),
	  _subs(subs),
	  _writer(writer),
	  _parser(parser)
{
}

bool Reconnector::run(const std::string& reason, bool initial)
{
	using Status = Connection::Status;
	bool allow;
	{
		ConnectionState::Lock lock = _state.lock();
		if (_state.isClosingLocked()) return false;
		if (!initial) _state.setLastErrorLocked(reason);
		allow = initial || _options.allowReconnect;
		// PINGs still in the unsent buffer go out after the reconnect: their waiters stay
		std::size_t keep = _writer.lost(allow ? Status::RECONNECTING : Status::DISCONNECTED);
		_state.failPongWaitersLocked(keep);
		_state.resetPingsOutLocked();
	}
	_writer.closeSocket();
	if (!initial && _options.disconnectedHandler)
	{
		auto handler = _options.disconnectedHandler;
		_host.post([handler]() { handler(); });
	}
	if (!allow)
	{
		_host.close();
		return false;
	}
	if (!initial)
	{
		ConnectionState::Lock lock = _state.lock();
		_servers.moveCurrentToEnd();
	}
	std::mt19937 rng(std::random_device{}());
	for (;;)
	{
		std::vector<ServerAddress> candidates;
		{
			ConnectionState::Lock lock = _state.lock();
			candidates = _servers.candidates();
		}
		for (auto& candidate: candidates)
		{
			ServerAddress server;
			std::string tlsName;
			{
				ConnectionState::Lock lock = _state.lock();
				if (_state.isClosingLocked()) return false;
				if (!_servers.claimAttempt(candidate, _options.maxReconnect, server)) continue;
				tlsName = _servers.tlsNameFor(server);
			}
			try
			{
				Handshake::Result hs = _handshake.run(server, tlsName);
				_writer.install(hs.socket, hs.tls);
				_parser.reset();
				{
					ConnectionState::Lock lock = _state.lock();
					// close() is waiting for the reader; it closes the socket after joining
					if (_state.isClosingLocked()) return false;
					_servers.connectedTo(server);
					_state.resetPingsOutLocked();
				}
				_host.applyInfo(hs.info, false);
				{
					// both locks: no SUB / UNSUB slips between the resubscriptions and CONNECTED
					ConnectionState::Lock lock = _state.lock();
					SubscriptionTable::Lock subsLock = _subs.lock();
					_writer.connected(hs.extra + _subs.resubscribeLocked());
					_state.notifyAll();
				}
				_reconnects.fetch_add(1);
				if (_options.reconnectedHandler)
				{
					auto handler = _options.reconnectedHandler;
					_host.post([handler]() { handler(); });
				}
				return true;
			}
			catch (Poco::Exception& e)
			{
				_state.setLastError("nats: reconnect to " + server.url() + " failed: " + e.displayText());
			}
		}
		{
			ConnectionState::Lock lock = _state.lock();
			if (_state.isClosingLocked()) return false;
			if (_servers.empty())
			{
				_state.setLastErrorLocked("nats: no servers available for connection");
				break;
			}
			Poco::Timespan jitter = _writer.tls() ? _options.reconnectJitterTLS : _options.reconnectJitter;
			Poco::Timespan::TimeDiff extra = 0;
			if (jitter.totalMicroseconds() > 0)
				extra = static_cast<Poco::Timespan::TimeDiff>(rng() % static_cast<std::uint64_t>(jitter.totalMicroseconds()));
			auto until = ConnectionState::deadlineAfter(_options.reconnectWait + Poco::Timespan(extra));
			if (_state.waitClosing(lock, until)) return false;
		}
	}
	_host.close();
	return false;
}

} // namespace Nats
