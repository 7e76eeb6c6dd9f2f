//
// JwtTestUtil.h
//
// Operator / account / user JWTs and .creds texts for tests, signed with NKeyPair seeds the test
// creates (nats-server 2.9 operator mode with a memory resolver).
//

#ifndef Nats_JwtTestUtil_INCLUDED
#define Nats_JwtTestUtil_INCLUDED

#include "core/NKeys.h"
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/Timestamp.h>
#include <sstream>
#include <string>
#include <vector>

namespace Nats {
namespace Test {
namespace Jwt {

inline std::string stringify(const Poco::JSON::Object& obj)
{
	std::ostringstream out;
	obj.stringify(out);
	return out.str();
}

/// A JWT as nats-server 2.9 expects: base64url(header).base64url(claims).base64url(sig), header
/// {"typ":"JWT","alg":"ed25519-nkey"}, signed by the issuer's key.
inline std::string makeJwt(const NKeyPair& issuer, const std::string& subject, const std::string& name, Poco::JSON::Object::Ptr nats)
{
	Poco::JSON::Object header(Poco::JSON_PRESERVE_KEY_ORDER);
	header.set("typ", std::string("JWT"));
	header.set("alg", std::string("ed25519-nkey"));
	Poco::JSON::Object claims(Poco::JSON_PRESERVE_KEY_ORDER);
	claims.set("jti", NKeyPair::base32Encode(NKeyPair::create(NKeyPair::USER).publicKey().substr(0, 32)));
	claims.set("iat", static_cast<Poco::Int64>(Poco::Timestamp().epochTime()));
	claims.set("iss", issuer.publicKey());
	claims.set("name", name);
	claims.set("sub", subject);
	claims.set("nats", nats);
	std::string signingInput = NKeyPair::base64UrlEncode(stringify(header)) + "." + NKeyPair::base64UrlEncode(stringify(claims));
	return signingInput + "." + NKeyPair::base64UrlEncode(issuer.sign(signingInput));
}

inline Poco::JSON::Object::Ptr natsClaims(const std::string& type)
{
	Poco::JSON::Object::Ptr n = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
	n->set("type", type);
	n->set("version", 2);
	return n;
}

inline std::string operatorJwt(const NKeyPair& op)
{
	return makeJwt(op, op.publicKey(), "test-operator", natsClaims("operator"));
}

/// `jetStream`: the account may use JetStream without limits. The JWT library (nats-io/jwt v2
/// account_claims.go) embeds JetStreamLimits in OperatorLimits, so its fields sit flat in
/// "limits" next to the NATS ones; nats-server enables JetStream for the account when
/// mem_storage or disk_storage is non-zero (OperatorLimits.IsJSEnabled), -1 = unlimited.
inline std::string accountJwt(const NKeyPair& op, const NKeyPair& account, bool jetStream = false)
{
	Poco::JSON::Object::Ptr n = natsClaims("account");
	Poco::JSON::Object::Ptr limits = new Poco::JSON::Object;
	for (const char* k: {"subs", "data", "payload", "imports", "exports", "conn", "leaf"}) limits->set(k, -1);
	limits->set("wildcards", true);
	if (jetStream)
	{
		for (const char* k: {"mem_storage", "disk_storage", "streams", "consumer"}) limits->set(k, -1);
	}
	n->set("limits", limits);
	return makeJwt(op, account.publicKey(), "test-account", n);
}

/// `pubDeny`: subjects the user may not publish to (the user claim's "pub": {"deny": [...]},
/// nats-io/jwt v2 types.go Permission).
inline std::string userJwt(const NKeyPair& account, const NKeyPair& user, const std::vector<std::string>& pubDeny = {})
{
	Poco::JSON::Object::Ptr n = natsClaims("user");
	Poco::JSON::Object::Ptr pub = new Poco::JSON::Object;
	if (!pubDeny.empty())
	{
		Poco::JSON::Array::Ptr deny = new Poco::JSON::Array;
		for (const auto& subject: pubDeny) deny->add(subject);
		pub->set("deny", deny);
	}
	n->set("pub", pub);
	n->set("sub", Poco::JSON::Object::Ptr(new Poco::JSON::Object));
	n->set("subs", -1);
	n->set("data", -1);
	n->set("payload", -1);
	return makeJwt(account, user.publicKey(), "test-user", n);
}

inline std::string creds(const std::string& jwt, const std::string& seed)
{
	return "-----BEGIN NATS USER JWT-----\n" + jwt + "\n------END NATS USER JWT------\n\n"
		+ "************************* IMPORTANT *************************\n\n-----BEGIN USER NKEY SEED-----\n" + seed
		+ "\n------END USER NKEY SEED------\n\n*************************************************************\n";
}

/// nats-server configuration text for operator mode with `account` preloaded in a memory resolver
/// (`jetStream`: the account JWT allows JetStream, and a system account of its own is preloaded
/// and named: nats-server 2.9 in operator mode refuses to start JetStream without one, "system
/// account not setup". The server needs -js besides, e.g. NatsServerProcess::enableJetStream()).
inline std::string operatorConfig(const NKeyPair& op, const NKeyPair& account, bool jetStream = false)
{
	std::string config = "operator: " + operatorJwt(op) + "\nresolver: MEMORY\nresolver_preload: {\n  " + account.publicKey() + ": "
		+ accountJwt(op, account, jetStream) + "\n";
	if (!jetStream) return config + "}\n";
	const NKeyPair system = NKeyPair::create(NKeyPair::ACCOUNT);
	return config + "  " + system.publicKey() + ": " + accountJwt(op, system) + "\n}\nsystem_account: " + system.publicKey() + "\n";
}

} // namespace Jwt
} // namespace Test
} // namespace Nats

#endif // Nats_JwtTestUtil_INCLUDED
