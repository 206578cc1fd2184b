#include <gtest/gtest.h>

#include <algorithm>

#include "cwmp/rpc_dispatcher.h"
#include "fake_providers.h"

namespace cwmp {
namespace {

using namespace cwmp::testing;

class RpcGetTest : public CwmpFixture {
protected:
    void SetUp() override {
        m_profiles.entries.push_back({make_profile("wifi", "challenge = otp-1\n"), {}});
        m_certs.views.push_back({"own:wifi", true, {}, "0A", "CN=CA", "CN=dev", {}, {}, {}, "sha256WithRSAEncryption"});
    }
    std::vector<std::string> names(const Body& body) {
        std::vector<std::string> out;
        for (const auto& p : std::get<GetParameterNamesResponse>(body).parameter_list) out.push_back(p.name);
        return out;
    }
    static std::uint32_t fault_code(const Body& body) {
        const auto* f = std::get_if<Fault>(&body);
        return f != nullptr && f->detail ? f->detail->fault_code : 0;
    }
};

TEST_F(RpcGetTest, GetRPCMethodsListsEveryHandledMethod) {
    const auto body = dispatch(GetRPCMethods{}, m_context);
    const auto& list = std::get<GetRPCMethodsResponse>(body).method_list;
    for (const char* m : {"GetRPCMethods", "SetParameterValues", "GetParameterValues", "GetParameterNames",
                          "SetParameterAttributes", "GetParameterAttributes", "AddObject", "DeleteObject", "Reboot",
                          "Download", "FactoryReset", "ScheduleInform"}) {
        EXPECT_NE(std::find(list.begin(), list.end(), m), list.end()) << m;
    }
}

TEST_F(RpcGetTest, UnknownMethodsAreFault9000) {
    EXPECT_EQ(fault_code(dispatch(UnknownMethod{"Upload", "urn:dslforum-org:cwmp-1-0"}, m_context)), 9000u);
    EXPECT_EQ(fault_code(dispatch(InformResponse{}, m_context)), 9000u);
}

TEST_F(RpcGetTest, NextLevelTrueOnTheRootAndOnObjects) {
    EXPECT_EQ(names(dispatch(GetParameterNames{"", true}, m_context)), std::vector<std::string>{"Device."});
    const auto device = names(dispatch(GetParameterNames{"Device.", true}, m_context));
    EXPECT_EQ(device, (std::vector<std::string>{"Device.DeviceInfo.", "Device.ManagementServer.", "Device.Security.",
                                                "Device.X_001122_CertificateProfileNumberOfEntries", table}));
    const auto certs = names(dispatch(GetParameterNames{"Device.Security.Certificate.", true}, m_context));
    EXPECT_EQ(certs, std::vector<std::string>{"Device.Security.Certificate.1."});
    const auto instance = names(dispatch(GetParameterNames{table + "1.", true}, m_context));
    EXPECT_NE(std::find(instance.begin(), instance.end(), table + "1.URL"), instance.end());
    EXPECT_NE(std::find(instance.begin(), instance.end(), table + "1.Status."), instance.end());
    EXPECT_EQ(std::find(instance.begin(), instance.end(), table + "1.Status.State"), instance.end());
}

TEST_F(RpcGetTest, NextLevelFalseListsTheObjectAndEverythingBelow) {
    const auto all = names(dispatch(GetParameterNames{"Device.Security.", false}, m_context));
    ASSERT_FALSE(all.empty());
    EXPECT_EQ(all.front(), "Device.Security.");
    EXPECT_NE(std::find(all.begin(), all.end(), "Device.Security.Certificate.1.NotAfter"), all.end());
    const auto whole = names(dispatch(GetParameterNames{"", false}, m_context));
    EXPECT_EQ(whole.front(), "Device.");
    EXPECT_GT(whole.size(), 60u);

    const auto body = dispatch(GetParameterNames{"Device.ManagementServer.URL", false}, m_context);
    const auto& list = std::get<GetParameterNamesResponse>(body).parameter_list;
    ASSERT_EQ(list.size(), 1u);
    EXPECT_TRUE(list[0].writable);
    EXPECT_EQ(fault_code(dispatch(GetParameterNames{"Device.ManagementServer.URL", true}, m_context)), 9003u);
}

TEST_F(RpcGetTest, PartialAndInvalidNames) {
    EXPECT_EQ(fault_code(dispatch(GetParameterNames{"Device.Nope.", false}, m_context)), 9005u);
    EXPECT_EQ(fault_code(dispatch(GetParameterNames{"Device.Security", false}, m_context)), 9005u)
        << "an object needs its trailing dot";
    EXPECT_EQ(fault_code(dispatch(GetParameterNames{table + "2.", true}, m_context)), 9005u);
    EXPECT_EQ(fault_code(dispatch(GetParameterValues{{"Device.DeviceInfo.Manufacturer", "Device.X"}}, m_context)),
              9005u);
    EXPECT_EQ(fault_code(dispatch(GetParameterAttributes{{"Device.DeviceInfo.Nope"}}, m_context)), 9005u);
}

TEST_F(RpcGetTest, ValuesWithTypesAndSecretsReadBackEmpty) {
    const auto body = dispatch(GetParameterValues{{"Device.ManagementServer.", table + "1.Challenge",
                                                   "Device.DeviceInfo.UpTime"}},
                               m_context);
    const auto& list = std::get<GetParameterValuesResponse>(body).parameter_list;
    auto find = [&](const std::string& name) {
        const auto it = std::find_if(list.begin(), list.end(), [&](const auto& p) { return p.name == name; });
        EXPECT_NE(it, list.end()) << name;
        return it == list.end() ? ParameterValueStruct{} : *it;
    };
    EXPECT_EQ(find("Device.ManagementServer.URL").value, "https://acs.example.net/");
    EXPECT_EQ(find("Device.ManagementServer.Password").value, "");
    EXPECT_EQ(find("Device.ManagementServer.ConnectionRequestPassword").value, "");
    EXPECT_EQ(find(table + "1.Challenge").value, "");
    EXPECT_EQ(find("Device.ManagementServer.PeriodicInformEnable"),
              (ParameterValueStruct{"Device.ManagementServer.PeriodicInformEnable", "true", ValueType::boolean}));
    EXPECT_EQ(find("Device.DeviceInfo.UpTime").type, ValueType::unsignedInt);
    for (const auto& p : list) {
        EXPECT_EQ(p.value.find("secret"), std::string::npos) << p.name;
        EXPECT_EQ(p.value.find("otp-1"), std::string::npos) << p.name;
    }
}

}  // namespace
}  // namespace cwmp
