// Hand-written fakes of the data model's providers and DeviceActions, plus a fixture that
// builds a DataModel over a fresh state database. For tests/unit/cwmp only.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "cwmp/cwmp_store.h"
#include "cwmp/data_model.h"
#include "cwmp/data_model_providers.h"
#include "cwmp/rpc/rpc.h"
#include "fakes/fake_clock.h"
#include "fakes/temp_dir.h"
#include "profiles/profile_parser.h"
#include "stores/state_db.h"

namespace cwmp::testing {

inline const std::string fp_hex = "5AF17B00112233445566778899AABBCCDDEEFF00112233445566778899AABBCC";
inline const std::string oui = "001122";
inline const std::string table = "Device.X_001122_CertificateProfile.";

inline profiles::Profile make_profile(const std::string& name, const std::string& extra = {}) {
    auto r = profiles::parse_profiles("[profile \"" + name + "\"]\nurl = http://ra.example.net/scep\n"
                                      "ca_fingerprint = " + fp_hex + "\nsubject = CN=${MAC}\n" + extra,
                                      "t.conf");
    EXPECT_TRUE(r.ok()) << (r.diagnostics.empty() ? "" : r.diagnostics[0].to_string());
    return r.profiles.at(0);
}

class FakeDevice final : public DeviceInfoProvider {
public:
    DeviceInfo info{"Example Corp", "001122", "Phone 7", "IP phone", "IP-Phone", "SN-4711", "1.0", "0.1.0"};
    std::chrono::seconds up{42};
    DeviceInfo device_info() const override { return info; }
    std::chrono::seconds uptime() const override { return up; }
};

class FakeManagementServer final : public ManagementServerProvider {
public:
    ManagementServerSettings settings = [] {
        ManagementServerSettings s;
        s.url = "https://acs.example.net/";
        s.username = "cpe";
        s.password = "acs-secret";
        s.connection_request_url = "http://192.0.2.7:7547/cr";
        s.connection_request_username = "acs";
        s.connection_request_password = "cr-secret";
        return s;
    }();
    int writes = 0;
    ManagementServerSettings management_server() const override { return settings; }
    common::Result<void> set_management_server(const ManagementServerSettings& s) override {
        settings = s;
        ++writes;
        return {};
    }
};

class FakeCertificates final : public CertificateProvider {
public:
    std::vector<CertificateView> views;
    common::Result<std::vector<CertificateView>> certificates() override { return views; }
};

class FakeProfiles final : public ProfileProvider {
public:
    std::vector<ProfileEntry> entries;
    int applies = 0;
    std::optional<common::Error> fail;
    common::Result<std::vector<ProfileEntry>> profiles() override { return entries; }
    common::Result<void> apply(const std::vector<profiles::Profile>& upserts,
                               const std::vector<std::string>& removals) override {
        if (fail) return *fail;
        ++applies;
        for (const auto& name : removals) {
            std::erase_if(entries, [&](const ProfileEntry& e) { return e.profile.name() == name; });
        }
        for (const auto& p : upserts) {
            std::erase_if(entries, [&](const ProfileEntry& e) { return e.profile.name() == p.name(); });
            entries.push_back(ProfileEntry{p, {}});
        }
        return {};
    }
};

class FakeActions final : public DeviceActions {
public:
    std::vector<std::string> calls;
    std::optional<DownloadRequest> last_download;
    common::Result<void> reboot(std::string_view key) override {
        calls.push_back("reboot " + std::string(key));
        return {};
    }
    common::Result<void> factory_reset() override {
        calls.push_back("factory_reset");
        return {};
    }
    common::Result<void> schedule_inform(std::chrono::seconds delay, std::string_view key) override {
        calls.push_back("schedule_inform " + std::to_string(delay.count()) + " " + std::string(key));
        return {};
    }
    common::Result<void> download(const DownloadRequest& request) override {
        calls.push_back("download " + request.download.url);
        last_download = request;
        return {};
    }
};

// A DataModel over fakes and a CwmpStore in a fresh state database.
class CwmpFixture : public ::testing::Test {
protected:
    fakes::TempDir m_dir{"certkeeper-cwmp"};
    stores::Database m_db = stores::open_state_db(m_dir / "state.db").value();
    CwmpStore m_store{m_db};
    FakeDevice m_device;
    FakeManagementServer m_ms;
    FakeCertificates m_certs;
    FakeProfiles m_profiles;
    FakeActions m_actions;
    fakes::FakeClock m_clock;
    DataModel m_model{DataModelProviders{m_device, m_ms, m_certs, m_profiles}, m_store, oui};
    RpcContext m_context{m_model, m_store, m_actions, m_clock};

    Tree tree() {
        auto t = m_model.tree();
        EXPECT_TRUE(t) << t.error().to_string();
        return t.value_or(Tree{});
    }
    std::string value(const std::string& name) {
        const Tree t = tree();
        const auto i = t.find(name);
        EXPECT_TRUE(i.has_value()) << name;
        return i ? t.nodes[*i].value : std::string("<missing>");
    }
};

}  // namespace cwmp::testing
