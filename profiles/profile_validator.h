// validate_profile(): the checks every profile passes, whichever way it arrived (file or TR-069
// parameters). docs/profile-format.md lists each key's rules.
#pragma once

#include <optional>
#include <vector>

#include "profiles/profile.h"
#include "profiles/profile_source.h"

namespace profiles {

// A Profile when `raw` is valid; otherwise nullopt. Every problem found is appended to
// `diagnostics` with raw.file, the entry's line and its key.
std::optional<Profile> validate_profile(const RawProfile& raw, std::vector<Diagnostic>& diagnostics);

// Whether `name` is a valid profile name: 1..64 of [A-Za-z0-9._-].
bool valid_profile_name(std::string_view name);

}  // namespace profiles
