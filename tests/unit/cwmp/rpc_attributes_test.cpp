#include <gtest/gtest.h>

#include "cwmp/rpc_dispatcher.h"
#include "cwmp/value_change.h"
#include "fake_providers.h"

namespace cwmp {
namespace {

using namespace cwmp::testing;

class RpcAttributesTest : public CwmpFixture {
protected:
    void SetUp() override {
        m_certs.views.push_back({"own:wifi", true, {}, "0A", "CN=CA", "CN=dev", {}, {}, {}, ""});
    }
    Body set(std::vector<SetParameterAttributesStruct> list) {
        return dispatch(SetParameterAttributes{std::move(list)}, m_context);
    }
    ParameterAttributeStruct get(const std::string& name) {
        const auto body = dispatch(GetParameterAttributes{{name}}, m_context);
        const auto& list = std::get<GetParameterAttributesResponse>(body).parameter_list;
        EXPECT_EQ(list.size(), 1u);
        return list.empty() ? ParameterAttributeStruct{} : list[0];
    }
    static std::uint32_t fault_code(const Body& body) {
        const auto* f = std::get_if<Fault>(&body);
        return f != nullptr && f->detail ? f->detail->fault_code : 0;
    }
};

TEST_F(RpcAttributesTest, DefaultsFollowTheDataModel) {
    EXPECT_EQ(get("Device.DeviceInfo.Manufacturer").notification, Notification::off);
    EXPECT_EQ(get("Device.ManagementServer.ConnectionRequestURL").notification, Notification::active);
    EXPECT_EQ(get("Device.DeviceInfo.SoftwareVersion").notification, Notification::active);
}

TEST_F(RpcAttributesTest, AttributesPersistAcrossAReopen) {
    const auto body = set({{"Device.Security.Certificate.1.NotAfter", true, Notification::active, true, {"Subscriber"}},
                           {"Device.ManagementServer.", true, Notification::passive, false, {}}});
    ASSERT_TRUE(std::holds_alternative<SetParameterAttributesResponse>(body));
    auto db = stores::open_state_db(m_dir / "state.db").value();
    CwmpStore store(db);
    DataModel model(DataModelProviders{m_device, m_ms, m_certs, m_profiles}, store, oui);
    RpcContext context{model, store, m_actions, m_clock};
    const auto got = dispatch(GetParameterAttributes{{"Device.Security.Certificate.1.NotAfter",
                                                      "Device.ManagementServer.URL"}},
                              context);
    const auto& list = std::get<GetParameterAttributesResponse>(got).parameter_list;
    ASSERT_EQ(list.size(), 2u);
    EXPECT_EQ(list[0], (ParameterAttributeStruct{"Device.Security.Certificate.1.NotAfter", Notification::active,
                                                 {"Subscriber"}}));
    EXPECT_EQ(list[1].notification, Notification::passive);
}

TEST_F(RpcAttributesTest, ActiveNotificationOnUpTimeIsRejected) {
    EXPECT_EQ(fault_code(set({{"Device.DeviceInfo.UpTime", true, Notification::active, false, {}}})), 9009u);
    ASSERT_TRUE(std::holds_alternative<SetParameterAttributesResponse>(
        set({{"Device.DeviceInfo.UpTime", true, Notification::passive, false, {}}})));
    EXPECT_EQ(get("Device.DeviceInfo.UpTime").notification, Notification::passive);
    ASSERT_TRUE(std::holds_alternative<SetParameterAttributesResponse>(
        set({{"Device.DeviceInfo.", true, Notification::active, false, {}}})));
    EXPECT_EQ(get("Device.DeviceInfo.UpTime").notification, Notification::off) << "below a partial path it stays off";
    EXPECT_EQ(get("Device.DeviceInfo.Manufacturer").notification, Notification::active);
}

TEST_F(RpcAttributesTest, AllOrNothing) {
    const auto body = set({{"Device.DeviceInfo.Manufacturer", true, Notification::active, false, {}},
                           {"Device.DeviceInfo.Nope", true, Notification::active, false, {}}});
    EXPECT_EQ(fault_code(body), 9005u);
    EXPECT_EQ(get("Device.DeviceInfo.Manufacturer").notification, Notification::off);
    EXPECT_EQ(fault_code(set({{"Device.DeviceInfo.Manufacturer", true, Notification::active_lightweight, false, {}}})),
              9003u);
    EXPECT_EQ(fault_code(set({{"Device.DeviceInfo.Manufacturer", false, Notification::off, true, {"Everyone"}}})),
              9003u);
    EXPECT_TRUE(m_store.attributes().value().empty());
}

TEST_F(RpcAttributesTest, ForcedNotificationIsIgnored) {
    ASSERT_TRUE(std::holds_alternative<SetParameterAttributesResponse>(
        set({{"Device.DeviceInfo.SoftwareVersion", true, Notification::off, false, {}}})));
    EXPECT_EQ(get("Device.DeviceInfo.SoftwareVersion").notification, Notification::active);
}

TEST_F(RpcAttributesTest, CertificateChangesBecomeValueChanges) {
    const std::vector<std::string> all{""};
    ASSERT_TRUE(mark_reported(m_model, m_store, all)) << "the baseline, as at BOOTSTRAP";
    ASSERT_TRUE(std::holds_alternative<SetParameterAttributesResponse>(
        set({{"Device.Security.Certificate.", true, Notification::active, false, {}}})));
    EXPECT_TRUE(pending_value_changes(m_model, m_store).value().empty()) << "setting attributes is no change";

    m_certs.views[0].serial_number = "0B";  // the lifecycle renewed the certificate
    m_certs.views.push_back({"trust_anchor:CN=Root|01", true, {}, "01", "CN=Root", "CN=Root", {}, {}, {}, ""});
    const auto changes = pending_value_changes(m_model, m_store).value();
    std::vector<std::string> names;
    for (const auto& c : changes) names.push_back(c.name);
    EXPECT_NE(std::find(names.begin(), names.end(), "Device.Security.Certificate.1.SerialNumber"), names.end());
    EXPECT_NE(std::find(names.begin(), names.end(), "Device.Security.Certificate.2.Subject"), names.end())
        << "a new instance's parameters count as changed";
    EXPECT_EQ(std::find(names.begin(), names.end(), "Device.Security.Certificate.1.Subject"), names.end());
    for (const auto& c : changes) EXPECT_EQ(c.notification, Notification::active);

    ASSERT_TRUE(mark_reported(m_model, m_store, all));
    EXPECT_TRUE(pending_value_changes(m_model, m_store).value().empty());
}

TEST_F(RpcAttributesTest, AnAccessListOnAPartialPathKeepsEachNotification) {
    ASSERT_TRUE(std::holds_alternative<SetParameterAttributesResponse>(
        set({{"Device.ManagementServer.URL", true, Notification::passive, false, {}}})));
    ASSERT_TRUE(std::holds_alternative<SetParameterAttributesResponse>(
        set({{"Device.ManagementServer.", false, Notification::off, true, {"Subscriber"}}})));
    EXPECT_EQ(get("Device.ManagementServer.URL"),
              (ParameterAttributeStruct{"Device.ManagementServer.URL", Notification::passive, {"Subscriber"}}));
    EXPECT_EQ(get("Device.ManagementServer.ConnectionRequestURL").notification, Notification::active);
    EXPECT_EQ(get("Device.ManagementServer.Username").access_list, std::vector<std::string>{"Subscriber"});
}

TEST(CwmpValueChange, ChangedValuesComparesWithThePreviousOnes) {
    const std::vector<WatchedValue> current{{"Device.A", "1", ValueType::string, Notification::passive},
                                            {"Device.B", "2", ValueType::string, Notification::active},
                                            {"Device.C", "3", ValueType::string, Notification::active}};
    const auto changed = changed_values({{"Device.A", "1"}, {"Device.B", "1"}}, current);
    ASSERT_EQ(changed.size(), 2u);
    EXPECT_EQ(changed[0].name, "Device.B");
    EXPECT_EQ(changed[1].name, "Device.C");
}

}  // namespace
}  // namespace cwmp
