// Where the data model's values come from: one small interface per part of the tree
// (obuspa's vendor hooks), so tests pass fakes and certkeeperd passes the real thing. The
// StateStore-backed implementations at the end are what certkeeperd uses for certificates and
// profiles; StoredManagementServer keeps what the ACS writes in the CwmpStore.
//
// Thread-safety: implementations are called on the session's thread only.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "cwmp/cwmp_store.h"
#include "profiles/profile.h"
#include "stores/state_store.h"

namespace cwmp {

// Device.DeviceInfo. (TR-181 2.19), from the device config (docs/certkeeperd.md).
struct DeviceInfo {
    std::string manufacturer, manufacturer_oui, model_name, description, product_class,
        serial_number, hardware_version, software_version;
};

class DeviceInfoProvider {
public:
    virtual ~DeviceInfoProvider() = default;
    virtual DeviceInfo device_info() const = 0;
    virtual std::chrono::seconds uptime() const = 0;  // Device.DeviceInfo.UpTime
};

// The writable Device.ManagementServer. values (and DeviceInfo.ProvisioningCode, the other value
// only the ACS writes). Texts of dateTime values are xsd:dateTime, unknown_time when unset.
struct ManagementServerSettings {
    std::string url, username, password;
    bool periodic_inform_enable = true;
    std::uint32_t periodic_inform_interval = 86400;  // seconds, >= 1
    std::string periodic_inform_time = "0001-01-01T00:00:00Z";
    std::string connection_request_url;  // read-only: what the listener serves
    std::string connection_request_username, connection_request_password;
    bool upgrades_managed = false;
    std::uint32_t cwmp_retry_minimum_wait_interval = 5;   // 1..65535 (TR-069 §3.2.1.1)
    std::uint32_t cwmp_retry_interval_multiplier = 2000;  // 1000..65535
    std::string provisioning_code;
    friend bool operator==(const ManagementServerSettings&, const ManagementServerSettings&) = default;
};

class ManagementServerProvider {
public:
    virtual ~ManagementServerProvider() = default;
    virtual ManagementServerSettings management_server() const = 0;
    // Persists new settings (already validated by the data model); the session applies them
    // when it ends (TR-069 §3.7.2.4: a new URL is used from the next session).
    virtual common::Result<void> set_management_server(const ManagementServerSettings& settings) = 0;
};

// One row of Device.Security.Certificate.{i}. `key` decides the instance number: the same key
// keeps its number across restarts, so a profile's own certificate stays one instance whose
// SerialNumber and NotAfter change when it is renewed (VALUE CHANGE).
struct CertificateView {
    std::string key;
    bool enable = true;
    common::SystemTime last_modif;
    std::string serial_number, issuer, subject;
    common::SystemTime not_before, not_after;
    std::vector<std::string> subject_alt;  // "DNS:host", "IP:192.0.2.1", ...
    std::string signature_algorithm;
};

class CertificateProvider {
public:
    virtual ~CertificateProvider() = default;
    virtual common::Result<std::vector<CertificateView>> certificates() = 0;
};

// The Status. sub-object of a vendor profile instance.
struct ProfileStatus {
    std::string state;       // the lifecycle machine's state, "" before it ran
    std::string last_error;  // "" for none
    std::optional<common::SystemTime> next_renewal;
    std::string certificate_serial;  // the certificate in service, "" for none
    std::optional<common::SystemTime> not_after;
};

struct ProfileEntry {
    profiles::Profile profile;  // secrets included
    ProfileStatus status;
};

class ProfileProvider {
public:
    virtual ~ProfileProvider() = default;
    // Profiles as applied, secrets included.
    virtual common::Result<std::vector<ProfileEntry>> profiles() = 0;
    // Applies one RPC's changes: upserts (validated profiles) and removals by name, as one
    // transaction where the implementation can; re-runs the affected lifecycles.
    virtual common::Result<void> apply(const std::vector<profiles::Profile>& upserts,
                                       const std::vector<std::string>& removals) = 0;
};

struct DataModelProviders {
    DeviceInfoProvider& device;
    ManagementServerProvider& management_server;
    CertificateProvider& certificates;
    ProfileProvider& profiles;
};

// ---- implementations over the state database ----

// Every certificate of stores::StateStore that is not superseded: per profile its own
// certificate (key "own:<profile>", the installed one, else the newest issued), and every trust
// anchor, peer anchor and intermediate once per (issuer, serial) (TR-181's unique key).
// Enable is false for expired and revoked ones. Fields the table lacks (SubjectAlt,
// SignatureAlgorithm) come from the DER.
class StateStoreCertificates final : public CertificateProvider {
public:
    explicit StateStoreCertificates(stores::StateStore& state) : m_state(&state) {}
    common::Result<std::vector<CertificateView>> certificates() override;

private:
    stores::StateStore* m_state;
};

// Profiles from the `profiles` table (their content parsed again), status from the lifecycle
// position and the certificate in service; apply() upserts with source "cwmp" and removes, then
// calls on_applied(names changed) so the daemon re-runs those machines.
class StateStoreProfiles final : public ProfileProvider {
public:
    StateStoreProfiles(stores::StateStore& state, const common::Clock& clock,
                       std::function<void(const std::vector<std::string>&)> on_applied = {})
        : m_state(&state), m_clock(&clock), m_on_applied(std::move(on_applied)) {}
    common::Result<std::vector<ProfileEntry>> profiles() override;
    common::Result<void> apply(const std::vector<profiles::Profile>& upserts,
                               const std::vector<std::string>& removals) override;

private:
    stores::StateStore* m_state;
    const common::Clock* m_clock;
    std::function<void(const std::vector<std::string>&)> m_on_applied;
};

// Configured defaults overlaid with what the ACS wrote (CwmpStore::values()).
class StoredManagementServer final : public ManagementServerProvider {
public:
    StoredManagementServer(CwmpStore& store, ManagementServerSettings defaults)
        : m_store(&store), m_defaults(std::move(defaults)) {}
    ManagementServerSettings management_server() const override;
    common::Result<void> set_management_server(const ManagementServerSettings& settings) override;

private:
    CwmpStore* m_store;
    ManagementServerSettings m_defaults;
};

}  // namespace cwmp
