//
// Version.h
//
// Library: Nats
// Package: Core
// Module:  Version
//
// The library version. CMakeLists.txt reads the three numbers below, so they are the only source.
//
// SPDX-License-Identifier: Apache-2.0
//

#ifndef Nats_Version_INCLUDED
#define Nats_Version_INCLUDED

#define NATS_CPP_VERSION_MAJOR 0
#define NATS_CPP_VERSION_MINOR 1
#define NATS_CPP_VERSION_PATCH 0

#define NATS_CPP_VERSION_STRING "0.1.0"

/// 0xMMmmpp00, like POCO_VERSION.
#define NATS_CPP_VERSION \
	((NATS_CPP_VERSION_MAJOR << 24) | (NATS_CPP_VERSION_MINOR << 16) | (NATS_CPP_VERSION_PATCH << 8))

#endif // Nats_Version_INCLUDED
