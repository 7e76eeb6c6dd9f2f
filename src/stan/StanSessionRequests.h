//
// StanSessionRequests.h
//
// Library: Nats
// Package: Streaming
// Module:  StanSessionRequests
//
// The request/reply exchanges of a streaming session: connect, close, subscription
// unsubscribe / close.
//
// SPDX-License-Identifier: Apache-2.0
//

#ifndef Nats_StanSessionRequests_INCLUDED
#define Nats_StanSessionRequests_INCLUDED

#include "Nats/Connection.h"
#include "Nats/StanOptions.h"
#include "protocol/StanCodec.h"
#include <string>

namespace Nats {

/// The session's requests to the streaming server (protocol.md): each encodes its protobuf
/// request, waits for the answer at most connectWait and maps a failure to the exception (or
/// error text) StanConnection documents. connect() keeps the request subjects the server named;
/// the other calls use them.
///
/// Thread safety: connect() once, before the others (which may then run on any thread).
class StanSessionRequests
{
public:
	/// Sends the ConnectRequest to "<discoverPrefix>.<clusterId>" and returns the server's answer
	/// (pub prefix, ping settings); blocks at most connectWait. Throws StanConnectTimeoutException
	/// (no answer, no responders: "possibly wrong cluster ID?"), StanClientIDRegisteredException,
	/// StanConnectException (other server errors), what the NATS request throws otherwise.
	StanConnectResponse connect(Connection& nc, const StanOptions& options, const std::string& clusterId, const std::string& clientId,
		const std::string& connID, const std::string& hbInbox);

	/// Sends the CloseRequest; blocks at most connectWait. Never throws: `timedOut` set on no
	/// answer (or no responders), `error` the server's (or the NATS request's) error text.
	void close(std::string& error, bool& timedOut);

	/// Sends an UnsubscribeRequest for `ackInbox` to unsubRequests (`close` false) or
	/// subCloseRequests (`close` true); blocks at most connectWait. Throws
	/// StanNotSupportedException (the server has no such subject), StanRequestTimeoutException,
	/// ConnectionClosedException "stan: connection closed", StanSubscriptionException (server error).
	void unsubscribe(const std::string& channel, const std::string& ackInbox, const std::string& durableName, bool close);

	/// Asks the server to close the subscription with delivery inbox `inbox`, no answer awaited
	/// (after a subscribe request timed out, as stan.go does). Never blocks on the server, never throws.
	void subCloseBestEffort(const std::string& channel, const std::string& inbox);

	/// True if the server takes subscription close requests.
	bool supportsSubClose() const { return !_subCloseRequests.empty(); }

	/// Subject of subscription requests.
	const std::string& subRequests() const { return _subRequests; }

private:
	Connection* _pNc = nullptr;
	std::string _clientId;
	Poco::Timespan _wait;
	std::string _subRequests;
	std::string _unsubRequests;
	std::string _closeRequests;
	std::string _subCloseRequests;
};

} // namespace Nats

#endif // Nats_StanSessionRequests_INCLUDED
