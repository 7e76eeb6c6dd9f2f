//
// ServerSelection.h
//
// Library: Nats
// Package: Core
// Module:  ServerSelection
//
// Which servers a connection may use and which one it is on: the pool, the current server, its
// last INFO, the host name discovered IPs are checked against.
//
// SPDX-License-Identifier: Apache-2.0
//

#ifndef Nats_ServerSelection_INCLUDED
#define Nats_ServerSelection_INCLUDED

#include "core/ServerInfo.h"
#include "core/ServerPool.h"
#include <string>
#include <vector>

namespace Nats {

/// The server side of a connection's state: connect() and the reconnect walk take their
/// candidates from it, count attempts per server in it and record where they got to.
///
///     for (const ServerAddress& c: selection.candidates())
///         if (selection.claimAttempt(c, options.maxReconnect, server)) ...
///         // handshake with `server`, then: selection.connectedTo(server);
///
/// Thread safety: not synchronised; the connection guards it with ConnectionState's mutex.
class ServerSelection
{
public:
	/// A new pool from Options::servers (connect()).
	void reset(const std::vector<std::string>& urls, bool noRandomize) { _pool = ServerPool(urls, noRandomize); }

	/// The pool in walk order (a copy: the walk unlocks between attempts).
	std::vector<ServerAddress> candidates() const;

	bool empty() const { return _pool.empty(); }

	/// Before a reconnect attempt to `candidate`: false when it left the pool meanwhile or has used
	/// up `maxReconnect` attempts (negative = unlimited; it is then removed); otherwise counts the
	/// attempt and copies the pool entry to `server`.
	bool claimAttempt(const ServerAddress& candidate, int maxReconnect, ServerAddress& server);

	/// A handshake with `server` succeeded: it is the current server, its pool entry counts as
	/// connected (attempts start again from 0) and an explicit host name is kept for TLS.
	void connectedTo(const ServerAddress& server);

	/// The current server is tried last by the next reconnect walk.
	void moveCurrentToEnd() { _pool.moveToEnd(_current.hostPort()); }

	/// The host name the certificate of `server` is checked against: for a discovered bare IP the
	/// host name of the last explicit server connected to (as nats.go / nats.c keep a TLS name),
	/// else empty (= server.host).
	std::string tlsNameFor(const ServerAddress& server) const;

	/// Keeps `info` and applies its connect_urls; discovered servers use tls:// when the current
	/// server's URL or the link (`linkTls`) does. Returns true when the pool changed.
	bool applyInfo(const ServerInfo& info, bool linkTls);

	const ServerAddress& current() const { return _current; }
	const ServerInfo& info() const { return _info; }
	std::vector<std::string> urls() const { return _pool.urls(); }

private:
	ServerPool _pool;
	ServerAddress _current;
	ServerInfo _info;
	std::string _tlsName;  // host name of the last explicit (non-IP) server: checks certificates of discovered IPs
};

} // namespace Nats

#endif // Nats_ServerSelection_INCLUDED
