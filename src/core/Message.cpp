//
// Message.cpp
//
// Library: Nats
// Package: Core
// Module:  Message
//
// SPDX-License-Identifier: Apache-2.0
//

#include "Nats/Message.h"

// Message is header-only; Headers (src/core/Headers.cpp) does the decoding.
