//
// Certificates.cpp
//

#include "Certificates.h"
#include <Poco/Exception.h>
#include <Poco/File.h>
#include <Poco/Path.h>
#include <Poco/Pipe.h>
#include <Poco/PipeStream.h>
#include <Poco/Process.h>
#include <Poco/StreamCopier.h>
#include <Poco/TemporaryFile.h>

namespace Nats {
namespace Test {

Certificates::Certificates(const std::string& script): _dir(Poco::TemporaryFile::tempName())
{
	Poco::File(_dir).createDirectories();
	Poco::Pipe outPipe;
	Poco::ProcessHandle ph = Poco::Process::launch("/bin/sh", {"-c", "set -e; cd '" + _dir + "';" + script}, nullptr, &outPipe, &outPipe);
	Poco::PipeInputStream in(outPipe);
	std::string output;
	Poco::StreamCopier::copyToString(in, output);
	if (ph.wait() != 0) throw Poco::RuntimeException("openssl failed: " + output);
}

Certificates::~Certificates()
{
	try
	{
		Poco::File(_dir).remove(true);
	}
	catch (...)
	{
	}
}

std::string Certificates::path(const std::string& name) const
{
	return Poco::Path(Poco::Path::forDirectory(_dir), name).toString();
}

bool Certificates::haveOpenssl()
{
	return Poco::File("/usr/bin/openssl").exists();
}

} // namespace Test
} // namespace Nats
