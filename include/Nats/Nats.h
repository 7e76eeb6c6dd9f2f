//
// Nats.h
//
// Library: Nats
// Package: Core
// Module:  Nats
//
// Export macro, version and forward declarations. First include of every public header.
//
// SPDX-License-Identifier: Apache-2.0
//

#ifndef Nats_Nats_INCLUDED
#define Nats_Nats_INCLUDED

#include "Nats/Version.h"

#if defined(__GNUC__) && !defined(Nats_API)
#define Nats_API __attribute__((visibility("default")))
#endif
#if !defined(Nats_API)
#define Nats_API
#endif

namespace Nats {

class Connection;
class Subscription;
class Message;
struct Options;
class StanConnection;
class StanSubscription;
class StanMessage;
struct StanOptions;
struct StanSubscriptionOptions;
class StanServer;
struct StanServerOptions;

/// Returns the library version string, e.g. "0.1.0".
Nats_API const char* version();

} // namespace Nats

#endif // Nats_Nats_INCLUDED
