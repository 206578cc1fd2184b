// A profile as written, before validation, and the diagnostics that parsing and validation
// report. The file parser and the TR-069 mapping both produce RawProfiles; validate_profile()
// (profile_validator.h) is the only way from a RawProfile to a Profile.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "profiles/profile.h"

namespace profiles {

// One problem. Every problem of an input is reported, not just the first.
struct Diagnostic {
    std::string file;      // file name, or the TR-069 object path
    std::size_t line = 0;  // 1-based; 0 = the input as a whole (TR-069 values have no lines)
    std::string key;       // file key or TR-069 parameter name; empty for syntax errors
    std::string message;

    // "file:line: key: message" (": key" left out when empty, ":line" when 0).
    std::string to_string() const;
    friend bool operator==(const Diagnostic&, const Diagnostic&) = default;
};

struct RawEntry {
    std::string key;
    std::string value;  // file syntax: comments removed, quotes still in place
    std::size_t line = 0;
};

struct RawProfile {
    std::string name;
    std::string file;
    std::size_t line = 0;  // of the section header
    std::vector<RawEntry> entries;
};

struct ParseResult {
    std::vector<Profile> profiles;        // the valid ones, in input order
    std::vector<Diagnostic> diagnostics;  // in input order; empty = everything valid
    bool ok() const { return diagnostics.empty(); }
};

}  // namespace profiles
