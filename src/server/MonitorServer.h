//
// MonitorServer.h
//
// Library: Nats
// Package: Server
// Module:  MonitorServer
//
// The streaming server's HTTP monitoring endpoint, compatible with nats-streaming-server's
// /streaming/* pages.
//
// SPDX-License-Identifier: Apache-2.0
//

#ifndef Nats_MonitorServer_INCLUDED
#define Nats_MonitorServer_INCLUDED

#include "server/ServerContext.h"
#include <Poco/ThreadPool.h>
#include <memory>
#include <string>

namespace Poco {
namespace Net {
class HTTPServer;
}
} // namespace Poco

namespace Nats {

/// Serves, on a POCO HTTPServer with its own pool of at most 2 threads, over HTTP or (as the Go
/// server with -ms) HTTPS with StanServerOptions::tlsCert / tlsKey:
///
///     /streaming                 an HTML page linking the others
///     /streaming/serverz         Serverz
///     /streaming/storez          Storez
///     /streaming/clientsz        Clientsz (?offset=&limit=, ?subs=1), or ?client=<id>: Clientz
///     /streaming/channelsz       Channelsz (?offset=&limit=, ?subs=1), or ?channel=<name>: Channelz
///     /streaming/isFTActive      204 (this server is never the active server of an FT group)
///
/// as the Go server: JSON (two-space indent, Access-Control-Allow-Origin: *), JSONP with
/// ?callback=<fn>, 404 "Channel <name> not found" / "Client <id> not found" as text/plain. Other
/// paths are 404 "404 page not found" (the Go server's nats-server mux answers them instead).
///
/// Each request copies what it reports under ServerContext::mutex (MonitorSnapshot) and builds
/// and writes the answer after releasing it.
///
/// Thread safety: start() and stop() by one thread at a time (StanServerImpl's start/stop);
/// answer() from any thread.
class MonitorServer
{
public:
	/// An answer: HTTP status, content type and body.
	struct Response
	{
		int status = 200;
		std::string contentType;
		std::string body;
	};

	explicit MonitorServer(ServerContext& ctx);

	/// Stops (see stop()).
	~MonitorServer();

	MonitorServer(const MonitorServer&) = delete;
	MonitorServer& operator=(const MonitorServer&) = delete;

	/// Binds host:port (port -1: any free port) and starts serving, over TLS when `https`.
	/// Does not block beyond reading the certificate and key files.
	/// REQUIRES: not started; ServerContext::mutex not held.
	/// Throws: Poco::Net::NetException (cannot bind), Poco::Net::HostNotFoundException,
	/// Poco::Net::SSLException (the certificate or key cannot be loaded).
	void start(const std::string& host, int port, bool https = false);

	/// Stops accepting, aborts requests in progress and joins the HTTP threads. Idempotent.
	/// Blocks until a request that is copying state has released the lock (no I/O under it).
	/// REQUIRES: ServerContext::mutex not held.
	void stop();

	/// The bound port, 0 before start().
	int port() const { return _port; }

	/// The answer to a GET of `uri` (path and query). Takes ServerContext::mutex briefly.
	Response answer(const std::string& uri) const;

private:
	ServerContext& _ctx;
	std::unique_ptr<Poco::ThreadPool> _pThreads; ///< made by start(): no thread while monitoring is off
	std::unique_ptr<Poco::Net::HTTPServer> _pServer;
	int _port = 0;
};

} // namespace Nats

#endif // Nats_MonitorServer_INCLUDED
