// The lexical pieces of the profile format (docs/profile-format.md, "Values"): quoting, words,
// durations, booleans, SHA-256 fingerprints and URLs. Shared by the file parser, the validator
// and the TR-069 mapping so that both sides read values the same way.
//
// Thread-safety: pure functions.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace profiles {

using Sha256Fingerprint = std::array<std::uint8_t, 32>;

// Removes double-quoted segments' quotes anywhere in `raw`: "a b" -> a b. Inside quotes \" and
// \\ are escapes, any other backslash is literal. Errc::parse on an unterminated quote.
common::Result<std::string> unquote(std::string_view raw);

// Splits `raw` at unquoted whitespace (or at unquoted `separator` when it is not ' ') and
// unquotes each word. Empty words are dropped for ' ', kept (trimmed) for other separators.
common::Result<std::vector<std::string>> split_words(std::string_view raw, char separator = ' ');

// `s` as one word: unchanged when it has no whitespace, '"', ';', '#', ',' and is not empty,
// otherwise in double quotes with '"' and '\' escaped. unquote(quote_if_needed(s)) == s.
std::string quote_if_needed(std::string_view s);

// Always quoted.
std::string quote(std::string_view s);

// "90s", "5m", "1h", "1d", "1h30m": one or more NUMBER UNIT pairs (s, m, h, d), total at most
// ten years. A bare number is refused (the unit is never guessed).
common::Result<std::chrono::seconds> parse_duration(std::string_view text);
// The largest unit that divides evenly: 3600s -> "1h", 90s -> "90s", 5400s -> "90m".
std::string format_duration(std::chrono::seconds d);

// true/false, yes/no, on/off, 1/0 (case-insensitive).
common::Result<bool> parse_bool(std::string_view text);

// "sha256:AB:CD:..." (32 colon-separated bytes) or 64 hex digits, with or without "sha256:";
// case-insensitive.
common::Result<Sha256Fingerprint> parse_fingerprint(std::string_view text);
// "sha256:AB:CD:..." upper case.
std::string format_fingerprint(const Sha256Fingerprint& fp);

// http:// or https:// URL with a host, an optional port 1..65535 and an optional path/query;
// no credentials, no fragment, no whitespace or control characters.
common::Result<void> check_url(std::string_view url);

}  // namespace profiles
