// Syntax of the GeneralName forms that path validation relies on, and the one name-constraint
// rule OpenSSL lacks (wildcard dNSNames). Private to crypto/; used by chain_checks.cpp.
// References: RFC 5280 §4.2.1.6 (subjectAltName), §4.2.1.10 (name constraints), RFC 1034 §3.5
// and RFC 1123 §2.1 (preferred name syntax), RFC 5321 §4.1.2 (Mailbox), RFC 9525 §6.3 (wildcards).
#pragma once

#include <string_view>

namespace crypto::detail {

// A host name in preferred name syntax: dot-separated LDH labels of 1-63 octets, not starting or
// ending with '-', 253 octets at most, no trailing dot. With allow_wildcard, the leftmost label
// may be exactly "*" (RFC 9525 §6.3); whether such a name matches anything is left to matching.
bool is_dns_name(std::string_view name, bool allow_wildcard);

// A dNSName name-constraint base: a host name (no wildcard, no leading period), or "" which
// stands for every name.
bool is_dns_constraint(std::string_view base);

// rfc822Name in a subjectAltName: exactly one Mailbox, local-part "@" domain, where the
// local-part is a dot-string or a quoted-string and the domain is a host name.
bool is_mailbox(std::string_view name);

// rfc822Name constraint base: a mailbox, a host ("example.com") or a domain (".example.com").
bool is_email_constraint(std::string_view base);

// iPAddress constraint: 8 or 16+16 octets, address followed by a mask whose one-bits are
// contiguous from the left.
bool is_ip_constraint(const unsigned char* data, int length);

// True if the wildcard dNSName (e.g. "*.example.com") can stand for a name inside the dNSName
// subtree `base`: `base` is "", lies above the wildcard's domain, or is one label below it.
// REQUIRES: is_dns_name(wildcard, true) and wildcard starts with "*.".
bool wildcard_meets_subtree(std::string_view wildcard, std::string_view base);

}  // namespace crypto::detail
