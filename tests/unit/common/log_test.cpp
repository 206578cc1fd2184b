#include "common/log.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "fakes/capture_sink.h"

namespace common {
namespace {

using fakes::CaptureSink;

TEST(LogTest, LevelNames) {
    EXPECT_EQ(to_string(LogLevel::debug), "debug");
    EXPECT_EQ(to_string(LogLevel::info), "info");
    EXPECT_EQ(to_string(LogLevel::warning), "warning");
    EXPECT_EQ(to_string(LogLevel::error), "error");
}

TEST(LogTest, DefaultMinimumLevelIsInfo) {
    CaptureSink sink;
    const Logger log(sink, "lifecycle");
    EXPECT_FALSE(log.enabled(LogLevel::debug));
    EXPECT_TRUE(log.enabled(LogLevel::info));
    log.debug("hidden");
    log.info("profile device: Unenrolled -> Enrolling");
    log.warning("renewal late");
    log.error("enrolment rejected");
    const auto lines = sink.lines();
    ASSERT_EQ(lines.size(), 3u);
    EXPECT_EQ(lines[0].level, LogLevel::info);
    EXPECT_EQ(lines[0].component, "lifecycle");
    EXPECT_EQ(lines[0].message, "profile device: Unenrolled -> Enrolling");
    EXPECT_EQ(lines[1].level, LogLevel::warning);
    EXPECT_EQ(lines[1].message, "renewal late");
    EXPECT_EQ(lines[2].level, LogLevel::error);
    EXPECT_EQ(lines[2].message, "enrolment rejected");
    EXPECT_FALSE(sink.contains("hidden"));
}

TEST(LogTest, MinimumLevelFilters) {
    CaptureSink sink;
    const Logger debug(sink, "d", LogLevel::debug);
    const Logger errors_only(sink, "e", LogLevel::error);
    for (auto level : {LogLevel::debug, LogLevel::info, LogLevel::warning, LogLevel::error}) {
        EXPECT_TRUE(debug.enabled(level));
        EXPECT_EQ(errors_only.enabled(level), level == LogLevel::error);
        debug.log(level, "to d");
        errors_only.log(level, "to e");
    }
    int to_d = 0;
    int to_e = 0;
    for (const auto& line : sink.lines()) {
        if (line.component == "d")
            ++to_d;
        if (line.component == "e") {
            ++to_e;
            EXPECT_EQ(line.level, LogLevel::error);
        }
    }
    EXPECT_EQ(to_d, 4);
    EXPECT_EQ(to_e, 1);
}

TEST(LogTest, ChildNamesNestAndKeepSinkAndLevel) {
    CaptureSink sink;
    const Logger root(sink, "scep", LogLevel::warning);
    const Logger client = root.child("client");
    const Logger http = client.child("http");
    EXPECT_EQ(root.component(), "scep");
    EXPECT_EQ(client.component(), "scep.client");
    EXPECT_EQ(http.component(), "scep.client.http");
    http.info("dropped: below the parent's level");
    http.warning("GetCACaps 503");
    const auto lines = sink.lines();
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_EQ(lines[0].component, "scep.client.http");
    EXPECT_EQ(lines[0].message, "GetCACaps 503");
}

TEST(LogTest, ChildOfUnnamedLoggerHasNoLeadingDot) {
    CaptureSink sink;
    const Logger root(sink, "");
    EXPECT_EQ(root.child("cwmp").component(), "cwmp");
}

TEST(LogTest, CopiesWriteToTheSameSink) {
    CaptureSink sink;
    const Logger original(sink, "stores");
    const Logger copy = original;  // NOLINT(performance-unnecessary-copy-initialization)
    original.info("one");
    copy.info("two");
    const auto lines = sink.lines();
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(lines[1].component, "stores");
    EXPECT_TRUE(sink.contains("one"));
    EXPECT_TRUE(sink.contains("two"));
    EXPECT_FALSE(sink.contains("three"));
}

TEST(LogTest, MessagesAreKeptVerbatim) {
    CaptureSink sink;
    const Logger log(sink, "x");
    const std::string with_nul("a\0b", 3);
    log.info(with_nul);
    log.info("100% %s %n");  // never treated as a format string
    const auto lines = sink.lines();
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(lines[0].message, with_nul);
    EXPECT_EQ(lines[1].message, "100% %s %n");
}

TEST(LogTest, SinkAcceptsConcurrentWrites) {
    CaptureSink sink;
    const Logger log(sink, "threads");
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&log, t] {
            for (int i = 0; i < 100; ++i) log.info("t" + std::to_string(t));
        });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(sink.lines().size(), 400u);
}

TEST(LogTest, StderrSinkWritesOneLinePerMessage) {
    StderrSink sink;
    const Logger log(sink, "scep.client");
    ::testing::internal::CaptureStderr();
    log.warning("GetCACaps 503");
    log.debug("not shown");
    const std::string out = ::testing::internal::GetCapturedStderr();
    EXPECT_EQ(out, "warning scep.client: GetCACaps 503\n");
}

TEST(LogTest, NullSinkDropsEverything) {
    NullSink sink;
    const Logger log(sink, "quiet", LogLevel::debug);
    EXPECT_TRUE(log.enabled(LogLevel::debug));
    ::testing::internal::CaptureStderr();
    log.error("nothing");
    EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
}

}  // namespace
}  // namespace common
