#include "stores/cleanup.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "fakes/temp_dir.h"
#include "stores/state_db.h"

namespace stores {
namespace {

using common::Errc;
using namespace std::chrono_literals;

const common::SystemTime t0 = common::SystemTime{} + std::chrono::seconds(1'700'000'000);
constexpr auto day = std::chrono::hours(24);

class FakeKeyFileRemover final : public KeyFileRemover {
public:
    common::Result<void> remove_key(const std::string& ref) override {
        if (failing.contains(ref)) return common::fail(Errc::io, "permission denied");
        removed.push_back(ref);
        return {};
    }

    std::vector<std::string> removed;
    std::set<std::string> failing;
};

class CleanupTest : public ::testing::Test {
protected:
    std::int64_t count(std::string_view sql) {
        auto stmt = m_db.prepare(sql);
        EXPECT_TRUE(stmt) << stmt.error().to_string();
        auto row = stmt->step();
        EXPECT_TRUE(row && *row) << sql;
        return stmt->column_int64(0);
    }

    std::int64_t cert(const std::string& serial, common::SystemTime not_after,
                      CertificateState state, std::optional<std::int64_t> key = std::nullopt,
                      CertificateRole role = CertificateRole::own) {
        CertificateRecord c;
        c.profile = "tls";
        c.role = role;
        c.serial = serial;
        c.issuer = "CN=CA";
        c.subject = "CN=device " + serial;
        c.not_before = not_after - 365 * day;
        c.not_after = not_after;
        c.der = {0x30, 0x00};
        c.state = state;
        c.key_id = key;
        if (role == CertificateRole::trust_anchor) c.sha256_fingerprint = std::string(64, '0');
        return m_store.record_certificate(c, t0).value();
    }

    std::int64_t key(const std::string& ref, KeyState state, common::SystemTime at) {
        auto id = m_store.add_key(ref, "tls", "ec:P-256", KeyState::pending, at).value();
        if (state != KeyState::pending) {
            EXPECT_TRUE(m_store.set_key_state(id, state, at));
        }
        return id;
    }

    CleanupReport run(common::SystemTime now, const CleanupOptions& options = {}) {
        auto report = cleanup(m_store, m_remover, now, options);
        EXPECT_TRUE(report) << report.error().to_string();
        return report.value_or(CleanupReport{});
    }

    fakes::TempDir m_dir{"certkeeper-cleanup"};
    Database m_db = open_state_db(m_dir / "state.db").value();
    StateStore m_store{m_db};
    FakeKeyFileRemover m_remover;
};

TEST_F(CleanupTest, NothingToDoChangesNothing) {
    auto report = run(t0);
    EXPECT_TRUE(report.removed.empty());
    EXPECT_TRUE(report.errors.empty());
    EXPECT_EQ(count("SELECT COUNT(*) FROM history"), 0);
}

TEST_F(CleanupTest, ExpiredCertificatesGoAfterTheGraceButNeverTheInstalledOne) {
    const auto now = t0 + 400 * day;
    const auto long_expired = now - 31 * day;  // past the 30-day default grace
    const auto old = cert("01", long_expired, CertificateState::superseded);
    const auto installed = cert("02", long_expired, CertificateState::installed);
    const auto journal = cert("03", long_expired, CertificateState::issued);
    const auto recent = cert("04", now - 29 * day, CertificateState::expired);
    const auto valid = cert("05", now + day, CertificateState::issued);
    const auto anchor = cert("06", long_expired, CertificateState::expired, std::nullopt,
                             CertificateRole::trust_anchor);
    // "03" is what the install journal says is in the store, whatever its row's state.
    auto install = m_store.begin_install("tls", "pem:/etc/certs/", 1, "03", t0).value();
    ASSERT_TRUE(m_store.finish_install(install, t0));

    auto report = run(now);
    EXPECT_EQ(report.count("certificate"), 2u);
    EXPECT_FALSE(m_store.get_certificate(old).value());
    EXPECT_FALSE(m_store.get_certificate(anchor).value());
    for (auto kept : {installed, journal, recent, valid}) {
        EXPECT_TRUE(m_store.get_certificate(kept).value()) << kept;
    }
    auto history = m_store.list_history("tls").value();
    ASSERT_EQ(history.size(), 2u);
    EXPECT_EQ(history[0].event, "cleanup");
    EXPECT_NE(history[1].detail.find("removed certificate: own 01 (CN=device 01, expired "),
              std::string::npos)
        << history[1].detail;
    EXPECT_EQ(history[1].at, now);

    EXPECT_EQ(run(now).count("certificate"), 0u);  // idempotent
}

TEST_F(CleanupTest, SupersededKeysGoWithTheirFilesOnlyWhenNothingInServiceRefersToThem) {
    const auto now = t0 + 30 * day;
    const auto old = now - 8 * day;  // past the 7-day default grace
    const auto unreferenced = key("file:1", KeyState::superseded, old);
    const auto of_installed = key("file:2", KeyState::superseded, old);
    const auto of_journal = key("file:3", KeyState::superseded, old);
    const auto of_pending = key("file:4", KeyState::superseded, old);
    const auto of_issued = key("file:5", KeyState::superseded, old);
    const auto active = key("file:6", KeyState::active, old);
    const auto recent = key("file:7", KeyState::superseded, now - 6 * day);
    const auto orphan_pending = key("file:8", KeyState::pending, old);
    const auto of_superseded_cert = key("file:9", KeyState::superseded, old);

    cert("02", now + 100 * day, CertificateState::installed, of_installed);
    cert("03", now + 100 * day, CertificateState::superseded, of_journal);
    auto install = m_store.begin_install("tls", "pem:/etc/certs/", 1, "03", t0).value();
    ASSERT_TRUE(m_store.finish_install(install, t0));
    cert("05", now + 100 * day, CertificateState::issued, of_issued);
    cert("09", now + 100 * day, CertificateState::superseded, of_superseded_cert);
    ScepTransaction t;
    t.profile = "tls";
    t.transaction_id = "T4";
    t.csr_der = {0x30, 0x00};
    t.key_id = of_pending;
    m_store.begin_scep_transaction(t, old).value();

    auto report = run(now);
    EXPECT_EQ(m_remover.removed, (std::vector<std::string>{"file:1", "file:8", "file:9"}));
    EXPECT_EQ(report.count("key_file"), 3u);
    for (auto gone : {unreferenced, orphan_pending, of_superseded_cert}) {
        EXPECT_EQ(m_store.get_key(gone).value()->state, KeyState::deleted) << gone;
    }
    for (auto kept : {of_installed, of_journal, of_pending, of_issued, recent}) {
        EXPECT_EQ(m_store.get_key(kept).value()->state, KeyState::superseded) << kept;
    }
    EXPECT_EQ(m_store.get_key(active).value()->state, KeyState::active);
    EXPECT_NE(m_store.list_history("tls", 1).value().at(0).detail.find("removed key_file: file:"),
              std::string::npos);

    // The rows of deleted keys go one grace later; the certificate's key_id becomes NULL.
    report = run(now + 8 * day);
    EXPECT_EQ(report.count("key"), 3u);
    EXPECT_FALSE(m_store.get_key(unreferenced).value());
    EXPECT_FALSE(m_store.find_certificate("tls", "09").value()->key_id);
    EXPECT_EQ(m_remover.removed.size(), 4u);  // + file:7, now past its grace
}

TEST_F(CleanupTest, AKeyFileThatCannotBeRemovedKeepsItsRowForTheNextRun) {
    const auto id = key("file:1", KeyState::superseded, t0);
    m_remover.failing.insert("file:1");
    auto report = run(t0 + 8 * day);
    ASSERT_EQ(report.errors.size(), 1u);
    EXPECT_EQ(report.errors[0].find("file:1: "), 0u)
        << report.errors[0];
    EXPECT_NE(report.errors[0].find("permission denied"), std::string::npos);
    EXPECT_EQ(m_store.get_key(id).value()->state, KeyState::superseded);
    EXPECT_TRUE(m_store.list_history("tls").value().empty());

    m_remover.failing.clear();
    report = run(t0 + 9 * day);
    EXPECT_TRUE(report.errors.empty());
    EXPECT_EQ(report.count("key_file"), 1u);
    EXPECT_EQ(m_store.get_key(id).value()->state, KeyState::deleted);
}

TEST_F(CleanupTest, FinishedTransactionsAndEndedJournalRowsGoAfterTheGrace) {
    ScepTransaction t;
    t.profile = "tls";
    t.transaction_id = "T1";
    t.csr_der = {0x30, 0x00};
    auto finished = m_store.begin_scep_transaction(t, t0).value();
    ASSERT_TRUE(m_store.finish_scep_transaction(finished, ScepState::failed, t0, "rejected"));
    t.transaction_id = "T2";
    auto pending = m_store.begin_scep_transaction(t, t0).value();
    t.profile = "8021x";
    t.transaction_id = "T3";
    auto recent = m_store.begin_scep_transaction(t, t0).value();
    ASSERT_TRUE(m_store.finish_scep_transaction(recent, ScepState::issued, t0 + 10 * day));

    const std::string store = "pem:/etc/certs/";
    auto v1 = m_store.begin_install("tls", store, 1, "01", t0).value();
    ASSERT_TRUE(m_store.finish_install(v1, t0));
    auto v2 = m_store.begin_install("tls", store, 2, "02", t0).value();
    ASSERT_TRUE(m_store.abandon_install(v2, t0));
    auto v3 = m_store.begin_install("tls", store, 3, "02", t0).value();
    ASSERT_TRUE(m_store.finish_install(v3, t0));  // v1 superseded
    auto v4 = m_store.begin_install("tls", store, 4, "03", t0).value();
    ASSERT_TRUE(m_store.abandon_install(v4, t0));  // the highest version: kept
    auto other = m_store.begin_install("tls", "der:/etc/c.der", 1, "01", t0).value();

    auto report = run(t0 + 31 * day);
    EXPECT_EQ(report.count("scep_transaction"), 1u);
    EXPECT_FALSE(m_store.get_scep_transaction(finished).value());
    EXPECT_TRUE(m_store.get_scep_transaction(pending).value());
    EXPECT_TRUE(m_store.get_scep_transaction(recent).value());

    EXPECT_EQ(report.count("install"), 2u);
    EXPECT_FALSE(m_store.get_install(v1).value());
    EXPECT_FALSE(m_store.get_install(v2).value());
    EXPECT_EQ(m_store.get_install(v3).value()->state, "installed");
    EXPECT_TRUE(m_store.get_install(v4).value());
    EXPECT_EQ(m_store.get_install(other).value()->state, "installing");
    EXPECT_EQ(m_store.next_install_version("tls", store).value(), 5);  // versions never repeat
}

TEST_F(CleanupTest, RevocationCacheRowsPastNextUpdateGoWithOneGlobalHistoryRow) {
    const std::int64_t now = 1'700'000'000;
    for (auto [key, next_update, fetched_at] :
         {std::tuple{"a", std::to_string(now - 2 * 86400), now - 3 * 86400},
          std::tuple{"b", std::to_string(now + 86400), now - 3 * 86400},
          std::tuple{"c", std::string("NULL"), now - 3 * 86400},
          std::tuple{"d", std::string("NULL"), now}}) {
        ASSERT_TRUE(m_db.exec("INSERT INTO revocation_cache VALUES ('crl', 'ab', '" +
                              std::string(key) + "', 'u', x'30', x'30', NULL, 0, " + next_update +
                              ", " + std::to_string(fetched_at) + ", 0)"));
    }
    auto report = run(t0);
    ASSERT_EQ(report.count("revocation_cache"), 1u);
    EXPECT_EQ(report.removed[0].what, "2 cached CRLs and OCSP responses past nextUpdate");
    EXPECT_EQ(count("SELECT COUNT(*) FROM revocation_cache WHERE key IN ('b', 'd')"), 2);
    EXPECT_EQ(count("SELECT COUNT(*) FROM revocation_cache"), 2);
    auto global = m_store.list_history("").value();
    ASSERT_EQ(global.size(), 1u);
    EXPECT_EQ(global[0].detail,
              "removed revocation_cache: 2 cached CRLs and OCSP responses past nextUpdate");
}

TEST_F(CleanupTest, OldHistoryGoesButTheNewestRowsOfEachProfileStay) {
    for (int i = 0; i < 10; ++i) {
        const auto at = t0 + std::chrono::seconds(i);
        ASSERT_TRUE(m_store.append_history({0, "tls", at, "", "", "E" + std::to_string(i), ""}));
        ASSERT_TRUE(m_store.append_history({0, "sip", at, "", "", "E" + std::to_string(i), ""}));
    }
    ASSERT_TRUE(m_store.append_history({0, "sip", t0 + 300 * day, "", "", "Recent", ""}));
    CleanupOptions options;
    options.history_keep_per_profile = 3;

    auto report = run(t0 + 366 * day, options);
    ASSERT_EQ(report.count("history"), 1u);
    EXPECT_EQ(report.removed.back().what, "15 history rows past the retention");
    auto tls = m_store.list_history("tls").value();
    ASSERT_EQ(tls.size(), 3u);
    EXPECT_EQ(tls[0].event, "E9");
    EXPECT_EQ(tls[2].event, "E7");
    auto sip = m_store.list_history("sip").value();
    ASSERT_EQ(sip.size(), 3u);
    EXPECT_EQ(sip[0].event, "Recent");
    EXPECT_EQ(m_store.list_history("").value().at(0).detail,
              "removed history: 15 history rows past the retention");

    // Within the retention nothing goes, however many rows there are.
    EXPECT_EQ(run(t0 + 366 * day + 1s, options).count("history"), 0u);
}

}  // namespace
}  // namespace stores
