#include "cwmp/data_model_providers.h"

#include <charconv>
#include <map>
#include <set>
#include <utility>

#include "crypto/certificate.h"
#include "profiles/profile_parser.h"
#include "profiles/profile_writer.h"

namespace cwmp {
namespace {

using stores::CertificateRecord;
using stores::CertificateRole;
using stores::CertificateState;

CertificateView view_of(const CertificateRecord& r, std::string key) {
    CertificateView v;
    v.key = std::move(key);
    v.enable = r.state != CertificateState::expired && r.state != CertificateState::revoked;
    v.last_modif = r.state_changed_at;
    v.serial_number = r.serial;
    v.issuer = r.issuer;
    v.subject = r.subject;
    v.not_before = r.not_before;
    v.not_after = r.not_after;
    if (auto cert = crypto::Certificate::from_der(r.der)) {
        for (const auto& san : cert->subject_alt_names()) {
            v.subject_alt.push_back(std::string(crypto::to_string(san.type)) + ":" + san.value);
        }
        v.signature_algorithm = cert->signature_algorithm();
    }
    return v;
}

// The own certificate in service: the newest installed one, else the newest issued one.
const CertificateRecord* current_own(const std::vector<CertificateRecord>& records) {
    const CertificateRecord* issued = nullptr;
    const CertificateRecord* installed = nullptr;
    for (const auto& r : records) {
        if (r.role != CertificateRole::own) continue;
        if (r.state == CertificateState::installed) installed = &r;
        if (r.state == CertificateState::issued) issued = &r;
    }
    return installed != nullptr ? installed : issued;
}

}  // namespace

common::Result<std::vector<CertificateView>> StateStoreCertificates::certificates() {
    auto profiles = m_state->list_profiles();
    if (!profiles) return profiles.error();
    std::vector<CertificateView> out;
    std::set<std::string> seen;
    for (const auto& p : *profiles) {
        auto records = m_state->list_certificates(p.name);
        if (!records) return records.error();
        if (const auto* own = current_own(*records)) out.push_back(view_of(*own, "own:" + p.name));
        for (const auto& r : *records) {
            if (r.role == CertificateRole::own || r.state == CertificateState::superseded) continue;
            std::string key = std::string(stores::to_string(r.role)) + ":" + r.issuer + "|" + r.serial;
            if (seen.insert(key).second) out.push_back(view_of(r, std::move(key)));
        }
    }
    return out;
}

common::Result<std::vector<ProfileEntry>> StateStoreProfiles::profiles() {
    auto records = m_state->list_profiles();
    if (!records) return records.error();
    std::vector<ProfileEntry> out;
    for (const auto& record : *records) {
        auto parsed = profiles::parse_profiles(record.content, record.source);
        if (parsed.profiles.size() != 1 || parsed.profiles.front().name() != record.name) continue;
        ProfileStatus status;
        status.state = record.position.state;
        status.last_error = record.position.last_error;
        if (status.state == "Valid") status.next_renewal = record.position.next_action_at;
        auto certs = m_state->list_certificates(record.name, CertificateRole::own);
        if (!certs) return certs.error();
        if (const auto* own = current_own(*certs)) {
            status.certificate_serial = own->serial;
            status.not_after = own->not_after;
        }
        out.push_back(ProfileEntry{std::move(parsed.profiles.front()), std::move(status)});
    }
    return out;
}

common::Result<void> StateStoreProfiles::apply(const std::vector<profiles::Profile>& upserts,
                                               const std::vector<std::string>& removals) {
    const auto now = m_clock->now();
    std::vector<std::string> changed;
    for (const auto& name : removals) {
        auto r = m_state->remove_profile(name, now);
        if (!r && r.error().code() != common::Errc::not_found) return r;
        changed.push_back(name);
    }
    for (const auto& p : upserts) {
        const stores::AppliedProfile applied{
            p.name(), "cwmp", profiles::to_file_text(p, profiles::SecretRendering::reveal), p.enabled()};
        if (auto r = m_state->upsert_profile(applied, now); !r) return r.error();
        changed.push_back(p.name());
    }
    if (m_on_applied) m_on_applied(changed);
    return {};
}

namespace {

constexpr std::string_view ms_prefix = "Device.ManagementServer.";

std::optional<std::uint32_t> to_uint(const std::string& text) {
    std::uint32_t v = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return v;
}

std::map<std::string, std::string> to_values(const ManagementServerSettings& s) {
    const std::string p(ms_prefix);
    auto b = [](bool v) { return std::string(v ? "true" : "false"); };
    return {
        {p + "URL", s.url},
        {p + "Username", s.username},
        {p + "Password", s.password},
        {p + "PeriodicInformEnable", b(s.periodic_inform_enable)},
        {p + "PeriodicInformInterval", std::to_string(s.periodic_inform_interval)},
        {p + "PeriodicInformTime", s.periodic_inform_time},
        {p + "ConnectionRequestUsername", s.connection_request_username},
        {p + "ConnectionRequestPassword", s.connection_request_password},
        {p + "UpgradesManaged", b(s.upgrades_managed)},
        {p + "CWMPRetryMinimumWaitInterval", std::to_string(s.cwmp_retry_minimum_wait_interval)},
        {p + "CWMPRetryIntervalMultiplier", std::to_string(s.cwmp_retry_interval_multiplier)},
        {"Device.DeviceInfo.ProvisioningCode", s.provisioning_code},
    };
}

}  // namespace

ManagementServerSettings StoredManagementServer::management_server() const {
    ManagementServerSettings s = m_defaults;
    auto values = m_store->values();
    if (!values) return s;  // the configured values; the next write reports the error
    const std::string p(ms_prefix);
    auto text = [&](const std::string& name, std::string& field) {
        if (auto it = values->find(name); it != values->end()) field = it->second;
    };
    auto flag = [&](const std::string& name, bool& field) {
        if (auto it = values->find(name); it != values->end()) field = it->second == "true";
    };
    auto number = [&](const std::string& name, std::uint32_t& field) {
        if (auto it = values->find(name); it != values->end()) field = to_uint(it->second).value_or(field);
    };
    text(p + "URL", s.url);
    text(p + "Username", s.username);
    text(p + "Password", s.password);
    flag(p + "PeriodicInformEnable", s.periodic_inform_enable);
    number(p + "PeriodicInformInterval", s.periodic_inform_interval);
    text(p + "PeriodicInformTime", s.periodic_inform_time);
    text(p + "ConnectionRequestUsername", s.connection_request_username);
    text(p + "ConnectionRequestPassword", s.connection_request_password);
    flag(p + "UpgradesManaged", s.upgrades_managed);
    number(p + "CWMPRetryMinimumWaitInterval", s.cwmp_retry_minimum_wait_interval);
    number(p + "CWMPRetryIntervalMultiplier", s.cwmp_retry_interval_multiplier);
    text("Device.DeviceInfo.ProvisioningCode", s.provisioning_code);
    return s;
}

common::Result<void> StoredManagementServer::set_management_server(const ManagementServerSettings& settings) {
    // Only what differs from the configuration is kept, so a later config change still counts
    // for the values the ACS never wrote.
    const auto defaults = to_values(m_defaults);
    const auto current = to_values(management_server());
    std::map<std::string, std::string> changed;
    for (const auto& [name, value] : to_values(settings)) {
        if (current.at(name) != value || defaults.at(name) != value) changed[name] = value;
    }
    return m_store->set_values(changed);
}

}  // namespace cwmp
