//
// ClientRegistry.h
//
// Library: Nats
// Package: Server
// Module:  ClientRegistry
//
// The streaming server's clients: connect, duplicate client ID check, heartbeats, pings, close.
//
// SPDX-License-Identifier: Apache-2.0
//

#ifndef Nats_ClientRegistry_INCLUDED
#define Nats_ClientRegistry_INCLUDED

#include "server/ServerContext.h"
#include "server/ServerState.h"
#include "Nats/Message.h"
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>

namespace natsstan {
class ConnectRequest;
}

namespace Nats {

/// Registers clients (protocol.md 3.1), checks a duplicate client ID by asking the registered
/// client (500 ms, without blocking the reader thread), sends heartbeats and closes a client that
/// misses too many (2.4), answers client pings and close requests.
///
/// Thread safety: handlers (on*) take ServerContext::mutex; *Locked methods REQUIRE it held.
class ClientRegistry
{
public:
	explicit ClientRegistry(ServerContext& ctx);

	ClientRegistry(const ClientRegistry&) = delete;
	ClientRegistry& operator=(const ClientRegistry&) = delete;

	// ---- NATS handlers (reader thread) ----
	void onConnect(const Message& msg);
	void onPing(const Message& msg);
	void onClose(const Message& msg);
	/// A heartbeat or duplicate-check reply on ServerContext::internalPrefix.
	void onInternalReply(const Message& msg);

	/// The client with this ID, nullptr if unknown.
	ClientState* findLocked(const std::string& clientID) const;

	/// Whether a publish from this client is accepted: by connection ID when given, else by
	/// client ID (3.3).
	bool isKnownLocked(const std::string& clientID, const std::string& connID) const;

	std::size_t sizeLocked() const;
	void clearLocked();

	/// Every registered client by ID (the monitoring endpoint's snapshot reads it).
	const std::unordered_map<std::string, std::unique_ptr<ClientState>>& allLocked() const { return _clients; }

private:
	enum class WaitKind
	{
		HEARTBEAT,
		DUP_CHECK
	};

	/// An outstanding request of the server (heartbeat or duplicate-client check).
	struct Wait
	{
		WaitKind kind = WaitKind::HEARTBEAT;
		std::string clientID;
		std::uint64_t generation = 0;
		Timer::Id timer = 0;
		std::string connectRequest;  ///< DUP_CHECK: the new client's encoded ConnectRequest
		std::string replySubject;    ///< DUP_CHECK: where to answer the new client
	};

	// ---- timer tasks ----
	void onWaitTimeout(std::uint64_t token);
	void onHeartbeatTimer(const std::string& clientID, std::uint64_t generation);

	/// A heartbeat or duplicate check got no answer (timeout or no responders).
	void failWaitLocked(std::uint64_t token);
	void registerClientLocked(const natsstan::ConnectRequest& req, const std::string& reply);
	void closeClientLocked(ClientState* client);
	void armHeartbeatLocked(ClientState* client, std::int64_t delayUs);
	void sendHeartbeatLocked(ClientState* client);

	ServerContext& _ctx;
	std::unordered_map<std::string, std::unique_ptr<ClientState>> _clients;
	std::unordered_map<std::string, ClientState*> _clientsByConnID;
	std::unordered_set<std::string> _dupChecks;
	std::unordered_map<std::uint64_t, Wait> _waits;
	std::uint64_t _nextToken = 1;
	std::uint64_t _nextGeneration = 1;
};

} // namespace Nats

#endif // Nats_ClientRegistry_INCLUDED
