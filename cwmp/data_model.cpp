#include "cwmp/data_model.h"

#include <algorithm>
#include <charconv>
#include <ctime>
#include <set>
#include <utility>

namespace cwmp {
namespace {

using common::Errc;
using V = ValueType;
using A = Access;
using N = ActiveNotify;

constexpr std::string_view certificate_table = "Device.Security.Certificate.";

struct Row {
    std::string_view path;  // relative to Device.; "{T}" = the vendor table name
    V type;
    A access;
    bool secret;
    N notify;
    bool forced_inform;
    Source source;
};

// TR-181 2.19: Device.DeviceInfo. (tr-181-2-19-0-deviceinfo.xml), Device.ManagementServer.
// (tr-181-2-19-1-cwmp.xml), Device.Security. (tr-181-2-19-0-security.xml). Order = tree order.
constexpr Row standard_rows[] = {
    {"DeviceInfo.Manufacturer", V::string, A::read_only, false, N::normal, false, Source::device_info},
    {"DeviceInfo.ManufacturerOUI", V::string, A::read_only, false, N::normal, false, Source::device_info},
    {"DeviceInfo.ModelName", V::string, A::read_only, false, N::normal, false, Source::device_info},
    {"DeviceInfo.Description", V::string, A::read_only, false, N::normal, false, Source::device_info},
    {"DeviceInfo.ProductClass", V::string, A::read_only, false, N::normal, false, Source::device_info},
    {"DeviceInfo.SerialNumber", V::string, A::read_only, false, N::normal, false, Source::device_info},
    {"DeviceInfo.HardwareVersion", V::string, A::read_only, false, N::normal, true, Source::device_info},
    {"DeviceInfo.SoftwareVersion", V::string, A::read_only, false, N::force_enabled, true, Source::device_info},
    {"DeviceInfo.ProvisioningCode", V::string, A::writable, false, N::force_enabled, true, Source::management_server},
    {"DeviceInfo.UpTime", V::unsignedInt, A::read_only, false, N::can_deny, false, Source::device_info},
    {"ManagementServer.URL", V::string, A::writable, false, N::normal, false, Source::management_server},
    {"ManagementServer.Username", V::string, A::writable, false, N::normal, false, Source::management_server},
    {"ManagementServer.Password", V::string, A::writable, true, N::normal, false, Source::management_server},
    {"ManagementServer.PeriodicInformEnable", V::boolean, A::writable, false, N::normal, false, Source::management_server},
    {"ManagementServer.PeriodicInformInterval", V::unsignedInt, A::writable, false, N::normal, false, Source::management_server},
    {"ManagementServer.PeriodicInformTime", V::dateTime, A::writable, false, N::normal, false, Source::management_server},
    {"ManagementServer.ParameterKey", V::string, A::read_only, false, N::can_deny, true, Source::management_server},
    {"ManagementServer.ConnectionRequestURL", V::string, A::read_only, false, N::force_default_enabled, true, Source::management_server},
    {"ManagementServer.ConnectionRequestUsername", V::string, A::writable, false, N::normal, false, Source::management_server},
    {"ManagementServer.ConnectionRequestPassword", V::string, A::writable, true, N::normal, false, Source::management_server},
    {"ManagementServer.UpgradesManaged", V::boolean, A::writable, false, N::normal, false, Source::management_server},
    {"ManagementServer.CWMPRetryMinimumWaitInterval", V::unsignedInt, A::writable, false, N::normal, false, Source::management_server},
    {"ManagementServer.CWMPRetryIntervalMultiplier", V::unsignedInt, A::writable, false, N::normal, false, Source::management_server},
    {"Security.CertificateNumberOfEntries", V::unsignedInt, A::read_only, false, N::normal, false, Source::security},
    // Enable is readWrite in TR-181; a certificate follows its profile, so only its current
    // value is accepted (docs/cwmp.md).
    {"Security.Certificate.{i}.Enable", V::boolean, A::writable, false, N::normal, false, Source::certificate},
    {"Security.Certificate.{i}.LastModif", V::dateTime, A::read_only, false, N::normal, false, Source::certificate},
    {"Security.Certificate.{i}.SerialNumber", V::string, A::read_only, false, N::normal, false, Source::certificate},
    {"Security.Certificate.{i}.Issuer", V::string, A::read_only, false, N::normal, false, Source::certificate},
    {"Security.Certificate.{i}.NotBefore", V::dateTime, A::read_only, false, N::normal, false, Source::certificate},
    {"Security.Certificate.{i}.NotAfter", V::dateTime, A::read_only, false, N::normal, false, Source::certificate},
    {"Security.Certificate.{i}.Subject", V::string, A::read_only, false, N::normal, false, Source::certificate},
    {"Security.Certificate.{i}.SubjectAlt", V::string, A::read_only, false, N::normal, false, Source::certificate},
    {"Security.Certificate.{i}.SignatureAlgorithm", V::string, A::read_only, false, N::normal, false, Source::certificate},
    {"{T}NumberOfEntries", V::unsignedInt, A::read_only, false, N::normal, false, Source::profile_table},
};

// Device.X_<OUI>_CertificateProfile.{i}.Status. (TR-106 Amd 8 §3.3: inside a vendor object the
// names need no prefix of their own).
constexpr Row status_rows[] = {
    {"{T}.{i}.Status.State", V::string, A::read_only, false, N::normal, false, Source::profile_status},
    {"{T}.{i}.Status.LastError", V::string, A::read_only, false, N::normal, false, Source::profile_status},
    {"{T}.{i}.Status.NextRenewal", V::dateTime, A::read_only, false, N::normal, false, Source::profile_status},
    {"{T}.{i}.Status.CertificateSerialNumber", V::string, A::read_only, false, N::normal, false, Source::profile_status},
    {"{T}.{i}.Status.NotAfter", V::dateTime, A::read_only, false, N::normal, false, Source::profile_status},
};

ValueType value_type(profiles::ParameterType t) {
    switch (t) {
        case profiles::ParameterType::string: return V::string;
        case profiles::ParameterType::unsigned_int: return V::unsignedInt;
        case profiles::ParameterType::boolean: return V::boolean;
    }
    return V::string;
}

ParameterDef make_def(const Row& row, const std::string& table_name) {
    std::string path = "Device." + std::string(row.path);
    if (const auto t = path.find("{T}"); t != std::string::npos) path.replace(t, 3, table_name);
    ParameterDef def;
    def.path = std::move(path);
    def.type = row.type;
    def.access = row.access;
    def.secret = row.secret;
    def.notify = row.notify;
    def.forced_inform = row.forced_inform;
    def.source = row.source;
    return def;
}

std::string bool_text(bool b) { return b ? "true" : "false"; }

std::optional<std::uint64_t> parse_unsigned(std::string_view text, std::uint64_t max) {
    std::uint64_t v = 0;
    if (text.empty() || text.size() > 20) return std::nullopt;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size() || v > max) return std::nullopt;
    return v;
}

std::optional<std::int64_t> parse_signed(std::string_view text, std::int64_t min, std::int64_t max) {
    std::int64_t v = 0;
    if (text.empty() || text.size() > 20) return std::nullopt;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size() || v < min || v > max) return std::nullopt;
    return v;
}

std::optional<bool> parse_boolean(std::string_view text) {
    if (text == "true" || text == "1") return true;
    if (text == "false" || text == "0") return false;
    return std::nullopt;
}

bool valid_date_time(std::string_view t) {
    // YYYY-MM-DDThh:mm:ss[.fraction](Z|+hh:mm|-hh:mm)? (TR-106 §3.2.1; no zone = local, allowed)
    auto digits = [&](std::size_t pos, std::size_t n) {
        if (pos + n > t.size()) return false;
        for (std::size_t i = pos; i < pos + n; ++i) {
            if (t[i] < '0' || t[i] > '9') return false;
        }
        return true;
    };
    if (!(digits(0, 4) && t.size() >= 19 && t[4] == '-' && digits(5, 2) && t[7] == '-' && digits(8, 2) &&
          t[10] == 'T' && digits(11, 2) && t[13] == ':' && digits(14, 2) && t[16] == ':' && digits(17, 2))) {
        return false;
    }
    std::size_t pos = 19;
    if (pos < t.size() && t[pos] == '.') {
        ++pos;
        const std::size_t start = pos;
        while (pos < t.size() && t[pos] >= '0' && t[pos] <= '9') ++pos;
        if (pos == start) return false;
    }
    if (pos == t.size()) return true;
    if (t[pos] == 'Z') return pos + 1 == t.size();
    if (t[pos] != '+' && t[pos] != '-') return false;
    return pos + 6 == t.size() && digits(pos + 1, 2) && t[pos + 3] == ':' && digits(pos + 4, 2);
}

bool valid_base64(std::string_view t) {
    std::size_t n = 0;
    std::size_t pad = 0;
    for (const char c : t) {
        if (c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
        const bool alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
                           c == '/';
        if (c == '=') {
            ++pad;
        } else if (!alpha || pad > 0) {
            return false;
        }
        ++n;
    }
    return n % 4 == 0 && pad <= 2;
}

std::string join(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& i : items) {
        if (!out.empty()) out += ',';
        out += i;
    }
    return out;
}

}  // namespace

bool valid_lexical(ValueType type, std::string_view value) {
    switch (type) {
        case V::string: return true;
        case V::int_: return parse_signed(value, INT32_MIN, INT32_MAX).has_value();
        case V::unsignedInt: return parse_unsigned(value, UINT32_MAX).has_value();
        case V::long_: return parse_signed(value, INT64_MIN, INT64_MAX).has_value();
        case V::unsignedLong: return parse_unsigned(value, UINT64_MAX).has_value();
        case V::boolean: return parse_boolean(value).has_value();
        case V::dateTime: return valid_date_time(value);
        case V::base64: return valid_base64(value);
        case V::hexBinary:
            return value.size() % 2 == 0 && value.find_first_not_of("0123456789abcdefABCDEF") == std::string_view::npos;
    }
    return false;
}

std::string format_time(const std::optional<common::SystemTime>& t) {
    if (!t) return std::string(unknown_time);
    const std::time_t secs = std::chrono::system_clock::to_time_t(*t);
    std::tm tm{};
    if (gmtime_r(&secs, &tm) == nullptr) return std::string(unknown_time);
    char buf[32];
    if (std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) return std::string(unknown_time);
    return buf;
}

std::optional<std::size_t> instance_after(std::string_view name, std::string_view prefix) {
    if (!name.starts_with(prefix)) return std::nullopt;
    const std::string_view rest = name.substr(prefix.size());
    const auto dot = rest.find('.');
    if (dot == std::string_view::npos || dot == 0) return std::nullopt;
    if (rest[0] == '0') return std::nullopt;
    const auto n = parse_unsigned(rest.substr(0, dot), UINT32_MAX);
    if (!n) return std::nullopt;
    return static_cast<std::size_t>(*n);
}

std::vector<ParameterValueStruct> forced_inform_parameters(const Tree& tree) {
    std::vector<ParameterValueStruct> out;
    for (const auto& n : tree.nodes) {
        if (!n.object && n.def->forced_inform) out.push_back({n.name, n.def->secret ? std::string() : n.value, n.def->type});
    }
    return out;
}

std::optional<std::size_t> Tree::find(std::string_view name) const {
    for (std::size_t i = 0; i < nodes.size(); ++i) {
        if (nodes[i].name == name) return i;
    }
    return std::nullopt;
}

std::vector<std::size_t> Tree::subtree(std::string_view path) const {
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < nodes.size(); ++i) {
        if (nodes[i].name.starts_with(path)) out.push_back(i);
    }
    return out;
}

DataModel::DataModel(DataModelProviders providers, CwmpStore& store, std::string oui)
    : m_p(providers), m_store(&store), m_oui(std::move(oui)), m_profile_table(profiles::profile_table_path(m_oui)) {
    const std::string table_name = "X_" + m_oui + "_CertificateProfile";
    for (const Row& row : standard_rows) m_defs.push_back(make_def(row, table_name));
    for (const auto& m : profiles::parameter_mappings()) {
        ParameterDef def;
        def.path = m_profile_table + "{i}." + std::string(m.parameter);
        def.type = value_type(m.type);
        def.access = m.writable ? A::writable : A::read_only;
        def.secret = m.secret;
        def.source = Source::profile;
        def.mapping = &m;
        m_defs.push_back(std::move(def));
    }
    for (const Row& row : status_rows) m_defs.push_back(make_def(row, table_name));
    for (auto& def : m_defs) {
        def.field = std::string_view(def.path).substr(def.path.rfind('.') + 1);
    }
}

common::Result<std::vector<ProfileEntry>> DataModel::instance_profiles(std::vector<InstanceRecord>& instances) {
    auto entries = m_p.profiles.profiles();
    if (!entries) return entries.error();
    auto stored = m_store->instances(m_profile_table);
    if (!stored) return stored.error();
    std::set<std::string> names;
    for (const auto& e : *entries) names.insert(e.profile.name());
    // Instances whose profile went away by other means (its file was removed) go too.
    for (const auto& r : *stored) {
        if (r.key && !names.contains(*r.key)) {
            if (auto removed = m_store->remove_instance(m_profile_table, r.instance); !removed) {
                return removed.error();
            }
        }
    }
    for (const auto& e : *entries) {
        if (auto n = m_store->assign_instance(m_profile_table, e.profile.name()); !n) return n.error();
    }
    auto now = m_store->instances(m_profile_table);
    if (!now) return now.error();
    instances = std::move(*now);
    return entries;
}

namespace {

std::string device_value(std::string_view f, const DeviceInfo& d, std::chrono::seconds uptime) {
    if (f == "Manufacturer") return d.manufacturer;
    if (f == "ManufacturerOUI") return d.manufacturer_oui;
    if (f == "ModelName") return d.model_name;
    if (f == "Description") return d.description;
    if (f == "ProductClass") return d.product_class;
    if (f == "SerialNumber") return d.serial_number;
    if (f == "HardwareVersion") return d.hardware_version;
    if (f == "SoftwareVersion") return d.software_version;
    if (f == "UpTime") return std::to_string(std::clamp<std::int64_t>(uptime.count(), 0, UINT32_MAX));
    return {};
}

std::string management_value(std::string_view f, const ManagementServerSettings& ms, const std::string& key) {
    if (f == "ProvisioningCode") return ms.provisioning_code;
    if (f == "URL") return ms.url;
    if (f == "Username") return ms.username;
    if (f == "Password") return ms.password;
    if (f == "PeriodicInformEnable") return bool_text(ms.periodic_inform_enable);
    if (f == "PeriodicInformInterval") return std::to_string(ms.periodic_inform_interval);
    if (f == "PeriodicInformTime") return ms.periodic_inform_time;
    if (f == "ParameterKey") return key;
    if (f == "ConnectionRequestURL") return ms.connection_request_url;
    if (f == "ConnectionRequestUsername") return ms.connection_request_username;
    if (f == "ConnectionRequestPassword") return ms.connection_request_password;
    if (f == "UpgradesManaged") return bool_text(ms.upgrades_managed);
    if (f == "CWMPRetryMinimumWaitInterval") return std::to_string(ms.cwmp_retry_minimum_wait_interval);
    if (f == "CWMPRetryIntervalMultiplier") return std::to_string(ms.cwmp_retry_interval_multiplier);
    return {};
}

std::string certificate_value(std::string_view f, const CertificateView& c) {
    if (f == "Enable") return bool_text(c.enable);
    if (f == "LastModif") return format_time(c.last_modif);
    if (f == "SerialNumber") return c.serial_number;
    if (f == "Issuer") return c.issuer;
    if (f == "NotBefore") return format_time(c.not_before);
    if (f == "NotAfter") return format_time(c.not_after);
    if (f == "Subject") return c.subject;
    if (f == "SubjectAlt") return join(c.subject_alt);
    if (f == "SignatureAlgorithm") return c.signature_algorithm;
    return {};
}

std::string status_value(std::string_view f, const ProfileStatus& status) {
    if (f == "State") return status.state;
    if (f == "LastError") return status.last_error;
    if (f == "NextRenewal") return format_time(status.next_renewal);
    if (f == "CertificateSerialNumber") return status.certificate_serial;
    if (f == "NotAfter") return format_time(status.not_after);
    return {};
}

std::string with_instance(const std::string& pattern, std::size_t instance) {
    std::string name = pattern;
    name.replace(name.find("{i}"), 3, std::to_string(instance));
    return name;
}

}  // namespace

// Appends nodes in order, each object once, before the first node below it.
class TreeBuilder {
public:
    explicit TreeBuilder(const std::string& profile_table) : m_profile_table(profile_table) {}

    void object(const std::string& path, bool writable) {
        if (m_emitted.insert(path).second) m_tree.nodes.push_back(Node{path, true, writable, nullptr, {}});
    }
    void parameter(std::string name, const ParameterDef& def, std::string value) {
        for (std::size_t dot = name.find('.'); dot != std::string::npos; dot = name.find('.', dot + 1)) {
            const std::string path = name.substr(0, dot + 1);
            // The vendor table takes AddObject, its instances DeleteObject; nothing else does.
            const bool writable = path == m_profile_table || (instance_after(path, m_profile_table).has_value() &&
                                                              path.find(".Status.") == std::string::npos);
            object(path, writable);
        }
        m_tree.nodes.push_back(Node{std::move(name), false, def.access == A::writable, &def, std::move(value)});
    }
    Tree take() { return std::move(m_tree); }

private:
    const std::string& m_profile_table;
    Tree m_tree;
    std::set<std::string> m_emitted;
};

common::Result<Tree> DataModel::tree() {
    const DeviceInfo device = m_p.device.device_info();
    const auto uptime = m_p.device.uptime();
    const ManagementServerSettings ms = m_p.management_server.management_server();
    auto parameter_key = m_store->parameter_key();
    if (!parameter_key) return parameter_key.error();
    auto certs = m_p.certificates.certificates();
    if (!certs) return certs.error();
    std::vector<std::pair<std::size_t, const CertificateView*>> cert_instances;
    for (const auto& c : *certs) {
        auto n = m_store->assign_instance(certificate_table, c.key);
        if (!n) return n.error();
        cert_instances.emplace_back(*n, &c);
    }
    std::sort(cert_instances.begin(), cert_instances.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<InstanceRecord> profile_instances;
    auto entries = instance_profiles(profile_instances);
    if (!entries) return entries.error();

    TreeBuilder out(m_profile_table);
    for (const auto& def : m_defs) {
        switch (def.source) {
            case Source::device_info: out.parameter(def.path, def, device_value(def.field, device, uptime)); break;
            case Source::management_server:
                out.parameter(def.path, def, management_value(def.field, ms, *parameter_key));
                break;
            case Source::security:
                out.parameter(def.path, def, std::to_string(cert_instances.size()));
                out.object(std::string(certificate_table), false);
                for (const auto& [instance, c] : cert_instances) {
                    for (const auto& cdef : m_defs) {
                        if (cdef.source != Source::certificate) continue;
                        out.parameter(with_instance(cdef.path, instance), cdef, certificate_value(cdef.field, *c));
                    }
                }
                break;
            case Source::profile_table:
                out.parameter(def.path, def, std::to_string(profile_instances.size()));
                out.object(m_profile_table, true);
                for (const auto& record : profile_instances) add_profile_instance_nodes(out, record, *entries);
                break;
            case Source::certificate:
            case Source::profile:
            case Source::profile_status: break;  // with their tables, instance by instance
        }
    }
    return out.take();
}

void DataModel::add_profile_instance_nodes(TreeBuilder& out, const InstanceRecord& record,
                                           const std::vector<ProfileEntry>& entries) const {
    const ProfileEntry* entry = nullptr;
    for (const auto& e : entries) {
        if (record.key && e.profile.name() == *record.key) entry = &e;
    }
    std::map<std::string, std::string> values;
    if (entry != nullptr) {
        for (auto& pv : profiles::render_parameters(entry->profile, m_oui, record.instance,
                                                    profiles::SecretRendering::reveal)) {
            values[pv.name] = std::move(pv.value);
        }
    }
    const ProfileStatus status = entry != nullptr ? entry->status : ProfileStatus{};
    for (const auto& def : m_defs) {
        if (def.source == Source::profile_status) {
            out.parameter(with_instance(def.path, record.instance), def, status_value(def.field, status));
        }
        if (def.source != Source::profile) continue;
        std::string name = with_instance(def.path, record.instance);
        // An instance without a profile shows every value unset, Enable false.
        std::string v = entry != nullptr ? values[name] : (def.type == V::unsignedInt ? "0" : "");
        if (def.type == V::boolean) v = bool_text(profiles::parse_bool(v).value_or(false));
        out.parameter(std::move(name), def, std::move(v));
    }
}

common::Result<StagedChanges> DataModel::stage_begin() {
    StagedChanges staged;
    staged.management_server = m_p.management_server.management_server();
    return staged;
}

std::optional<ParameterFault> DataModel::stage(const Tree& tree, StagedChanges& staged, std::string_view name,
                                               ValueType type, std::string_view value) {
    auto fault = [&](FaultCode code, std::string message) {
        return ParameterFault{std::string(name), code, std::move(message)};
    };
    const auto index = tree.find(name);
    if (!index || tree.nodes[*index].object) return fault(FaultCode::invalid_parameter_name, "no such parameter");
    const Node& node = tree.nodes[*index];
    const ParameterDef& def = *node.def;
    if (def.access != A::writable) return fault(FaultCode::non_writable_parameter, "read-only parameter");
    if (type != def.type) {
        return fault(FaultCode::invalid_parameter_type,
                     "type is " + std::string(xsi_type_name(def.type)) + ", not " + std::string(xsi_type_name(type)));
    }
    if (!valid_lexical(type, value)) {
        return fault(FaultCode::invalid_parameter_value, "not a valid " + std::string(xsi_type_name(type)));
    }
    std::string text(value);
    if (type == V::boolean) text = bool_text(*parse_boolean(value));
    const std::string_view f = def.field;
    if (def.source == Source::certificate) {
        if (text != node.value) {
            return fault(FaultCode::invalid_parameter_value,
                         "a certificate is enabled or disabled through its profile's Enable");
        }
        staged.names.emplace_back(name);
        return std::nullopt;
    }
    if (def.source == Source::management_server) {
        auto& ms = staged.management_server;
        if (type == V::string && text.size() > (f == "ProvisioningCode" ? 64u : 256u)) {
            return fault(FaultCode::invalid_parameter_value, "too long");
        }
        if (f == "ProvisioningCode") ms.provisioning_code = text;
        else if (f == "URL") {
            if (!text.starts_with("http://") && !text.starts_with("https://")) {
                return fault(FaultCode::invalid_parameter_value, "not an http:// or https:// URL");
            }
            ms.url = text;
        } else if (f == "Username") ms.username = text;
        else if (f == "Password") ms.password = text;
        else if (f == "PeriodicInformEnable") ms.periodic_inform_enable = text == "true";
        else if (f == "PeriodicInformInterval") {
            const auto v = *parse_unsigned(text, UINT32_MAX);
            if (v < 1) return fault(FaultCode::invalid_parameter_value, "must be at least 1");
            ms.periodic_inform_interval = static_cast<std::uint32_t>(v);
        } else if (f == "PeriodicInformTime") ms.periodic_inform_time = text;
        else if (f == "ConnectionRequestUsername") ms.connection_request_username = text;
        else if (f == "ConnectionRequestPassword") ms.connection_request_password = text;
        else if (f == "UpgradesManaged") ms.upgrades_managed = text == "true";
        else if (f == "CWMPRetryMinimumWaitInterval") {
            const auto v = *parse_unsigned(text, UINT32_MAX);
            if (v < 1 || v > 65535) return fault(FaultCode::invalid_parameter_value, "must be 1..65535");
            ms.cwmp_retry_minimum_wait_interval = static_cast<std::uint32_t>(v);
        } else if (f == "CWMPRetryIntervalMultiplier") {
            const auto v = *parse_unsigned(text, UINT32_MAX);
            if (v < 1000 || v > 65535) return fault(FaultCode::invalid_parameter_value, "must be 1000..65535");
            ms.cwmp_retry_interval_multiplier = static_cast<std::uint32_t>(v);
        }
        staged.management_server_changed = true;
        staged.names.emplace_back(name);
        return std::nullopt;
    }
    // A vendor profile parameter: the instance's values as they stand, then this one.
    const auto instance = instance_after(name, m_profile_table);
    if (def.source != Source::profile || !instance) return fault(FaultCode::internal_error, "unexpected row");
    auto [it, fresh] = staged.profile_values.try_emplace(*instance);
    if (fresh) {
        // An instance without a profile (made by AddObject, no Name yet) starts empty and
        // disabled; the placeholder values it shows ("0") are not values.
        const std::string prefix = profiles::profile_object_path(m_oui, *instance);
        const auto named = tree.find(prefix + "Name");
        if (named && tree.nodes[*named].value.empty()) {
            it->second = {{prefix + "Name", ""}, {prefix + "Enable", "false"}};
        } else {
            for (const auto i : tree.subtree(prefix)) {
                const Node& n = tree.nodes[i];
                if (!n.object && n.def->source == Source::profile) it->second[n.name] = n.value;
            }
        }
    }
    it->second[std::string(name)] = text;
    staged.names.emplace_back(name);
    return std::nullopt;
}

std::vector<ParameterFault> DataModel::check(const StagedChanges& staged) {
    std::vector<ParameterFault> faults;
    std::map<std::string, std::size_t> names;  // profile name -> instance, after the change
    if (auto instances = m_store->instances(m_profile_table)) {
        for (const auto& r : *instances) {
            if (r.key && !staged.profile_values.contains(r.instance)) names[*r.key] = r.instance;
        }
    }
    for (const auto& [instance, values] : staged.profile_values) {
        const std::string prefix = profiles::profile_object_path(m_oui, instance);
        auto parsed = profiles::profile_from_parameters(values, m_oui, instance);
        for (const auto& d : parsed.diagnostics) {
            faults.push_back({prefix + d.key, FaultCode::invalid_parameter_value, d.message});
        }
        if (parsed.ok()) {
            const auto [it, inserted] = names.emplace(parsed.profiles.front().name(), instance);
            if (!inserted) {
                faults.push_back({prefix + "Name", FaultCode::invalid_parameter_value,
                                  "instance " + std::to_string(it->second) + " has this name already"});
            }
        }
    }
    return faults;
}

common::Result<void> DataModel::commit(const StagedChanges& staged, std::string_view parameter_key) {
    std::vector<profiles::Profile> upserts;
    std::vector<std::string> removals;
    std::vector<std::pair<std::size_t, std::string>> keys;
    auto instances = m_store->instances(m_profile_table);
    if (!instances) return instances.error();
    for (const auto& [instance, values] : staged.profile_values) {
        auto parsed = profiles::profile_from_parameters(values, m_oui, instance);
        if (!parsed.ok()) return common::fail(Errc::invalid_argument, "profile " + std::to_string(instance) + " is invalid");
        const std::string name = parsed.profiles.front().name();
        for (const auto& r : *instances) {
            if (r.instance == instance && r.key && *r.key != name) removals.push_back(*r.key);
        }
        upserts.push_back(std::move(parsed.profiles.front()));
        keys.emplace_back(instance, name);
    }
    if (staged.management_server_changed) {
        if (auto r = m_p.management_server.set_management_server(staged.management_server); !r) return r;
    }
    if (!upserts.empty()) {
        if (auto r = m_p.profiles.apply(upserts, removals); !r) return r;
    }
    // Two instances may swap names: free every key first.
    for (const auto& [instance, name] : keys) {
        if (auto r = m_store->set_instance_key(m_profile_table, instance, std::nullopt); !r) return r;
    }
    for (const auto& [instance, name] : keys) {
        if (auto r = m_store->set_instance_key(m_profile_table, instance, std::string_view(name)); !r) return r;
    }
    return m_store->set_parameter_key(parameter_key);
}

common::Result<std::size_t> DataModel::add_profile_instance(std::string_view parameter_key) {
    auto n = m_store->assign_instance(m_profile_table, std::nullopt);
    if (!n) return n.error();
    if (auto r = m_store->set_parameter_key(parameter_key); !r) return r.error();
    return *n;
}

common::Result<void> DataModel::delete_profile_instance(std::size_t instance, std::string_view parameter_key) {
    auto instances = m_store->instances(m_profile_table);
    if (!instances) return instances.error();
    const auto it = std::find_if(instances->begin(), instances->end(),
                                 [&](const InstanceRecord& r) { return r.instance == instance; });
    if (it == instances->end()) {
        return common::fail(Errc::not_found, "no instance " + std::to_string(instance));
    }
    if (it->key) {
        if (auto r = m_p.profiles.apply({}, {*it->key}); !r) return r;
    }
    if (auto r = m_store->remove_instance(m_profile_table, instance); !r) return r;
    if (auto r = m_store->remove_attributes_under(profiles::profile_object_path(m_oui, instance)); !r) return r;
    return m_store->set_parameter_key(parameter_key);
}

ParameterAttributeStruct DataModel::attributes(const Node& node, std::span<const StoredAttributes> stored) const {
    ParameterAttributeStruct out;
    out.name = node.name;
    const StoredAttributes* best = nullptr;
    for (const auto& s : stored) {
        const bool matches = s.name == node.name || (s.name.ends_with('.') && node.name.starts_with(s.name));
        if (matches && (best == nullptr || s.name.size() > best->name.size())) best = &s;
    }
    if (best != nullptr) {
        out.notification = static_cast<Notification>(best->notification);
        out.access_list = best->access_list;
    } else if (node.def != nullptr && node.def->notify == N::force_default_enabled) {
        out.notification = Notification::active;
    }
    // Active Notification of a canDeny parameter is refused by name (9009) and stays off when a
    // partial-path rule asks for it.
    if (node.def != nullptr && node.def->notify == N::can_deny && out.notification == Notification::active &&
        best != nullptr && best->name != node.name) {
        out.notification = Notification::off;
    }
    if (node.def != nullptr && node.def->notify == N::force_enabled) out.notification = Notification::active;
    return out;
}

}  // namespace cwmp
