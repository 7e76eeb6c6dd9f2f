//
// HttpGet.h
//
// One HTTP GET through a POCO client session, for the tests of the server's monitoring endpoint
// (plain HTTP and HTTPS sessions alike). Header-only: the suites that use it link Poco::Net
// already. Not part of the installed library.
//

#ifndef Nats_HttpGet_INCLUDED
#define Nats_HttpGet_INCLUDED

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <Poco/Timespan.h>
#include <string>

namespace Nats {
namespace Test {

/// What a GET answered.
struct HttpAnswer
{
	int status = 0;
	std::string reason;
	std::string contentType;
	std::string cors; ///< the Access-Control-Allow-Origin header, "" without it
	std::string body;
};

/// GETs `pathAndQuery` over `session` (HTTP/1.1), waiting at most `timeout` for each socket
/// operation. Throws what POCO throws: Poco::Net::NetException, Poco::TimeoutException,
/// Poco::Net::SSLException for an HTTPS session whose handshake fails.
inline HttpAnswer httpGet(Poco::Net::HTTPClientSession& session, const std::string& pathAndQuery, Poco::Timespan timeout)
{
	session.setTimeout(timeout);
	Poco::Net::HTTPRequest req(Poco::Net::HTTPRequest::HTTP_GET, pathAndQuery, Poco::Net::HTTPMessage::HTTP_1_1);
	session.sendRequest(req);
	Poco::Net::HTTPResponse resp;
	std::istream& in = session.receiveResponse(resp);
	HttpAnswer a;
	Poco::StreamCopier::copyToString(in, a.body);
	a.status = static_cast<int>(resp.getStatus());
	a.reason = resp.getReason();
	a.contentType = resp.getContentType();
	a.cors = resp.get("Access-Control-Allow-Origin", "");
	return a;
}

} // namespace Test
} // namespace Nats

#endif
