//
// Exception.h
//
// Library: Nats
// Package: Core
// Module:  Exception
//
// Every exception the library throws. Misuse (bad subject, bad option, bad argument) throws
// Poco::InvalidArgumentException or Poco::IllegalStateException instead.
//
// Hierarchy:
//   Poco::IOException
//   └── NatsException
//       ├── ConnectionClosedException      call on a closed connection ("nats: connection closed",
//       │                                  "stan: connection closed")
//       ├── NoServerException              no server of the pool could be reached (message lists the URLs)
//       ├── NatsTimeoutException           connect / flush / request / nextMessage wait expired
//       │   ├── WriteDeadlineException        a send did not complete within Options::writeDeadline
//       │   ├── StanConnectTimeoutException   "stan: connect request timeout (possibly wrong cluster ID?)"
//       │   ├── StanRequestTimeoutException   subscribe / unsubscribe / close request timeout
//       │   └── StanPubAckTimeoutException    "stan: publish ack timeout"
//       ├── NatsProtocolException          malformed data from the server
//       ├── ServerErrorException           "-ERR ..." from the server; message() is the server text
//       │   ├── AuthorizationException     authorization violation / permissions violation
//       │   └── StaleConnectionException   "Stale Connection" (server or client ping timeout)
//       ├── SlowConsumerException          a subscription's pending limit was exceeded (async only)
//       ├── MaxPayloadException            payload larger than the server's max_payload
//       ├── NoRespondersException          request with no subscriber (503 status)
//       ├── HeadersNotSupportedException   headers given but the server's INFO says headers:false
//       ├── TLSException                   TLS handshake / certificate verification failure
//       └── StanException                  streaming-layer errors; server texts verbatim in message()
//           ├── StanConnectException           ConnectResponse.error
//           │   └── StanClientIDRegisteredException  "stan: clientID already registered"
//           ├── StanPublishException           PubAck.error on a blocking publish
//           ├── StanSubscriptionException      SubscriptionResponse.error, "stan: invalid subscription"
//           ├── StanConnectionLostException    pings unanswered, client replaced, server forgot us
//           └── StanNotSupportedException      "stan: not supported by server"
//
// Timeouts are NatsTimeoutException, not Poco::TimeoutException: design.md roots every library
// error at NatsException : Poco::IOException, and POCO's classes share one non-virtual
// Poco::Exception base, so a class derived from both would make `catch (Poco::Exception&)` and
// `catch (std::exception&)` ambiguous (those handlers would then miss it). Code that handles
// POCO's and this library's timeouts alike catches Poco::Exception and asks isTimeout().
//
// SPDX-License-Identifier: Apache-2.0
//

#ifndef Nats_Exception_INCLUDED
#define Nats_Exception_INCLUDED

#include "Nats/Nats.h"
#include <Poco/Exception.h>

namespace Nats {

POCO_DECLARE_EXCEPTION(Nats_API, NatsException, Poco::IOException)
POCO_DECLARE_EXCEPTION(Nats_API, ConnectionClosedException, NatsException)
POCO_DECLARE_EXCEPTION(Nats_API, NoServerException, NatsException)
POCO_DECLARE_EXCEPTION(Nats_API, NatsTimeoutException, NatsException)
POCO_DECLARE_EXCEPTION(Nats_API, WriteDeadlineException, NatsTimeoutException)
POCO_DECLARE_EXCEPTION(Nats_API, StanConnectTimeoutException, NatsTimeoutException)
POCO_DECLARE_EXCEPTION(Nats_API, StanRequestTimeoutException, NatsTimeoutException)
POCO_DECLARE_EXCEPTION(Nats_API, StanPubAckTimeoutException, NatsTimeoutException)
POCO_DECLARE_EXCEPTION(Nats_API, NatsProtocolException, NatsException)
POCO_DECLARE_EXCEPTION(Nats_API, ServerErrorException, NatsException)
POCO_DECLARE_EXCEPTION(Nats_API, AuthorizationException, ServerErrorException)
POCO_DECLARE_EXCEPTION(Nats_API, StaleConnectionException, ServerErrorException)
POCO_DECLARE_EXCEPTION(Nats_API, SlowConsumerException, NatsException)
POCO_DECLARE_EXCEPTION(Nats_API, MaxPayloadException, NatsException)
POCO_DECLARE_EXCEPTION(Nats_API, NoRespondersException, NatsException)
POCO_DECLARE_EXCEPTION(Nats_API, HeadersNotSupportedException, NatsException)
POCO_DECLARE_EXCEPTION(Nats_API, TLSException, NatsException)
POCO_DECLARE_EXCEPTION(Nats_API, StanException, NatsException)
POCO_DECLARE_EXCEPTION(Nats_API, StanConnectException, StanException)
POCO_DECLARE_EXCEPTION(Nats_API, StanClientIDRegisteredException, StanConnectException)
POCO_DECLARE_EXCEPTION(Nats_API, StanPublishException, StanException)
POCO_DECLARE_EXCEPTION(Nats_API, StanSubscriptionException, StanException)
POCO_DECLARE_EXCEPTION(Nats_API, StanConnectionLostException, StanException)
POCO_DECLARE_EXCEPTION(Nats_API, StanNotSupportedException, StanException)

/// True for every timeout: a NatsTimeoutException (or subclass: write deadline, streaming
/// connect / request / publish-ack timeouts) and a Poco::TimeoutException (e.g. from Poco::Net).
/// Never throws.
Nats_API bool isTimeout(const std::exception& e) noexcept;

} // namespace Nats

#endif // Nats_Exception_INCLUDED
