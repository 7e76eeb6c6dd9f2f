//
// ServerPool.h
//
// Library: Nats
// Package: Core
// Module:  ServerPool
//
// Server URLs of a connection: explicit ones from Options and implicit ones from INFO connect_urls.
//
// SPDX-License-Identifier: Apache-2.0
//

#ifndef Nats_ServerPool_INCLUDED
#define Nats_ServerPool_INCLUDED

#include <cstdint>
#include <string>
#include <vector>

namespace Nats {

/// One parsed server URL.
struct ServerAddress
{
	std::string scheme = "nats";  ///< "nats" or "tls"
	std::string host;             ///< without IPv6 brackets
	int port = 4222;
	std::string user;
	std::string password;
	std::string token;            ///< "nats://token@host"
	bool implicit = false;        ///< learned from connect_urls
	int reconnects = 0;           ///< failed attempts since the last success
	bool everConnected = false;

	/// True for tls:// URLs.
	bool tls() const { return scheme == "tls"; }

	/// "host:port" (IPv6 hosts in brackets).
	std::string hostPort() const;

	/// "scheme://host:port" (credentials never included).
	std::string url() const;

	/// Parses "nats://user:pass@host:port", "nats://token@host", "tls://host:port", "host:port",
	/// "host" (port 4222). Throws: Poco::InvalidArgumentException naming the URL when malformed.
	static ServerAddress parse(const std::string& url);
};

/// The ordered list of servers a connection tries: connect() walks it in order, reconnect walks it
/// starting after the server just lost. Explicit servers come from Options::servers (shuffled
/// unless noRandomize); implicit ones are added (and removed) by INFO connect_urls.
///
/// Thread safety: none; a connection keeps it in its ServerSelection, guarded by ConnectionState's mutex.
class ServerPool
{
public:
	ServerPool() = default;

	/// Parses every URL. Throws: Poco::InvalidArgumentException on a malformed URL or an empty list.
	ServerPool(const std::vector<std::string>& urls, bool noRandomize);

	std::size_t size() const { return _servers.size(); }
	bool empty() const { return _servers.empty(); }
	ServerAddress& at(std::size_t i) { return _servers.at(i); }
	const ServerAddress& at(std::size_t i) const { return _servers.at(i); }

	/// Index of the server with this host:port, or -1.
	int find(const std::string& hostPort) const;

	/// Applies INFO connect_urls ("host:port" entries): adds unknown ones as implicit servers
	/// (scheme `scheme`), removes implicit ones no longer listed except `currentHostPort`.
	/// An empty list leaves the pool unchanged. Returns true if a server was added.
	bool updateDiscovered(const std::vector<std::string>& connectUrls, const std::string& currentHostPort, const std::string& scheme);

	/// Removes the server at index i.
	void remove(std::size_t i);

	/// Moves the server with this host:port to the end (tried last on reconnect).
	void moveToEnd(const std::string& hostPort);

	/// URLs of every server, in pool order.
	std::vector<std::string> urls() const;

private:
	std::vector<ServerAddress> _servers;
	bool _noRandomize = false;
};

} // namespace Nats

#endif // Nats_ServerPool_INCLUDED
