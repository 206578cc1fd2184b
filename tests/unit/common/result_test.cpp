#include "common/result.h"

#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <string>

namespace common {
namespace {

Result<int> parse_positive(int v) {
    if (v <= 0)
        return fail(Errc::invalid_argument, "not positive: " + std::to_string(v));
    return v;
}

TEST(ResultTest, HoldsValue) {
    Result<int> r = parse_positive(42);
    ASSERT_TRUE(r.has_value());
    EXPECT_TRUE(static_cast<bool>(r));
    EXPECT_EQ(r.value(), 42);
    EXPECT_EQ(*r, 42);
    EXPECT_EQ(r.value_or(7), 42);
}

TEST(ResultTest, HoldsError) {
    Result<int> r = parse_positive(-1);
    ASSERT_FALSE(r.has_value());
    EXPECT_FALSE(static_cast<bool>(r));
    EXPECT_EQ(r.error().code(), Errc::invalid_argument);
    EXPECT_EQ(r.error().message(), "not positive: -1");
    EXPECT_FALSE(r.error().retryable());
    EXPECT_EQ(r.value_or(7), 7);
}

TEST(ResultTest, ValueOfErrorThrowsBadResultAccessWithTheError) {
    Result<int> r = fail(Errc::parse, "truncated DER");
    try {
        (void)r.value();
        FAIL() << "value() of an error did not throw";
    } catch (const BadResultAccess& e) {
        EXPECT_STREQ(e.what(), "value() of a failed Result: parse error: truncated DER");
    }
    EXPECT_THROW((void)*r, BadResultAccess);
    const Result<int>& cr = r;
    EXPECT_THROW((void)cr.value(), BadResultAccess);
    EXPECT_THROW((void)*cr, BadResultAccess);
    EXPECT_THROW((void)std::move(r).value(), BadResultAccess);
}

TEST(ResultTest, ArrowOnErrorThrows) {
    Result<std::string> r = fail(Errc::not_found, "x");
    EXPECT_THROW((void)r->size(), BadResultAccess);
    const Result<std::string>& cr = r;
    EXPECT_THROW((void)cr->size(), BadResultAccess);
}

TEST(ResultTest, ConstructsFromErrorAndUnexpected) {
    Result<std::string> from_error = Error(Errc::io, "disk full", Retry::yes);
    Result<std::string> from_unexpected = fail(Error(Errc::io, "disk full", Retry::yes));
    for (const auto* r : {&from_error, &from_unexpected}) {
        ASSERT_FALSE(r->has_value());
        EXPECT_EQ(r->error().code(), Errc::io);
        EXPECT_EQ(r->error().message(), "disk full");
        EXPECT_TRUE(r->error().retryable());
    }
}

TEST(ResultTest, AccessorsReachTheValue) {
    Result<std::string> r = std::string("certificate");
    EXPECT_EQ(r->size(), 11u);
    r.value() += "s";
    EXPECT_EQ(*r, "certificates");
    const std::string moved = std::move(r).value();
    EXPECT_EQ(moved, "certificates");
}

TEST(ResultTest, MoveOnlyValue) {
    Result<std::unique_ptr<int>> r = std::make_unique<int>(5);
    ASSERT_TRUE(r);
    std::unique_ptr<int> p = std::move(r).value();
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(*p, 5);
}

TEST(ResultTest, ErrorCanBeMovedOut) {
    Result<int> r = fail(Errc::timeout, "deadline", Retry::yes);
    Error e = std::move(r).error();
    EXPECT_EQ(e.code(), Errc::timeout);
    EXPECT_EQ(e.message(), "deadline");
    EXPECT_TRUE(e.retryable());
}

TEST(ResultTest, ErrorToString) {
    EXPECT_EQ(Error(Errc::parse, "certificate: truncated DER").to_string(),
              "parse error: certificate: truncated DER");
    EXPECT_EQ(Error(Errc::network, "").to_string(), "network error");
}

TEST(ResultTest, WithContextPrefixesAndKeepsCodeAndRetry) {
    const Error e(Errc::network, "connection refused", Retry::yes);
    const Error c = e.with_context("GetCACaps");
    EXPECT_EQ(c.message(), "GetCACaps: connection refused");
    EXPECT_EQ(c.code(), Errc::network);
    EXPECT_TRUE(c.retryable());
    EXPECT_EQ(c.with_context("scep").message(), "scep: GetCACaps: connection refused");
    // The original is unchanged.
    EXPECT_EQ(e.message(), "connection refused");

    const Error no_retry = Error(Errc::verification, "bad signature").with_context("CSR");
    EXPECT_FALSE(no_retry.retryable());
    EXPECT_EQ(no_retry.code(), Errc::verification);
}

TEST(ResultTest, WithContextOnEmptyMessageIsJustTheContext) {
    EXPECT_EQ(Error(Errc::internal, "").with_context("state machine").message(), "state machine");
}

TEST(ResultTest, Retryable) {
    EXPECT_FALSE(Error(Errc::network, "x").retryable());
    EXPECT_FALSE(Error(Errc::network, "x", Retry::no).retryable());
    EXPECT_TRUE(Error(Errc::network, "x", Retry::yes).retryable());
    Result<int> r = fail(Errc::timeout, "slow", Retry::yes);
    EXPECT_TRUE(r.error().retryable());
}

TEST(ResultTest, VoidResultSuccess) {
    Result<void> ok;
    EXPECT_TRUE(ok.has_value());
    EXPECT_TRUE(static_cast<bool>(ok));
    EXPECT_NO_THROW(ok.value());
}

TEST(ResultTest, VoidResultError) {
    auto check = [](bool good) -> Result<void> {
        if (!good)
            return fail(Errc::protocol, "unexpected message type", Retry::yes);
        return {};
    };
    EXPECT_TRUE(check(true));
    Result<void> bad = check(false);
    ASSERT_FALSE(bad.has_value());
    EXPECT_FALSE(static_cast<bool>(bad));
    EXPECT_EQ(bad.error().code(), Errc::protocol);
    EXPECT_EQ(bad.error().message(), "unexpected message type");
    EXPECT_TRUE(bad.error().retryable());
    try {
        bad.value();
        FAIL() << "value() of a failed Result<void> did not throw";
    } catch (const BadResultAccess& e) {
        EXPECT_STREQ(e.what(),
                     "value() of a failed Result: protocol error: unexpected message type");
    }

    Result<void> from_error = Error(Errc::io, "read-only");
    EXPECT_FALSE(from_error);
    EXPECT_EQ(from_error.error().code(), Errc::io);
}

TEST(ResultTest, ErrcNamesAreDistinct) {
    const Errc all[] = {Errc::invalid_argument, Errc::parse,  Errc::verification, Errc::not_found,
                        Errc::unsupported,      Errc::io,     Errc::network,      Errc::timeout,
                        Errc::protocol,         Errc::crypto, Errc::internal};
    std::set<std::string_view> names;
    for (Errc c : all) {
        const std::string_view name = to_string(c);
        EXPECT_FALSE(name.empty());
        EXPECT_NE(name, "unknown error");
        names.insert(name);
    }
    EXPECT_EQ(names.size(), std::size(all));
    EXPECT_EQ(to_string(Errc::invalid_argument), "invalid argument");
    EXPECT_EQ(to_string(Errc::verification), "verification failed");
}

}  // namespace
}  // namespace common
