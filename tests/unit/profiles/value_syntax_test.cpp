#include "profiles/value_syntax.h"

#include <gtest/gtest.h>

namespace profiles {
namespace {

using std::chrono::seconds;

TEST(ProfileValueSyntax, UnquoteRemovesQuotesAnywhere) {
    EXPECT_EQ(unquote("plain").value(), "plain");
    EXPECT_EQ(unquote("\"a ;b #c\"").value(), "a ;b #c");
    EXPECT_EQ(unquote("x=\"a b\"").value(), "x=a b");
    EXPECT_EQ(unquote(R"("say \"hi\" \\ \n")").value(), R"(say "hi" \ \n)");
    EXPECT_EQ(unquote(R"(C:\path)").value(), R"(C:\path)");
    EXPECT_FALSE(unquote("\"open"));
}

TEST(ProfileValueSyntax, SplitWords) {
    EXPECT_EQ(split_words("  a  b\tc ").value(), (std::vector<std::string>{"a", "b", "c"}));
    EXPECT_EQ(split_words(R"(/bin/sh -c "echo \"x y\"" '')").value(),
              (std::vector<std::string>{"/bin/sh", "-c", R"(echo "x y")", "''"}));
    EXPECT_EQ(split_words("ocsp, crl", ',').value(), (std::vector<std::string>{"ocsp", "crl"}));
    EXPECT_EQ(split_words("\"a,b\",c", ',').value(), (std::vector<std::string>{"a,b", "c"}));
    EXPECT_TRUE(split_words("").value().empty());
    EXPECT_FALSE(split_words("a \"b"));
}

TEST(ProfileValueSyntax, QuoteIfNeededRoundTrips) {
    for (std::string s : {"", "plain", "a b", "x;y", "#", "a,b", R"(q"uo\te)", " lead", "trail\t"}) {
        const auto q = quote_if_needed(s);
        EXPECT_EQ(unquote(q).value(), s) << q;
        EXPECT_EQ(split_words(q).value(), std::vector<std::string>{s}) << q;
    }
    EXPECT_EQ(quote_if_needed("plain"), "plain");
    EXPECT_EQ(quote_if_needed("a b"), "\"a b\"");
}

TEST(ProfileValueSyntax, Durations) {
    EXPECT_EQ(parse_duration("60s").value(), seconds(60));
    EXPECT_EQ(parse_duration("5m").value(), seconds(300));
    EXPECT_EQ(parse_duration("1h").value(), seconds(3600));
    EXPECT_EQ(parse_duration("1d").value(), seconds(86400));
    EXPECT_EQ(parse_duration("1h30m").value(), seconds(5400));
    for (auto bad : {"", "60", "s", "5x", "1.5h", "-1s", "1 h", "99999999999s", "4000d"}) {
        EXPECT_FALSE(parse_duration(bad)) << bad;
    }
    EXPECT_EQ(format_duration(seconds(3600)), "1h");
    EXPECT_EQ(format_duration(seconds(90)), "90s");
    EXPECT_EQ(format_duration(seconds(5400)), "90m");
    EXPECT_EQ(format_duration(seconds(86400 * 2)), "2d");
    EXPECT_EQ(format_duration(seconds(0)), "0s");
}

TEST(ProfileValueSyntax, Booleans) {
    for (auto t : {"true", "TRUE", "yes", "on", "1"}) EXPECT_TRUE(parse_bool(t).value()) << t;
    for (auto f : {"false", "No", "off", "0"}) EXPECT_FALSE(parse_bool(f).value()) << f;
    EXPECT_FALSE(parse_bool("maybe"));
    EXPECT_FALSE(parse_bool(""));
}

TEST(ProfileValueSyntax, Fingerprints) {
    const std::string hex = "5AF17B00112233445566778899AABBCCDDEEFF00112233445566778899AABBCC";
    std::string colons = "sha256:";
    for (std::size_t i = 0; i < hex.size(); i += 2) colons += (i ? ":" : "") + hex.substr(i, 2);
    const auto a = parse_fingerprint(hex).value();
    EXPECT_EQ(a[0], 0x5A);
    EXPECT_EQ(a[31], 0xCC);
    EXPECT_EQ(parse_fingerprint(colons).value(), a);
    EXPECT_EQ(parse_fingerprint("SHA256:" + hex).value(), a);
    EXPECT_EQ(parse_fingerprint(colons.substr(7)).value(), a);
    EXPECT_EQ(format_fingerprint(a), colons);
    EXPECT_EQ(parse_fingerprint("sha256:" + std::string(64, 'f')).value()[5], 0xff);

    auto short_one = parse_fingerprint(hex.substr(0, 40));
    ASSERT_FALSE(short_one);
    EXPECT_NE(short_one.error().message().find("20 bytes"), std::string::npos) << short_one.error().message();
    EXPECT_FALSE(parse_fingerprint(hex + "00"));
    EXPECT_FALSE(parse_fingerprint("sha1:" + hex.substr(0, 40)));
    EXPECT_FALSE(parse_fingerprint(hex.substr(0, 63) + "G"));
    EXPECT_FALSE(parse_fingerprint("sha256:5A:F1"));
    EXPECT_FALSE(parse_fingerprint(colons + ":"));
    EXPECT_FALSE(parse_fingerprint("sha256:5AF1:7B"));
    EXPECT_FALSE(parse_fingerprint(""));
}

TEST(ProfileValueSyntax, Urls) {
    for (auto good : {"http://ra.example.net/cgi-bin/pkiclient.exe", "https://ra:8443/scep", "http://10.0.0.1",
                      "HTTPS://host/x?y=1", "http://[::1]:8080/scep", "http://[fe80::1]/"}) {
        EXPECT_TRUE(check_url(good)) << good;
    }
    for (auto bad : {"", "ra.example.net", "ftp://host/", "http://", "http:///path", "http://user:pw@host/",
                     "http://host:0/", "http://host:70000/", "http://host:x/", "http://host/a b",
                     "http://host/#frag", "http://ho$t/", "http://[::1/", "http://host:/"}) {
        EXPECT_FALSE(check_url(bad)) << bad;
    }
}

}  // namespace
}  // namespace profiles
