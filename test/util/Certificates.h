//
// Certificates.h
//
// Test certificates made with openssl at test time, in a temporary directory removed at the end.
// SecurityTest and CoreTlsFailoverTest each need their own set (names, SANs); the directory, the
// openssl run and the clean-up are the same.
//

#ifndef Nats_TestCertificates_INCLUDED
#define Nats_TestCertificates_INCLUDED

#include <string>

namespace Nats {
namespace Test {

/// Runs `script` (shell commands, normally openssl calls) with /bin/sh in a new temporary
/// directory, under `set -e`. Throws Poco::RuntimeException with the script's output when it
/// fails. Blocks until the script ends (key generation: about a second per key).
class Certificates
{
public:
	explicit Certificates(const std::string& script);
	~Certificates();

	Certificates(const Certificates&) = delete;
	Certificates& operator=(const Certificates&) = delete;

	/// The full path of file `name` in the directory.
	std::string path(const std::string& name) const;

	/// True when /usr/bin/openssl exists (tests skip themselves otherwise).
	static bool haveOpenssl();

private:
	std::string _dir;
};

} // namespace Test
} // namespace Nats

#endif
