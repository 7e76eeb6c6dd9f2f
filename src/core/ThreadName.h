//
// ThreadName.h
//
// Library: Nats
// Package: Core
// Module:  ThreadName
//
// OS-level thread names, so that top -H, gdb and perf show which thread is which.
//
// SPDX-License-Identifier: Apache-2.0
//

#ifndef Nats_ThreadName_INCLUDED
#define Nats_ThreadName_INCLUDED

#include <string>

namespace Nats {

/// The longest OS thread name on Linux (16 bytes with the terminator).
constexpr std::size_t MAX_THREAD_NAME = 15;

/// Names the calling thread for the OS (pthread_setname_np), truncated to MAX_THREAD_NAME
/// characters. Failure is ignored (the name is diagnostic only). Never throws.
void setCurrentThreadName(const std::string& name);

/// The OS name of the calling thread ("" if unavailable). Never throws.
std::string currentThreadName();

} // namespace Nats

#endif // Nats_ThreadName_INCLUDED
