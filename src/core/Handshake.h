//
// Handshake.h
//
// Library: Nats
// Package: Core
// Module:  Handshake
//
// One connection attempt: TCP connect, INFO, TLS upgrade, CONNECT + PING, PONG.
//
// SPDX-License-Identifier: Apache-2.0
//

#ifndef Nats_Handshake_INCLUDED
#define Nats_Handshake_INCLUDED

#include "Nats/Options.h"
#include "core/ServerInfo.h"
#include "core/ServerPool.h"
#include <Poco/Exception.h>
#include <Poco/Net/StreamSocket.h>
#include <memory>
#include <string>

namespace Nats {

/// The typed exception for a "-ERR" text: AuthorizationException (authorization / authentication /
/// permissions violation), StaleConnectionException, otherwise ServerErrorException.
std::unique_ptr<Poco::Exception> makeServerError(const std::string& text);

/// Connects to one server and runs the handshake of protocol.md 1.5 on the calling thread:
/// TCP connect (connectTimeout), INFO, the TLS upgrade when the URL, the options or the server
/// ask for it, CONNECT (options, credentials) + PING, then waits for PONG. Every step is bounded by
/// Options::connectTimeout.
///
///     Handshake hs(options);
///     Handshake::Result r = hs.run(server);  // r.socket is ready for the reader and writer
///
/// Thread safety: const; may run on any thread. Holds a reference to the options.
class Handshake
{
public:
	struct Result
	{
		Poco::Net::StreamSocket socket;
		ServerInfo info;       ///< the last INFO received during the handshake
		std::string extra;     ///< protocol to send first (PONGs for PINGs received meanwhile)
		bool tls = false;
	};

	explicit Handshake(const Options& options): _options(options) {}

	/// Runs the handshake with `server`. `tlsName` is the host name the server certificate is
	/// checked against (empty = server.host).
	/// Throws: AuthorizationException / ServerErrorException (-ERR from the server), TLSException,
	/// NatsProtocolException (no INFO first), NatsException (closed by the server),
	/// Poco::Net::NetException / Poco::TimeoutException (TCP).
	Result run(const ServerAddress& server, const std::string& tlsName = std::string()) const;

	/// The CONNECT JSON for `server` (credentials of the URL take precedence over the options;
	/// NKey / JWT credentials sign info.nonce).
	/// Throws: Poco::InvalidArgumentException for unusable credential files (see Credentials).
	std::string connectJson(const ServerAddress& server, const ServerInfo& info) const;

	/// Reads and checks the credential files once (connect() fails fast with a clear error
	/// instead of trying every server). Throws: as connectJson().
	void checkCredentials() const;

private:
	const Options& _options;
};

} // namespace Nats

#endif // Nats_Handshake_INCLUDED
