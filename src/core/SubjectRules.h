//
// SubjectRules.h
//
// Library: Nats
// Package: Core
// Module:  SubjectRules
//
// The one place for the rules of subjects, queue names and streaming channel names.
//
// SPDX-License-Identifier: Apache-2.0
//

#ifndef Nats_SubjectRules_INCLUDED
#define Nats_SubjectRules_INCLUDED

#include <string>

namespace Nats {

/// Validity of NATS subjects (protocol.md 1.13) and streaming channel names (protocol.md 3.2).
///
/// The rules differ on purpose: a NATS publish subject may contain '/' and wildcard characters
/// inside a token ("foo*" is literal), but no whitespace; a streaming channel name allows no '*'
/// or '>' at all and no '/', but whitespace is not checked (as the Go streaming server).
///
/// Thread safety: all functions are pure.
class SubjectRules
{
public:
	/// A NATS subject to publish to: non-empty, no empty token, no wildcard token ('*' or '>'
	/// as a whole token), no whitespace or NUL. `what` names the argument in the message
	/// ("subject", "reply subject"). One table lookup per character (every publish).
	/// Throws: Poco::InvalidArgumentException "nats: invalid <what> '<subject>': <rule>".
	static void checkPublishSubject(const std::string& subject, const char* what = "subject");

	/// A NATS subject to subscribe to: non-empty, no empty token, '>' only as the last token, no
	/// whitespace or NUL; wildcards allowed.
	/// Throws: Poco::InvalidArgumentException "nats: invalid subject '<subject>': <rule>".
	static void checkSubscribeSubject(const std::string& subject);

	/// A queue group name: no whitespace or NUL (empty means no queue).
	/// Throws: Poco::InvalidArgumentException "nats: invalid queue name '<queue>': contains whitespace".
	static void checkQueue(const std::string& queue);

	/// A streaming channel name (protocol.md 3.2): non-empty, no '/', no leading / trailing '.',
	/// no empty token, no '*' or '>' anywhere. Whitespace is accepted, as by the Go server.
	static bool isValidChannel(const std::string& name);

	/// The check of a channel a streaming client publishes to, before anything is sent (a real
	/// server would answer "stan: invalid publish request" after a round trip).
	/// Throws: Poco::InvalidArgumentException "stan: channel must not be empty", or
	/// "stan: invalid channel '<name>': no '*', '>' or '/', no empty token, no leading or trailing '.'".
	static void checkPublishChannel(const std::string& name);

	/// One subject token (e.g. a cluster ID inside "_STAN.discover.<id>"): non-empty, no '.',
	/// '*', '>' or whitespace.
	static bool isValidToken(const std::string& token);
};

} // namespace Nats

#endif // Nats_SubjectRules_INCLUDED
