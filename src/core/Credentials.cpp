//
// Credentials.cpp
//
// Library: Nats
// Package: Core
// Module:  Credentials
//
// SPDX-License-Identifier: Apache-2.0
//

#include "core/Credentials.h"
#include "core/NKeys.h"
#include <Poco/Exception.h>
#include <openssl/crypto.h>
#include <fstream>
#include <sstream>
#include <vector>

namespace Nats {

namespace {

/// A string wiped when it goes out of scope (file contents with seeds).
struct Secret
{
	std::string text;
	~Secret()
	{
		if (!text.empty()) OPENSSL_cleanse(&text[0], text.size());
	}
};

std::string trim(const std::string& s)
{
	std::size_t b = s.find_first_not_of(" \t\r\n");
	if (b == std::string::npos) return std::string();
	std::size_t e = s.find_last_not_of(" \t\r\n");
	return s.substr(b, e - b + 1);
}

void readFile(const std::string& path, const std::string& what, Secret& out)
{
	std::ifstream in(path, std::ios::binary);
	if (!in) throw Poco::InvalidArgumentException("nats: " + what + ": cannot be read");
	std::ostringstream buffer;
	buffer << in.rdbuf();
	out.text = buffer.str();
	// the stream's copy goes with `buffer`; overwrite it too
	std::string tmp = buffer.str();
	if (!tmp.empty()) OPENSSL_cleanse(&tmp[0], tmp.size());
}

bool isDashLine(const std::string& line)
{
	return line.size() >= 6 && line.compare(0, 3, "---") == 0 && line.compare(line.size() - 3, 3, "---") == 0;
}

bool isTokenLine(const std::string& line)
{
	if (line.empty()) return false;
	for (char c: line)
	{
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.' || c == '=';
		if (!ok) return false;
	}
	return true;
}

struct Block
{
	std::string header;
	std::string content;
};

// Decorated blocks: a line of dashes, one token line, a line of dashes (as the nsc / nats.go format).
std::vector<Block> blocks(const std::string& text, std::vector<std::string>& lines)
{
	std::istringstream in(text);
	std::string line;
	while (std::getline(in, line)) lines.push_back(trim(line));
	std::vector<Block> result;
	for (std::size_t i = 0; i + 2 < lines.size(); ++i)
	{
		if (isDashLine(lines[i]) && isTokenLine(lines[i + 1]) && isDashLine(lines[i + 2]))
		{
			result.push_back(Block{lines[i], lines[i + 1]});
			i += 2;
		}
	}
	return result;
}

void wipeAll(std::vector<std::string>& lines, std::vector<Block>& bs)
{
	for (auto& l: lines)
		if (!l.empty()) OPENSSL_cleanse(&l[0], l.size());
	for (auto& b: bs)
		if (!b.content.empty()) OPENSSL_cleanse(&b.content[0], b.content.size());
}

bool looksLikeJwt(const std::string& s)
{
	std::size_t dots = 0;
	for (char c: s)
	{
		if (c == '.') ++dots;
	}
	return dots == 2 && isTokenLine(s);
}

bool looksLikeSeed(const std::string& s)
{
	return s.size() >= 58 && s[0] == 'S' && (s[1] == 'U' || s[1] == 'A' || s[1] == 'O') && isTokenLine(s);
}

std::string signNonce(const NKeyPair& kp, const std::string& nonce)
{
	return NKeyPair::base64UrlEncode(kp.sign(nonce));
}

NKeyPair pairFromText(const std::string& text, const std::string& what)
{
	std::string seed = Credentials::extractSeed(text, what);
	try
	{
		NKeyPair kp = NKeyPair::fromSeed(seed);
		OPENSSL_cleanse(&seed[0], seed.size());
		return kp;
	}
	catch (Poco::InvalidArgumentException& e)
	{
		OPENSSL_cleanse(&seed[0], seed.size());
		// e's text never contains the seed (NKeyPair guarantees it)
		throw Poco::InvalidArgumentException("nats: " + what + ": " + e.message());
	}
}

} // namespace

std::string Credentials::extractJwt(const std::string& text, const std::string& what)
{
	std::vector<std::string> lines;
	std::vector<Block> bs = blocks(text, lines);
	std::string jwt;
	if (!bs.empty())
		jwt = bs[0].content;
	else if (looksLikeJwt(trim(text)))
		jwt = trim(text);
	wipeAll(lines, bs);
	if (jwt.empty() || !looksLikeJwt(jwt)) throw Poco::InvalidArgumentException("nats: " + what + ": no user JWT");
	return jwt;
}

std::string Credentials::extractSeed(const std::string& text, const std::string& what)
{
	std::vector<std::string> lines;
	std::vector<Block> bs = blocks(text, lines);
	std::string seed;
	for (std::size_t i = 0; i < bs.size() && seed.empty(); ++i)
	{
		if (looksLikeSeed(bs[i].content)) seed = bs[i].content;
	}
	for (std::size_t i = 0; i < lines.size() && seed.empty(); ++i)
	{
		if (looksLikeSeed(lines[i])) seed = lines[i];
	}
	wipeAll(lines, bs);
	if (seed.empty()) throw Poco::InvalidArgumentException("nats: " + what + ": no nkey seed");
	return seed;
}

bool Credentials::configured(const Options& o)
{
	return !o.credentialsFile.empty() || !o.nkeySeedFile.empty() || !o.nkey.empty();
}

Credentials::Fields Credentials::sign(const Options& o, const std::string& nonce)
{
	Fields f;
	if (!o.credentialsFile.empty())
	{
		const std::string what = "credentialsFile '" + o.credentialsFile + "'";
		Secret text;
		readFile(o.credentialsFile, what, text);
		f.jwt = extractJwt(text.text, what);
		if (o.credentialsSeedFile.empty())
		{
			f.sig = signNonce(pairFromText(text.text, what), nonce);
		}
		else
		{
			const std::string seedWhat = "credentialsSeedFile '" + o.credentialsSeedFile + "'";
			Secret seedText;
			readFile(o.credentialsSeedFile, seedWhat, seedText);
			f.sig = signNonce(pairFromText(seedText.text, seedWhat), nonce);
		}
	}
	else if (!o.nkeySeedFile.empty())
	{
		const std::string what = "nkeySeedFile '" + o.nkeySeedFile + "'";
		Secret text;
		readFile(o.nkeySeedFile, what, text);
		NKeyPair kp = pairFromText(text.text, what);
		f.nkey = kp.publicKey();
		f.sig = signNonce(kp, nonce);
	}
	else if (!o.nkey.empty())
	{
		f.nkey = o.nkey;
		f.sig = NKeyPair::base64UrlEncode(o.nkeySignatureHandler(nonce));
	}
	return f;
}

} // namespace Nats
