//
// ThreadName.cpp
//
// Library: Nats
// Package: Core
// Module:  ThreadName
//
// SPDX-License-Identifier: Apache-2.0
//

#include "core/ThreadName.h"
#include <pthread.h>

namespace Nats {

void setCurrentThreadName(const std::string& name)
{
	std::string n = name.substr(0, MAX_THREAD_NAME);
	pthread_setname_np(pthread_self(), n.c_str());
}

std::string currentThreadName()
{
	char buf[MAX_THREAD_NAME + 1] = {};
	if (pthread_getname_np(pthread_self(), buf, sizeof(buf)) != 0) return std::string();
	return std::string(buf);
}

} // namespace Nats
