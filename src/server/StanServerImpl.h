//
// StanServerImpl.h
//
// Library: Nats
// Package: Server
// Module:  StanServerImpl
//
// The streaming server engine: request handlers, delivery, acks, redelivery, heartbeats, limits.
//
// SPDX-License-Identifier: Apache-2.0
//

#ifndef Nats_StanServerImpl_INCLUDED
#define Nats_StanServerImpl_INCLUDED

#include "Nats/StanServer.h"
#include "Nats/Connection.h"
#include "server/ServerState.h"
#include "server/ServerTimer.h"
#include <Poco/Logger.h>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>

namespace natsstan {
class ConnectRequest;
}

namespace Nats {

/// Implements StanServer (docs/protocol.md section 3, memory store).
///
/// All protocol subjects are subscribed on one NATS connection with one dispatcher thread, so
/// requests, publishes and acks are processed in the order nats-server delivered them (this is
/// also the "barrier" that makes unsubscribe/close requests see earlier acks). Ack inboxes and
/// heartbeat reply inboxes are two wildcard subscriptions made at start, so a new subscription
/// needs no SUB round trip. The timer thread runs ack-wait redelivery, heartbeats, the
/// duplicate-client check (500 ms, never blocking the request thread) and max-age expiry.
/// Both threads take `_mutex`; outgoing messages are appended to the connection's buffer
/// (no syscall) while it is held, so deliveries always precede the PubAck of a message.
///
/// Thread safety: Thread-safe.
class StanServerImpl
{
public:
	explicit StanServerImpl(const StanServerOptions& options);
	~StanServerImpl();

	/// See StanServer::start().
	void start();

	/// See StanServer::stop().
	void stop();

	bool isRunning() const;
	std::size_t numClients() const;
	std::size_t numChannels() const;
	std::size_t numSubscriptions() const;
	bool hasClient(const std::string& clientId) const;
	bool channelInfo(const std::string& channel, StanChannelInfo& info) const;

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
		ServerTimer::Id timer = 0;
		std::string connectRequest;  ///< DUP_CHECK: the new client's encoded ConnectRequest
		std::string replySubject;    ///< DUP_CHECK: where to answer the new client
	};

	// ---- NATS handlers (dispatcher thread) ----
	void onConnect(const Message& msg);
	void onPublish(const Message& msg);
	void onSubscribe(const Message& msg);
	void onUnsubscribe(const Message& msg, bool isClose);
	void onClose(const Message& msg);
	void onPing(const Message& msg);
	void onAck(const Message& msg);
	void onInternalReply(const Message& msg);

	// ---- timer tasks ----
	void onWaitTimeout(std::uint64_t token);
	void onHeartbeatTimer(const std::string& clientID, std::uint64_t generation);
	void onAckTimer(std::uint64_t subId);
	void onAgeTimer(const std::string& channel);

	// ---- engine (REQUIRES: _mutex held) ----
	/// A heartbeat or duplicate check got no answer (timeout or no responders).
	void failWaitLocked(std::uint64_t token);
	void registerClientLocked(const natsstan::ConnectRequest& req, const std::string& reply);
	void closeClientLocked(ClientState* client);
	void armHeartbeatLocked(ClientState* client, std::int64_t delayUs);
	void sendHeartbeatLocked(ClientState* client);
	ChannelState* lookupOrCreateChannelLocked(const std::string& name, std::string& error);
	void armAgeTimerLocked(ChannelState* channel);
	void deliverLocked(ChannelState* channel);
	void sendAvailableLocked(SubState* sub);
	void sendAvailableToGroupLocked(QueueGroup* group);
	SubState* findBestQueueSubLocked(QueueGroup* group);
	/// Sends `m` to `sub`; returns {sent, sendMore}. `force` ignores maxInFlight (redeliveries).
	std::pair<bool, bool> sendMsgToSubLocked(SubState* sub, const StoredMsg& m, bool redelivery, bool force);
	void processAckLocked(SubState* sub, std::uint64_t sequence, bool fromUser);
	void redeliverAllPendingLocked(SubState* sub);
	void armAckTimerLocked(SubState* sub, std::int64_t atNs);
	void cancelAckTimerLocked(SubState* sub);
	void removeSubLocked(SubState* sub, bool unsubscribe);
	void deleteSubLocked(SubState* sub);
	std::string newAckInboxLocked();
	bool hasFailedHBLocked(const SubState* sub) const;

	/// Appends a message to the connection's output; false (logged) if it cannot be sent.
	bool sendLocked(const std::string& subject, const std::string& data);
	void sendPubAckLocked(const std::string& reply, const std::string& guid, const std::string& error);
	void sendSubResponseLocked(const std::string& reply, const std::string& ackInbox, const std::string& error);
	void sendConnectErrorLocked(const std::string& reply, const std::string& error);
	void clearStateLocked();

	const StanServerOptions _options;
	Poco::Logger& _logger;
	ServerTimer _timer;

	mutable std::mutex _mutex;
	bool _running = false;
	std::shared_ptr<Connection> _pConn;
	std::vector<Subscription> _natsSubs;

	// Subjects (docs/protocol.md 2.3).
	std::string _discoverSubject;
	std::string _pingSubject;
	std::string _pubPrefix;
	std::string _subSubject;
	std::string _unsubSubject;
	std::string _subCloseSubject;
	std::string _closeSubject;
	std::string _ackPrefix;       ///< "<inbox>." + n: ack inboxes
	std::string _internalPrefix;  ///< "<inbox>." + token: heartbeat replies

	std::unordered_map<std::string, std::unique_ptr<ClientState>> _clients;
	std::unordered_map<std::string, ClientState*> _clientsByConnID;
	std::unordered_set<std::string> _dupChecks;
	std::unordered_map<std::uint64_t, Wait> _waits;
	std::uint64_t _nextToken = 1;
	std::uint64_t _nextGeneration = 1;

	std::unordered_map<std::string, std::unique_ptr<ChannelState>> _channels;
	std::unordered_map<std::string, std::string> _channelsLower;
	std::unordered_map<std::uint64_t, std::unique_ptr<SubState>> _subs;
	std::unordered_map<std::string, SubState*> _subsByAckInbox;
	std::uint64_t _nextSubId = 1;
	std::uint64_t _nextAckInbox = 1;
};

} // namespace Nats

#endif // Nats_StanServerImpl_INCLUDED
