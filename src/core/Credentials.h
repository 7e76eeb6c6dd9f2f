//
// Credentials.h
//
// Library: Nats
// Package: Core
// Module:  Credentials
//
// NKey and JWT credentials: .creds files, seed files, the signature of the server's nonce.
//
// SPDX-License-Identifier: Apache-2.0
//

#ifndef Nats_Credentials_INCLUDED
#define Nats_Credentials_INCLUDED

#include "Nats/Options.h"
#include <string>

namespace Nats {

/// The authentication fields of CONNECT that come from NKeys / JWTs (protocol.md 1.4):
/// "jwt" + "sig" for Options::credentialsFile (and credentialsSeedFile), "nkey" + "sig" for
/// Options::nkeySeedFile or Options::nkey + nkeySignatureHandler. "sig" is the Ed25519 signature
/// of the INFO nonce, base64url without padding.
///
/// Files are read again at every handshake (so rotated credentials are picked up on reconnect)
/// and their contents are wiped from memory after use. No exception text or log line contains a
/// seed: errors name the option and the file only.
///
/// .creds format (as written by nsc): a "-----BEGIN NATS USER JWT-----" line, the JWT, a
/// "------END NATS USER JWT------" line; the same for "USER NKEY SEED"; any text around them.
/// CRLF line ends are accepted.
class Credentials
{
public:
	struct Fields
	{
		std::string jwt;   ///< empty unless a JWT is used
		std::string nkey;  ///< empty unless an nkey (no JWT) is used
		std::string sig;   ///< base64url signature of the nonce, empty when no credentials
	};

	/// True when the options ask for NKey / JWT authentication.
	static bool configured(const Options& options);

	/// Reads the configured files and signs `nonce`.
	/// Throws: Poco::InvalidArgumentException naming the option and file (unreadable, no JWT
	/// block, no seed, bad seed), never their contents; what nkeySignatureHandler throws.
	static Fields sign(const Options& options, const std::string& nonce);

	/// The JWT of a .creds / JWT file text: the first decorated block, else the whole text when
	/// it is a bare JWT. Throws: Poco::InvalidArgumentException ("... no user JWT").
	static std::string extractJwt(const std::string& text, const std::string& what);

	/// The seed of a .creds / seed file text: the seed block, else a line "SU..." / "SA..." /
	/// "SO...". Throws: Poco::InvalidArgumentException ("... no nkey seed").
	static std::string extractSeed(const std::string& text, const std::string& what);
};

} // namespace Nats

#endif // Nats_Credentials_INCLUDED
