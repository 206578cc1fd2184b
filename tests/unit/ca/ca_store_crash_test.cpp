// Kills a process that writes to the CA database at random moments (SIGKILL, so no destructor
// or atexit handler runs) and checks that the database it leaves behind is intact: SQLite's
// integrity check passes, every row is complete, every change the child saw committed is there,
// no serial appears twice and no one-time password was accepted twice.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>

#include "ca/ca_store.h"
#include "stores/sqlite.h"
#include "unit/ca/ca_store_fixture.h"

namespace ca {
namespace {

constexpr int kill_rounds = 50;
constexpr int otp_count = 100;
constexpr long serial_range = 3000;  // small enough that children also collide on serials

std::string username(int i) { return "user-" + std::to_string(i); }
std::string password(int i) { return "pw-" + std::to_string(i * 7919); }

// What a child reports through its pipe, one line per committed change:
// "C <serial>" recorded, "O <username>" consumed, "E <message>" unexpected error.
struct Reports {
    std::set<std::string> serials;
    std::map<std::string, int> otp_oks;
    std::vector<std::string> errors;

    void parse(const std::string& text) {
        std::istringstream in(text);
        std::string line;
        while (std::getline(in, line)) {
            if (line.size() < 2 || in.eof()) continue;  // the last line may be cut short
            const std::string value = line.substr(2);
            if (line[0] == 'C') serials.insert(value);
            if (line[0] == 'O') ++otp_oks[value];
            if (line[0] == 'E') errors.push_back(value);
        }
    }
};

class CaStoreCrashTest : public testing::CaStoreFixture {
protected:
    // The child: writes until it is killed; reports each change after it committed.
    [[noreturn]] void run_child(int fd, std::uint64_t seed) {
        auto report = [fd](const std::string& line) {
            const std::string text = line + "\n";
            (void)!::write(fd, text.data(), text.size());
        };
        auto store = CaStore::open(db_path(), testing::fast_options());
        if (!store) {
            report("E open: " + store.error().to_string());
            ::_exit(1);
        }
        std::mt19937_64 rng(seed);
        for (std::uint64_t n = 0;; ++n) {
            const long serial = 1 + static_cast<long>(rng() % serial_range);
            const crypto::Certificate cert = leaf(serial, "crash-" + std::to_string(serial));
            auto recorded = store->record_issued(cert, "tid-" + std::to_string(seed) + "-" +
                                                           std::to_string(n),
                                                 "crash-test", now());
            if (recorded) {
                report("C " + cert.serial_hex());
            } else if (recorded.error().code() != common::Errc::already_exists) {
                report("E record: " + recorded.error().to_string());
            }
            const int user = static_cast<int>(rng() % otp_count);
            auto consumed = store->consume_otp(username(user), password(user), now());
            if (!consumed) {
                report("E consume: " + consumed.error().to_string());
            } else if (*consumed == OtpCheck::ok) {
                report("O " + username(user));
            }
        }
    }

    // Starts a child, kills it after `delay`, and returns everything it reported.
    std::string run_and_kill(std::uint64_t seed, std::chrono::microseconds delay) {
        int fds[2];
        if (::pipe(fds) != 0) {
            ADD_FAILURE() << "pipe";
            return {};
        }
        const pid_t pid = ::fork();
        if (pid == 0) {
            ::close(fds[0]);
            run_child(fds[1], seed);
        }
        ::close(fds[1]);
        EXPECT_GT(pid, 0) << "fork";
        std::this_thread::sleep_for(delay);
        if (pid > 0) {
            ::kill(pid, SIGKILL);
        }
        std::string out;
        char buffer[4096];
        for (ssize_t n; (n = ::read(fds[0], buffer, sizeof buffer)) > 0;) {
            out.append(buffer, static_cast<std::size_t>(n));
        }
        ::close(fds[0]);
        int status = 0;
        if (pid > 0) {
            ::waitpid(pid, &status, 0);
            EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
                << "the child ended by itself: " << out;
        }
        return out;
    }

    void check_certificates(CaStore& store, const Reports& reports) {
        CertificateFilter everything;
        everything.limit = serial_range + 1;
        auto all = store.list(everything);
        ASSERT_TRUE(all) << all.error().to_string();
        EXPECT_EQ(static_cast<std::int64_t>(all->size()), store.count().value());
        std::set<std::string> serials;
        for (const IssuedCertificate& row : *all) {
            EXPECT_TRUE(serials.insert(row.serial).second) << "duplicate serial " << row.serial;
            auto cert = crypto::Certificate::from_der(row.der);
            ASSERT_TRUE(cert) << "serial " << row.serial << ": " << cert.error().to_string();
            EXPECT_EQ(cert->serial_hex(), row.serial);
            EXPECT_EQ(cert->subject(), row.subject);
            EXPECT_EQ(cert->not_after(), row.not_after);
            EXPECT_EQ(row.requester, "crash-test");
            EXPECT_EQ(row.issued_at, now());
            EXPECT_FALSE(row.transaction_id.empty());
        }
        for (const std::string& reported : reports.serials) {
            EXPECT_EQ(serials.count(reported), 1u) << "committed serial lost: " << reported;
        }
    }

    void check_otps(CaStore& store, const Reports& reports) {
        auto otps = store.list_otps(now());
        ASSERT_TRUE(otps) << otps.error().to_string();
        EXPECT_EQ(otps->size(), static_cast<std::size_t>(otp_count)) << "no row added or lost";
        std::set<std::string> used;
        for (const OtpInfo& info : *otps) {
            if (info.state == OtpState::used) used.insert(info.username);
            EXPECT_NE(info.state, OtpState::revoked) << info.username;
        }
        for (const auto& [user, oks] : reports.otp_oks) {
            EXPECT_EQ(oks, 1) << user << " was accepted " << oks << " times";
            EXPECT_EQ(used.count(user), 1u) << "committed consumption lost: " << user;
        }
        for (int i = 0; i < otp_count; ++i) {
            const OtpCheck expected = used.count(username(i)) ? OtpCheck::already_used : OtpCheck::ok;
            EXPECT_EQ(store.consume_otp(username(i), password(i), now()).value(), expected)
                << username(i);
        }
    }
};

TEST_F(CaStoreCrashTest, KillNineAtRandomMomentsLeavesAConsistentDatabase) {
    {
        CaStore store = open_store();
        for (int i = 0; i < otp_count; ++i) {
            ASSERT_TRUE(store.add_otp(username(i), password(i), now() + std::chrono::hours(1),
                                      now()));
        }
    }  // no connection is open across fork()

    const std::uint64_t seed = std::random_device{}();
    SCOPED_TRACE("seed " + std::to_string(seed));
    std::mt19937_64 rng(seed);
    Reports reports;
    for (int round = 0; round < kill_rounds; ++round) {
        const auto delay = std::chrono::microseconds(2000 + rng() % 60000);
        reports.parse(run_and_kill(rng(), delay));
    }
    EXPECT_TRUE(reports.errors.empty()) << reports.errors.front();
    EXPECT_GT(reports.serials.size(), 0u) << "the children never got to write";
    EXPECT_GT(reports.otp_oks.size(), 0u) << "the children never consumed a password";

    CaStore store = open_store();
    ASSERT_TRUE(store.check_integrity()) << store.check_integrity().error().to_string();
    check_certificates(store, reports);
    check_otps(store, reports);
    RecordProperty("committed_certificates", static_cast<int>(reports.serials.size()));
    RecordProperty("consumed_passwords", static_cast<int>(reports.otp_oks.size()));
}

}  // namespace
}  // namespace ca
