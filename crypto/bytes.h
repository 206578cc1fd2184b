// Byte strings and the text encodings protocols need (hex, base64).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace crypto {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

inline ByteView as_bytes(std::string_view s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}
inline std::string_view as_chars(ByteView b) {
    return {reinterpret_cast<const char*>(b.data()), b.size()};
}

// Lower-case hex without separators.
std::string to_hex(ByteView data);
// Upper-case hex with a separator between bytes ("AB:CD:EF").
std::string to_hex_separated(ByteView data, char separator = ':');
// Accepts upper/lower case, optional ':' or ' ' separators between byte pairs.
common::Result<Bytes> from_hex(std::string_view text);

// RFC 4648 standard alphabet with padding, no line breaks.
std::string to_base64(ByteView data);
// Accepts the standard alphabet; ignores whitespace (CR/LF from PEM or HTTP bodies); padding
// optional. Rejects any other character.
common::Result<Bytes> from_base64(std::string_view text);

// Cryptographically secure random bytes.
common::Result<Bytes> random_bytes(std::size_t count);

}  // namespace crypto
