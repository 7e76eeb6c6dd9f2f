//
// ServerInfo.h
//
// Library: Nats
// Package: Core
// Module:  ServerInfo
//
// The fields of the server's INFO the client uses.
//
// SPDX-License-Identifier: Apache-2.0
//

#ifndef Nats_ServerInfo_INCLUDED
#define Nats_ServerInfo_INCLUDED

#include <cstdint>
#include <string>
#include <vector>

namespace Nats {

/// INFO JSON decoded (protocol.md 1.3); unknown keys are ignored.
///
/// Thread safety: plain value.
struct ServerInfo
{
	std::string serverId;
	std::string serverName;
	std::string version;
	int proto = 0;
	bool headers = false;
	std::int64_t maxPayload = 1048576;
	bool authRequired = false;
	bool tlsRequired = false;
	bool tlsAvailable = false;
	std::vector<std::string> connectUrls;
	bool lameDuck = false;
	std::string nonce;

	/// Decodes the JSON text of an INFO line. Throws: NatsProtocolException when it is not a JSON
	/// object.
	static ServerInfo parse(const std::string& json);
};

} // namespace Nats

#endif // Nats_ServerInfo_INCLUDED
