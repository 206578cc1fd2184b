#include "stores/install_reconcile.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "fakes/temp_dir.h"
#include "stores/state_db.h"
#include "unit/crypto/test_pki_builder.h"

namespace stores {
namespace {

using Outcome = ReconciledInstall::Outcome;

class InstallReconcileTest : public ::testing::Test {
protected:
    void SetUp() override {
        m_spec.format = StoreFormat::pem;
        m_spec.path = m_dir / "store";
        test_pki::Issued ca = test_pki::issue(test_pki::ca_spec("Reconcile CA"));
        for (const char* cn : {"one", "two", "three"}) {
            test_pki::Issued leaf = test_pki::issue(test_pki::leaf_spec(cn), &ca);
            m_material.push_back({leaf.key, leaf.cert, {ca.cert}});
        }
    }

    common::SystemTime now() const { return test_pki::reference_time(); }
    std::string id() const { return store_id(m_spec); }

    // A journal row 'installing' for the next version; with `write`, the store gets it too.
    std::int64_t begin(std::size_t material, bool write) {
        const std::int64_t version = m_state.next_install_version("p", id()).value();
        const std::int64_t row =
            m_state.begin_install("p", id(), version, m_material[material].certificate.serial_hex(),
                                  now())
                .value();
        if (write) {
            auto v = install(m_spec, m_material[material], static_cast<std::uint64_t>(version));
            EXPECT_TRUE(v) << v.error().to_string();
        }
        return row;
    }

    StoreResolver resolver() {
        return [this](const std::string& profile, const std::string& store) -> std::optional<AppStoreSpec> {
            if (profile == "p" && store == id()) return m_spec;
            return std::nullopt;
        };
    }

    fakes::TempDir m_dir{"certkeeper-reconcile"};
    Database m_db = open_state_db(m_dir / "state.db").value();
    StateStore m_state{m_db};
    AppStoreSpec m_spec;
    std::vector<InstallMaterial> m_material;
};

TEST_F(InstallReconcileTest, StoreIdIsFormatAndPathWithoutTrailingSlash) {
    EXPECT_EQ(store_id(StoreFormat::pem, "/etc/certs/8021x/"), "pem:/etc/certs/8021x");
    EXPECT_EQ(store_id(StoreFormat::der, "/var/lib/x"), "der:/var/lib/x");
    AppStoreSpec p12;
    p12.format = StoreFormat::pkcs12;
    p12.path = "/var/lib/mgmt/client.p12";
    p12.pkcs12_passphrase = "secret";
    EXPECT_EQ(store_id(p12), "pkcs12:/var/lib/mgmt/client.p12");
    EXPECT_EQ(store_id(StoreFormat::pem, "/"), "pem:/");
}

TEST_F(InstallReconcileTest, NothingUnfinishedIsAnEmptyReport) {
    auto report = reconcile_installs(m_state, resolver(), now());
    ASSERT_TRUE(report) << report.error().to_string();
    EXPECT_TRUE(report->installs.empty());
}

TEST_F(InstallReconcileTest, VersionInServiceIsFinishedAndSupersedesThePreviousRow) {
    const std::int64_t first = begin(0, true);
    ASSERT_TRUE(m_state.finish_install(first, now()));
    const std::int64_t second = begin(1, true);  // switched, then the crash: journal not told

    auto report = reconcile_installs(m_state, resolver(), now());
    ASSERT_TRUE(report) << report.error().to_string();
    ASSERT_EQ(report->installs.size(), 1u);
    EXPECT_EQ(report->installs[0].outcome, Outcome::finished);
    EXPECT_EQ(report->installs[0].row.id, second);
    EXPECT_EQ(report->installs[0].current, 2u);
    auto current = m_state.current_install("p", id()).value();
    ASSERT_TRUE(current);
    EXPECT_EQ(current->id, second);
    EXPECT_EQ(m_state.get_install(first).value()->state, "superseded");
    EXPECT_TRUE(m_state.unfinished_installs().value().empty());
}

TEST_F(InstallReconcileTest, VersionNotInServiceIsAbandonedAndThePreviousStaysCurrent) {
    const std::int64_t first = begin(0, true);
    ASSERT_TRUE(m_state.finish_install(first, now()));
    const std::int64_t second = begin(1, false);  // the crash came before the switch

    auto report = reconcile_installs(m_state, resolver(), now());
    ASSERT_TRUE(report) << report.error().to_string();
    ASSERT_EQ(report->installs.size(), 1u);
    EXPECT_EQ(report->installs[0].outcome, Outcome::abandoned);
    EXPECT_EQ(report->installs[0].current, 1u);
    EXPECT_EQ(m_state.get_install(second).value()->state, "abandoned");
    EXPECT_EQ(m_state.current_install("p", id()).value()->id, first);
    EXPECT_EQ(report->count(Outcome::abandoned), 1u);
    EXPECT_EQ(report->count(Outcome::finished), 0u);
}

TEST_F(InstallReconcileTest, FirstInstallInterruptedIntoAnEmptyStoreIsAbandoned) {
    const std::int64_t row = begin(0, false);
    auto report = reconcile_installs(m_state, resolver(), now());
    ASSERT_TRUE(report) << report.error().to_string();
    ASSERT_EQ(report->installs.size(), 1u);
    EXPECT_EQ(report->installs[0].outcome, Outcome::abandoned);
    EXPECT_FALSE(report->installs[0].current);
    EXPECT_EQ(m_state.get_install(row).value()->state, "abandoned");
    EXPECT_FALSE(m_state.current_install("p", id()).value());
}

TEST_F(InstallReconcileTest, UnknownStoreIsLeftInstallingForTheNextStart) {
    const std::int64_t row =
        m_state.begin_install("gone", "pem:/nowhere", 1, "01", now()).value();
    auto report = reconcile_installs(m_state, resolver(), now());
    ASSERT_TRUE(report) << report.error().to_string();
    ASSERT_EQ(report->installs.size(), 1u);
    EXPECT_EQ(report->installs[0].outcome, Outcome::unresolved);
    EXPECT_EQ(m_state.get_install(row).value()->state, "installing");
}

TEST_F(InstallReconcileTest, UnrecoverableStoreIsReportedAndTheOthersAreStillSettled) {
    const std::int64_t broken = m_state.begin_install("q", "pem:broken", 1, "01", now()).value();
    const std::int64_t good = begin(2, true);
    StoreResolver resolve = [this](const std::string& profile, const std::string& store) {
        if (profile == "q") {
            AppStoreSpec bad;  // no path: recover() refuses it
            return std::optional<AppStoreSpec>(bad);
        }
        return resolver()(profile, store);
    };
    auto report = reconcile_installs(m_state, resolve, now());
    ASSERT_TRUE(report) << report.error().to_string();
    ASSERT_EQ(report->installs.size(), 2u);
    EXPECT_EQ(report->installs[0].outcome, Outcome::failed);
    EXPECT_FALSE(report->installs[0].error.empty());
    EXPECT_EQ(report->installs[1].outcome, Outcome::finished);
    EXPECT_EQ(m_state.get_install(broken).value()->state, "installing");
    EXPECT_EQ(m_state.get_install(good).value()->state, "installed");
}

}  // namespace
}  // namespace stores
