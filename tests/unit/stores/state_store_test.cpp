#include "stores/state_store.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "fakes/temp_dir.h"
#include "stores/state_db.h"

namespace stores {
namespace {

using common::Errc;
using namespace std::chrono_literals;

const common::SystemTime t0 = common::SystemTime{} + std::chrono::seconds(1'700'000'000);

class StateStoreTest : public ::testing::Test {
protected:
    std::int64_t count(std::string_view sql) {
        auto stmt = m_db.prepare(sql);
        EXPECT_TRUE(stmt) << stmt.error().to_string();
        auto row = stmt->step();
        EXPECT_TRUE(row && *row) << sql;
        return stmt->column_int64(0);
    }

    void add_profile(const std::string& name, const std::string& content = "url = x\n") {
        ASSERT_TRUE(m_store.upsert_profile({name, "/etc/certkeeper/p.conf", content, true}, t0));
    }

    static CertificateRecord own_cert(const std::string& serial, std::optional<std::int64_t> key) {
        CertificateRecord c;
        c.profile = "tls";
        c.role = CertificateRole::own;
        c.serial = serial;
        c.issuer = "CN=Issuing CA";
        c.subject = "CN=device";
        c.not_before = t0;
        c.not_after = t0 + 24h * 365;
        c.der = {0x30, 0x03, 0x02, 0x01, 0x01};
        c.chain = {0x30, 0x00, 0x30, 0x00};
        c.key_id = key;
        return c;
    }

    fakes::TempDir m_dir{"certkeeper-state-store"};
    Database m_db = open_state_db(m_dir / "state.db").value();
    StateStore m_store{m_db};
};

TEST(StateDb, MigratesAVersion1FileAndKeepsTheRevocationCache) {
    fakes::TempDir dir;
    {
        auto db = Database::open(dir / "state.db").value();
        // Version 1 exactly as the first release wrote it.
        ASSERT_TRUE(db.exec(R"sql(
            CREATE TABLE revocation_cache (
                method TEXT NOT NULL CHECK (method IN ('crl', 'ocsp')), issuer_id TEXT NOT NULL,
                key TEXT NOT NULL, source_url TEXT NOT NULL, der BLOB NOT NULL,
                issuer_der BLOB NOT NULL, cert_der BLOB, this_update INTEGER NOT NULL,
                next_update INTEGER, fetched_at INTEGER NOT NULL, refresh_at INTEGER NOT NULL,
                PRIMARY KEY (method, issuer_id, key)) STRICT;
            CREATE INDEX revocation_cache_refresh ON revocation_cache (refresh_at);
            INSERT INTO revocation_cache VALUES ('crl', 'ab', 'http://x/crl', 'http://x/crl',
                x'3000', x'3000', NULL, 1, 2, 3, 4);
            PRAGMA user_version = 1;)sql"));
        ASSERT_TRUE(db.exec("PRAGMA application_id = " + std::to_string(state_db_application_id)));
    }
    auto db = open_state_db(dir / "state.db");
    ASSERT_TRUE(db) << db.error().to_string();
    EXPECT_EQ(db->user_version().value(), state_db_version);
    auto rows = db->prepare("SELECT key, refresh_at FROM revocation_cache").value();
    ASSERT_TRUE(rows.step().value());
    EXPECT_EQ(rows.column_text(0), "http://x/crl");
    EXPECT_EQ(rows.column_int64(1), 4);
    EXPECT_FALSE(rows.step().value());
    StateStore store(*db);
    ASSERT_TRUE(store.upsert_profile({"p", "cwmp", "x", true}, t0));
    EXPECT_TRUE(db->check_integrity());
}

TEST_F(StateStoreTest, ProfileRevisionGoesUpOnlyWhenTheContentChanges) {
    auto created = m_store.upsert_profile({"8021x", "/etc/a.conf", "url = a\n", true}, t0);
    ASSERT_TRUE(created) << created.error().to_string();
    EXPECT_EQ(created->revision, 1);
    EXPECT_EQ(created->change, ProfileChange::created);

    auto same = m_store.upsert_profile({"8021x", "cwmp", "url = a\n", false}, t0 + 1h);
    ASSERT_TRUE(same);
    EXPECT_EQ(same->revision, 1);
    EXPECT_EQ(same->change, ProfileChange::unchanged);
    auto p = m_store.get_profile("8021x").value();
    ASSERT_TRUE(p);
    EXPECT_EQ(p->source, "cwmp");
    EXPECT_FALSE(p->enabled);
    EXPECT_EQ(p->applied_at, t0);
    EXPECT_EQ(p->updated_at, t0 + 1h);

    auto revised = m_store.upsert_profile({"8021x", "cwmp", "url = b\n", true}, t0 + 2h);
    ASSERT_TRUE(revised);
    EXPECT_EQ(revised->revision, 2);
    EXPECT_EQ(revised->change, ProfileChange::revised);
    p = m_store.get_profile("8021x").value();
    EXPECT_EQ(p->content, "url = b\n");
    EXPECT_EQ(p->applied_at, t0 + 2h);
    EXPECT_TRUE(p->enabled);

    auto history = m_store.list_history("8021x").value();
    ASSERT_EQ(history.size(), 2u);  // created and revised; not the unchanged one
    EXPECT_EQ(history[0].event, "profile_applied");
    EXPECT_EQ(history[0].detail, "revision 2 from cwmp");
    EXPECT_EQ(history[1].detail, "revision 1 from /etc/a.conf");

    EXPECT_EQ(m_store.upsert_profile({"", "x", "y", true}, t0).error().code(),
              Errc::invalid_argument);
}

TEST_F(StateStoreTest, ProfilesAreListedByNameAndRemovedWithAHistoryRow) {
    add_profile("tls");
    add_profile("8021x");
    auto all = m_store.list_profiles().value();
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0].name, "8021x");
    EXPECT_EQ(all[1].name, "tls");

    ASSERT_TRUE(m_store.remove_profile("tls", t0 + 1h));
    EXPECT_FALSE(m_store.get_profile("tls").value());
    EXPECT_EQ(m_store.list_history("tls", 1).value().at(0).event, "profile_removed");
    EXPECT_EQ(m_store.remove_profile("tls", t0).error().code(), Errc::not_found);
}

TEST_F(StateStoreTest, PositionIsSavedAndLoadedAndKeptAcrossAnUpsert) {
    add_profile("tls");
    auto fresh = m_store.load_position("tls").value();
    EXPECT_EQ(fresh.state, "");
    EXPECT_FALSE(fresh.next_action_at);

    LifecyclePosition pos{"AwaitingApproval", R"({"tid":"abc"})", t0 + 60s, "PENDING"};
    ASSERT_TRUE(m_store.save_position("tls", pos, t0 + 1s));
    add_profile("tls");  // same content: nothing changes
    m_store.upsert_profile({"tls", "x", "new content", true}, t0 + 2s).value();  // revised
    auto loaded = m_store.load_position("tls").value();
    EXPECT_EQ(loaded.state, "AwaitingApproval");
    EXPECT_EQ(loaded.state_data, R"({"tid":"abc"})");
    EXPECT_EQ(loaded.next_action_at, t0 + 60s);
    EXPECT_EQ(loaded.last_error, "PENDING");

    EXPECT_EQ(m_store.save_position("nope", pos, t0).error().code(), Errc::not_found);
    EXPECT_EQ(m_store.load_position("nope").error().code(), Errc::not_found);
}

TEST_F(StateStoreTest, TransitionUpdatesThePositionAndAppendsHistoryTogether) {
    add_profile("tls");
    ASSERT_TRUE(m_store.record_transition("tls", "ProfileApplied", {"Unenrolled", "", {}, ""},
                                          "", t0));
    ASSERT_TRUE(m_store.record_transition("tls", "EnrollmentPending",
                                          {"AwaitingApproval", "", t0 + 60s, ""}, "tid abc",
                                          t0 + 1s));
    auto history = m_store.list_history("tls").value();
    ASSERT_EQ(history.size(), 3u);
    EXPECT_EQ(history[0].from_state, "Unenrolled");
    EXPECT_EQ(history[0].to_state, "AwaitingApproval");
    EXPECT_EQ(history[0].event, "EnrollmentPending");
    EXPECT_EQ(history[0].detail, "tid abc");
    EXPECT_EQ(history[0].at, t0 + 1s);
    EXPECT_EQ(history[1].from_state, "");
    EXPECT_EQ(history[1].to_state, "Unenrolled");

    // A failure in the history insert leaves the position where it was.
    ASSERT_TRUE(m_db.exec("CREATE TRIGGER fail_history BEFORE INSERT ON history "
                          "BEGIN SELECT RAISE(ABORT, 'injected'); END"));
    EXPECT_FALSE(m_store.record_transition("tls", "EnrollmentIssued", {"Valid", "", {}, ""}, "",
                                           t0 + 2s));
    EXPECT_EQ(m_store.load_position("tls").value().state, "AwaitingApproval");
    ASSERT_TRUE(m_db.exec("DROP TRIGGER fail_history"));

    EXPECT_EQ(m_store.record_transition("nope", "X", {}, "", t0).error().code(), Errc::not_found);
    EXPECT_TRUE(m_store.list_history("nope").value().empty());
}

TEST_F(StateStoreTest, KeysAreAddedFoundListedAndChangeState) {
    auto id = m_store.add_key("file:1", "tls", "ec:P-256", KeyState::pending, t0);
    ASSERT_TRUE(id) << id.error().to_string();
    auto id2 = m_store.add_key("file:2", "tls", "rsa:2048", KeyState::active, t0 + 1s).value();
    EXPECT_EQ(m_store.add_key("file:1", "tls", "ec:P-256", KeyState::pending, t0).error().code(),
              Errc::already_exists);
    EXPECT_EQ(m_store.add_key("", "tls", "ec:P-256", KeyState::pending, t0).error().code(),
              Errc::invalid_argument);

    auto k = m_store.get_key(*id).value();
    ASSERT_TRUE(k);
    EXPECT_EQ(k->ref, "file:1");
    EXPECT_EQ(k->key_type, "ec:P-256");
    EXPECT_EQ(k->state, KeyState::pending);
    EXPECT_EQ(k->created_at, t0);
    EXPECT_EQ(m_store.find_key("file:2").value()->id, id2);
    EXPECT_FALSE(m_store.find_key("file:3").value());
    EXPECT_EQ(m_store.list_keys("tls").value().size(), 2u);

    ASSERT_TRUE(m_store.set_key_state(*id, KeyState::active, t0 + 5s));
    ASSERT_TRUE(m_store.set_key_state(*id, KeyState::superseded, t0 + 6s));
    k = m_store.get_key(*id).value();
    EXPECT_EQ(k->state, KeyState::superseded);
    EXPECT_EQ(k->state_changed_at, t0 + 6s);
    ASSERT_TRUE(m_store.set_key_state(*id, KeyState::deleted, t0 + 7s));
    EXPECT_EQ(m_store.set_key_state(*id, KeyState::active, t0).error().code(),
              Errc::invalid_argument);
    EXPECT_EQ(m_store.set_key_state(999, KeyState::active, t0).error().code(), Errc::not_found);
    EXPECT_EQ(to_string(KeyState::superseded), "superseded");
}

TEST_F(StateStoreTest, CertificatesAreRecordedWithChainAndListedByRole) {
    auto key = m_store.add_key("file:1", "tls", "ec:P-256", KeyState::active, t0).value();
    auto id = m_store.record_certificate(own_cert("0A", key), t0);
    ASSERT_TRUE(id) << id.error().to_string();

    CertificateRecord anchor = own_cert("01", std::nullopt);
    anchor.role = CertificateRole::trust_anchor;
    anchor.chain.clear();
    EXPECT_EQ(m_store.record_certificate(anchor, t0).error().code(), Errc::invalid_argument);
    anchor.sha256_fingerprint = "sha256:" + std::string(62, 'A') + ":BC";
    auto anchor_id = m_store.record_certificate(anchor, t0);
    ASSERT_TRUE(anchor_id) << anchor_id.error().to_string();
    anchor.sha256_fingerprint = "12";
    anchor.serial = "02";
    EXPECT_EQ(m_store.record_certificate(anchor, t0).error().code(), Errc::invalid_argument);
    EXPECT_EQ(m_store.record_certificate(own_cert("0A", key), t0).error().code(),
              Errc::already_exists);

    auto c = m_store.get_certificate(*id).value();
    ASSERT_TRUE(c);
    EXPECT_EQ(c->serial, "0A");
    EXPECT_EQ(c->der, (std::vector<std::uint8_t>{0x30, 0x03, 0x02, 0x01, 0x01}));
    EXPECT_EQ(c->chain, (std::vector<std::uint8_t>{0x30, 0x00, 0x30, 0x00}));
    EXPECT_EQ(c->key_id, key);
    EXPECT_EQ(c->state, CertificateState::issued);
    EXPECT_EQ(c->not_after, t0 + 24h * 365);
    EXPECT_EQ(c->sha256_fingerprint, "");

    auto a = m_store.get_certificate(*anchor_id).value();
    EXPECT_EQ(a->sha256_fingerprint, std::string(62, 'a') + "bc");
    EXPECT_FALSE(a->key_id);

    EXPECT_EQ(m_store.list_certificates("tls").value().size(), 2u);
    auto anchors = m_store.list_certificates("tls", CertificateRole::trust_anchor).value();
    ASSERT_EQ(anchors.size(), 1u);
    EXPECT_EQ(anchors[0].serial, "01");
    EXPECT_TRUE(m_store.list_certificates("tls", CertificateRole::peer_anchor).value().empty());
    EXPECT_EQ(m_store.find_certificate("tls", "0A").value()->id, *id);

    ASSERT_TRUE(m_store.set_certificate_state(*id, CertificateState::installed, t0 + 1h));
    ASSERT_TRUE(m_store.set_certificate_state(*id, CertificateState::installed, t0 + 2h));
    c = m_store.get_certificate(*id).value();
    EXPECT_EQ(c->state, CertificateState::installed);
    EXPECT_EQ(c->state_changed_at, t0 + 1h);
    EXPECT_EQ(m_store.set_certificate_state(999, CertificateState::expired, t0).error().code(),
              Errc::not_found);
}

TEST_F(StateStoreTest, ScepTransactionIsPolledAndFinished) {
    auto key = m_store.add_key("file:1", "tls", "ec:P-256", KeyState::pending, t0).value();
    ScepTransaction t;
    t.profile = "tls";
    t.transaction_id = "A1B2";
    t.kind = ScepKind::renew;
    t.csr_der = {0x30, 0x01, 0x00};
    t.key_id = key;
    t.next_poll_at = t0 + 60s;
    t.poll_window_ends_at = t0 + 24h;
    auto id = m_store.begin_scep_transaction(t, t0);
    ASSERT_TRUE(id) << id.error().to_string();
    // One pending transaction per profile and per transactionID.
    EXPECT_EQ(m_store.begin_scep_transaction(t, t0).error().code(), Errc::already_exists);
    ScepTransaction other = t;
    other.profile = "8021x";
    EXPECT_EQ(m_store.begin_scep_transaction(other, t0).error().code(), Errc::already_exists);

    ASSERT_TRUE(m_store.record_scep_attempt(*id, t0 + 120s, "PENDING"));
    ASSERT_TRUE(m_store.record_scep_attempt(*id, t0 + 240s, ""));
    auto got = m_store.get_scep_transaction(*id).value();
    ASSERT_TRUE(got);
    EXPECT_EQ(got->attempts, 2);
    EXPECT_EQ(got->next_poll_at, t0 + 240s);
    EXPECT_EQ(got->poll_window_ends_at, t0 + 24h);
    EXPECT_EQ(got->kind, ScepKind::renew);
    EXPECT_EQ(got->csr_der, t.csr_der);
    EXPECT_EQ(got->key_id, key);
    EXPECT_EQ(got->started_at, t0);
    EXPECT_EQ(got->state, ScepState::pending);
    EXPECT_FALSE(got->finished_at);

    other.transaction_id = "C3";
    other.next_poll_at = t0 + 10s;
    auto id2 = m_store.begin_scep_transaction(other, t0).value();
    auto pending = m_store.pending_scep_transactions().value();
    ASSERT_EQ(pending.size(), 2u);
    EXPECT_EQ(pending[0].id, id2);  // sooner poll first

    auto finished = m_store.finish_scep_transaction(*id, ScepState::issued, t0 + 1h);
    ASSERT_TRUE(finished) << finished.error().to_string();
    ASSERT_TRUE(m_store.finish_scep_transaction(*id, ScepState::issued, t0 + 2h));  // no-op
    EXPECT_EQ(m_store.finish_scep_transaction(*id, ScepState::failed, t0).error().code(),
              Errc::invalid_argument);
    EXPECT_EQ(m_store.finish_scep_transaction(*id, ScepState::pending, t0).error().code(),
              Errc::invalid_argument);
    EXPECT_EQ(m_store.record_scep_attempt(*id, {}, "").error().code(), Errc::invalid_argument);
    got = m_store.get_scep_transaction(*id).value();
    EXPECT_EQ(got->state, ScepState::issued);
    EXPECT_EQ(got->finished_at, t0 + 1h);
    EXPECT_FALSE(got->next_poll_at);
    EXPECT_EQ(m_store.pending_scep_transactions().value().size(), 1u);

    // The same transactionID may start again once the first one is finished.
    auto again = m_store.begin_scep_transaction(t, t0 + 3h);
    ASSERT_TRUE(again) << again.error().to_string();
    EXPECT_EQ(m_store.find_scep_transaction("A1B2").value()->id, *again);
    EXPECT_FALSE(m_store.find_scep_transaction("nope").value());
    EXPECT_EQ(m_store.record_scep_attempt(999, {}, "").error().code(), Errc::not_found);
}

TEST_F(StateStoreTest, InstallJournalSupersedesThePreviousInstall) {
    EXPECT_EQ(m_store.next_install_version("tls", "pem:/etc/certs/").value(), 1);
    EXPECT_FALSE(m_store.current_install("tls", "pem:/etc/certs/").value());

    auto first = m_store.begin_install("tls", "pem:/etc/certs/", 1, "0A", t0);
    ASSERT_TRUE(first) << first.error().to_string();
    auto unfinished = m_store.unfinished_installs().value();
    ASSERT_EQ(unfinished.size(), 1u);
    EXPECT_EQ(unfinished[0].state, "installing");
    EXPECT_FALSE(unfinished[0].finished_at);
    EXPECT_FALSE(m_store.current_install("tls", "pem:/etc/certs/").value());

    ASSERT_TRUE(m_store.finish_install(*first, t0 + 1s, 0, "reloaded"));
    EXPECT_TRUE(m_store.unfinished_installs().value().empty());
    auto current = m_store.current_install("tls", "pem:/etc/certs/").value();
    ASSERT_TRUE(current);
    EXPECT_EQ(current->id, *first);
    EXPECT_EQ(current->version, 1);
    EXPECT_EQ(current->cert_serial, "0A");
    EXPECT_EQ(current->state, "installed");
    EXPECT_EQ(current->started_at, t0);
    EXPECT_EQ(current->finished_at, t0 + 1s);
    EXPECT_EQ(current->post_install_status, 0);
    EXPECT_EQ(current->post_install_detail, "reloaded");
    ASSERT_TRUE(m_store.finish_install(*first, t0 + 9s));  // again: no-op
    EXPECT_EQ(m_store.current_install("tls", "pem:/etc/certs/").value()->finished_at, t0 + 1s);

    EXPECT_EQ(m_store.next_install_version("tls", "pem:/etc/certs/").value(), 2);
    EXPECT_EQ(m_store.begin_install("tls", "pem:/etc/certs/", 1, "0B", t0).error().code(),
              Errc::already_exists);
    auto second = m_store.begin_install("tls", "pem:/etc/certs/", 2, "0B", t0 + 1h).value();
    EXPECT_EQ(m_store.current_install("tls", "pem:/etc/certs/").value()->id, *first);
    ASSERT_TRUE(m_store.finish_install(second, t0 + 2h));
    current = m_store.current_install("tls", "pem:/etc/certs/").value();
    EXPECT_EQ(current->id, second);
    EXPECT_FALSE(current->post_install_status);
    EXPECT_EQ(m_store.get_install(*first).value()->state, "superseded");
    EXPECT_EQ(m_store.finish_install(*first, t0).error().code(), Errc::invalid_argument);
    EXPECT_EQ(m_store.abandon_install(second, t0).error().code(), Errc::invalid_argument);

    // Versions count per (profile, store).
    EXPECT_EQ(m_store.next_install_version("tls", "p12:/etc/x.p12").value(), 1);
    EXPECT_EQ(m_store.begin_install("tls", "pem:/etc/certs/", 1, "0C", t0).error().code(),
              Errc::already_exists);
    auto third = m_store.begin_install("tls", "pem:/etc/certs/", 5, "0C", t0 + 3h).value();
    EXPECT_EQ(m_store.begin_install("tls", "pem:/etc/certs/", 4, "0D", t0).error().code(),
              Errc::invalid_argument);
    EXPECT_EQ(m_store.finish_install(999, t0).error().code(), Errc::not_found);
    EXPECT_EQ(m_store.list_installs("tls").value().size(), 3u);
    (void)third;
}

TEST_F(StateStoreTest, AbandonedInstallLeavesTheCurrentOneInPlace) {
    auto first = m_store.begin_install("tls", "der:/etc/c.der", 1, "0A", t0).value();
    ASSERT_TRUE(m_store.finish_install(first, t0));
    auto second = m_store.begin_install("tls", "der:/etc/c.der", 2, "0B", t0 + 1h).value();
    ASSERT_TRUE(m_store.abandon_install(second, t0 + 2h));
    ASSERT_TRUE(m_store.abandon_install(second, t0 + 3h));  // again: no-op
    EXPECT_EQ(m_store.current_install("tls", "der:/etc/c.der").value()->id, first);
    auto abandoned = m_store.get_install(second).value();
    EXPECT_EQ(abandoned->state, "abandoned");
    EXPECT_EQ(abandoned->finished_at, t0 + 2h);
    EXPECT_EQ(m_store.finish_install(second, t0).error().code(), Errc::invalid_argument);
    EXPECT_EQ(m_store.next_install_version("tls", "der:/etc/c.der").value(), 3);
}

TEST_F(StateStoreTest, FinishInstallFailingHalfWayLeavesBothRowsUnchanged) {
    auto first = m_store.begin_install("tls", "pem:/etc/certs/", 1, "0A", t0).value();
    ASSERT_TRUE(m_store.finish_install(first, t0));
    auto second = m_store.begin_install("tls", "pem:/etc/certs/", 2, "0B", t0).value();
    // The first UPDATE (supersede the old row) succeeds, the second one fails.
    ASSERT_TRUE(m_db.exec("CREATE TRIGGER fail_install BEFORE UPDATE OF state ON installs "
                          "WHEN NEW.state = 'installed' BEGIN SELECT RAISE(ABORT, 'injected'); "
                          "END"));
    auto failed = m_store.finish_install(second, t0 + 1s);
    ASSERT_FALSE(failed);
    EXPECT_NE(failed.error().message().find("injected"), std::string::npos);
    EXPECT_EQ(m_store.get_install(first).value()->state, "installed");
    EXPECT_EQ(m_store.get_install(second).value()->state, "installing");
    EXPECT_FALSE(m_db.in_transaction());

    ASSERT_TRUE(m_db.exec("DROP TRIGGER fail_install"));
    ASSERT_TRUE(m_store.finish_install(second, t0 + 2s));
    EXPECT_EQ(m_store.get_install(first).value()->state, "superseded");
}

TEST_F(StateStoreTest, JournalSurvivesReopeningTheFile) {
    auto id = m_store.begin_install("tls", "pem:/etc/certs/", 1, "0A", t0).value();
    auto reopened = open_state_db(m_dir / "state.db").value();
    StateStore store(reopened);
    auto unfinished = store.unfinished_installs().value();
    ASSERT_EQ(unfinished.size(), 1u);
    EXPECT_EQ(unfinished[0].id, id);
    ASSERT_TRUE(store.abandon_install(id, t0 + 1s));
    EXPECT_TRUE(m_store.unfinished_installs().value().empty());
}

TEST_F(StateStoreTest, HistoryIsListedNewestFirstWithALimit) {
    for (int i = 0; i < 5; ++i) {
        ASSERT_TRUE(m_store.append_history(
            {0, "tls", t0 + std::chrono::seconds(i), "", "", "Event" + std::to_string(i), ""}));
    }
    ASSERT_TRUE(m_store.append_history({0, "", t0, "", "", "cleanup", "global"}));
    EXPECT_EQ(m_store.append_history({0, "tls", t0, "", "", "", ""}).error().code(),
              Errc::invalid_argument);
    auto last = m_store.list_history("tls", 2).value();
    ASSERT_EQ(last.size(), 2u);
    EXPECT_EQ(last[0].event, "Event4");
    EXPECT_EQ(last[1].event, "Event3");
    EXPECT_EQ(m_store.list_history("tls").value().size(), 5u);
    EXPECT_EQ(m_store.list_history("").value().at(0).detail, "global");
    EXPECT_EQ(count("SELECT COUNT(*) FROM history"), 6);
}

}  // namespace
}  // namespace stores
