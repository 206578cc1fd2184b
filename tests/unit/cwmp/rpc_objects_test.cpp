#include <gtest/gtest.h>

#include "cwmp/rpc_dispatcher.h"
#include "fake_providers.h"

namespace cwmp {
namespace {

using namespace cwmp::testing;
using V = ValueType;

class RpcObjectsTest : public CwmpFixture {
protected:
    static std::uint32_t fault_code(const Body& body) {
        const auto* f = std::get_if<Fault>(&body);
        return f != nullptr && f->detail ? f->detail->fault_code : 0;
    }
};

TEST_F(RpcObjectsTest, AddObjectMakesADisabledEmptyInstanceThatSetParameterValuesFills) {
    m_profiles.entries.push_back({make_profile("wifi"), {}});
    (void)tree();
    const auto added = dispatch(AddObject{table, "add-1"}, m_context);
    ASSERT_TRUE(std::holds_alternative<AddObjectResponse>(added));
    EXPECT_EQ(std::get<AddObjectResponse>(added).instance_number, 2u);
    EXPECT_EQ(m_store.parameter_key().value(), "add-1");
    EXPECT_EQ(value(table + "2.Enable"), "false");
    EXPECT_EQ(value(table + "2.Name"), "");
    EXPECT_EQ(value(table + "2.RenewAtPercent"), "0");
    EXPECT_EQ(value("Device.X_001122_CertificateProfileNumberOfEntries"), "2");
    EXPECT_EQ(m_profiles.entries.size(), 1u) << "no profile until it is valid";

    // An incomplete profile is refused; a complete one is applied, still disabled.
    auto incomplete = dispatch(SetParameterValues{{{table + "2.Name", "vpn", V::string}}, "k"}, m_context);
    ASSERT_TRUE(std::holds_alternative<Fault>(incomplete));
    const auto set = dispatch(SetParameterValues{{{table + "2.Name", "vpn", V::string},
                                                  {table + "2.URL", "http://ra/scep", V::string},
                                                  {table + "2.CAFingerprint", fp_hex, V::string},
                                                  {table + "2.Subject", "CN=vpn", V::string}},
                                                 "k2"},
                              m_context);
    ASSERT_TRUE(std::holds_alternative<SetParameterValuesResponse>(set))
        << std::get<Fault>(set).detail->set_parameter_values_faults.at(0).parameter_name << ": "
        << std::get<Fault>(set).detail->set_parameter_values_faults.at(0).fault_string;
    ASSERT_EQ(m_profiles.entries.size(), 2u);
    EXPECT_FALSE(m_profiles.entries[1].profile.enabled());
    EXPECT_EQ(value(table + "2.Name"), "vpn");
}

TEST_F(RpcObjectsTest, DeleteObjectRemovesTheProfile) {
    m_profiles.entries.push_back({make_profile("wifi"), {}});
    m_profiles.entries.push_back({make_profile("vpn"), {}});
    (void)tree();
    ASSERT_TRUE(std::holds_alternative<SetParameterAttributesResponse>(
        dispatch(SetParameterAttributes{{{table + "1.URL", true, Notification::passive, false, {}}}}, m_context)));
    const auto deleted = dispatch(DeleteObject{table + "1.", "del-1"}, m_context);
    ASSERT_TRUE(std::holds_alternative<DeleteObjectResponse>(deleted));
    ASSERT_EQ(m_profiles.entries.size(), 1u);
    EXPECT_EQ(m_profiles.entries[0].profile.name(), "vpn");
    EXPECT_EQ(m_store.parameter_key().value(), "del-1");
    EXPECT_TRUE(m_store.attributes().value().empty());
    EXPECT_FALSE(tree().find(table + "1."));
    EXPECT_EQ(fault_code(dispatch(DeleteObject{table + "1.", ""}, m_context)), 9005u);
    EXPECT_EQ(std::get<AddObjectResponse>(dispatch(AddObject{table, ""}, m_context)).instance_number, 3u);
}

TEST_F(RpcObjectsTest, OnlyTheVendorTableTakesObjects) {
    EXPECT_EQ(fault_code(dispatch(AddObject{"Device.Security.Certificate.", ""}, m_context)), 9005u);
    EXPECT_EQ(fault_code(dispatch(AddObject{"Device.Nope.", ""}, m_context)), 9005u);
    EXPECT_EQ(fault_code(dispatch(DeleteObject{"Device.Security.Certificate.1.", ""}, m_context)), 9005u);
    EXPECT_EQ(fault_code(dispatch(DeleteObject{table, ""}, m_context)), 9005u);
    EXPECT_EQ(fault_code(dispatch(AddObject{table, std::string(33, 'k')}, m_context)), 9003u);
}

TEST_F(RpcObjectsTest, TooManyInstancesIsResourcesExceeded) {
    for (std::size_t i = 0; i < max_profile_instances; ++i) {
        ASSERT_TRUE(std::holds_alternative<AddObjectResponse>(dispatch(AddObject{table, ""}, m_context)));
    }
    EXPECT_EQ(fault_code(dispatch(AddObject{table, ""}, m_context)), 9004u);
}

TEST_F(RpcObjectsTest, DeviceActions) {
    ASSERT_TRUE(std::holds_alternative<RebootResponse>(dispatch(Reboot{"rb-1"}, m_context)));
    const auto events = m_store.pending_events().value();
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].event_code, "M Reboot");
    EXPECT_EQ(events[0].command_key, "rb-1");
    ASSERT_TRUE(std::holds_alternative<FactoryResetResponse>(dispatch(FactoryReset{}, m_context)));
    ASSERT_TRUE(std::holds_alternative<ScheduleInformResponse>(dispatch(ScheduleInform{30, "si"}, m_context)));
    EXPECT_EQ(fault_code(dispatch(ScheduleInform{0, "si"}, m_context)), 9003u);

    Download d;
    d.command_key = "dl";
    d.file_type = "X 001122 Certificate Profile";
    d.url = "https://acs.example.net/profiles/wifi.conf";
    const auto response = dispatch(d, m_context);
    ASSERT_TRUE(std::holds_alternative<DownloadResponse>(response));
    EXPECT_EQ(std::get<DownloadResponse>(response).status, Status::not_yet_applied);
    EXPECT_EQ(m_actions.last_download->kind, DownloadRequest::Kind::certificate_profile);
    d.file_type = "3 Vendor Configuration File";
    ASSERT_TRUE(std::holds_alternative<DownloadResponse>(dispatch(d, m_context)));
    EXPECT_EQ(m_actions.last_download->kind, DownloadRequest::Kind::vendor_configuration);
    d.file_type = "1 Firmware Upgrade Image";
    EXPECT_EQ(fault_code(dispatch(d, m_context)), 9003u);
    d.file_type = "3 Vendor Configuration File";
    d.url = "ftp://acs.example.net/x";
    EXPECT_EQ(fault_code(dispatch(d, m_context)), 9013u);
    EXPECT_EQ(m_actions.calls, (std::vector<std::string>{"reboot rb-1", "factory_reset", "schedule_inform 30 si",
                                                         "download https://acs.example.net/profiles/wifi.conf",
                                                         "download https://acs.example.net/profiles/wifi.conf"}));
}

}  // namespace
}  // namespace cwmp
