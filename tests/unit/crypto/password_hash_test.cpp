#include "crypto/password_hash.h"

#include <gtest/gtest.h>

#include <string>

namespace crypto {
namespace {

// RFC 7914 §11, PBKDF2-HMAC-SHA-256 test vectors (first 32 of the 64 bytes: PBKDF2 output is a
// prefix-stable stream).
TEST(PasswordHashTest, MatchesRfc7914Vectors) {
    auto one = password_hash("passwd", as_bytes("salt"), 1);
    ASSERT_TRUE(one) << one.error().to_string();
    EXPECT_EQ(to_hex(*one), "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc");

    auto many = password_hash("Password", as_bytes("NaCl"), 80000);
    ASSERT_TRUE(many) << many.error().to_string();
    EXPECT_EQ(to_hex(*many), "4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56");
}

TEST(PasswordHashTest, RefusesAnEmptySaltAndZeroIterations) {
    EXPECT_EQ(password_hash("pw", {}, 1).error().code(), common::Errc::invalid_argument);
    EXPECT_EQ(password_hash("pw", as_bytes("salt"), 0).error().code(),
              common::Errc::invalid_argument);
}

TEST(PasswordHashTest, SaltsAreFreshAndOfTheDocumentedSize) {
    auto a = password_salt();
    auto b = password_salt();
    ASSERT_TRUE(a && b);
    EXPECT_EQ(a->size(), password_salt_size);
    EXPECT_NE(*a, *b);
}

TEST(PasswordHashTest, ConstantTimeEqualComparesSizeAndContent) {
    EXPECT_TRUE(constant_time_equal(as_bytes("abc"), as_bytes("abc")));
    EXPECT_FALSE(constant_time_equal(as_bytes("abc"), as_bytes("abd")));
    EXPECT_FALSE(constant_time_equal(as_bytes("abc"), as_bytes("ab")));
    EXPECT_TRUE(constant_time_equal({}, {}));
}

}  // namespace
}  // namespace crypto
