//
// NKeysTest.cpp
//
// NKeys (seed / public key encodings, CRC16, Ed25519 signatures through OpenSSL) and the parsing
// of .creds / seed / JWT files, including that no exception text carries a seed.
//

#include "TestUtil.h"
#include "core/Credentials.h"
#include "core/NKeys.h"
#include "Nats/Options.h"
#include <Poco/File.h>
#include <Poco/TemporaryFile.h>
#include <cppunit/extensions/HelperMacros.h>
#include <fstream>
#include <string>

using namespace Nats;
using Nats::Test::writeFile;

namespace {

std::string decoratedCreds(const std::string& jwt, const std::string& seed, const std::string& eol = "\n")
{
	return "-----BEGIN NATS USER JWT-----" + eol + jwt + eol + "------END NATS USER JWT------" + eol + eol
		+ "************************* IMPORTANT *************************" + eol
		+ "NKEY Seed printed below can be used to sign and prove identity." + eol + eol + "-----BEGIN USER NKEY SEED-----" + eol + seed
		+ eol + "------END USER NKEY SEED------" + eol + eol + "*************************************************************" + eol;
}

const std::string SAMPLE_JWT = "eyJ0eXAiOiJKV1QiLCJhbGciOiJlZDI1NTE5LW5rZXkifQ.eyJzdWIiOiJVIn0.c2ln";

} // namespace

class NKeysTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(NKeysTest);
	CPPUNIT_TEST(testCrc16);
	CPPUNIT_TEST(testBase32);
	CPPUNIT_TEST(testBase64Url);
	CPPUNIT_TEST(testCreateAndDecode);
	CPPUNIT_TEST(testSignVerify);
	CPPUNIT_TEST(testBadSeeds);
	CPPUNIT_TEST(testCredsParsing);
	CPPUNIT_TEST(testCredsCrLf);
	CPPUNIT_TEST(testCredsMissingBlocksAndGarbage);
	CPPUNIT_TEST(testSignFromFiles);
	CPPUNIT_TEST(testBadFileErrorHasNoSeed);
	CPPUNIT_TEST(testOptionsValidation);
	CPPUNIT_TEST_SUITE_END();

public:
	void testCrc16()
	{
		// CRC-16/XMODEM check value
		CPPUNIT_ASSERT_EQUAL(std::uint16_t(0x31C3), NKeyPair::crc16("123456789"));
		CPPUNIT_ASSERT_EQUAL(std::uint16_t(0), NKeyPair::crc16(""));
	}

	void testBase32()
	{
		CPPUNIT_ASSERT_EQUAL(std::string("MZXW6YTBOI"), NKeyPair::base32Encode("foobar"));
		CPPUNIT_ASSERT_EQUAL(std::string("MY"), NKeyPair::base32Encode("f"));
		CPPUNIT_ASSERT_EQUAL(std::string("foobar"), NKeyPair::base32Decode("MZXW6YTBOI"));
		std::string all;
		for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
		CPPUNIT_ASSERT(NKeyPair::base32Decode(NKeyPair::base32Encode(all)) == all);
		CPPUNIT_ASSERT_THROW(NKeyPair::base32Decode("abc"), Poco::InvalidArgumentException);
	}

	void testBase64Url()
	{
		CPPUNIT_ASSERT_EQUAL(std::string(""), NKeyPair::base64UrlEncode(""));
		CPPUNIT_ASSERT_EQUAL(std::string("Zg"), NKeyPair::base64UrlEncode("f"));
		CPPUNIT_ASSERT_EQUAL(std::string("Zm8"), NKeyPair::base64UrlEncode("fo"));
		CPPUNIT_ASSERT_EQUAL(std::string("Zm9v"), NKeyPair::base64UrlEncode("foo"));
		CPPUNIT_ASSERT_EQUAL(std::string("-_8"), NKeyPair::base64UrlEncode("\xfb\xff"));
		CPPUNIT_ASSERT_EQUAL(std::string("\xfb\xff"), NKeyPair::base64UrlDecode("-_8"));
		CPPUNIT_ASSERT_EQUAL(std::string("fo"), NKeyPair::base64UrlDecode("Zm8="));
		CPPUNIT_ASSERT_THROW(NKeyPair::base64UrlDecode("a b"), Poco::InvalidArgumentException);
	}

	void testCreateAndDecode()
	{
		for (NKeyPair::Type t: {NKeyPair::USER, NKeyPair::ACCOUNT, NKeyPair::OPERATOR})
		{
			NKeyPair kp = NKeyPair::create(t);
			const char letter = t == NKeyPair::USER ? 'U' : t == NKeyPair::ACCOUNT ? 'A' : 'O';
			CPPUNIT_ASSERT_EQUAL(std::size_t(58), kp.seed().size());
			CPPUNIT_ASSERT_EQUAL('S', kp.seed()[0]);
			CPPUNIT_ASSERT_EQUAL(letter, kp.seed()[1]);
			CPPUNIT_ASSERT_EQUAL(std::size_t(56), kp.publicKey().size());
			CPPUNIT_ASSERT_EQUAL(letter, kp.publicKey()[0]);
			NKeyPair again = NKeyPair::fromSeed("  " + kp.seed() + "\n");
			CPPUNIT_ASSERT_EQUAL(kp.publicKey(), again.publicKey());
			CPPUNIT_ASSERT(again.type() == t);
			CPPUNIT_ASSERT_EQUAL(std::size_t(32), NKeyPair::decodePublicKey(kp.publicKey()).size());
		}
	}

	void testSignVerify()
	{
		NKeyPair kp = NKeyPair::create(NKeyPair::USER);
		std::string sig = kp.sign("nonce-123");
		CPPUNIT_ASSERT_EQUAL(std::size_t(64), sig.size());
		CPPUNIT_ASSERT(sig == kp.sign("nonce-123")); // Ed25519 is deterministic
		CPPUNIT_ASSERT(NKeyPair::verify(kp.publicKey(), "nonce-123", sig));
		CPPUNIT_ASSERT(!NKeyPair::verify(kp.publicKey(), "nonce-124", sig));
		NKeyPair other = NKeyPair::create(NKeyPair::USER);
		CPPUNIT_ASSERT(!NKeyPair::verify(other.publicKey(), "nonce-123", sig));
	}

	void testBadSeeds()
	{
		NKeyPair kp = NKeyPair::create(NKeyPair::USER);
		std::string seed = kp.seed();
		std::string flipped = seed;
		flipped[10] = flipped[10] == 'A' ? 'B' : 'A';
		for (const std::string& bad: {std::string(""), std::string("   "), flipped, seed.substr(0, 40), kp.publicKey(), std::string("SU") + std::string(56, '1'),
				 std::string("not a seed at all")})
		{
			try
			{
				NKeyPair::fromSeed(bad);
				CPPUNIT_FAIL("accepted a bad seed: " + bad);
			}
			catch (Poco::InvalidArgumentException& e)
			{
				CPPUNIT_ASSERT(e.message().find("nats: invalid") != std::string::npos);
				if (bad.size() > 8) CPPUNIT_ASSERT(e.displayText().find(bad) == std::string::npos);
			}
		}
	}

	void testCredsParsing()
	{
		NKeyPair kp = NKeyPair::create(NKeyPair::USER);
		std::string creds = decoratedCreds(SAMPLE_JWT, kp.seed());
		CPPUNIT_ASSERT_EQUAL(SAMPLE_JWT, Credentials::extractJwt(creds, "f"));
		CPPUNIT_ASSERT_EQUAL(kp.seed(), Credentials::extractSeed(creds, "f"));
		// a bare JWT file and a bare seed file
		CPPUNIT_ASSERT_EQUAL(SAMPLE_JWT, Credentials::extractJwt("\n  " + SAMPLE_JWT + "  \n", "f"));
		CPPUNIT_ASSERT_EQUAL(kp.seed(), Credentials::extractSeed(kp.seed() + "\n", "f"));
		// a decorated nkey file (seed block only)
		std::string nk = "-----BEGIN USER NKEY SEED-----\n" + kp.seed() + "\n------END USER NKEY SEED------\n";
		CPPUNIT_ASSERT_EQUAL(kp.seed(), Credentials::extractSeed(nk, "f"));
	}

	void testCredsCrLf()
	{
		NKeyPair kp = NKeyPair::create(NKeyPair::USER);
		std::string creds = decoratedCreds(SAMPLE_JWT, kp.seed(), "\r\n");
		CPPUNIT_ASSERT_EQUAL(SAMPLE_JWT, Credentials::extractJwt(creds, "f"));
		CPPUNIT_ASSERT_EQUAL(kp.seed(), Credentials::extractSeed(creds, "f"));
	}

	void testCredsMissingBlocksAndGarbage()
	{
		NKeyPair kp = NKeyPair::create(NKeyPair::USER);
		std::string onlySeed = "-----BEGIN USER NKEY SEED-----\n" + kp.seed() + "\n------END USER NKEY SEED------\n";
		CPPUNIT_ASSERT_THROW(Credentials::extractJwt(onlySeed, "f"), Poco::InvalidArgumentException);
		std::string onlyJwt = "-----BEGIN NATS USER JWT-----\n" + SAMPLE_JWT + "\n------END NATS USER JWT------\n";
		CPPUNIT_ASSERT_THROW(Credentials::extractSeed(onlyJwt, "f"), Poco::InvalidArgumentException);
		for (const std::string& garbage: {std::string(""), std::string("\x01\x02\xff garbage\n"), std::string("-----BEGIN NATS USER JWT-----\n\n------END\n"),
				 std::string("-----BEGIN NATS USER JWT-----\nnot a jwt!\n------END NATS USER JWT------\n")})
		{
			CPPUNIT_ASSERT_THROW(Credentials::extractJwt(garbage, "f"), Poco::InvalidArgumentException);
			CPPUNIT_ASSERT_THROW(Credentials::extractSeed(garbage, "f"), Poco::InvalidArgumentException);
		}
		try
		{
			Credentials::extractSeed(onlyJwt, "credentialsFile 'x.creds'");
			CPPUNIT_FAIL("no exception");
		}
		catch (Poco::InvalidArgumentException& e)
		{
			CPPUNIT_ASSERT_EQUAL(std::string("nats: credentialsFile 'x.creds': no nkey seed"), e.message());
		}
	}

	void testSignFromFiles()
	{
		NKeyPair kp = NKeyPair::create(NKeyPair::USER);
		Poco::TemporaryFile creds, jwtOnly, seedOnly;
		writeFile(creds.path(), decoratedCreds(SAMPLE_JWT, kp.seed()));
		writeFile(jwtOnly.path(), SAMPLE_JWT + "\n");
		writeFile(seedOnly.path(), kp.seed());
		Options o;
		o.credentialsFile = creds.path();
		Credentials::Fields f = Credentials::sign(o, "abc");
		CPPUNIT_ASSERT_EQUAL(SAMPLE_JWT, f.jwt);
		CPPUNIT_ASSERT(f.nkey.empty());
		CPPUNIT_ASSERT(NKeyPair::verify(kp.publicKey(), "abc", NKeyPair::base64UrlDecode(f.sig)));
		CPPUNIT_ASSERT(f.sig.find('=') == std::string::npos);
		o.credentialsFile = jwtOnly.path();
		o.credentialsSeedFile = seedOnly.path();
		f = Credentials::sign(o, "abc");
		CPPUNIT_ASSERT_EQUAL(SAMPLE_JWT, f.jwt);
		CPPUNIT_ASSERT(NKeyPair::verify(kp.publicKey(), "abc", NKeyPair::base64UrlDecode(f.sig)));
		Options n;
		n.nkeySeedFile = seedOnly.path();
		f = Credentials::sign(n, "xyz");
		CPPUNIT_ASSERT(f.jwt.empty());
		CPPUNIT_ASSERT_EQUAL(kp.publicKey(), f.nkey);
		CPPUNIT_ASSERT(NKeyPair::verify(kp.publicKey(), "xyz", NKeyPair::base64UrlDecode(f.sig)));
		Options h;
		h.nkey = kp.publicKey();
		h.nkeySignatureHandler = [&kp](const std::string& nonce) { return kp.sign(nonce); };
		f = Credentials::sign(h, "n1");
		CPPUNIT_ASSERT_EQUAL(kp.publicKey(), f.nkey);
		CPPUNIT_ASSERT(NKeyPair::verify(kp.publicKey(), "n1", NKeyPair::base64UrlDecode(f.sig)));
	}

	void testBadFileErrorHasNoSeed()
	{
		NKeyPair kp = NKeyPair::create(NKeyPair::USER);
		std::string seed = kp.seed();
		std::string corrupt = seed;
		corrupt[20] = corrupt[20] == 'A' ? 'B' : 'A';
		Poco::TemporaryFile file;
		// JWT present, seed block corrupt: the error names the option and file, not the seed
		writeFile(file.path(), decoratedCreds(SAMPLE_JWT, corrupt));
		Options o;
		o.credentialsFile = file.path();
		try
		{
			Credentials::sign(o, "n");
			CPPUNIT_FAIL("no exception");
		}
		catch (Poco::InvalidArgumentException& e)
		{
			const std::string text = e.displayText();
			CPPUNIT_ASSERT_MESSAGE(text, text.find("credentialsFile '" + file.path() + "'") != std::string::npos);
			CPPUNIT_ASSERT_MESSAGE(text, text.find(corrupt) == std::string::npos);
			CPPUNIT_ASSERT_MESSAGE(text, text.find(corrupt.substr(0, 12)) == std::string::npos);
		}
		o.credentialsFile = file.path() + ".missing";
		try
		{
			Credentials::sign(o, "n");
			CPPUNIT_FAIL("no exception");
		}
		catch (Poco::InvalidArgumentException& e)
		{
			CPPUNIT_ASSERT(e.message().find("cannot be read") != std::string::npos);
		}
	}

	void testOptionsValidation()
	{
		Options o;
		o.credentialsFile = "a.creds";
		o.nkeySeedFile = "b.nk";
		CPPUNIT_ASSERT_THROW(o.validate(), Poco::InvalidArgumentException);
		Options s;
		s.credentialsSeedFile = "seed";
		CPPUNIT_ASSERT_THROW(s.validate(), Poco::InvalidArgumentException);
		Options n;
		n.nkey = NKeyPair::create(NKeyPair::USER).publicKey();
		CPPUNIT_ASSERT_THROW(n.validate(), Poco::InvalidArgumentException); // no signing callback
		n.nkeySignatureHandler = [](const std::string&) { return std::string(); };
		n.validate();
		n.nkey = "Ubad";
		CPPUNIT_ASSERT_THROW(n.validate(), Poco::InvalidArgumentException);
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(NKeysTest);
