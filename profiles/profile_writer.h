// Rendering a Profile back into its keys: for `certkeeper profile show`, for the TR-069 mapping
// and for storing the profile as applied. Every rendering parses back to an equal Profile
// (with SecretRendering::reveal) - the tests hold it to that.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "profiles/profile.h"

namespace profiles {

enum class SecretRendering {
    redact,  // every secret (challenge, password, pkcs12 passphrase) becomes "(secret)"
    reveal,  // the real values: only for storage and for handing the profile to its machine
};

struct RenderedEntry {
    std::string_view key;  // a key of profile_keys()
    // For ValueSyntax::text keys the plain value ("CN=${MAC}, O=Example"); for ValueSyntax::words
    // keys the words, each quoted where needed ("pkcs12:/a.p12 passphrase=\"a b\"").
    std::string value;
    friend bool operator==(const RenderedEntry&, const RenderedEntry&) = default;
};

// Every key with its effective value (defaults included) in profile_keys() order; a repeatable
// key once per value; optional keys that are unset are left out.
std::vector<RenderedEntry> render_entries(const Profile& profile, SecretRendering secrets);

// The profile as a file section: [profile "NAME"] and one "key = value" line per entry, values
// quoted where needed.
std::string to_file_text(const Profile& profile, SecretRendering secrets);

}  // namespace profiles
