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

TEST_F(CwmpStoreTest, DownloadsStayUntilFinishedWhichQueuesTheirEventsTogether) {
    Download d;
    d.command_key = "dl-1";
    d.file_type = "3 Vendor Configuration File";
    d.url = "http://acs.example/files/tls.conf";
    d.username = "u";
    d.password = "p";
    d.file_size = 123;
    const auto first = m_store.add_download(d, t0 + 30s).value();
    d.command_key = "dl-2";
    const auto second = m_store.add_download(d, t0).value();

    // What survives a restart: both, oldest first, every field.
    CwmpStore reopened(m_db);
    auto pending = reopened.pending_downloads().value();
    ASSERT_EQ(pending.size(), 2u);
    EXPECT_EQ(pending[0].id, first);
    EXPECT_EQ(pending[0].due_at, t0 + 30s);
    EXPECT_EQ(pending[1].download, d);

    ASSERT_TRUE(m_store.finish_download(second, "dl-2", "tc-payload", t0 + 1s));
    pending = m_store.pending_downloads().value();
    ASSERT_EQ(pending.size(), 1u);
    EXPECT_EQ(pending[0].id, first);
    const auto events = m_store.pending_events().value();
    ASSERT_EQ(events.size(), 2u);
    EXPECT_EQ(events[0].event_code, "M Download");
    EXPECT_EQ(events[0].command_key, "dl-2");
    EXPECT_EQ(events[1].event_code, "7 TRANSFER COMPLETE");
    EXPECT_EQ(events[1].payload, "tc-payload");

    auto again = m_store.finish_download(second, "dl-2", "tc-payload", t0 + 2s);
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code(), common::Errc::not_found);
    EXPECT_EQ(m_store.pending_events().value().size(), 2u) << "nothing queued for an unknown Download";
}

TEST_F(CwmpStoreTest, BootstrappedUrl) {
    EXPECT_EQ(m_store.bootstrapped_url().value(), "");
    ASSERT_TRUE(m_store.set_bootstrapped_url("https://acs.example/cwmp"));
    EXPECT_EQ(m_store.bootstrapped_url().value(), "https://acs.example/cwmp");
}

TEST(CwmpStateDb, AVersion3FileGainsTheDownloadsTableAndKeepsItsEvents) {
    fakes::TempDir dir;
    {
        // A version 3 file: today's schema without version 4's table, with an event in it.
        auto db = stores::open_state_db(dir / "state.db").value();
        ASSERT_TRUE(CwmpStore(db).queue_event("1 BOOT", "", t0));
        ASSERT_TRUE(db.exec("DROP TABLE cwmp_downloads"));
        ASSERT_TRUE(db.set_user_version(3));
    }
    auto db = stores::open_state_db(dir / "state.db").value();
    EXPECT_EQ(db.user_version().value(), 4);
    CwmpStore store(db);
    EXPECT_EQ(store.pending_events().value().size(), 1u);
    EXPECT_TRUE(store.pending_downloads().value().empty());
    EXPECT_TRUE(store.add_download(Download{}, t0));
}

TEST(CwmpStateDb, Version4HasTheCwmpTables) {
    fakes::TempDir dir;
    auto db = stores::open_state_db(dir / "state.db").value();
    EXPECT_EQ(db.user_version().value(), 4);
    for (const char* table : {"cwmp_events", "cwmp_attributes", "cwmp_instances", "cwmp_instance_counters",
                              "cwmp_values", "cwmp_reported_values", "cwmp_downloads"}) {
        auto stmt = db.prepare(std::string("SELECT strict FROM pragma_table_list WHERE name = '") +
                               table + "'")
                        .value();
        ASSERT_TRUE(stmt.step().value()) << table;
        EXPECT_EQ(stmt.column_int64(0), 1) << table << " is STRICT";
    }
}

}  // namespace
}  // namespace cwmp
