// Kills a process that installs key/certificate pairs into a PEM application store, and records
// each install in the state database's journal, at random moments (SIGKILL: no destructor, no
// atexit handler runs). After each kill the parent recovers the store, reconciles the journal
// and proves: the store holds one complete pair (old or new) whose key matches its certificate,
// the files have their modes, no half-written version is left, and the journal's current install
// names the certificate actually in the store.
//
// CERTKEEPER_CRASH_ITERATIONS sets the number of kills: CTest's full suite sets 1000
// (tests/CMakeLists.txt); without it (a quick run of unit_tests by hand) 50.
//
// The files live on /dev/shm when there is one. A SIGKILL does not take the page cache with it,
// so fsync changes nothing this test can observe, while on a disk it makes one install cost
// ~60 ms instead of ~3 ms and 1,000 kills would not fit the time budget. (Power loss is the
// fsync's job and is not simulated here.)
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <random>
#include <sstream>
#include <string>
#include <thread>

#include "stores/app_store.h"
#include "stores/atomic_file.h"
#include "stores/install_reconcile.h"
#include "stores/state_db.h"
#include "stores/state_store.h"
#include "unit/crypto/test_pki_builder.h"

namespace stores {
namespace {

namespace fs = std::filesystem;

constexpr const char* profile = "802.1x";
constexpr const char* store_name = "wpa";

// A fresh directory on /dev/shm (else under $TMPDIR), removed with its contents at the end.
class ScratchDir {
public:
    ScratchDir() {
        std::error_code ec;
        const fs::path base =
            fs::is_directory("/dev/shm", ec) && ::access("/dev/shm", W_OK) == 0
                ? fs::path("/dev/shm")
                : fs::temp_directory_path();
        std::string tmpl = (base / "certkeeper-app-store-crash-XXXXXX").string();
        if (::mkdtemp(tmpl.data()) != nullptr) m_path = tmpl;
        EXPECT_FALSE(m_path.empty()) << "mkdtemp " << tmpl;
    }
    ~ScratchDir() {
        std::error_code ec;
        if (!m_path.empty()) fs::remove_all(m_path, ec);
    }
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;

    fs::path operator/(std::string_view name) const { return m_path / name; }

private:
    fs::path m_path;
};

int iterations() {
    const char* env = std::getenv("CERTKEEPER_CRASH_ITERATIONS");
    const int n = env != nullptr ? std::atoi(env) : 0;
    return n > 0 ? n : 50;
}

mode_t mode_of(const fs::path& p) {
    struct stat st {};
    return ::stat(p.c_str(), &st) == 0 ? (st.st_mode & 07777) : 0;
}

// After a crash: recover the store, then settle the journal (stores/install_reconcile.h): an
// install the crash interrupted is finished if its version made it into service, abandoned
// otherwise.
common::Result<RecoveryReport> recover_and_reconcile(StateStore& state, const AppStoreSpec& spec,
                                                     common::SystemTime now) {
    auto reconciled = reconcile_installs(
        state,
        [&spec](const std::string& p, const std::string& s) -> std::optional<AppStoreSpec> {
            if (p == profile && s == store_name) return spec;
            return std::nullopt;
        },
        now);
    if (!reconciled) return reconciled.error();
    for (const ReconciledInstall& r : reconciled->installs) {
        if (r.outcome == ReconciledInstall::Outcome::failed) {
            return common::fail(common::Errc::io, r.error);
        }
    }
    return recover(spec);
}

class AppStoreCrashTest : public ::testing::Test {
protected:
    void SetUp() override {
        m_spec.format = StoreFormat::pem;
        m_spec.layout = PemLayout::separate;
        m_spec.path = m_dir / "store";
        test_pki::Issued issuer = test_pki::issue(test_pki::ca_spec("Crash Test CA"));
        for (const char* cn : {"pair-a", "pair-b"}) {
            test_pki::Issued leaf = test_pki::issue(test_pki::leaf_spec(cn), &issuer);
            m_pairs.push_back({leaf.key, leaf.cert, {issuer.cert}});
        }
    }

    fs::path db_path() const { return m_dir / "state.db"; }

    // One install with its journal rows, as the lifecycle does it.
    common::Result<std::uint64_t> journaled_install(StateStore& state, const InstallMaterial& m) {
        auto version = state.next_install_version(profile, store_name);
        if (!version) return version.error();
        auto id = state.begin_install(profile, store_name, *version, m.certificate.serial_hex(),
                                      now());
        if (!id) return id.error();
        auto installed = install(m_spec, m, static_cast<std::uint64_t>(*version));
        if (!installed) return installed.error();
        if (auto done = state.finish_install(*id, now()); !done) return done.error();
        return installed;
    }

    // The child: installs the pair not in service, then the other, ... until it is killed.
    // Reports "R" once ready, "I <version>" after each finished install, "E <message>" on an
    // error.
    [[noreturn]] void run_writer(int fd) {
        auto report = [fd](const std::string& line) {
            const std::string text = line + "\n";
            (void)!::write(fd, text.data(), text.size());
        };
        auto db = open_state_db(db_path());
        if (!db) {
            report("E open: " + db.error().to_string());
            ::_exit(1);
        }
        StateStore state(*db);
        auto current = state.current_install(profile, store_name);
        if (!current || !*current) {
            report("E no current install");
            ::_exit(1);
        }
        std::size_t next = (*current)->cert_serial == m_pairs[0].certificate.serial_hex() ? 1 : 0;
        report("R");
        for (;; next ^= 1) {
            auto version = journaled_install(state, m_pairs[next]);
            if (!version) {
                report("E install: " + version.error().to_string());
                ::_exit(1);
            }
            report("I " + std::to_string(*version));
        }
    }

    // Forks a writer, kills it after `delay` and returns the highest version it reported.
    std::uint64_t run_and_kill(std::chrono::microseconds delay, std::vector<std::string>& errors) {
        int fds[2];
        if (::pipe(fds) != 0) {
            ADD_FAILURE() << "pipe";
            return 0;
        }
        const pid_t pid = ::fork();
        if (pid == 0) {
            ::close(fds[0]);
            run_writer(fds[1]);
        }
        ::close(fds[1]);
        EXPECT_GT(pid, 0) << "fork";
        // The delay counts from the writer's first install, not from fork().
        std::string out;
        char buffer[4096];
        while (out.find('\n') == std::string::npos) {
            const ssize_t n = ::read(fds[0], buffer, sizeof buffer);
            if (n <= 0) break;
            out.append(buffer, static_cast<std::size_t>(n));
        }
        std::this_thread::sleep_for(delay);
        if (pid > 0) ::kill(pid, SIGKILL);
        for (ssize_t n; (n = ::read(fds[0], buffer, sizeof buffer)) > 0;) {
            out.append(buffer, static_cast<std::size_t>(n));
        }
        ::close(fds[0]);
        if (pid > 0) {
            int status = 0;
            ::waitpid(pid, &status, 0);
            EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
                << "the writer ended by itself: " << out;
        }
        std::uint64_t highest = 0;
        std::istringstream in(out);
        std::string line;
        while (std::getline(in, line)) {
            if (in.eof()) break;  // the last line may be cut short
            if (line.rfind("I ", 0) == 0) {
                highest = std::max<std::uint64_t>(highest, std::stoull(line.substr(2)));
            }
            if (line.rfind("E ", 0) == 0) errors.push_back(line.substr(2));
        }
        return highest;
    }

    // Everything the store and the journal must say after recovery. Returns the version in
    // service (0 on failure).
    std::uint64_t check(StateStore& state, const RecoveryReport& report) {
        const fs::path dir = m_spec.path;
        EXPECT_TRUE(report.current.has_value());
        if (!report.current) return 0;
        auto cert = crypto::Certificate::from_pem(read_file(dir / "cert.pem").value_or(""));
        auto key = crypto::PrivateKey::from_pem(read_file(dir / "key.pem").value_or(""));
        EXPECT_TRUE(cert && key) << "cert.pem or key.pem unreadable";
        if (!cert || !key) return 0;
        EXPECT_TRUE(*cert == m_pairs[0].certificate || *cert == m_pairs[1].certificate);
        EXPECT_TRUE(key->matches(*cert)) << "key.pem does not match cert.pem";
        const std::string chain = m_pairs[0].chain[0].to_pem();
        EXPECT_EQ(read_file(dir / "chain.pem").value_or(""), chain);
        EXPECT_EQ(read_file(dir / "fullchain.pem").value_or(""), cert->to_pem() + chain);
        EXPECT_EQ(mode_of(dir / "key.pem"), 0600u);
        EXPECT_EQ(mode_of(dir / "cert.pem"), 0644u);
        EXPECT_EQ(mode_of(dir / "chain.pem"), 0644u);
        EXPECT_EQ(mode_of(dir / "fullchain.pem"), 0644u);

        std::size_t versions = 0;
        for (const auto& entry : fs::directory_iterator(dir / ".certkeeper")) {
            const std::string name = entry.path().filename().string();
            EXPECT_TRUE(name == "current" || name == "previous" || name[0] == 'v')
                << "left over: " << name;
            if (name[0] == 'v') ++versions;
        }
        EXPECT_LE(versions, 2u) << "only the current and the previous version are kept";

        auto current = state.current_install(profile, store_name);
        EXPECT_TRUE(current && *current) << "the journal has no current install";
        if (!current || !*current) return 0;
        EXPECT_EQ(static_cast<std::uint64_t>((*current)->version), *report.current);
        EXPECT_EQ((*current)->cert_serial, cert->serial_hex())
            << "the journal names another certificate than the store holds";
        EXPECT_TRUE(state.unfinished_installs().value().empty());
        return *report.current;
    }

    static common::SystemTime now() { return test_pki::reference_time(); }

    ScratchDir m_dir;
    AppStoreSpec m_spec;
    std::vector<InstallMaterial> m_pairs;
    std::chrono::microseconds m_install_time{1000};
};

TEST_F(AppStoreCrashTest, KillNineDuringInstallsLeavesACompleteMatchingPairAndAnAgreeingJournal) {
    {
        auto db = open_state_db(db_path());
        ASSERT_TRUE(db) << db.error().to_string();
        StateStore state(*db);
        ASSERT_TRUE(journaled_install(state, m_pairs[0]));
        // Kills land anywhere in the writer's first three installs or so.
        const auto t0 = std::chrono::steady_clock::now();
        for (int i = 1; i <= 4; ++i) ASSERT_TRUE(journaled_install(state, m_pairs[i % 2]));
        m_install_time = std::chrono::duration_cast<std::chrono::microseconds>(
                             std::chrono::steady_clock::now() - t0) / 4;
    }  // no connection is open across fork()

    const int rounds = iterations();
    const std::uint64_t seed = std::random_device{}();
    SCOPED_TRACE("seed " + std::to_string(seed));
    std::mt19937_64 rng(seed);
    std::vector<std::string> errors;
    std::uint64_t in_service = 5;
    int changed = 0, interrupted = 0;
    const auto started = std::chrono::steady_clock::now();
    for (int round = 0; round < rounds && !HasFailure(); ++round) {
        const auto delay = std::chrono::microseconds(
            rng() % static_cast<std::uint64_t>(3 * m_install_time.count() + 1));
        const std::uint64_t reported = run_and_kill(delay, errors);

        auto db = open_state_db(db_path());
        ASSERT_TRUE(db) << db.error().to_string();
        StateStore state(*db);
        const std::size_t unfinished = state.unfinished_installs().value().size();
        auto report = recover_and_reconcile(state, m_spec, now());
        ASSERT_TRUE(report) << "round " << round << ": " << report.error().to_string();
        const std::uint64_t version = check(state, *report);
        ASSERT_NE(version, 0u) << "round " << round;
        EXPECT_GE(version, in_service) << "round " << round << ": the store went back";
        EXPECT_GE(version, reported) << "round " << round << ": a finished install was lost";
        if (round % 50 == 49 || round + 1 == rounds) {  // a whole-file scan: not every round
            ASSERT_TRUE(db->check_integrity()) << "round " << round;
        }
        changed += version != in_service ? 1 : 0;
        interrupted += unfinished > 0 ? 1 : 0;
        in_service = version;
    }
    const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started);
    EXPECT_TRUE(errors.empty()) << errors.front();
    EXPECT_GT(changed, 0) << "the writer never completed an install";
    EXPECT_GT(interrupted, 0) << "no kill landed inside an install";
    std::cout << "[ crash    ] " << rounds << " iterations (CERTKEEPER_CRASH_ITERATIONS), "
              << changed << " changed the pair in service, " << interrupted
              << " interrupted a journaled install, last version " << in_service
              << "; one install " << m_install_time.count() << " us, " << seconds.count()
              << " s in all\n";
    RecordProperty("iterations", rounds);
    RecordProperty("interrupted_installs", interrupted);
}

}  // namespace
}  // namespace stores
