#include "common/time_format.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace common {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

SystemTime at_unix(long long secs) {
    return SystemTime{} + seconds(secs);
}

SystemTime parse_ok(std::string_view text) {
    auto r = parse_rfc3339(text);
    EXPECT_TRUE(r.has_value()) << text << ": " << (r ? "" : r.error().to_string());
    return r ? *r : SystemTime{};
}

TEST(TimeFormatTest, ParsesUtcTimestamps) {
    EXPECT_EQ(parse_ok("1970-01-01T00:00:00Z"), at_unix(0));
    EXPECT_EQ(parse_ok("2024-01-01T00:00:00Z"), at_unix(1704067200));
    EXPECT_EQ(parse_ok("2026-01-01T00:00:00Z"), at_unix(1767225600));
    EXPECT_EQ(parse_ok("2038-01-19T03:14:08Z"), at_unix(2147483648LL));  // past 32-bit time_t
    EXPECT_EQ(parse_ok("2024-02-29T12:34:56Z"), at_unix(1709210096));
}

TEST(TimeFormatTest, AcceptsTheDocumentedVariants) {
    const SystemTime expected = at_unix(1704067200);
    EXPECT_EQ(parse_ok("2024-01-01"), expected);
    EXPECT_EQ(parse_ok("2024-01-01T00:00:00"), expected);
    EXPECT_EQ(parse_ok("2024-01-01t00:00:00z"), expected);
    EXPECT_EQ(parse_ok("2024-01-01 00:00:00Z"), expected);
    EXPECT_EQ(parse_ok("2024-01-01T00:00:00+00:00"), expected);
    EXPECT_EQ(parse_ok("2024-01-01T00:00:00-00:00"), expected);
}

TEST(TimeFormatTest, AppliesZoneOffsets) {
    const SystemTime noon_utc = parse_ok("2024-06-15T12:00:00Z");
    EXPECT_EQ(parse_ok("2024-06-15T14:00:00+02:00"), noon_utc);
    EXPECT_EQ(parse_ok("2024-06-15T06:30:00-05:30"), noon_utc);
    // An offset can move the instant into another day.
    EXPECT_EQ(parse_ok("2024-01-01T01:00:00+02:00"), parse_ok("2023-12-31T23:00:00Z"));
    EXPECT_EQ(parse_ok("2023-12-31T23:00:00-01:00"), parse_ok("2024-01-01T00:00:00Z"));
    EXPECT_EQ(parse_ok("2024-06-15T12:00:00+23:59"), noon_utc - hours(23) - minutes(59));
}

TEST(TimeFormatTest, FractionalSecondsAreAcceptedAndDropped) {
    const SystemTime whole = parse_ok("2024-01-01T00:00:00Z");
    EXPECT_EQ(parse_ok("2024-01-01T00:00:00.5Z"), whole);
    EXPECT_EQ(parse_ok("2024-01-01T00:00:00.999999999Z"), whole);
    EXPECT_EQ(parse_ok("2024-01-01T02:00:00.123+02:00"), whole);
    EXPECT_EQ(parse_ok("2024-01-01T00:00:00.000"), whole);
}

TEST(TimeFormatTest, LeapDaysAndMonthLengths) {
    EXPECT_TRUE(parse_rfc3339("2024-02-29"));
    EXPECT_TRUE(parse_rfc3339("2000-02-29"));  // divisible by 400
    EXPECT_TRUE(parse_rfc3339("2023-01-31"));
    EXPECT_TRUE(parse_rfc3339("2023-04-30"));
    EXPECT_TRUE(parse_rfc3339("2023-12-31T23:59:59Z"));
    for (const char* bad : {"2023-02-29", "2100-02-29", "2023-02-30", "2024-02-30", "2023-04-31",
                            "2023-06-31", "2023-09-31", "2023-11-31", "2023-01-32"}) {
        auto r = parse_rfc3339(bad);
        ASSERT_FALSE(r.has_value()) << bad;
        EXPECT_EQ(r.error().code(), Errc::invalid_argument) << bad;
    }
}

TEST(TimeFormatTest, LeapSecondRollsIntoTheNextMinute) {
    EXPECT_EQ(parse_ok("2016-12-31T23:59:60Z"), parse_ok("2017-01-01T00:00:00Z"));
}

TEST(TimeFormatTest, RangeIsWhatSystemTimeHolds) {
    EXPECT_EQ(parse_ok("1950-01-01T00:00:00Z"), at_unix(-631152000));
    // SystemTime counts nanoseconds: its last whole second is 2262-04-11T23:47:16Z.
    const SystemTime last = parse_ok("2262-04-11T23:47:16Z");
    EXPECT_EQ(last, at_unix(9223372036LL));
    EXPECT_LE(last, SystemTime::max());
    EXPECT_EQ(parse_ok("2262-04-12T01:47:16+02:00"), last);
    for (const char* bad : {"1949-12-31T23:59:59Z", "0000-01-01", "2262-04-11T23:47:17Z",
                            "2262-04-12", "2300-01-01T00:00:00Z", "9999-12-31T23:59:59Z"}) {
        auto r = parse_rfc3339(bad);
        ASSERT_FALSE(r) << bad;
        EXPECT_EQ(r.error().code(), Errc::invalid_argument) << bad;
    }
}

TEST(TimeFormatTest, RejectsGarbageWithInvalidArgument) {
    for (const char* bad : {
             "",
             "yesterday",
             "2024",
             "2024-01",
             "2024-1-01",
             "2024-01-1",
             "24-01-01",
             "2024/01/01",
             "2024-01-01T",
             "2024-01-01T00",
             "2024-01-01T00:00",
             "2024-01-01T0:00:00Z",
             "2024-01-01X00:00:00Z",
             "2024-01-01Z",
             "2024-01-01T00:00:00ZZ",
             "2024-01-01T00:00:00 Z",
             "2024-01-01T00:00:00+0100",
             "2024-01-01T00:00:00+01",
             "2024-01-01T00:00:00+24:00",
             "2024-01-01T00:00:00+01:60",
             "2024-01-01T00:00:00UTC",
             "2024-01-01T00:00:00.Z",
             "2024-01-01T00:00:00.",
             "2024-01-01T00:00:00,5Z",
             " 2024-01-01",
             "2024-01-01 ",
             "2024-00-10",
             "2024-13-01",
             "2024-01-00",
             "2024-01-01T24:00:00Z",
             "2024-01-01T23:60:00Z",
             "2024-01-01T23:59:61Z",
             "+024-01-01",
             "2024-01-01T00:00:00Z\n",
         }) {
        auto r = parse_rfc3339(bad);
        ASSERT_FALSE(r.has_value()) << "accepted '" << bad << "'";
        EXPECT_EQ(r.error().code(), Errc::invalid_argument) << bad;
        EXPECT_NE(r.error().message().find(std::string("'") + bad + "'"), std::string::npos)
            << r.error().message();
    }
}

TEST(TimeFormatTest, RejectsEmbeddedNul) {
    const std::string text("2024-01-01\0T00:00:00Z", 21);
    EXPECT_FALSE(parse_rfc3339(text));
}

TEST(TimeFormatTest, FormatsInUtcWithSecondsPrecision) {
    EXPECT_EQ(format_rfc3339(at_unix(0)), "1970-01-01T00:00:00Z");
    EXPECT_EQ(format_rfc3339(at_unix(1767225600)), "2026-01-01T00:00:00Z");
    EXPECT_EQ(format_rfc3339(at_unix(1709210096)), "2024-02-29T12:34:56Z");
    EXPECT_EQ(format_rfc3339(at_unix(2147483648LL)), "2038-01-19T03:14:08Z");
    EXPECT_EQ(format_rfc3339(SystemTime::max()), "2262-04-11T23:47:16Z");
}

TEST(TimeFormatTest, FormatRoundsSubSecondsDown) {
    EXPECT_EQ(format_rfc3339(at_unix(1767225600) + milliseconds(999)), "2026-01-01T00:00:00Z");
    // Before the epoch too: half a second before midnight is still the last second of 1969.
    EXPECT_EQ(format_rfc3339(SystemTime{} - milliseconds(500)), "1969-12-31T23:59:59Z");
    EXPECT_EQ(format_rfc3339(at_unix(-631152000) + milliseconds(1)), "1950-01-01T00:00:00Z");
}

TEST(TimeFormatTest, RoundTrips) {
    for (const char* text : {"1950-01-01T00:00:00Z", "1969-12-31T23:59:59Z", "1999-12-31T23:59:59Z",
                             "2000-02-29T00:00:00Z", "2024-06-15T12:00:00Z", "2044-01-01T00:00:00Z",
                             "2106-02-07T06:28:16Z", "2262-04-11T23:47:16Z"}) {
        EXPECT_EQ(format_rfc3339(parse_ok(text)), text);
    }
    EXPECT_EQ(format_rfc3339(parse_ok("2024-06-15T14:00:00.75+02:00")), "2024-06-15T12:00:00Z");
}

}  // namespace
}  // namespace common
