#include "args.h"

#include <fstream>
#include <sstream>

namespace cli {

common::Result<Args> Args::parse(const std::vector<std::string>& argv,
                                 const std::vector<OptionSpec>& specs) {
    Args args;
    bool options_done = false;
    for (std::size_t i = 0; i < argv.size(); ++i) {
        const std::string& a = argv[i];
        if (options_done || a.size() < 3 || a.rfind("--", 0) != 0) {
            if (a == "--") {
                options_done = true;
                continue;
            }
            args.m_positional.push_back(a);
            continue;
        }
        std::string name = a.substr(2);
        std::optional<std::string> inline_value;
        if (const auto eq = name.find('='); eq != std::string::npos) {
            inline_value = name.substr(eq + 1);
            name.resize(eq);
        }
        const OptionSpec* spec = nullptr;
        for (const auto& s : specs) {
            if (s.name == name) spec = &s;
        }
        if (spec == nullptr) {
            return common::fail(common::Errc::invalid_argument, "unknown option --" + name);
        }
        auto& slot = args.m_values[name];
        if (!spec->repeatable && !slot.empty()) {
            return common::fail(common::Errc::invalid_argument, "--" + name + " given twice");
        }
        if (!spec->takes_value) {
            if (inline_value) {
                return common::fail(common::Errc::invalid_argument, "--" + name + " takes no value");
            }
            slot.emplace_back();
            continue;
        }
        if (inline_value) {
            slot.push_back(*inline_value);
        } else if (i + 1 < argv.size()) {
            slot.push_back(argv[++i]);
        } else {
            return common::fail(common::Errc::invalid_argument, "--" + name + " needs a value");
        }
    }
    return args;
}

std::optional<std::string> Args::value(const std::string& name) const {
    auto it = m_values.find(name);
    if (it == m_values.end() || it->second.empty()) return std::nullopt;
    return it->second.back();
}

std::vector<std::string> Args::values(const std::string& name) const {
    auto it = m_values.find(name);
    return it == m_values.end() ? std::vector<std::string>{} : it->second;
}

std::string describe_options(const std::vector<OptionSpec>& specs) {
    std::string out;
    for (const auto& s : specs) {
        std::string left = "  --" + s.name;
        std::string help = s.help;
        if (s.takes_value) {
            const auto space = help.find(' ');
            left += " " + help.substr(0, space);
            help = space == std::string::npos ? "" : help.substr(space + 1);
        }
        if (left.size() < 28) left.resize(28, ' ');
        out += left + " " + help + (s.repeatable ? " (repeatable)" : "") + "\n";
    }
    return out;
}

common::Result<std::string> read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return common::fail(common::Errc::not_found, "cannot open " + path);
    std::ostringstream ss;
    ss << in.rdbuf();
    if (in.bad()) return common::fail(common::Errc::io, "cannot read " + path);
    return ss.str();
}

common::Result<std::string> read_secret_line(const std::string& path) {
    auto text = read_file(path);
    if (!text) return text.error();
    return text->substr(0, text->find_first_of("\r\n"));
}

}  // namespace cli
