#include "stores/post_install.h"

#include <gtest/gtest.h>

#include <signal.h>
#include <stdlib.h>

#include <string>

namespace stores {
namespace {

using namespace std::chrono_literals;

CommandResult run_ok(CommandSpec spec) {
    auto result = run_command(spec);
    EXPECT_TRUE(result) << result.error().to_string();
    return result.value_or(CommandResult{});
}

TEST(PostInstallTest, ReturnsTheExitStatusAndOutput) {
    auto ok = run_ok({{"/bin/echo", "reloaded"}});
    EXPECT_TRUE(ok.succeeded());
    EXPECT_EQ(ok.standard_output, "reloaded\n");
    EXPECT_EQ(describe(ok), "exit status 0");

    auto failed = run_ok({{"sh", "-c", "echo oops >&2; exit 3"}});
    EXPECT_EQ(failed.outcome, CommandResult::Outcome::exited);
    EXPECT_EQ(failed.exit_status, 3);
    EXPECT_FALSE(failed.succeeded());
    EXPECT_EQ(failed.standard_error, "oops\n");
    EXPECT_EQ(describe(failed), "exit status 3");
}

TEST(PostInstallTest, NoShellInterpretsTheArguments) {
    auto result = run_ok({{"printf", "%s|", "$(echo hi)", "a;b", "*", "`id`", "$HOME"}});
    EXPECT_EQ(result.standard_output, "$(echo hi)|a;b|*|`id`|$HOME|");
}

TEST(PostInstallTest, TimeoutSendsSigtermThenSigkill) {
    CommandSpec polite{{"sleep", "30"}};
    polite.timeout = 200ms;
    auto stopped = run_ok(polite);
    EXPECT_EQ(stopped.outcome, CommandResult::Outcome::timed_out);
    EXPECT_EQ(stopped.term_signal, SIGTERM);
    EXPECT_LT(stopped.duration, 5s);

    // A command that ignores SIGTERM gets SIGKILL after the grace period.
    CommandSpec stubborn{{"sh", "-c", "trap '' TERM; echo ready; while :; do sleep 1; done"}};
    stubborn.timeout = 200ms;
    stubborn.kill_grace = 300ms;
    auto killed = run_ok(stubborn);
    EXPECT_EQ(killed.outcome, CommandResult::Outcome::timed_out);
    EXPECT_EQ(killed.term_signal, SIGKILL);
    EXPECT_EQ(killed.standard_output, "ready\n");
    EXPECT_GE(killed.duration, 500ms);
    EXPECT_LT(killed.duration, 10s);
    EXPECT_EQ(describe(killed).rfind("timed out", 0), 0u);
}

TEST(PostInstallTest, OutputIsBounded) {
    CommandSpec spec{{"sh", "-c", "head -c 100000 /dev/zero | tr '\\0' x; echo done >&2"}};
    spec.output_limit = 4096;
    auto result = run_ok(spec);
    EXPECT_TRUE(result.succeeded()) << describe(result);
    EXPECT_EQ(result.standard_output.size(), 4096u);
    EXPECT_TRUE(result.output_truncated);
    EXPECT_EQ(result.standard_error, "done\n");
}

TEST(PostInstallTest, DoesNotInheritTheEnvironment) {
    ASSERT_EQ(::setenv("CERTKEEPER_TEST_SECRET", "challenge-password", 1), 0);
    auto result = run_ok({{"env"}});
    ::unsetenv("CERTKEEPER_TEST_SECRET");
    EXPECT_EQ(result.standard_output.find("CERTKEEPER_TEST_SECRET"), std::string::npos);
    EXPECT_NE(result.standard_output.find("PATH=/usr/local/sbin"), std::string::npos);

    CommandSpec custom{{"env"}};
    custom.environment = {"PATH=/usr/bin:/bin", "ONLY=this"};
    EXPECT_EQ(run_ok(custom).standard_output, "PATH=/usr/bin:/bin\nONLY=this\n");
}

TEST(PostInstallTest, StdinIsEmptyAndOurDescriptorsAreClosed) {
    auto result = run_ok({{"sh", "-c", "cat; ls /proc/self/fd | wc -l"}});
    EXPECT_TRUE(result.succeeded());
    // 0, 1, 2 and the descriptor ls opens to read the directory.
    EXPECT_EQ(result.standard_output, "4\n");
}

TEST(PostInstallTest, ReportsASignalItDidNotSend) {
    auto result = run_ok({{"sh", "-c", "kill -SEGV $$"}});
    EXPECT_EQ(result.outcome, CommandResult::Outcome::signalled);
    EXPECT_EQ(result.term_signal, SIGSEGV);
    EXPECT_EQ(describe(result), "killed by signal 11");
}

TEST(PostInstallTest, ACommandThatCannotStartIsAnError) {
    EXPECT_EQ(run_command({{}}).error().code(), common::Errc::invalid_argument);
    EXPECT_EQ(run_command({{"certkeeper-no-such-command"}}).error().code(),
              common::Errc::not_found);
    EXPECT_EQ(run_command({{"/nonexistent/reload"}}).error().code(), common::Errc::not_found);
    EXPECT_EQ(run_command({{"/etc/passwd"}}).error().code(), common::Errc::not_found)
        << "not executable";
    CommandSpec no_path{{"echo", "x"}};
    no_path.environment = {};
    EXPECT_EQ(run_command(no_path).error().code(), common::Errc::not_found);
}

}  // namespace
}  // namespace stores
