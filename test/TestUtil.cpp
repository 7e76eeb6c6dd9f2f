//
// TestUtil.cpp
//

#include "TestUtil.h"
#include <Poco/Environment.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Random.h>
#include <Poco/Thread.h>
#include <Poco/Timestamp.h>
#include <Poco/Mutex.h>

namespace Nats {
namespace Test {

const char* const SKIP_MARKER = "SKIPPED: ";

bool waitFor(const std::function<bool()>& predicate, Poco::Timespan timeout)
{
	Poco::Timestamp start;
	long pause = 1;
	for (;;)
	{
		if (predicate()) return true;
		if (start.elapsed() >= timeout.totalMicroseconds()) return predicate();
		Poco::Thread::sleep(pause);
		if (pause < 20) pause *= 2;
	}
}

int freePort()
{
	Poco::Net::ServerSocket s(Poco::Net::SocketAddress("127.0.0.1", 0), 1);
	int port = s.address().port();
	s.close();
	return port;
}

bool portOpen(int port)
{
	try
	{
		Poco::Net::StreamSocket s;
		s.connect(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(port)), Poco::Timespan(0, 200000));
		s.close();
		return true;
	}
	catch (...)
	{
		return false;
	}
}

std::string externalNatsUrl()
{
	return Poco::Environment::get("NATS_URL", "");
}

bool externalMode()
{
	return !externalNatsUrl().empty();
}

std::string stanClusterId()
{
	return Poco::Environment::get("STAN_CLUSTER_ID", "test-cluster");
}

std::string uniqueName(const std::string& prefix)
{
	static Poco::FastMutex mutex;
	static Poco::Random rnd;
	static bool seeded = false;
	Poco::FastMutex::ScopedLock lock(mutex);
	if (!seeded)
	{
		rnd.seed();
		seeded = true;
	}
	static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	std::string s = prefix + "-";
	for (int i = 0; i < 8; ++i) s += alphabet[rnd.next(36)];
	return s;
}

void skip(const std::string& reason)
{
	throw CppUnit::Exception(CppUnit::Message(std::string(SKIP_MARKER) + reason));
}

void skipIfExternal(const std::string& why)
{
	if (externalMode()) skip("external mode (NATS_URL set): " + why);
}

} // namespace Test
} // namespace Nats
