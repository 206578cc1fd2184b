// The table of profile keys: the one list that the validator, the writer, the TR-069 mapping,
// the documentation test and `certkeeper profile show` all walk (docs/profile-format.md, "Keys").
//
// Thread-safety: constant data.
#pragma once

#include <span>
#include <string_view>

namespace profiles {

// How a value is read after comments are removed (value_syntax.h).
enum class ValueSyntax {
    text,   // unquote() the whole value: internal spaces are kept
    words,  // split_words(): whitespace separates words, quotes group them
};

struct KeyInfo {
    std::string_view name;           // as written in a file: "renew_at_percent"
    ValueSyntax syntax;
    bool required;                   // a profile without it is invalid
    bool repeatable;                 // may appear more than once (san, store, peer_trust_anchor)
    bool secret;                     // the whole value is a secret (challenge, password)
    std::string_view default_value;  // as written in a file; empty = unset by default
    std::string_view summary;        // one line for help texts
};

// Every key, in the order the writer renders them.
std::span<const KeyInfo> profile_keys();

// nullptr when `name` is not a key.
const KeyInfo* find_key(std::string_view name);

}  // namespace profiles
