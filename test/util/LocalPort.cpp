//
// LocalPort.cpp
//

#include "LocalPort.h"
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Timespan.h>

namespace Nats {
namespace Test {

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

} // namespace Test
} // namespace Nats
