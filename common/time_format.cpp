#include "common/time_format.h"

#include <cctype>
#include <cstdio>
#include <ctime>

namespace common {
namespace {

// Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (H. Hinnant's algorithm).
long long days_from_civil(int y, unsigned m, unsigned d) {
    y -= m <= 2 ? 1 : 0;
    const int era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return static_cast<long long>(era) * 146097 + static_cast<long long>(doe) - 719468;
}

bool read_number(std::string_view s, std::size_t& pos, std::size_t digits, int& out) {
    if (pos + digits > s.size()) return false;
    out = 0;
    for (std::size_t i = 0; i < digits; ++i) {
        const char c = s[pos + i];
        if (std::isdigit(static_cast<unsigned char>(c)) == 0) return false;
        out = out * 10 + (c - '0');
    }
    pos += digits;
    return true;
}

bool expect(std::string_view s, std::size_t& pos, char c) {
    if (pos < s.size() && s[pos] == c) {
        ++pos;
        return true;
    }
    return false;
}

}  // namespace

std::string format_rfc3339(SystemTime t) {
    // Round down, not towards zero: 1969-12-31T23:59:59.5Z is still 23:59:59.
    const std::time_t tt = static_cast<std::time_t>(
        std::chrono::floor<std::chrono::seconds>(t).time_since_epoch().count());
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[96];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    return buf;
}

Result<SystemTime> parse_rfc3339(std::string_view text) {
    auto bad = [&](std::string_view why) {
        return fail(Errc::invalid_argument,
                    "time '" + std::string(text) + "': " + std::string(why) +
                        " (expected e.g. 2024-01-31T12:00:00Z)");
    };
    std::size_t pos = 0;
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
    if (!read_number(text, pos, 4, year) || !expect(text, pos, '-') ||
        !read_number(text, pos, 2, month) || !expect(text, pos, '-') ||
        !read_number(text, pos, 2, day)) {
        return bad("bad date");
    }
    if (pos < text.size()) {
        if (!(expect(text, pos, 'T') || expect(text, pos, 't') || expect(text, pos, ' ')) ||
            !read_number(text, pos, 2, hour) || !expect(text, pos, ':') ||
            !read_number(text, pos, 2, minute) || !expect(text, pos, ':') ||
            !read_number(text, pos, 2, second)) {
            return bad("bad time of day");
        }
        if (expect(text, pos, '.')) {
            const std::size_t first_digit = pos;
            while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos])) != 0) ++pos;
            if (pos == first_digit) return bad("no digits after '.'");
        }
    }
    int offset_minutes = 0;
    if (pos < text.size()) {
        if (expect(text, pos, 'Z') || expect(text, pos, 'z')) {
        } else if (text[pos] == '+' || text[pos] == '-') {
            const int sign = text[pos] == '-' ? -1 : 1;
            ++pos;
            int oh = 0, om = 0;
            if (!read_number(text, pos, 2, oh) || !expect(text, pos, ':') ||
                !read_number(text, pos, 2, om) || oh > 23 || om > 59) {
                return bad("bad zone offset");
            }
            offset_minutes = sign * (oh * 60 + om);
        } else {
            return bad("unexpected text after time");
        }
    }
    if (pos != text.size()) return bad("unexpected text after zone");
    if (year < 1950 || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 ||
        minute > 59 || second > 60) {
        return bad("field out of range");
    }
    static constexpr int month_days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    if (day > month_days[month - 1] || (month == 2 && day == 29 && !leap)) {
        return bad("no such day");
    }
    const long long days = days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
    const long long secs = days * 86400 + hour * 3600 + minute * 60 + second - offset_minutes * 60;
    // SystemTime counts nanoseconds from 1970 and so ends in April 2262.
    constexpr auto max_secs =
        std::chrono::duration_cast<std::chrono::seconds>(SystemTime::duration::max()).count();
    if (secs > max_secs) return bad("later than " + format_rfc3339(SystemTime::max()));
    return SystemTime{} + std::chrono::seconds(secs);
}

}  // namespace common
