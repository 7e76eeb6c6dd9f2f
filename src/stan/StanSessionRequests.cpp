//
// StanSessionRequests.cpp
//
// Library: Nats
// Package: Streaming
// Module:  StanSessionRequests
//
// SPDX-License-Identifier: Apache-2.0
//

#include "stan/StanSessionRequests.h"
#include "Nats/Exception.h"

namespace Nats {

namespace {

const std::string CONNECT_TIMEOUT("stan: connect request timeout (possibly wrong cluster ID?)");
const std::string CLIENT_ID_REGISTERED("stan: clientID already registered");

} // namespace

StanConnectResponse StanSessionRequests::connect(Connection& nc, const StanOptions& options, const std::string& clusterId,
	const std::string& clientId, const std::string& connID, const std::string& hbInbox)
{
	_pNc = &nc;
	_clientId = clientId;
	_wait = options.connectWait;

	StanConnectRequest req;
	req.clientID = clientId;
	req.heartbeatInbox = hbInbox;
	req.protocol = 1;
	req.connID = connID;
	// Whole seconds, truncated (as stan.go); validate() guarantees >= 1 s.
	req.pingInterval = static_cast<int>(options.pingInterval.totalSeconds());
	req.pingMaxOut = options.pingMaxOut;

	Message reply;
	try
	{
		reply = nc.request(options.discoverPrefix + "." + clusterId, StanCodec::encodeConnectRequest(req), options.connectWait);
	}
	catch (NatsTimeoutException&)
	{
		throw StanConnectTimeoutException(CONNECT_TIMEOUT);
	}
	catch (NoRespondersException&)
	{
		throw StanConnectTimeoutException(CONNECT_TIMEOUT);
	}
	StanConnectResponse resp = StanCodec::decodeConnectResponse(reply.data());
	if (!resp.error.empty())
	{
		if (resp.error == CLIENT_ID_REGISTERED) throw StanClientIDRegisteredException(resp.error);
		throw StanConnectException(resp.error);
	}
	_subRequests = resp.subRequests;
	_unsubRequests = resp.unsubRequests;
	_closeRequests = resp.closeRequests;
	_subCloseRequests = resp.subCloseRequests;
	return resp;
}

void StanSessionRequests::close(std::string& error, bool& timedOut)
{
	try
	{
		Message reply = _pNc->request(_closeRequests, StanCodec::encodeCloseRequest(_clientId), _wait);
		error = StanCodec::decodeCloseResponse(reply.data());
	}
	catch (NatsTimeoutException&)
	{
		timedOut = true;
	}
	catch (NoRespondersException&)
	{
		timedOut = true;
	}
	catch (Poco::Exception& exc)
	{
		error = exc.message().empty() ? exc.displayText() : exc.message();
	}
}

void StanSessionRequests::unsubscribe(const std::string& channel, const std::string& ackInbox, const std::string& durableName, bool close)
{
	const std::string& subject = close ? _subCloseRequests : _unsubRequests;
	if (subject.empty()) throw StanNotSupportedException("stan: not supported by server");
	// Acks given so far reach the server before the request (they would be redelivered otherwise).
	try
	{
		_pNc->flush(_wait);
	}
	catch (...)
	{
	}
	StanUnsubscribeRequest req;
	req.clientID = _clientId;
	req.subject = channel;
	req.inbox = ackInbox;
	req.durableName = durableName;
	Message reply;
	try
	{
		reply = _pNc->request(subject, StanCodec::encodeUnsubscribeRequest(req), _wait);
	}
	catch (NatsTimeoutException&)
	{
		throw StanRequestTimeoutException(close ? "stan: close request timeout" : "stan: unsubscribe request timeout");
	}
	catch (NoRespondersException&)
	{
		throw StanRequestTimeoutException(close ? "stan: close request timeout" : "stan: unsubscribe request timeout");
	}
	catch (ConnectionClosedException&)
	{
		throw ConnectionClosedException("stan: connection closed");
	}
	StanSubscriptionResponse resp = StanCodec::decodeSubscriptionResponse(reply.data());
	if (!resp.error.empty()) throw StanSubscriptionException(resp.error);
}

void StanSessionRequests::subCloseBestEffort(const std::string& channel, const std::string& inbox)
{
	if (_subCloseRequests.empty()) return;
	StanUnsubscribeRequest req;
	req.clientID = _clientId;
	req.subject = channel;
	req.inbox = inbox;
	try
	{
		_pNc->publish(_subCloseRequests, StanCodec::encodeUnsubscribeRequest(req));
	}
	catch (...)
	{
	}
}

} // namespace Nats
