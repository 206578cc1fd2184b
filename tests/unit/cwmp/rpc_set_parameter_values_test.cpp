#include <gtest/gtest.h>

#include <algorithm>

#include "cwmp/rpc_dispatcher.h"
#include "fake_providers.h"

namespace cwmp {
namespace {

using namespace cwmp::testing;
using V = ValueType;

class RpcSetParameterValuesTest : public CwmpFixture {
protected:
    void SetUp() override { m_profiles.entries.push_back({make_profile("wifi", "challenge = otp-1\n"), {}}); }

    Body set(std::vector<ParameterValueStruct> list, std::string key = "k1") {
        return dispatch(SetParameterValues{std::move(list), std::move(key)}, m_context);
    }
    // ParameterName -> FaultCode of a SetParameterValues fault; empty when it succeeded.
    static std::map<std::string, std::uint32_t> faults(const Body& body) {
        std::map<std::string, std::uint32_t> out;
        if (const auto* f = std::get_if<Fault>(&body)) {
            EXPECT_EQ(f->detail->fault_code, 9003u);
            for (const auto& p : f->detail->set_parameter_values_faults) out[p.parameter_name] = p.fault_code;
            EXPECT_FALSE(out.empty());
        }
        return out;
    }
};

TEST_F(RpcSetParameterValuesTest, AppliesEverythingAndSetsTheParameterKey) {
    const auto body = set({{"Device.ManagementServer.PeriodicInformInterval", "300", V::unsignedInt},
                           {"Device.ManagementServer.PeriodicInformEnable", "0", V::boolean},
                           {table + "1.URL", "https://ra2.example.net/scep", V::string},
                           {table + "1.Challenge", "otp-2", V::string}});
    ASSERT_TRUE(std::holds_alternative<SetParameterValuesResponse>(body));
    EXPECT_EQ(m_ms.settings.periodic_inform_interval, 300u);
    EXPECT_FALSE(m_ms.settings.periodic_inform_enable);
    ASSERT_EQ(m_profiles.entries.size(), 1u);
    EXPECT_EQ(m_profiles.entries[0].profile.url(), "https://ra2.example.net/scep");
    EXPECT_EQ(m_profiles.entries[0].profile.challenge()->reveal(), "otp-2");
    EXPECT_EQ(m_store.parameter_key().value(), "k1");
    EXPECT_EQ(value("Device.ManagementServer.ParameterKey"), "k1");
}

TEST_F(RpcSetParameterValuesTest, OneBadValueAppliesNothingAndEveryBadParameterIsListed) {
    const auto body = set({{"Device.ManagementServer.PeriodicInformInterval", "300", V::unsignedInt},
                           {"Device.ManagementServer.PeriodicInformEnable", "maybe", V::boolean},
                           {"Device.ManagementServer.Nope", "1", V::string},
                           {"Device.DeviceInfo.Manufacturer", "x", V::string},
                           {"Device.ManagementServer.URL", "https://acs2/", V::int_},
                           {"Device.ManagementServer.CWMPRetryIntervalMultiplier", "999", V::unsignedInt},
                           {table + "1.URL", "https://ra2.example.net/scep", V::string}});
    EXPECT_EQ(faults(body), (std::map<std::string, std::uint32_t>{
                                {"Device.ManagementServer.PeriodicInformEnable", 9007},
                                {"Device.ManagementServer.Nope", 9005},
                                {"Device.DeviceInfo.Manufacturer", 9008},
                                {"Device.ManagementServer.URL", 9006},
                                {"Device.ManagementServer.CWMPRetryIntervalMultiplier", 9007}}));
    EXPECT_EQ(m_ms.writes, 0);
    EXPECT_EQ(m_profiles.applies, 0);
    EXPECT_EQ(m_store.parameter_key().value(), "") << "ParameterKey only on success";
}

TEST_F(RpcSetParameterValuesTest, AnInvalidResultingProfileIsRefusedAsAWhole) {
    const auto body = set({{"Device.ManagementServer.PeriodicInformInterval", "300", V::unsignedInt},
                           {table + "1.RenewAtPercent", "150", V::unsignedInt},
                           {table + "1.CAFingerprint", "sha256:AB", V::string}});
    const auto f = faults(body);
    EXPECT_EQ(f.at(table + "1.RenewAtPercent"), 9007u);
    EXPECT_EQ(f.at(table + "1.CAFingerprint"), 9007u);
    EXPECT_EQ(m_ms.writes, 0) << "the valid management server value is not applied either";
    EXPECT_EQ(m_profiles.applies, 0);
    EXPECT_EQ(m_profiles.entries[0].profile.renew_at_percent(), 80u);
}

TEST_F(RpcSetParameterValuesTest, ProfileFaultsAreListedWithTheOthers) {
    const auto f = faults(set({{"Device.ManagementServer.PeriodicInformInterval", "0", V::unsignedInt},
                               {table + "1.RenewAtPercent", "150", V::unsignedInt}}));
    EXPECT_EQ(f, (std::map<std::string, std::uint32_t>{{"Device.ManagementServer.PeriodicInformInterval", 9007},
                                                       {table + "1.RenewAtPercent", 9007}}));
}

TEST_F(RpcSetParameterValuesTest, ReadOnlyAndCertificateParameters) {
    m_certs.views.push_back({"own:wifi", true, {}, "0A", "CN=CA", "CN=dev", {}, {}, {}, ""});
    EXPECT_EQ(faults(set({{"Device.ManagementServer.ParameterKey", "x", V::string}})).begin()->second, 9008u);
    EXPECT_EQ(faults(set({{"Device.Security.Certificate.1.SerialNumber", "x", V::string}})).begin()->second, 9008u);
    EXPECT_EQ(faults(set({{table + "1.Status.State", "x", V::string}})).begin()->second, 9008u);
    EXPECT_EQ(faults(set({{"Device.Security.Certificate.1.Enable", "false", V::boolean}})).begin()->second, 9007u);
    EXPECT_TRUE(std::holds_alternative<SetParameterValuesResponse>(
        set({{"Device.Security.Certificate.1.Enable", "true", V::boolean}})));
}

TEST_F(RpcSetParameterValuesTest, RenamesKeepTheInstanceAndDuplicatesAreRefused) {
    m_profiles.entries.push_back({make_profile("vpn"), {}});
    (void)tree();
    EXPECT_EQ(faults(set({{table + "1.Name", "vpn", V::string}})).at(table + "1.Name"), 9007u);
    ASSERT_TRUE(std::holds_alternative<SetParameterValuesResponse>(set({{table + "1.Name", "wlan", V::string}})));
    EXPECT_EQ(value(table + "1.Name"), "wlan");
    EXPECT_EQ(value(table + "2.Name"), "vpn");
    EXPECT_EQ(faults(set({{table + "1.Name", "a", V::string}, {table + "1.Name", "b", V::string}})).begin()->second,
              9003u);
}

TEST_F(RpcSetParameterValuesTest, ParameterKeyTooLongIsInvalidArguments) {
    const auto body = set({{"Device.ManagementServer.PeriodicInformInterval", "300", V::unsignedInt}},
                          std::string(33, 'k'));
    ASSERT_TRUE(std::holds_alternative<Fault>(body));
    EXPECT_EQ(std::get<Fault>(body).detail->fault_code, 9003u);
}

TEST_F(RpcSetParameterValuesTest, AFailingProviderIsInternalError) {
    m_profiles.fail = common::Error(common::Errc::io, "disk full");
    const auto body = set({{table + "1.URL", "https://ra2.example.net/scep", V::string}});
    ASSERT_TRUE(std::holds_alternative<Fault>(body));
    EXPECT_EQ(std::get<Fault>(body).detail->fault_code, 9002u);
    EXPECT_EQ(m_store.parameter_key().value(), "");
}

}  // namespace
}  // namespace cwmp
