// RFC 4514 distinguished names, as taken on the command line and in profiles ("CN=x,O=y").
// The string lists RDNs most-specific first; the DER encoding holds them in the reverse order,
// as RFC 4514 §2.1 prescribes, so that a name printed by Certificate::subject() round-trips.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace crypto {

struct DnAttribute {
    std::string type;   // short name as written: "CN", "O", "OU", "C", "L", "ST", "emailAddress", OID
    std::string value;  // unescaped UTF-8
    bool operator==(const DnAttribute&) const = default;
};

// Parses "CN=a\,b,O=Example" into attributes in string order. Handles '\' escapes (RFC 4514
// §3: special characters and \XX hex pairs) and '+' for multi-valued RDNs (flattened). Rejects
// empty types, missing '=', dangling escapes, an empty string.
common::Result<std::vector<DnAttribute>> parse_distinguished_name(std::string_view text);

}  // namespace crypto
