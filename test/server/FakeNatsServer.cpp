//
// FakeNatsServer.cpp
//

#include "FakeNatsServer.h"
#include <Poco/Exception.h>
#include <Poco/Net/NetException.h>
#include <Poco/Timestamp.h>

namespace Nats {
namespace Test {

void FakeNatsServer::Session::send(const std::string& data)
{
	std::size_t off = 0;
	while (off < data.size())
	{
		int n = _socket.sendBytes(data.data() + off, static_cast<int>(data.size() - off));
		if (n <= 0) throw Poco::IOException("fake server: send failed");
		off += static_cast<std::size_t>(n);
	}
}

std::string FakeNatsServer::Session::readLine(Poco::Timespan timeout)
{
	Poco::Timestamp start;
	for (;;)
	{
		std::size_t pos = _buffer.find("\r\n");
		if (pos != std::string::npos)
		{
			std::string line = _buffer.substr(0, pos);
			_buffer.erase(0, pos + 2);
			return line;
		}
		Poco::Timespan left = timeout - Poco::Timespan(start.elapsed());
		if (left <= 0) throw Poco::TimeoutException("fake server: no line from the client");
		if (!_socket.poll(left, Poco::Net::Socket::SELECT_READ)) continue;
		char buf[65536];
		int n = _socket.receiveBytes(buf, sizeof(buf));
		if (n <= 0) throw Poco::IOException("fake server: client closed the connection");
		_buffer.append(buf, static_cast<std::size_t>(n));
	}
}

std::string FakeNatsServer::Session::expectLine(const std::string& prefix, Poco::Timespan timeout)
{
	Poco::Timestamp start;
	for (;;)
	{
		Poco::Timespan left = timeout - Poco::Timespan(start.elapsed());
		if (left <= 0) throw Poco::TimeoutException("fake server: no line starting with " + prefix);
		std::string line = readLine(left);
		if (line.compare(0, prefix.size(), prefix) == 0) return line;
	}
}

void FakeNatsServer::Session::readUntilClosed(Poco::Timespan timeout)
{
	Poco::Timestamp start;
	char buf[65536];
	while (Poco::Timespan(start.elapsed()) < timeout)
	{
		if (!_socket.poll(Poco::Timespan(0, 100000), Poco::Net::Socket::SELECT_READ)) continue;
		int n = 0;
		try
		{
			n = _socket.receiveBytes(buf, sizeof(buf));
		}
		catch (Poco::Exception&)
		{
			return;
		}
		if (n <= 0) return;
	}
}

void FakeNatsServer::Session::close()
{
	try
	{
		_socket.shutdown();
	}
	catch (...)
	{
	}
	_socket.close();
}

std::string FakeNatsServer::Session::handshake(const std::string& infoJson)
{
	send("INFO " + infoJson + "\r\n");
	std::string connect = expectLine("CONNECT ");
	expectLine("PING");
	send("PONG\r\n");
	return connect.substr(8);
}

FakeNatsServer::FakeNatsServer(Script script)
	: _script(std::move(script)), _listener(Poco::Net::SocketAddress("127.0.0.1", 0)), _port(_listener.address().port()), _thread("fake-nats")
{
	_thread.start(*this);
}

FakeNatsServer::~FakeNatsServer()
{
	_stop = true;
	{
		std::lock_guard<std::mutex> lock(_mutex);
		try
		{
			_current.shutdown();
		}
		catch (...)
		{
		}
	}
	// the accept loop polls with a short timeout: join first, then close the listener
	_thread.join();
	try
	{
		_listener.close();
	}
	catch (...)
	{
	}
}

std::string FakeNatsServer::error() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _error;
}

void FakeNatsServer::run()
{
	int index = 0;
	while (!_stop)
	{
		Poco::Net::StreamSocket socket;
		try
		{
			if (!_listener.poll(Poco::Timespan(0, 50000), Poco::Net::Socket::SELECT_READ)) continue;
			socket = _listener.acceptConnection();
		}
		catch (Poco::Exception&)
		{
			if (_stop) return;
			continue;
		}
		{
			std::lock_guard<std::mutex> lock(_mutex);
			_current = socket;
		}
		++_accepted;
		Session session(socket, index++);
		try
		{
			if (!_stop) _script(session);
		}
		catch (Poco::Exception& e)
		{
			std::lock_guard<std::mutex> lock(_mutex);
			_error = e.displayText();
		}
		catch (std::exception& e)
		{
			std::lock_guard<std::mutex> lock(_mutex);
			_error = e.what();
		}
		try
		{
			socket.close();
		}
		catch (...)
		{
		}
		++_finished;
	}
}

} // namespace Test
} // namespace Nats
