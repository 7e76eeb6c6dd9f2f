//
// WaitFor.cpp
//

#include "WaitFor.h"
#include <Poco/Thread.h>
#include <Poco/Timestamp.h>

namespace Nats {
namespace Test {

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

} // namespace Test
} // namespace Nats
