// Reading profile files (docs/profile-format.md): parse, then validate each profile, reporting
// every problem with file, line and key.
//
// Thread-safety: pure functions (load_profiles() reads the file system).
#pragma once

#include <filesystem>
#include <string_view>

#include "common/result.h"
#include "profiles/profile_source.h"

namespace profiles {

// Profiles and diagnostics of one file's text; `file_name` goes into each Diagnostic.
// Never fails: problems, however many, are diagnostics. A profile with any problem is left out
// of ParseResult::profiles; the others are there.
ParseResult parse_profiles(std::string_view text, std::string_view file_name);

// A file, or a directory whose *.conf files (not recursive, sorted by name) are read as one
// set; a profile name defined in two places is a diagnostic. Errc::not_found / Errc::io when a
// path cannot be read - that is an error, not a diagnostic.
common::Result<ParseResult> load_profiles(const std::filesystem::path& path);

// Comments and sections only, no validation: the RawProfiles of `text`. Syntax problems are
// appended to `diagnostics`. For the TR-069 mapping and tests; parse_profiles() uses it.
std::vector<RawProfile> read_sections(std::string_view text, std::string_view file_name,
                                      std::vector<Diagnostic>& diagnostics);

}  // namespace profiles
