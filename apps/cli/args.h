// A small command-line parser for the certkeeper CLI: "--name value", "--name=value", flags,
// repeated options and positional arguments. Unknown options are errors.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"

namespace cli {

struct OptionSpec {
    std::string name;   // without "--"
    bool takes_value;   // false: a flag
    bool repeatable;
    std::string help;   // one line; for options with a value, starts with the value's name
};

class Args {
public:
    static common::Result<Args> parse(const std::vector<std::string>& argv,
                                      const std::vector<OptionSpec>& specs);

    bool flag(const std::string& name) const { return m_values.count(name) > 0; }
    std::optional<std::string> value(const std::string& name) const;
    std::vector<std::string> values(const std::string& name) const;
    const std::vector<std::string>& positional() const { return m_positional; }

private:
    std::map<std::string, std::vector<std::string>> m_values;
    std::vector<std::string> m_positional;
};

// "  --name VALUE   help" lines for a usage text.
std::string describe_options(const std::vector<OptionSpec>& specs);

// Reads a whole file; Errc::not_found / io with the path in the message.
common::Result<std::string> read_file(const std::string& path);

// A secret kept in a file (--challenge-file, --acs-password-file, ...): its first line, without
// the line end ("" for an empty file). Errors as read_file.
common::Result<std::string> read_secret_line(const std::string& path);

}  // namespace cli
