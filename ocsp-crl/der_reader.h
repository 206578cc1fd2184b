// A strict, allocation-free DER (X.690 §10) reader for the parts of a CRL we walk by hand, and
// the two X.509 time forms (RFC 5280 §4.1.2.5). Private to ocsp-crl/.
//
// Only what RFC 5280 structures need: one-octet tags (no high tag numbers), definite lengths in
// minimal form (no indefinite length, no padded long form). Views returned point into the input,
// which must outlive them. Thread-safety: plain values.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "common/clock.h"
#include "crypto/bytes.h"

namespace revocation::der {

inline constexpr std::uint8_t tag_boolean = 0x01;
inline constexpr std::uint8_t tag_integer = 0x02;
inline constexpr std::uint8_t tag_bit_string = 0x03;
inline constexpr std::uint8_t tag_octet_string = 0x04;
inline constexpr std::uint8_t tag_oid = 0x06;
inline constexpr std::uint8_t tag_enumerated = 0x0a;
inline constexpr std::uint8_t tag_utc_time = 0x17;
inline constexpr std::uint8_t tag_generalized_time = 0x18;
inline constexpr std::uint8_t tag_sequence = 0x30;
inline constexpr std::uint8_t tag_context_0 = 0xa0;  // [0] constructed

struct Element {
    std::uint8_t tag = 0;
    crypto::ByteView content;  // the value octets
    crypto::ByteView whole;    // tag, length and value
};

// Reads consecutive elements of one level (the content of a SEQUENCE, or a whole input).
class Reader {
public:
    explicit Reader(crypto::ByteView data) : m_data(data) {}

    bool empty() const { return m_pos == m_data.size(); }
    // The next element's tag; REQUIRES: !empty().
    std::uint8_t peek_tag() const { return m_data[m_pos]; }
    // The next element, or nullopt if it is malformed or runs past the end (then truncated()
    // tells which). A failed read leaves the reader where it was.
    std::optional<Element> next();
    // As next(), but also nullopt (not truncated) if the tag differs.
    std::optional<Element> next(std::uint8_t tag);
    // Reads the next element if it has this tag; nullopt (and no error) if the tag differs or
    // the reader is empty. A malformed element with this tag sets failed().
    std::optional<Element> next_if(std::uint8_t tag);

    bool truncated() const { return m_truncated; }
    bool failed() const { return m_failed; }

private:
    crypto::ByteView m_data;
    std::size_t m_pos = 0;
    bool m_truncated = false;
    bool m_failed = false;
};

// A UTCTime ("YYMMDDHHMMSSZ", YY < 50 is 20YY) or GeneralizedTime ("YYYYMMDDHHMMSSZ"), as RFC
// 5280 §4.1.2.5 requires them; nullopt for any other form or an impossible date. Times outside
// what SystemTime holds (years 1678-2261) saturate to SystemTime::min()/max().
std::optional<common::SystemTime> parse_time(std::uint8_t tag, crypto::ByteView content);

// Whether content is a minimal two's-complement INTEGER encoding (X.690 §8.3.2).
bool is_minimal_integer(crypto::ByteView content);

}  // namespace revocation::der
