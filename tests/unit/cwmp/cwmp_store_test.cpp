#include "cwmp/cwmp_store.h"

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>

#include "fakes/temp_dir.h"
#include "stores/state_db.h"

namespace cwmp {
namespace {

using namespace std::chrono_literals;

const common::SystemTime t0 = common::SystemTime{} + std::chrono::seconds(1'700'000'000);

class CwmpStoreTest : public ::testing::Test {
protected:
    fakes::TempDir m_dir{"certkeeper-cwmp-store"};
    stores::Database m_db = stores::open_state_db(m_dir / "state.db").value();
    CwmpStore m_store{m_db};
};

TEST_F(CwmpStoreTest, EventsStayUntilAcknowledged) {
    const auto boot = m_store.queue_event("1 BOOT", "", t0).value();
    const auto download = m_store.queue_event("M Download", "cmd-1", t0 + 1s, "payload").value();
    EXPECT_EQ(m_store.queue_event("1 BOOT", "", t0 + 2s).value(), boot) << "single events once";
    const auto second = m_store.queue_event("M Download", "cmd-2", t0 + 3s).value();
    EXPECT_LT(boot, download);
    EXPECT_LT(download, second);

    auto pending = m_store.pending_events().value();
    ASSERT_EQ(pending.size(), 3u);
    EXPECT_EQ(pending[1], (QueuedEvent{download, "M Download", "cmd-1", "payload", t0 + 1s}));

    ASSERT_TRUE(m_store.acknowledge_events(download));
    pending = m_store.pending_events().value();
    ASSERT_EQ(pending.size(), 1u);
    EXPECT_EQ(pending[0].command_key, "cmd-2");
    ASSERT_TRUE(m_store.remove_events("M Download"));
    EXPECT_TRUE(m_store.pending_events().value().empty());
    EXPECT_FALSE(m_store.queue_event("", "", t0));
}

TEST_F(CwmpStoreTest, MultipleEventCodes) {
    EXPECT_TRUE(is_multiple_event("M Reboot"));
    EXPECT_TRUE(is_multiple_event("7 TRANSFER COMPLETE"));
    EXPECT_FALSE(is_multiple_event("4 VALUE CHANGE"));
    EXPECT_FALSE(is_multiple_event("0 BOOTSTRAP"));
}

TEST_F(CwmpStoreTest, AttributesPersistAcrossAReopen) {
    ASSERT_TRUE(m_store.set_attributes({{"Device.DeviceInfo.SoftwareVersion", 2, {}},
                                        {"Device.Security.Certificate.1.NotAfter", 1, {"Subscriber"}},
                                        {"Device.Security.Certificate.2.NotAfter", 1, {}}}));
    ASSERT_TRUE(m_store.set_attributes({{"Device.Security.Certificate.2.NotAfter", 0, {}}}));
    {
        auto db = stores::open_state_db(m_dir / "state.db").value();
        CwmpStore reopened(db);
        auto rows = reopened.attributes().value();
        ASSERT_EQ(rows.size(), 3u);
        EXPECT_EQ(rows[0], (StoredAttributes{"Device.DeviceInfo.SoftwareVersion", 2, {}}));
        EXPECT_EQ(rows[1], (StoredAttributes{"Device.Security.Certificate.1.NotAfter", 1, {"Subscriber"}}));
        EXPECT_EQ(rows[2], (StoredAttributes{"Device.Security.Certificate.2.NotAfter", 0, {}}));
        ASSERT_TRUE(reopened.remove_attributes_under("Device.Security.Certificate.1."));
    }
    EXPECT_EQ(m_store.attributes().value().size(), 2u);
    ASSERT_TRUE(m_store.set_attributes({{"Device.Security.", 1, {}}}));
    EXPECT_EQ(m_store.attributes().value(),
              (std::vector<StoredAttributes>{{"Device.DeviceInfo.SoftwareVersion", 2, {}},
                                             {"Device.Security.", 1, {}}}))
        << "a partial path replaces the rows below it";
    EXPECT_FALSE(m_store.set_attributes({{"Device.X", 3, {}}})) << "CHECK notification IN (0,1,2)";
}

TEST_F(CwmpStoreTest, InstanceNumbersAreStableAndNeverReused) {
    const std::string object = "Device.X_001122_CertificateProfile.";
    EXPECT_EQ(m_store.assign_instance(object, "wifi").value(), 1u);
    EXPECT_EQ(m_store.assign_instance(object, "vpn").value(), 2u);
    EXPECT_EQ(m_store.assign_instance(object, "wifi").value(), 1u);
    EXPECT_EQ(m_store.assign_instance(object, std::nullopt).value(), 3u);
    EXPECT_EQ(m_store.assign_instance("Device.Security.Certificate.", "7").value(), 1u);
    ASSERT_TRUE(m_store.remove_instance(object, 3));
    EXPECT_EQ(m_store.assign_instance(object, std::nullopt).value(), 4u) << "3 is not reused";
    ASSERT_TRUE(m_store.set_instance_key(object, 4, "sip"));
    EXPECT_EQ(m_store.set_instance_key(object, 9, "x").error().code(), common::Errc::not_found);
    EXPECT_EQ(m_store.set_instance_key(object, 4, "wifi").error().code(), common::Errc::already_exists);
    auto rows = m_store.instances(object).value();
    ASSERT_EQ(rows.size(), 3u);
    EXPECT_EQ(rows[2], (InstanceRecord{4, "sip"}));
    EXPECT_EQ(m_store.remove_instance(object, 3).error().code(), common::Errc::not_found);
}

TEST_F(CwmpStoreTest, ParameterKeyAndValues) {
    EXPECT_EQ(m_store.parameter_key().value(), "");
    ASSERT_TRUE(m_store.set_values({{"Device.ManagementServer.URL", "https://acs"}}, "key-1"));
    EXPECT_EQ(m_store.parameter_key().value(), "key-1");
    ASSERT_TRUE(m_store.set_parameter_key("key-2"));
    EXPECT_EQ(m_store.parameter_key().value(), "key-2");
    EXPECT_EQ(m_store.values().value().at("Device.ManagementServer.URL"), "https://acs");

    ASSERT_TRUE(m_store.set_reported_values({{"Device.A", "1"}, {"Device.B", "2"}}));
    ASSERT_TRUE(m_store.set_reported_values({{"Device.B", "3"}}));
    EXPECT_EQ(m_store.reported_values().value(), (std::map<std::string, std::string>{{"Device.B", "3"}}));
}

TEST(CwmpStateDb, Version3HasTheCwmpTables) {
    fakes::TempDir dir;
    auto db = stores::open_state_db(dir / "state.db").value();
    EXPECT_EQ(db.user_version().value(), 3);
    for (const char* table : {"cwmp_events", "cwmp_attributes", "cwmp_instances",
                              "cwmp_instance_counters", "cwmp_values", "cwmp_reported_values"}) {
        auto stmt = db.prepare(std::string("SELECT strict FROM pragma_table_list WHERE name = '") +
                               table + "'")
                        .value();
        ASSERT_TRUE(stmt.step().value()) << table;
        EXPECT_EQ(stmt.column_int64(0), 1) << table << " is STRICT";
    }
}

}  // namespace
}  // namespace cwmp
