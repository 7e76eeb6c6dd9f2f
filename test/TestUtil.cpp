//
// TestUtil.cpp
//

#include "TestUtil.h"
#include "Nats/Connection.h"
#include <cxxabi.h>
#include <cstdlib>
#include <fstream>
#include <Poco/Environment.h>
#include <Poco/Random.h>
#include <Poco/Mutex.h>

namespace Nats {
namespace Test {

const char* const SKIP_MARKER = "SKIPPED: ";

std::string typeName(const std::type_info& type)
{
	int status = 0;
	char* p = abi::__cxa_demangle(type.name(), nullptr, nullptr, &status);
	std::string s = status == 0 && p ? p : type.name();
	std::free(p);
	return s;
}

std::string connectOutcome(const Options& o)
{
	Connection conn(o);
	try
	{
		conn.connect();
	}
	catch (Poco::Exception& e)
	{
		return typeName(typeid(e)) + "|" + e.displayText();
	}
	return "connected";
}

void writeFile(const std::string& path, const std::string& text)
{
	std::ofstream out(path, std::ios::binary);
	out << text;
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
