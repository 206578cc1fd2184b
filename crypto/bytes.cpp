#include "crypto/bytes.h"

#include <openssl/rand.h>

#include <array>
#include <cctype>

#include "crypto/openssl_error.h"

namespace crypto {
namespace {

constexpr char hex_lower[] = "0123456789abcdef";
constexpr char hex_upper[] = "0123456789ABCDEF";
constexpr char base64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

int base64_value(char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

}  // namespace

std::string to_hex(ByteView data) {
    std::string out;
    out.reserve(data.size() * 2);
    for (auto b : data) {
        out += hex_lower[b >> 4];
        out += hex_lower[b & 0x0f];
    }
    return out;
}

std::string to_hex_separated(ByteView data, char separator) {
    std::string out;
    out.reserve(data.size() * 3);
    for (std::size_t i = 0; i < data.size(); ++i) {
        if (i != 0) out += separator;
        out += hex_upper[data[i] >> 4];
        out += hex_upper[data[i] & 0x0f];
    }
    return out;
}

common::Result<Bytes> from_hex(std::string_view text) {
    Bytes out;
    out.reserve(text.size() / 2);
    std::size_t i = 0;
    while (i < text.size()) {
        if (text[i] == ':' || text[i] == ' ') {
            if (out.empty() || i + 1 >= text.size()) {
                return common::fail(common::Errc::parse, "hex: misplaced separator");
            }
            ++i;
        }
        if (i + 1 >= text.size()) {
            return common::fail(common::Errc::parse, "hex: odd number of digits");
        }
        const int hi = hex_value(text[i]);
        const int lo = hex_value(text[i + 1]);
        if (hi < 0 || lo < 0) {
            return common::fail(common::Errc::parse, "hex: invalid character");
        }
        out.push_back(static_cast<std::uint8_t>(hi * 16 + lo));
        i += 2;
    }
    if (out.empty()) {
        return common::fail(common::Errc::parse, "hex: empty");
    }
    return out;
}

std::string to_base64(ByteView data) {
    std::string out;
    out.reserve((data.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 2 < data.size(); i += 3) {
        const std::uint32_t v = (std::uint32_t{data[i]} << 16) | (std::uint32_t{data[i + 1]} << 8) |
                                data[i + 2];
        out += base64_alphabet[(v >> 18) & 63];
        out += base64_alphabet[(v >> 12) & 63];
        out += base64_alphabet[(v >> 6) & 63];
        out += base64_alphabet[v & 63];
    }
    const std::size_t rest = data.size() - i;
    if (rest == 1) {
        const std::uint32_t v = std::uint32_t{data[i]} << 16;
        out += base64_alphabet[(v >> 18) & 63];
        out += base64_alphabet[(v >> 12) & 63];
        out += "==";
    } else if (rest == 2) {
        const std::uint32_t v = (std::uint32_t{data[i]} << 16) | (std::uint32_t{data[i + 1]} << 8);
        out += base64_alphabet[(v >> 18) & 63];
        out += base64_alphabet[(v >> 12) & 63];
        out += base64_alphabet[(v >> 6) & 63];
        out += '=';
    }
    return out;
}

common::Result<Bytes> from_base64(std::string_view text) {
    Bytes out;
    out.reserve(text.size() * 3 / 4);
    std::uint32_t acc = 0;
    int bits = 0;
    int padding = 0;
    for (char c : text) {
        if (std::isspace(static_cast<unsigned char>(c)) != 0) continue;
        if (c == '=') {
            ++padding;
            continue;
        }
        const int v = base64_value(c);
        if (v < 0 || padding > 0) {
            return common::fail(common::Errc::parse, "base64: invalid character");
        }
        acc = (acc << 6) | static_cast<std::uint32_t>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<std::uint8_t>((acc >> bits) & 0xff));
        }
    }
    if (bits >= 6 || padding > 2) {
        return common::fail(common::Errc::parse, "base64: truncated input");
    }
    return out;
}

common::Result<Bytes> random_bytes(std::size_t count) {
    Bytes out(count);
    if (count > 0 && RAND_bytes(out.data(), static_cast<int>(count)) != 1) {
        return openssl_error(common::Errc::crypto, "random bytes");
    }
    return out;
}

}  // namespace crypto
