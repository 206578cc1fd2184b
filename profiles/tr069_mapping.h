// The TR-069 face of a profile: one parameter per profile key under a vendor object
// Device.X_<OUI>_CertificateProfile.{i}. (TR-106 Amd 8 §3.3 vendor extensions; docs/profile-
// format.md, "TR-069 parameters"). The CWMP agent serves and accepts exactly these, and builds
// profiles through the same validator as the file format, so the two cannot drift apart.
//
// Thread-safety: constant data and pure functions.
#pragma once

#include <cstddef>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "profiles/profile.h"
#include "profiles/profile_source.h"
#include "profiles/profile_writer.h"

namespace profiles {

// TR-106 data types used here.
enum class ParameterType { string, unsigned_int, boolean };
std::string_view to_string(ParameterType type);  // "string", "unsignedInt", "boolean"

struct ParameterMapping {
    std::string_view key;        // profile key; "" for Name, which is the section name
    std::string_view parameter;  // "URL", relative to the profile object
    ParameterType type;
    bool writable;  // by the ACS with SetParameterValues
    bool secret;    // TR-069 §A.3.2.1: read back as an empty string
    bool list;      // comma-separated list, one item per value of a repeatable key
};

// Every profile key has exactly one row, plus the Name row; in profile_keys() order.
std::span<const ParameterMapping> parameter_mappings();
const ParameterMapping* find_parameter(std::string_view parameter);
const ParameterMapping* find_parameter_for_key(std::string_view key);

// TR-106 vendor prefix: six upper-case hex digits of the IEEE OUI.
bool valid_oui(std::string_view oui);

// "Device.X_001122_CertificateProfile." (the table) and "...CertificateProfile.3." (one row).
// REQUIRES: valid_oui(oui); index >= 1.
std::string profile_table_path(std::string_view oui);
std::string profile_object_path(std::string_view oui, std::size_t index);

struct ParameterValue {
    std::string name;  // full path, "Device.X_001122_CertificateProfile.3.URL"
    std::string value;
    ParameterType type;
    friend bool operator==(const ParameterValue&, const ParameterValue&) = default;
};

// What GetParameterValues answers for the profile at `index`: secret parameters are "" and
// pkcs12 passphrases inside Stores "(secret)". With SecretRendering::reveal (for storage and
// tests only) they hold the real values. One entry per row of parameter_mappings().
// Durations are whole seconds; unset optional values are "" (RevocationMaxAge: 0).
std::vector<ParameterValue> render_parameters(const Profile& profile, std::string_view oui, std::size_t index,
                                              SecretRendering secrets = SecretRendering::redact);

// A Profile from the values of one object instance (full names as above, as SetParameterValues
// or AddObject leave them), validated like a file. Diagnostics name the object path as the
// file, line 0 and the parameter name as the key. An empty value means "unset" (the default).
// An unknown parameter under the object, or one of another instance, is a diagnostic.
ParseResult profile_from_parameters(const std::map<std::string, std::string>& values, std::string_view oui,
                                    std::size_t index);

}  // namespace profiles
