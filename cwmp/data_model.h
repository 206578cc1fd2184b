// cwmp::DataModel: the parameter tree the CPE exposes (TR-069 Amd 6 §3.6, TR-106 Amd 8 §3),
// table-driven like obuspa's data model: one row per parameter (path with {i}, TR-106 type,
// access, secret, notification policy, forced inform), values read and written through small
// provider interfaces (data_model_providers.h) that tests replace with fakes. The parameters and
// their meaning are listed in docs/cwmp.md, "Data model"; standard ones are typed exactly as
// TR-181 2.19 defines them.
//
// The vendor object Device.X_<OUI>_CertificateProfile.{i}. takes its rows from
// profiles::parameter_mappings() (never a copy) plus the Status. sub-object; its values go
// through profiles::profile_from_parameters, so an ACS cannot apply a profile the file format
// would refuse. Instance numbers (profiles and certificates) are kept in the CwmpStore.
//
// Thread-safety: one thread at a time (the session's); the providers are called on that thread.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "cwmp/cwmp_store.h"
#include "cwmp/data_model_providers.h"
#include "cwmp/messages.h"
#include "profiles/tr069_mapping.h"

namespace cwmp {

enum class Access { read_only, writable };

// TR-106 activeNotify: whether Active Notification may be refused (can_deny: we refuse it,
// fault 9009), is always on (force_enabled) or on by default (force_default_enabled).
enum class ActiveNotify { normal, can_deny, force_enabled, force_default_enabled };

// What a row's value comes from.
enum class Source {
    device_info, management_server, security, certificate, profile_table, profile, profile_status,
};

// One row of the definition table.
struct ParameterDef {
    std::string path;  // "Device.Security.Certificate.{i}.NotAfter" with the real OUI
    ValueType type = ValueType::string;
    Access access = Access::read_only;
    bool secret = false;  // TR-069 §A.3.2.1: GetParameterValues returns ""
    ActiveNotify notify = ActiveNotify::normal;
    bool forced_inform = false;  // in every Inform's ParameterList (§3.7.1.5, TR-181)
    Source source = Source::device_info;
    std::string_view field;  // the parameter's last name, "NotAfter"
    const profiles::ParameterMapping* mapping = nullptr;  // Source::profile rows
};

// One node of the tree as it stands: an object (name ends in '.') or a parameter.
struct Node {
    std::string name;
    bool object = false;
    bool writable = false;  // parameters: settable; objects: AddObject (tables) / DeleteObject
    const ParameterDef* def = nullptr;  // parameters only
    std::string value;                  // parameters only; the real value even when secret
};

// The whole tree at one moment, in GetParameterNames order (depth first, instances ascending).
struct Tree {
    std::vector<Node> nodes;
    // Index of name in nodes, or nullopt.
    std::optional<std::size_t> find(std::string_view name) const;
    // Indexes of name (an object path ending in '.', or "" for everything) and every node below.
    std::vector<std::size_t> subtree(std::string_view path) const;
};

// A staged SetParameterValues: every value checked, nothing applied yet.
struct StagedChanges {
    ManagementServerSettings management_server;
    bool management_server_changed = false;
    // Per vendor profile instance: every parameter value (full names, secrets revealed).
    std::map<std::size_t, std::map<std::string, std::string>> profile_values;
    std::vector<std::string> names;  // parameters set, in request order
};

class TreeBuilder;  // data_model.cpp

struct ParameterFault {
    std::string name;
    FaultCode code;
    std::string message;
};

class DataModel {
public:
    // REQUIRES: profiles::valid_oui(oui); every reference outlives the DataModel.
    DataModel(DataModelProviders providers, CwmpStore& store, std::string oui);

    std::span<const ParameterDef> definitions() const { return m_defs; }
    const std::string& oui() const { return m_oui; }
    // "Device.X_<OUI>_CertificateProfile."
    const std::string& profile_table() const { return m_profile_table; }

    // Reads every provider once and builds the tree.
    common::Result<Tree> tree();

    // Checks one value against its node (type given by the ACS, writability, lexical form,
    // ranges) and stages it. REQUIRES: staged was made by stage_begin() on the same tree.
    std::optional<ParameterFault> stage(const Tree& tree, StagedChanges& staged, std::string_view name,
                                        ValueType type, std::string_view value);
    common::Result<StagedChanges> stage_begin();
    // Builds every touched profile through the profiles validator; one fault per problem.
    std::vector<ParameterFault> check(const StagedChanges& staged);
    // Applies what check() accepted: management server settings, then the profiles (one
    // ProfileProvider::apply call), then the instance keys and ParameterKey.
    common::Result<void> commit(const StagedChanges& staged, std::string_view parameter_key);

    // AddObject on the vendor table: a new instance with no profile yet (Enable false).
    common::Result<std::size_t> add_profile_instance(std::string_view parameter_key);
    // DeleteObject of a vendor instance: removes its profile and attributes.
    // Errc::not_found for an unknown instance.
    common::Result<void> delete_profile_instance(std::size_t instance, std::string_view parameter_key);

    // Effective attributes of a parameter node: stored (longest matching name) or the default.
    ParameterAttributeStruct attributes(const Node& node, std::span<const StoredAttributes> stored) const;

private:
    common::Result<std::vector<ProfileEntry>> instance_profiles(std::vector<InstanceRecord>& instances);
    void add_profile_instance_nodes(TreeBuilder& out, const InstanceRecord& record,
                                    const std::vector<ProfileEntry>& entries) const;

    DataModelProviders m_p;
    CwmpStore* m_store;
    std::string m_oui;
    std::string m_profile_table;
    std::vector<ParameterDef> m_defs;
};

// The ParameterList every Inform carries (TR-069 Amd 6 §3.7.1.5, TR-181 forcedInform):
// DeviceInfo.HardwareVersion, SoftwareVersion, ProvisioningCode, ManagementServer.ParameterKey,
// ConnectionRequestURL, in tree order.
std::vector<ParameterValueStruct> forced_inform_parameters(const Tree& tree);

// The instance number in name right after prefix ("Device.X.3.URL", "Device.X." -> 3).
std::optional<std::size_t> instance_after(std::string_view name, std::string_view prefix);

// TR-106 lexical checks: "true"/"false"/"1"/"0"; unsignedInt; int; dateTime (UTC, 'Z' or
// offset); base64. Canonical boolean output is "true"/"false".
bool valid_lexical(ValueType type, std::string_view value);
std::string format_time(const std::optional<common::SystemTime>& t);  // unknown_time for nullopt

}  // namespace cwmp
