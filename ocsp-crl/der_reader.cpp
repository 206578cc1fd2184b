#include "ocsp-crl/der_reader.h"

#include <chrono>
#include <limits>

namespace revocation::der {

std::optional<Element> Reader::next() {
    const std::size_t size = m_data.size();
    std::size_t pos = m_pos;
    if (size - pos < 2) {
        m_truncated = true;
        m_failed = true;
        return std::nullopt;
    }
    const std::uint8_t tag = m_data[pos++];
    if ((tag & 0x1f) == 0x1f) {  // high tag number form: never used by RFC 5280 structures
        m_failed = true;
        return std::nullopt;
    }
    std::size_t length = m_data[pos++];
    if (length & 0x80) {
        const std::size_t count = length & 0x7f;
        if (count == 0 || count > sizeof(std::uint32_t)) {  // indefinite, or absurdly long
            m_failed = true;
            return std::nullopt;
        }
        if (size - pos < count) {
            m_truncated = true;
            m_failed = true;
            return std::nullopt;
        }
        if (m_data[pos] == 0) {  // padded long form
            m_failed = true;
            return std::nullopt;
        }
        length = 0;
        for (std::size_t i = 0; i < count; ++i) length = (length << 8) | m_data[pos++];
        if (length < 0x80) {  // long form where the short one fits
            m_failed = true;
            return std::nullopt;
        }
    }
    if (size - pos < length) {
        m_truncated = true;
        m_failed = true;
        return std::nullopt;
    }
    Element element{tag, m_data.subspan(pos, length), m_data.subspan(m_pos, pos + length - m_pos)};
    m_pos = pos + length;
    return element;
}

std::optional<Element> Reader::next(std::uint8_t tag) {
    if (!empty() && peek_tag() != tag) {
        m_failed = true;
        return std::nullopt;
    }
    return next();
}

std::optional<Element> Reader::next_if(std::uint8_t tag) {
    if (empty() || peek_tag() != tag) return std::nullopt;
    return next();
}

namespace {

// Two decimal digits at text[i]; -1 if not digits.
int two_digits(crypto::ByteView text, std::size_t i) {
    const int a = text[i] - '0';
    const int b = text[i + 1] - '0';
    if (a < 0 || a > 9 || b < 0 || b > 9) return -1;
    return a * 10 + b;
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
long long days_from_civil(long long y, unsigned m, unsigned d) {
    y -= m <= 2 ? 1 : 0;
    const long long era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<long long>(doe) - 719468;
}

bool is_leap(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

}  // namespace

std::optional<common::SystemTime> parse_time(std::uint8_t tag, crypto::ByteView content) {
    int year = 0;
    std::size_t i = 0;
    if (tag == tag_utc_time && content.size() == 13) {
        const int yy = two_digits(content, 0);
        if (yy < 0) return std::nullopt;
        year = yy < 50 ? 2000 + yy : 1900 + yy;
        i = 2;
    } else if (tag == tag_generalized_time && content.size() == 15) {
        const int hi = two_digits(content, 0);
        const int lo = two_digits(content, 2);
        if (hi < 0 || lo < 0) return std::nullopt;
        year = hi * 100 + lo;
        i = 4;
    } else {
        return std::nullopt;
    }
    if (content[content.size() - 1] != 'Z') return std::nullopt;
    const int month = two_digits(content, i);
    const int day = two_digits(content, i + 2);
    const int hour = two_digits(content, i + 4);
    const int minute = two_digits(content, i + 6);
    const int second = two_digits(content, i + 8);
    static constexpr int month_days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 ||
        minute > 59 || second < 0 || second > 59) {
        return std::nullopt;
    }
    const int max_day = month_days[month - 1] + (month == 2 && is_leap(year) ? 1 : 0);
    if (day > max_day) return std::nullopt;
    const long long seconds = days_from_civil(year, static_cast<unsigned>(month),
                                              static_cast<unsigned>(day)) *
                                  86400 +
                              hour * 3600 + minute * 60 + second;
    using std::chrono::duration_cast;
    constexpr auto max_secs =
        duration_cast<std::chrono::seconds>(common::SystemTime::duration::max()).count();
    constexpr auto min_secs =
        duration_cast<std::chrono::seconds>(common::SystemTime::duration::min()).count();
    if (seconds > max_secs) return common::SystemTime::max();
    if (seconds < min_secs) return common::SystemTime::min();
    return common::SystemTime{} + std::chrono::seconds(seconds);
}

bool is_minimal_integer(crypto::ByteView content) {
    if (content.empty()) return false;
    if (content.size() == 1) return true;
    if (content[0] == 0x00 && (content[1] & 0x80) == 0) return false;
    if (content[0] == 0xff && (content[1] & 0x80) != 0) return false;
    return true;
}

}  // namespace revocation::der
