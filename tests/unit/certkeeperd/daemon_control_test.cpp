#include "daemon_control.h"

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

#include "fakes/temp_dir.h"

namespace cli {
namespace {

TEST(DaemonControlTest, PidFileNamesTheHolderAndGoesAwayWithIt) {
    fakes::TempDir dir("certkeeper-control");
    EXPECT_FALSE(running_daemon(dir.path()));
    {
        auto lock = PidFileLock::acquire(dir.path(), 4242);
        ASSERT_TRUE(lock) << lock.error().to_string();
        EXPECT_EQ(running_daemon(dir.path()), 4242);
        auto second = PidFileLock::acquire(dir.path(), 4343);
        ASSERT_FALSE(second);
        EXPECT_EQ(second.error().code(), common::Errc::already_exists);
        EXPECT_NE(second.error().message().find("4242"), std::string::npos);
        ASSERT_TRUE(lock->rewrite(4444));
        EXPECT_EQ(running_daemon(dir.path()), 4444);
    }
    EXPECT_FALSE(running_daemon(dir.path()));
    EXPECT_FALSE(std::filesystem::exists(pid_file_path(dir.path())));
}

TEST(DaemonControlTest, StalePidFileOfAKilledDaemonIsNotARunningDaemon) {
    fakes::TempDir dir("certkeeper-control");
    std::ofstream(pid_file_path(dir.path())) << "999999\n";
    EXPECT_FALSE(running_daemon(dir.path()));
    auto lock = PidFileLock::acquire(dir.path(), ::getpid());
    ASSERT_TRUE(lock) << lock.error().to_string();
    EXPECT_EQ(running_daemon(dir.path()), ::getpid());
}

TEST(DaemonControlTest, RenewalRequestsAreTakenOnce) {
    fakes::TempDir dir("certkeeper-control");
    EXPECT_TRUE(take_renewal_requests(dir.path()).value().empty()) << "no requests directory yet";
    ASSERT_TRUE(request_renewal(dir.path(), "tls"));
    ASSERT_TRUE(request_renewal(dir.path(), "802.1x"));
    ASSERT_TRUE(request_renewal(dir.path(), "tls"));  // twice is once
    EXPECT_EQ(take_renewal_requests(dir.path()).value(), (std::vector<std::string>{"802.1x", "tls"}));
    EXPECT_TRUE(take_renewal_requests(dir.path()).value().empty());
}

}  // namespace
}  // namespace cli
