#include "cwmp/data_model.h"

#include <gtest/gtest.h>

#include <chrono>

#include "fake_providers.h"
#include "profiles/tr069_mapping.h"
#include "stores/state_store.h"

namespace cwmp {
namespace {

using namespace std::chrono_literals;
using namespace cwmp::testing;

const common::SystemTime t0 = common::SystemTime{} + std::chrono::seconds(1'700'000'000);

class DataModelTest : public CwmpFixture {};

const ParameterDef* def(const DataModel& m, std::string_view path) {
    for (const auto& d : m.definitions()) {
        if (d.path == path) return &d;
    }
    return nullptr;
}

TEST_F(DataModelTest, StandardParametersAreTypedAsTr181) {
    struct Expect {
        std::string_view path;
        ValueType type;
        Access access;
    };
    const Expect expected[] = {
        {"Device.DeviceInfo.Manufacturer", ValueType::string, Access::read_only},
        {"Device.DeviceInfo.UpTime", ValueType::unsignedInt, Access::read_only},
        {"Device.DeviceInfo.ProvisioningCode", ValueType::string, Access::writable},
        {"Device.ManagementServer.PeriodicInformEnable", ValueType::boolean, Access::writable},
        {"Device.ManagementServer.PeriodicInformInterval", ValueType::unsignedInt, Access::writable},
        {"Device.ManagementServer.PeriodicInformTime", ValueType::dateTime, Access::writable},
        {"Device.ManagementServer.ParameterKey", ValueType::string, Access::read_only},
        {"Device.ManagementServer.ConnectionRequestURL", ValueType::string, Access::read_only},
        {"Device.Security.CertificateNumberOfEntries", ValueType::unsignedInt, Access::read_only},
        {"Device.Security.Certificate.{i}.Enable", ValueType::boolean, Access::writable},
        {"Device.Security.Certificate.{i}.LastModif", ValueType::dateTime, Access::read_only},
        {"Device.Security.Certificate.{i}.NotAfter", ValueType::dateTime, Access::read_only},
        {"Device.Security.Certificate.{i}.SubjectAlt", ValueType::string, Access::read_only},
        {"Device.X_001122_CertificateProfileNumberOfEntries", ValueType::unsignedInt, Access::read_only},
        {"Device.X_001122_CertificateProfile.{i}.Status.NextRenewal", ValueType::dateTime, Access::read_only},
    };
    for (const auto& e : expected) {
        const auto* d = def(m_model, e.path);
        ASSERT_NE(d, nullptr) << e.path;
        EXPECT_EQ(d->type, e.type) << e.path;
        EXPECT_EQ(d->access, e.access) << e.path;
    }
    EXPECT_TRUE(def(m_model, "Device.ManagementServer.Password")->secret);
    EXPECT_TRUE(def(m_model, "Device.ManagementServer.ConnectionRequestPassword")->secret);
    EXPECT_EQ(def(m_model, "Device.DeviceInfo.UpTime")->notify, ActiveNotify::can_deny);
    EXPECT_TRUE(def(m_model, "Device.DeviceInfo.SoftwareVersion")->forced_inform);
}

TEST_F(DataModelTest, VendorRowsComeFromTheProfileMapping) {
    for (const auto& m : profiles::parameter_mappings()) {
        const auto* d = def(m_model, table + "{i}." + std::string(m.parameter));
        ASSERT_NE(d, nullptr) << m.parameter;
        EXPECT_EQ(d->mapping, &m);
        EXPECT_EQ(d->secret, m.secret);
        EXPECT_EQ(d->access == Access::writable, m.writable);
    }
}

TEST_F(DataModelTest, TreeHoldsObjectsParametersAndInstances) {
    m_profiles.entries.push_back({make_profile("wifi", "challenge = otp-1\n"), {"Valid", "", t0 + 24h, "0A", t0 + 48h}});
    m_certs.views.push_back({"own:wifi", true, t0, "0A", "CN=CA", "CN=dev", t0, t0 + 48h, {"DNS:dev"}, "ecdsa-with-SHA256"});
    const Tree t = tree();
    ASSERT_FALSE(t.nodes.empty());
    EXPECT_EQ(t.nodes[0].name, "Device.");
    EXPECT_TRUE(t.nodes[0].object);
    EXPECT_EQ(value("Device.DeviceInfo.Manufacturer"), "Example Corp");
    EXPECT_EQ(value("Device.DeviceInfo.UpTime"), "42");
    EXPECT_EQ(value("Device.Security.CertificateNumberOfEntries"), "1");
    EXPECT_EQ(value("Device.Security.Certificate.1.SerialNumber"), "0A");
    EXPECT_EQ(value("Device.Security.Certificate.1.NotAfter"), "2023-11-16T22:13:20Z");
    EXPECT_EQ(value("Device.Security.Certificate.1.SubjectAlt"), "DNS:dev");
    EXPECT_EQ(value("Device.X_001122_CertificateProfileNumberOfEntries"), "1");
    EXPECT_EQ(value(table + "1.Name"), "wifi");
    EXPECT_EQ(value(table + "1.Enable"), "true");
    EXPECT_EQ(value(table + "1.Challenge"), "otp-1") << "the tree holds real values; RPCs redact";
    EXPECT_EQ(value(table + "1.Status.State"), "Valid");
    EXPECT_EQ(value(table + "1.Status.CertificateSerialNumber"), "0A");
    const auto table_node = t.find(table);
    ASSERT_TRUE(table_node);
    EXPECT_TRUE(t.nodes[*table_node].writable) << "AddObject";
    EXPECT_TRUE(t.nodes[*t.find(table + "1.")].writable) << "DeleteObject";
    EXPECT_FALSE(t.nodes[*t.find(table + "1.Status.")].writable);
    EXPECT_FALSE(t.nodes[*t.find("Device.Security.Certificate.")].writable);
}

TEST_F(DataModelTest, InstanceNumbersSurviveARestart) {
    m_profiles.entries.push_back({make_profile("a"), {}});
    m_profiles.entries.push_back({make_profile("b"), {}});
    (void)tree();
    m_profiles.entries.erase(m_profiles.entries.begin());  // "a" went away (its file was removed)
    m_profiles.entries.push_back({make_profile("c"), {}});
    {
        auto db = stores::open_state_db(m_dir / "state.db").value();
        CwmpStore store(db);
        DataModel model(DataModelProviders{m_device, m_ms, m_certs, m_profiles}, store, oui);
        const Tree t = model.tree().value();
        EXPECT_EQ(t.nodes[*t.find(table + "2.Name")].value, "b");
        EXPECT_EQ(t.nodes[*t.find(table + "3.Name")].value, "c") << "1 is never reused";
        EXPECT_FALSE(t.find(table + "1."));
    }
}

TEST_F(DataModelTest, CertificateViewReflectsStateStoreRecords) {
    stores::StateStore state(m_db);
    ASSERT_TRUE(state.upsert_profile({"wifi", "cwmp", "x", true}, t0));
    stores::CertificateRecord own;
    own.profile = "wifi";
    own.role = stores::CertificateRole::own;
    own.serial = "0A";
    own.issuer = "CN=Issuing CA";
    own.subject = "CN=dev";
    own.not_before = t0;
    own.not_after = t0 + 24h;
    own.der = {0x30, 0x00};
    own.state = stores::CertificateState::issued;
    const auto first = state.record_certificate(own, t0).value();
    ASSERT_TRUE(state.set_certificate_state(first, stores::CertificateState::installed, t0));
    stores::CertificateRecord anchor = own;
    anchor.role = stores::CertificateRole::trust_anchor;
    anchor.serial = "01";
    anchor.issuer = anchor.subject = "CN=Root";
    anchor.sha256_fingerprint = fp_hex;
    ASSERT_TRUE(state.record_certificate(anchor, t0));

    StateStoreCertificates certs(state);
    DataModel model(DataModelProviders{m_device, m_ms, certs, m_profiles}, m_store, oui);
    Tree t = model.tree().value();
    EXPECT_EQ(t.nodes[*t.find("Device.Security.CertificateNumberOfEntries")].value, "2");
    EXPECT_EQ(t.nodes[*t.find("Device.Security.Certificate.1.SerialNumber")].value, "0A");
    EXPECT_EQ(t.nodes[*t.find("Device.Security.Certificate.1.Issuer")].value, "CN=Issuing CA");
    EXPECT_EQ(t.nodes[*t.find("Device.Security.Certificate.2.Subject")].value, "CN=Root");

    // Renewal: the new certificate takes the old one's instance.
    own.serial = "0B";
    own.not_after = t0 + 48h;
    const auto second = state.record_certificate(own, t0 + 1h).value();
    ASSERT_TRUE(state.set_certificate_state(first, stores::CertificateState::superseded, t0 + 1h));
    ASSERT_TRUE(state.set_certificate_state(second, stores::CertificateState::installed, t0 + 1h));
    t = model.tree().value();
    EXPECT_EQ(t.nodes[*t.find("Device.Security.Certificate.1.SerialNumber")].value, "0B");
    EXPECT_EQ(t.nodes[*t.find("Device.Security.Certificate.1.NotAfter")].value, format_time(t0 + 48h));
    EXPECT_EQ(t.nodes[*t.find("Device.Security.CertificateNumberOfEntries")].value, "2");
}

TEST_F(DataModelTest, ForcedInformParameters) {
    std::vector<std::string> names;
    for (const auto& p : forced_inform_parameters(tree())) names.push_back(p.name);
    EXPECT_EQ(names, (std::vector<std::string>{"Device.DeviceInfo.HardwareVersion", "Device.DeviceInfo.SoftwareVersion",
                                               "Device.DeviceInfo.ProvisioningCode",
                                               "Device.ManagementServer.ParameterKey",
                                               "Device.ManagementServer.ConnectionRequestURL"}));
}

TEST_F(DataModelTest, LexicalChecks) {
    EXPECT_TRUE(valid_lexical(ValueType::boolean, "1"));
    EXPECT_FALSE(valid_lexical(ValueType::boolean, "yes"));
    EXPECT_TRUE(valid_lexical(ValueType::unsignedInt, "4294967295"));
    EXPECT_FALSE(valid_lexical(ValueType::unsignedInt, "4294967296"));
    EXPECT_FALSE(valid_lexical(ValueType::unsignedInt, "-1"));
    EXPECT_TRUE(valid_lexical(ValueType::int_, "-1"));
    EXPECT_TRUE(valid_lexical(ValueType::dateTime, "2024-05-01T12:00:00Z"));
    EXPECT_TRUE(valid_lexical(ValueType::dateTime, "2024-05-01T12:00:00.5+02:00"));
    EXPECT_FALSE(valid_lexical(ValueType::dateTime, "2024-05-01 12:00:00"));
    EXPECT_TRUE(valid_lexical(ValueType::base64, "QUJD"));
    EXPECT_FALSE(valid_lexical(ValueType::base64, "QUJ"));
    EXPECT_EQ(format_time(std::nullopt), "0001-01-01T00:00:00Z");
    EXPECT_EQ(instance_after(table + "12.URL", table), 12u);
    EXPECT_FALSE(instance_after(table + "012.URL", table));
    EXPECT_FALSE(instance_after(table + "x.URL", table));
}

TEST_F(DataModelTest, StateStoreProfilesRoundTripWithStatus) {
    stores::StateStore state(m_db);
    std::vector<std::string> applied;
    StateStoreProfiles provider(state, m_clock, [&](const std::vector<std::string>& names) { applied = names; });
    ASSERT_TRUE(provider.apply({make_profile("wifi", "challenge = otp-1\n")}, {}));
    EXPECT_EQ(applied, std::vector<std::string>{"wifi"});
    ASSERT_TRUE(state.save_position("wifi", {"Valid", "", t0 + 24h, ""}, t0));
    auto entries = provider.profiles().value();
    ASSERT_EQ(entries.size(), 1u);
    EXPECT_EQ(entries[0].profile.challenge()->reveal(), "otp-1") << "secrets survive the round trip";
    EXPECT_EQ(entries[0].status.state, "Valid");
    EXPECT_EQ(entries[0].status.next_renewal, t0 + 24h);
    EXPECT_EQ(state.get_profile("wifi").value()->source, "cwmp");
    ASSERT_TRUE(provider.apply({}, {"wifi"}));
    EXPECT_TRUE(provider.profiles().value().empty());
}

TEST_F(DataModelTest, StoredManagementServerKeepsWhatTheAcsWrote) {
    ManagementServerSettings defaults;
    defaults.url = "https://acs.example.net/";
    {
        StoredManagementServer ms(m_store, defaults);
        auto s = ms.management_server();
        EXPECT_EQ(s, defaults);
        s.periodic_inform_interval = 600;
        s.password = "new";
        ASSERT_TRUE(ms.set_management_server(s));
    }
    StoredManagementServer reopened(m_store, defaults);
    const auto s = reopened.management_server();
    EXPECT_EQ(s.periodic_inform_interval, 600u);
    EXPECT_EQ(s.password, "new");
    EXPECT_EQ(s.url, "https://acs.example.net/");
}

}  // namespace
}  // namespace cwmp
