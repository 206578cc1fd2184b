#include "crypto/distinguished_name.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace crypto {
namespace {

using common::Errc;
using Attrs = std::vector<DnAttribute>;

Attrs parse_ok(std::string_view text) {
    auto r = parse_distinguished_name(text);
    EXPECT_TRUE(r) << text << ": " << (r ? "" : r.error().to_string());
    return r ? *r : Attrs{};
}

TEST(DistinguishedNameTest, ParsesInStringOrder) {
    EXPECT_EQ(parse_ok("CN=device-001,O=Example,C=DE"),
              (Attrs{{"CN", "device-001"}, {"O", "Example"}, {"C", "DE"}}));
    EXPECT_EQ(parse_ok("CN=x"), (Attrs{{"CN", "x"}}));
}

TEST(DistinguishedNameTest, AcceptsOidsAndLongTypes) {
    EXPECT_EQ(parse_ok("2.5.4.3=x,emailAddress=a@example.net,organizationalUnitName=ops"),
              (Attrs{{"2.5.4.3", "x"},
                     {"emailAddress", "a@example.net"},
                     {"organizationalUnitName", "ops"}}));
}

TEST(DistinguishedNameTest, TrimsUnescapedSpacesAroundTypesAndValues) {
    EXPECT_EQ(parse_ok(" CN = device 001 , O = Example Org "),
              (Attrs{{"CN", "device 001"}, {"O", "Example Org"}}));
}

TEST(DistinguishedNameTest, ValueMayContainColonsAndEquals) {
    EXPECT_EQ(parse_ok("CN=00:11:22:33:44:55,O=a=b"),
              (Attrs{{"CN", "00:11:22:33:44:55"}, {"O", "a=b"}}));
}

TEST(DistinguishedNameTest, BackslashEscapesSpecialCharacters) {
    EXPECT_EQ(parse_ok(R"(CN=a\,b)"), (Attrs{{"CN", "a,b"}}));
    EXPECT_EQ(parse_ok(R"(CN=a\+b,O=c)"), (Attrs{{"CN", "a+b"}, {"O", "c"}}));
    EXPECT_EQ(parse_ok(R"(CN=back\\slash)"), (Attrs{{"CN", R"(back\slash)"}}));
    EXPECT_EQ(parse_ok(R"(CN=\"quoted\")"), (Attrs{{"CN", "\"quoted\""}}));
    EXPECT_EQ(parse_ok(R"(CN=\<\>\;\=)"), (Attrs{{"CN", "<>;="}}));
    EXPECT_EQ(parse_ok(R"(CN=\#hash)"), (Attrs{{"CN", "#hash"}}));
}

TEST(DistinguishedNameTest, EscapedSpacesAreKeptAtEitherEnd) {
    EXPECT_EQ(parse_ok(R"(CN=\ lead)"), (Attrs{{"CN", " lead"}}));
    EXPECT_EQ(parse_ok(R"(CN=trail\ )"), (Attrs{{"CN", "trail "}}));
    EXPECT_EQ(parse_ok(R"(CN=trail\ ,O=x)"), (Attrs{{"CN", "trail "}, {"O", "x"}}));
    EXPECT_EQ(parse_ok(R"(CN=trail\  ,O=x)"), (Attrs{{"CN", "trail "}, {"O", "x"}}));
}

TEST(DistinguishedNameTest, HexPairEscapes) {
    EXPECT_EQ(parse_ok(R"(CN=\41\42C)"), (Attrs{{"CN", "ABC"}}));
    EXPECT_EQ(parse_ok(R"(CN=caf\C3\A9)"), (Attrs{{"CN", "caf\xc3\xa9"}}));
    EXPECT_EQ(parse_ok(R"(CN=caf\c3\a9)"), (Attrs{{"CN", "caf\xc3\xa9"}}));
    EXPECT_EQ(parse_ok(R"(CN=a\2cb)"), (Attrs{{"CN", "a,b"}}));
    EXPECT_EQ(parse_ok(R"(CN=a\2Bb)"), (Attrs{{"CN", "a+b"}}));
    // Only a full pair is hex: "\4" followed by a non-hex character is an escaped '4'.
    EXPECT_EQ(parse_ok(R"(CN=\4x)"), (Attrs{{"CN", "4x"}}));
    EXPECT_EQ(parse_ok(R"(CN=x\4)"), (Attrs{{"CN", "x4"}}));
}

TEST(DistinguishedNameTest, UnescapedUtf8IsKept) {
    EXPECT_EQ(parse_ok("CN=Gr\xc3\xbc\xc3\x9f"
                       "e,O=\xe4\xbe\x8b"),
              (Attrs{{"CN",
                      "Gr\xc3\xbc\xc3\x9f"
                      "e"},
                     {"O", "\xe4\xbe\x8b"}}));
}

TEST(DistinguishedNameTest, PlusSeparatesMultiValuedRdnsWhichAreFlattened) {
    EXPECT_EQ(parse_ok("CN=a+serialNumber=42,O=b"),
              (Attrs{{"CN", "a"}, {"serialNumber", "42"}, {"O", "b"}}));
}

TEST(DistinguishedNameTest, EmptyValueIsAllowed) {
    EXPECT_EQ(parse_ok("CN=,O=x"), (Attrs{{"CN", ""}, {"O", "x"}}));
}

TEST(DistinguishedNameTest, RejectsMalformedNames) {
    for (const std::string& bad : {
             std::string(""),              // empty
             std::string("   "),           // blank
             std::string("CN"),            // missing '='
             std::string("CN=x,O"),        //
             std::string("=x"),            // empty type
             std::string(" =x"),           //
             std::string("CN=x,=y"),       //
             std::string("CN=x,"),         // trailing separator
             std::string("CN=x+"),         //
             std::string("CN=x,,O=y"),     // empty RDN
             std::string(",CN=x"),         // leading separator
             std::string("CN=x\\"),        // dangling escape
             std::string("C N=x"),         // space inside the type
             std::string("C_N=x"),         // invalid type character
             std::string("CN\xc3\xa9=x"),  // non-ASCII type
             std::string("/O=x/CN=y"),     // OpenSSL's one-line form is not RFC 4514
         }) {
        auto r = parse_distinguished_name(bad);
        EXPECT_FALSE(r.has_value()) << "accepted '" << bad << "'";
        if (!r) {
            EXPECT_EQ(r.error().code(), Errc::invalid_argument) << bad;
            EXPECT_NE(r.error().message().find("distinguished name"), std::string::npos);
        }
    }
}

}  // namespace
}  // namespace crypto
