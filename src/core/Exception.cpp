//
// Exception.cpp
//
// Library: Nats
// Package: Core
// Module:  Exception
//
// SPDX-License-Identifier: Apache-2.0
//

#include "Nats/Exception.h"
#include <typeinfo>

namespace Nats {

POCO_IMPLEMENT_EXCEPTION(NatsException, Poco::IOException, "NATS error")
POCO_IMPLEMENT_EXCEPTION(ConnectionClosedException, NatsException, "Connection closed")
POCO_IMPLEMENT_EXCEPTION(NoServerException, NatsException, "No server available")
POCO_IMPLEMENT_EXCEPTION(NatsTimeoutException, NatsException, "Timeout")
POCO_IMPLEMENT_EXCEPTION(WriteDeadlineException, NatsTimeoutException, "Write deadline exceeded")
POCO_IMPLEMENT_EXCEPTION(StanConnectTimeoutException, NatsTimeoutException, "Connect request timeout")
POCO_IMPLEMENT_EXCEPTION(StanRequestTimeoutException, NatsTimeoutException, "Request timeout")
POCO_IMPLEMENT_EXCEPTION(StanPubAckTimeoutException, NatsTimeoutException, "Publish ack timeout")
POCO_IMPLEMENT_EXCEPTION(NatsProtocolException, NatsException, "Protocol error")
POCO_IMPLEMENT_EXCEPTION(ServerErrorException, NatsException, "Server error")
POCO_IMPLEMENT_EXCEPTION(AuthorizationException, ServerErrorException, "Authorization error")
POCO_IMPLEMENT_EXCEPTION(StaleConnectionException, ServerErrorException, "Stale connection")
POCO_IMPLEMENT_EXCEPTION(SlowConsumerException, NatsException, "Slow consumer")
POCO_IMPLEMENT_EXCEPTION(MaxPayloadException, NatsException, "Maximum payload exceeded")
POCO_IMPLEMENT_EXCEPTION(NoRespondersException, NatsException, "No responders")
POCO_IMPLEMENT_EXCEPTION(HeadersNotSupportedException, NatsException, "Headers not supported")
POCO_IMPLEMENT_EXCEPTION(TLSException, NatsException, "TLS error")
POCO_IMPLEMENT_EXCEPTION(StanException, NatsException, "Streaming error")
POCO_IMPLEMENT_EXCEPTION(StanConnectException, StanException, "Streaming connect refused")
POCO_IMPLEMENT_EXCEPTION(StanClientIDRegisteredException, StanConnectException, "Client ID already registered")
POCO_IMPLEMENT_EXCEPTION(StanPublishException, StanException, "Publish rejected")
POCO_IMPLEMENT_EXCEPTION(StanSubscriptionException, StanException, "Subscription error")
POCO_IMPLEMENT_EXCEPTION(StanConnectionLostException, StanException, "Streaming connection lost")
POCO_IMPLEMENT_EXCEPTION(StanNotSupportedException, StanException, "Not supported by server")

bool isTimeout(const std::exception& e) noexcept
{
	return dynamic_cast<const NatsTimeoutException*>(&e) != nullptr
		|| dynamic_cast<const Poco::TimeoutException*>(&e) != nullptr;
}

const char* version()
{
	return NATS_CPP_VERSION_STRING;
}

} // namespace Nats
