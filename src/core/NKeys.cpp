//
// NKeys.cpp
//
// Library: Nats
// Package: Core
// Module:  NKeys
//
// SPDX-License-Identifier: Apache-2.0
//

#include "core/NKeys.h"
#include <Poco/Exception.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <memory>

namespace Nats {

namespace {

const char BASE32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const char BASE64URL[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr std::uint8_t PREFIX_SEED = 18 << 3;
constexpr std::size_t KEY_SIZE = 32;

struct PkeyDeleter
{
	void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct MdCtxDeleter
{
	void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyDeleter>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxDeleter>;

bool validType(std::uint8_t t)
{
	return t == NKeyPair::OPERATOR || t == NKeyPair::ACCOUNT || t == NKeyPair::USER;
}

std::string withCrc(std::string raw)
{
	std::uint16_t crc = NKeyPair::crc16(raw);
	raw.push_back(static_cast<char>(crc & 0xff));
	raw.push_back(static_cast<char>(crc >> 8));
	return raw;
}

// Strips and checks the trailing CRC16; throws with `what` (never the key text).
std::string checkCrc(const std::string& raw, const char* what)
{
	if (raw.size() < 3) throw Poco::InvalidArgumentException(std::string("nats: invalid ") + what + ": too short");
	std::string body = raw.substr(0, raw.size() - 2);
	std::uint16_t expected = static_cast<std::uint16_t>(static_cast<unsigned char>(raw[raw.size() - 2]) | (static_cast<unsigned char>(raw[raw.size() - 1]) << 8));
	if (NKeyPair::crc16(body) != expected) throw Poco::InvalidArgumentException(std::string("nats: invalid ") + what + ": checksum mismatch");
	return body;
}

Pkey publicPkey(const std::string& raw)
{
	Pkey key(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(raw.data()), raw.size()));
	if (!key) throw Poco::InvalidArgumentException("nats: invalid public nkey: not an Ed25519 key");
	return key;
}

void wipe(std::string& s)
{
	if (!s.empty()) OPENSSL_cleanse(&s[0], s.size());
	s.clear();
}

} // namespace

std::uint16_t NKeyPair::crc16(const std::string& data)
{
	std::uint16_t crc = 0;
	for (unsigned char c: data)
	{
		crc = static_cast<std::uint16_t>(crc ^ (c << 8));
		for (int i = 0; i < 8; ++i) crc = static_cast<std::uint16_t>((crc & 0x8000) ? (crc << 1) ^ 0x1021 : crc << 1);
	}
	return crc;
}

std::string NKeyPair::base32Encode(const std::string& raw)
{
	std::string out;
	unsigned buffer = 0;
	int bits = 0;
	for (unsigned char c: raw)
	{
		buffer = (buffer << 8) | c;
		bits += 8;
		while (bits >= 5)
		{
			out.push_back(BASE32[(buffer >> (bits - 5)) & 31]);
			bits -= 5;
		}
	}
	if (bits > 0) out.push_back(BASE32[(buffer << (5 - bits)) & 31]);
	return out;
}

std::string NKeyPair::base32Decode(const std::string& text)
{
	std::string out;
	unsigned buffer = 0;
	int bits = 0;
	for (char c: text)
	{
		int v;
		if (c >= 'A' && c <= 'Z')
			v = c - 'A';
		else if (c >= '2' && c <= '7')
			v = c - '2' + 26;
		else
			throw Poco::InvalidArgumentException("nats: invalid base32 character in an nkey");
		buffer = (buffer << 5) | static_cast<unsigned>(v);
		bits += 5;
		if (bits >= 8)
		{
			out.push_back(static_cast<char>((buffer >> (bits - 8)) & 0xff));
			bits -= 8;
		}
	}
	return out;
}

std::string NKeyPair::base64UrlEncode(const std::string& raw)
{
	std::string out;
	out.reserve((raw.size() * 4 + 2) / 3);
	std::size_t i = 0;
	const auto* p = reinterpret_cast<const unsigned char*>(raw.data());
	for (; i + 2 < raw.size(); i += 3)
	{
		unsigned v = (p[i] << 16) | (p[i + 1] << 8) | p[i + 2];
		out.push_back(BASE64URL[(v >> 18) & 63]);
		out.push_back(BASE64URL[(v >> 12) & 63]);
		out.push_back(BASE64URL[(v >> 6) & 63]);
		out.push_back(BASE64URL[v & 63]);
	}
	if (raw.size() - i == 1)
	{
		unsigned v = p[i] << 16;
		out.push_back(BASE64URL[(v >> 18) & 63]);
		out.push_back(BASE64URL[(v >> 12) & 63]);
	}
	else if (raw.size() - i == 2)
	{
		unsigned v = (p[i] << 16) | (p[i + 1] << 8);
		out.push_back(BASE64URL[(v >> 18) & 63]);
		out.push_back(BASE64URL[(v >> 12) & 63]);
		out.push_back(BASE64URL[(v >> 6) & 63]);
	}
	return out;
}

std::string NKeyPair::base64UrlDecode(const std::string& text)
{
	std::string out;
	unsigned buffer = 0;
	int bits = 0;
	std::size_t end = text.size();
	while (end > 0 && text[end - 1] == '=') --end;
	for (std::size_t i = 0; i < end; ++i)
	{
		char c = text[i];
		int v;
		if (c >= 'A' && c <= 'Z')
			v = c - 'A';
		else if (c >= 'a' && c <= 'z')
			v = c - 'a' + 26;
		else if (c >= '0' && c <= '9')
			v = c - '0' + 52;
		else if (c == '-' || c == '+')
			v = 62;
		else if (c == '_' || c == '/')
			v = 63;
		else
			throw Poco::InvalidArgumentException("nats: invalid base64url text");
		buffer = (buffer << 6) | static_cast<unsigned>(v);
		bits += 6;
		if (bits >= 8)
		{
			out.push_back(static_cast<char>((buffer >> (bits - 8)) & 0xff));
			bits -= 8;
		}
	}
	return out;
}

NKeyPair NKeyPair::fromSeed(const std::string& encodedSeed)
{
	std::size_t b = encodedSeed.find_first_not_of(" \t\r\n");
	std::size_t e = encodedSeed.find_last_not_of(" \t\r\n");
	if (b == std::string::npos) throw Poco::InvalidArgumentException("nats: invalid nkey seed: empty");
	std::string raw = base32Decode(encodedSeed.substr(b, e - b + 1));
	std::string body;
	try
	{
		body = checkCrc(raw, "nkey seed");
	}
	catch (...)
	{
		wipe(raw);
		throw;
	}
	wipe(raw);
	if (body.size() != 2 + KEY_SIZE)
	{
		wipe(body);
		throw Poco::InvalidArgumentException("nats: invalid nkey seed: wrong length");
	}
	const auto b1 = static_cast<std::uint8_t>(body[0]);
	const auto b2 = static_cast<std::uint8_t>(body[1]);
	const auto type = static_cast<std::uint8_t>(((b1 & 7) << 5) | ((b2 & 0xf8) >> 3));
	if ((b1 & 0xf8) != PREFIX_SEED || !validType(type))
	{
		wipe(body);
		throw Poco::InvalidArgumentException("nats: invalid nkey seed: not a seed of an operator, account or user");
	}
	NKeyPair kp;
	kp._type = static_cast<Type>(type);
	kp._seed = body.substr(2);
	wipe(body);
	Pkey key(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(kp._seed.data()), KEY_SIZE));
	if (!key) throw Poco::InvalidArgumentException("nats: invalid nkey seed: not an Ed25519 key");
	unsigned char pub[KEY_SIZE];
	std::size_t len = sizeof(pub);
	if (EVP_PKEY_get_raw_public_key(key.get(), pub, &len) != 1 || len != KEY_SIZE)
		throw Poco::InvalidArgumentException("nats: invalid nkey seed: no public key");
	kp._public.assign(reinterpret_cast<const char*>(pub), KEY_SIZE);
	return kp;
}

NKeyPair NKeyPair::create(Type type)
{
	unsigned char seed[KEY_SIZE];
	if (RAND_bytes(seed, sizeof(seed)) != 1) throw Poco::RuntimeException("nats: no random bytes for an nkey");
	std::string raw;
	raw.push_back(static_cast<char>(PREFIX_SEED | (type >> 5)));
	raw.push_back(static_cast<char>((type & 31) << 3));
	raw.append(reinterpret_cast<const char*>(seed), sizeof(seed));
	OPENSSL_cleanse(seed, sizeof(seed));
	std::string encoded = base32Encode(withCrc(raw));
	wipe(raw);
	NKeyPair kp = fromSeed(encoded);
	wipe(encoded);
	return kp;
}

NKeyPair::~NKeyPair()
{
	wipe(_seed);
}

std::string NKeyPair::publicKey() const
{
	std::string raw(1, static_cast<char>(_type));
	raw += _public;
	return base32Encode(withCrc(raw));
}

std::string NKeyPair::seed() const
{
	std::string raw;
	raw.push_back(static_cast<char>(PREFIX_SEED | (_type >> 5)));
	raw.push_back(static_cast<char>((_type & 31) << 3));
	raw += _seed;
	std::string out = base32Encode(withCrc(raw));
	wipe(raw);
	return out;
}

std::string NKeyPair::sign(const std::string& data) const
{
	Pkey key(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(_seed.data()), _seed.size()));
	MdCtx ctx(EVP_MD_CTX_new());
	if (!key || !ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1)
		throw Poco::RuntimeException("nats: Ed25519 signing unavailable");
	unsigned char sig[64];
	std::size_t len = sizeof(sig);
	if (EVP_DigestSign(ctx.get(), sig, &len, reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1)
		throw Poco::RuntimeException("nats: Ed25519 signing failed");
	return std::string(reinterpret_cast<const char*>(sig), len);
}

std::string NKeyPair::decodePublicKey(const std::string& publicKey)
{
	std::string body = checkCrc(base32Decode(publicKey), "public nkey");
	if (body.size() != 1 + KEY_SIZE || !validType(static_cast<std::uint8_t>(body[0])))
		throw Poco::InvalidArgumentException("nats: invalid public nkey: wrong length or type");
	return body.substr(1);
}

bool NKeyPair::verify(const std::string& publicKey, const std::string& data, const std::string& signature)
{
	Pkey key = publicPkey(decodePublicKey(publicKey));
	MdCtx ctx(EVP_MD_CTX_new());
	if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1) return false;
	return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
			   reinterpret_cast<const unsigned char*>(data.data()), data.size())
		== 1;
}

} // namespace Nats
