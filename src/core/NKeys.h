//
// NKeys.h
//
// Library: Nats
// Package: Core
// Module:  NKeys
//
// NATS NKeys: Ed25519 keys in the NATS text encoding (seeds "S..", public keys "U..", "A..", "O..").
//
// SPDX-License-Identifier: Apache-2.0
//

#ifndef Nats_NKeys_INCLUDED
#define Nats_NKeys_INCLUDED

#include <cstdint>
#include <string>

namespace Nats {

/// An Ed25519 key pair decoded from an NKey seed, through OpenSSL (EVP_PKEY_ED25519).
///
/// Encoding (the nkeys reference): base32 (RFC 4648 alphabet, no padding) of
///   public key: <prefix byte> <32-byte key> <CRC16 little-endian>
///   seed:       <'S' prefix | type high bits> <type low bits> <32-byte seed> <CRC16 little-endian>
/// CRC16 is CRC-16/XMODEM (polynomial 0x1021, initial value 0) over the bytes before it.
/// Prefix bytes: seed 18<<3 ('S'), operator 14<<3 ('O'), account 0 ('A'), user 20<<3 ('U').
///
///     NKeyPair kp = NKeyPair::fromSeed("SUAM...");
///     kp.publicKey();             // "UD..."
///     kp.sign(nonce);             // 64 raw signature bytes
///
/// Secrets: the seed is kept only as long as the object lives and wiped by the destructor; no
/// exception text ever contains it.
///
/// Thread safety: const methods may be called concurrently.
class NKeyPair
{
public:
	enum Type : std::uint8_t
	{
		OPERATOR = 14 << 3,
		ACCOUNT = 0,
		USER = 20 << 3
	};

	/// Decodes an encoded seed ("SU...", "SA...", "SO..."; surrounding blanks ignored).
	/// Throws: Poco::InvalidArgumentException ("nats: invalid nkey seed: ...", never the seed).
	static NKeyPair fromSeed(const std::string& encodedSeed);

	/// A new random key pair of `type` (tests and tools).
	static NKeyPair create(Type type);

	~NKeyPair();
	NKeyPair(const NKeyPair& other) = default;
	NKeyPair& operator=(const NKeyPair& other) = default;

	Type type() const { return _type; }

	/// The encoded public key ("U...").
	std::string publicKey() const;

	/// The encoded seed ("SU...").
	std::string seed() const;

	/// The 64-byte Ed25519 signature of `data`. Throws: Poco::Exception if OpenSSL fails.
	std::string sign(const std::string& data) const;

	/// Checks a raw signature against an encoded public key (tests).
	static bool verify(const std::string& publicKey, const std::string& data, const std::string& signature);

	// ---- encodings (exposed for tests and the JWT code) ----
	static std::string base32Encode(const std::string& raw);
	/// Throws: Poco::InvalidArgumentException on a character outside the alphabet.
	static std::string base32Decode(const std::string& text);
	static std::uint16_t crc16(const std::string& data);
	/// base64url without padding (JWT, CONNECT "sig").
	static std::string base64UrlEncode(const std::string& raw);
	/// Accepts padding or not. Throws: Poco::InvalidArgumentException.
	static std::string base64UrlDecode(const std::string& text);
	/// Decodes an encoded public key of the expected type; returns the 32 raw bytes.
	/// Throws: Poco::InvalidArgumentException.
	static std::string decodePublicKey(const std::string& publicKey);

private:
	NKeyPair() = default;

	Type _type = USER;
	std::string _seed;       // 32 raw bytes
	std::string _public;     // 32 raw bytes
};

} // namespace Nats

#endif // Nats_NKeys_INCLUDED
