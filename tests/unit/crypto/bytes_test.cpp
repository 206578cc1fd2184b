#include "crypto/bytes.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace crypto {
namespace {

Bytes bytes_of(std::string_view s) {
    const ByteView v = as_bytes(s);
    return Bytes(v.begin(), v.end());
}

// RFC 4648 §10 test vectors.
const std::vector<std::pair<std::string, std::string>> rfc4648_base64 = {
    {"", ""},
    {"f", "Zg=="},
    {"fo", "Zm8="},
    {"foo", "Zm9v"},
    {"foob", "Zm9vYg=="},
    {"fooba", "Zm9vYmE="},
    {"foobar", "Zm9vYmFy"},
};
const std::vector<std::pair<std::string, std::string>> rfc4648_base16 = {
    {"", ""},
    {"f", "66"},
    {"fo", "666f"},
    {"foo", "666f6f"},
    {"foob", "666f6f62"},
    {"fooba", "666f6f6261"},
    {"foobar", "666f6f626172"},
};

TEST(BytesTest, AsBytesAndAsCharsAreViewsOfTheSameMemory) {
    const std::string s("a\0\xff", 3);
    const ByteView v = as_bytes(s);
    ASSERT_EQ(v.size(), 3u);
    EXPECT_EQ(v[0], 'a');
    EXPECT_EQ(v[1], 0);
    EXPECT_EQ(v[2], 0xff);
    EXPECT_EQ(as_chars(v), s);
    EXPECT_EQ(static_cast<const void*>(as_chars(v).data()), static_cast<const void*>(s.data()));
}

TEST(BytesTest, Base64EncodesRfc4648Vectors) {
    for (const auto& [plain, encoded] : rfc4648_base64) {
        EXPECT_EQ(to_base64(as_bytes(plain)), encoded) << plain;
    }
}

TEST(BytesTest, Base64DecodesRfc4648Vectors) {
    for (const auto& [plain, encoded] : rfc4648_base64) {
        auto decoded = from_base64(encoded);
        ASSERT_TRUE(decoded) << encoded << ": " << decoded.error().to_string();
        EXPECT_EQ(*decoded, bytes_of(plain)) << encoded;
    }
}

TEST(BytesTest, Base64PaddingIsOptional) {
    EXPECT_EQ(from_base64("Zg").value(), bytes_of("f"));
    EXPECT_EQ(from_base64("Zm8").value(), bytes_of("fo"));
    EXPECT_EQ(from_base64("Zm9vYmE").value(), bytes_of("fooba"));
}

TEST(BytesTest, Base64IgnoresWhitespace) {
    EXPECT_EQ(from_base64("Zm9v\r\nYmFy\n").value(), bytes_of("foobar"));
    EXPECT_EQ(from_base64(" Zm 9v\tYg= =\n").value(), bytes_of("foob"));
}

TEST(BytesTest, Base64UsesTheStandardAlphabet) {
    const Bytes all_high = {0xfb, 0xff, 0xbf};
    EXPECT_EQ(to_base64(all_high), "+/+/");
    EXPECT_EQ(from_base64("+/+/").value(), all_high);
    // The URL-safe alphabet (RFC 4648 §5) is not accepted.
    auto r = from_base64("-_-_");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code(), common::Errc::parse);
}

TEST(BytesTest, Base64RoundTripsEveryLengthAndByteValue) {
    Bytes data;
    for (int i = 0; i < 300; ++i) {
        EXPECT_EQ(from_base64(to_base64(data)).value(), data) << "length " << data.size();
        data.push_back(static_cast<std::uint8_t>((i * 167 + 13) & 0xff));
    }
    Bytes every_byte(256);
    for (int i = 0; i < 256; ++i)
        every_byte[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(i);
    const std::string encoded = to_base64(every_byte);
    EXPECT_EQ(encoded.size(), 344u);
    EXPECT_EQ(encoded.find_first_of("\r\n "), std::string::npos) << "no line breaks";
    EXPECT_EQ(from_base64(encoded).value(), every_byte);
}

TEST(BytesTest, Base64RejectsMalformedInput) {
    for (const std::string& bad : {
             std::string("Z"),              // one character cannot hold a byte
             std::string("Zm9vY"),          // 4n+1 characters
             std::string("Zm9vY==="),       // too much padding
             std::string("===="),           // padding only
             std::string("Zg==Zg=="),       // data after padding
             std::string("Zm9v!"),          // not in the alphabet
             std::string("Zm9v.YmFy"),      //
             std::string("Zm9v\0YmFy", 9),  // embedded NUL
             std::string("Zm9v\xc3\xa9"),   // non-ASCII
             std::string("-----BEGIN"),     //
         }) {
        auto r = from_base64(bad);
        EXPECT_FALSE(r.has_value()) << "accepted '" << bad << "'";
        if (!r) {
            EXPECT_EQ(r.error().code(), common::Errc::parse) << bad;
        }
    }
}

TEST(BytesTest, HexEncodesRfc4648Base16Vectors) {
    for (const auto& [plain, encoded] : rfc4648_base16) {
        EXPECT_EQ(to_hex(as_bytes(plain)), encoded) << plain;
    }
}

TEST(BytesTest, HexDecodesRfc4648Base16Vectors) {
    for (const auto& [plain, encoded] : rfc4648_base16) {
        if (plain.empty())
            continue;  // see HexRejectsEmptyInput
        EXPECT_EQ(from_hex(encoded).value(), bytes_of(plain)) << encoded;
    }
}

TEST(BytesTest, HexSeparatedIsUpperCaseWithSeparators) {
    const Bytes data = {0x00, 0xab, 0xcd, 0xef, 0x10};
    EXPECT_EQ(to_hex(data), "00abcdef10");
    EXPECT_EQ(to_hex_separated(data), "00:AB:CD:EF:10");
    EXPECT_EQ(to_hex_separated(data, ' '), "00 AB CD EF 10");
    EXPECT_EQ(to_hex_separated(Bytes{0x7f}), "7F");
    EXPECT_EQ(to_hex_separated(Bytes{}), "");
    EXPECT_EQ(to_hex(Bytes{}), "");
}

TEST(BytesTest, HexAcceptsCaseAndSeparators) {
    const Bytes expected = {0xde, 0xad, 0xbe, 0xef};
    for (const char* text : {"deadbeef", "DEADBEEF", "DeAdBeEf", "DE:AD:BE:EF", "de ad be ef",
                             "DE:AD BE:EF", "dead:beef"}) {
        auto r = from_hex(text);
        ASSERT_TRUE(r) << text << ": " << r.error().to_string();
        EXPECT_EQ(*r, expected) << text;
    }
}

TEST(BytesTest, HexRoundTrips) {
    Bytes every_byte(256);
    for (int i = 0; i < 256; ++i)
        every_byte[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(i);
    EXPECT_EQ(from_hex(to_hex(every_byte)).value(), every_byte);
    EXPECT_EQ(from_hex(to_hex_separated(every_byte)).value(), every_byte);
    EXPECT_EQ(from_hex(to_hex_separated(every_byte, ' ')).value(), every_byte);
}

TEST(BytesTest, HexRejectsEmptyInput) {
    auto r = from_hex("");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code(), common::Errc::parse);
}

TEST(BytesTest, HexRejectsMalformedInput) {
    for (const std::string& bad : {
             std::string("abc"),        // odd number of digits
             std::string("a"),          //
             std::string("zz"),         // not hex
             std::string("0x12"),       // no prefix allowed
             std::string("ab-cd"),      // unknown separator
             std::string(":ab"),        // leading separator
             std::string("ab:"),        // trailing separator
             std::string("ab::cd"),     // doubled separator
             std::string(":"),          //
             std::string(" "),          //
             std::string("a:b"),        // separator inside a byte
             std::string("ab\0cd", 5),  // embedded NUL
             std::string("\xc3\xa9"),   // non-ASCII
         }) {
        auto r = from_hex(bad);
        EXPECT_FALSE(r.has_value()) << "accepted '" << bad << "'";
        if (!r) {
            EXPECT_EQ(r.error().code(), common::Errc::parse) << bad;
        }
    }
}

TEST(BytesTest, RandomBytes) {
    EXPECT_TRUE(random_bytes(0).value().empty());
    const Bytes a = random_bytes(32).value();
    const Bytes b = random_bytes(32).value();
    EXPECT_EQ(a.size(), 32u);
    EXPECT_NE(a, b) << "two 256-bit random strings collided";
}

}  // namespace
}  // namespace crypto
