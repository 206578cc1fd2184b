#include "profiles/profile_parser.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>
#include <system_error>

#include "profiles/profile_validator.h"

namespace profiles {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view s) {
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
}

struct SplitValue {
    std::string_view value;    // trimmed, comment removed
    std::string_view comment;  // after ';' or '#', trimmed; empty if none
    bool unterminated = false;
};

// A ';' or '#' outside double quotes, at the start of the value or after whitespace, starts a
// comment.
SplitValue split_comment(std::string_view text) {
    bool quoted = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '"') {
            quoted = !quoted;
        } else if (quoted && c == '\\' && i + 1 < text.size()) {
            ++i;
        } else if (!quoted && (c == ';' || c == '#') && (i == 0 || is_space(text[i - 1]))) {
            return {trim(text.substr(0, i)), trim(text.substr(i + 1)), false};
        }
    }
    return {trim(text), {}, quoted};
}

bool valid_key_name(std::string_view key) {
    return !key.empty() && key.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") == std::string_view::npos;
}

class SectionReader {
public:
    SectionReader(std::string_view file, std::vector<Diagnostic>& out) : m_file(file), m_out(out) {}

    std::vector<RawProfile> read(std::string_view text) {
        if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
        std::size_t line_number = 0;
        while (!text.empty()) {
            ++line_number;
            const auto end = text.find('\n');
            std::string_view line = text.substr(0, end);
            text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
            if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
            read_line(trim(line), line_number);
        }
        return std::move(m_profiles);
    }

private:
    void report(std::size_t line, std::string_view key, std::string message) {
        m_out.push_back(Diagnostic{std::string(m_file), line, std::string(key), std::move(message)});
    }

    void read_line(std::string_view line, std::size_t n) {
        if (line.empty() || line.front() == ';' || line.front() == '#') return;
        if (line.front() == '[') {
            read_header(line, n);
            return;
        }
        const auto eq = line.find('=');
        if (eq == std::string_view::npos) {
            report(n, "", "expected 'key = value' or a [profile \"NAME\"] header");
            return;
        }
        const std::string_view key = trim(line.substr(0, eq));
        if (!valid_key_name(key)) {
            report(n, "", "'" + std::string(key) + "' is not a key name (lower-case letters, digits, '_')");
            return;
        }
        const auto value = split_comment(line.substr(eq + 1));
        if (value.unterminated) {
            report(n, key, "unterminated double quote");
            return;
        }
        if (key == "revocation" && (value.comment.starts_with("hard-fail") || value.comment.starts_with("soft-fail"))) {
            report(n, key, "'" + std::string(value.comment.substr(0, 9)) +
                               "' after ';' is a comment and would be ignored; write 'revocation = " +
                               std::string(value.value) + " " + std::string(value.comment.substr(0, 9)) + "'");
            return;
        }
        if (m_state == State::outside) {
            report(n, key, "key outside a [profile \"NAME\"] section");
            m_state = State::skipping;
            return;
        }
        if (m_state == State::skipping) return;
        m_profiles.back().entries.push_back(RawEntry{std::string(key), std::string(value.value), n});
    }

    // [profile "NAME"]
    void read_header(std::string_view line, std::size_t n) {
        m_state = State::skipping;
        const auto close = line.rfind(']');
        if (close == std::string_view::npos) {
            report(n, "", "section header without ']'");
            return;
        }
        const auto after = trim(line.substr(close + 1));
        if (!after.empty() && after.front() != ';' && after.front() != '#') {
            report(n, "", "text after the section header");
            return;
        }
        std::string_view inside = trim(line.substr(1, close - 1));
        if (!inside.starts_with("profile") || inside.size() < 8 || !is_space(inside[7])) {
            report(n, "", "unknown section [" + std::string(inside) + "] (expected [profile \"NAME\"])");
            return;
        }
        inside = trim(inside.substr(7));
        if (inside.size() < 2 || inside.front() != '"' || inside.back() != '"') {
            report(n, "", "profile name must be in double quotes: [profile \"NAME\"]");
            return;
        }
        const std::string name(inside.substr(1, inside.size() - 2));
        if (!valid_profile_name(name)) {
            report(n, "", "profile name '" + name + "' must be 1..64 of A-Z a-z 0-9 . _ -");
            return;
        }
        if (const auto first = m_names.find(name); first != m_names.end()) {
            report(n, "", "profile \"" + name + "\" already defined on line " + std::to_string(first->second));
            return;
        }
        m_names.emplace(name, n);
        m_profiles.push_back(RawProfile{name, std::string(m_file), n, {}});
        m_state = State::inside;
    }

    enum class State { outside, inside, skipping };

    std::string_view m_file;
    std::vector<Diagnostic>& m_out;
    std::vector<RawProfile> m_profiles;
    std::map<std::string, std::size_t> m_names;
    State m_state = State::outside;
};

common::Result<std::string> read_text(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        std::error_code ec;
        const bool exists = std::filesystem::exists(path, ec);
        return common::fail(exists ? common::Errc::io : common::Errc::not_found,
                            path.string() + (exists ? ": cannot read" : ": no such file or directory"));
    }
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) return common::fail(common::Errc::io, path.string() + ": read error");
    return text.str();
}

}  // namespace

std::string Diagnostic::to_string() const {
    std::string out = file;
    if (line != 0) out += ":" + std::to_string(line);
    out += ": ";
    if (!key.empty()) out += key + ": ";
    return out + message;
}

std::vector<RawProfile> read_sections(std::string_view text, std::string_view file_name,
                                      std::vector<Diagnostic>& diagnostics) {
    return SectionReader(file_name, diagnostics).read(text);
}

ParseResult parse_profiles(std::string_view text, std::string_view file_name) {
    ParseResult result;
    const auto sections = read_sections(text, file_name, result.diagnostics);
    for (const auto& raw : sections) {
        if (auto profile = validate_profile(raw, result.diagnostics)) result.profiles.push_back(std::move(*profile));
    }
    // Validation diagnostics come after syntax ones; present them in line order.
    std::stable_sort(result.diagnostics.begin(), result.diagnostics.end(),
                     [](const Diagnostic& a, const Diagnostic& b) { return a.line < b.line; });
    return result;
}

common::Result<ParseResult> load_profiles(const std::filesystem::path& path) {
    std::error_code ec;
    if (!std::filesystem::is_directory(path, ec)) {
        auto text = read_text(path);
        if (!text) return std::move(text).error();
        return parse_profiles(*text, path.string());
    }
    std::vector<std::filesystem::path> files;
    for (std::filesystem::directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec)) {
        if (it->path().extension() == ".conf" && !it->is_directory(ec)) files.push_back(it->path());
    }
    if (ec) return common::fail(common::Errc::io, path.string() + ": " + ec.message());
    std::sort(files.begin(), files.end());
    ParseResult all;
    std::map<std::string, std::string> defined;  // profile name -> "file:line"
    for (const auto& file : files) {
        auto text = read_text(file);
        if (!text) return std::move(text).error();
        // Names first, from the sections alone, so that a duplicate is found even when one of
        // the two definitions is invalid.
        std::vector<Diagnostic> ignored;
        std::vector<std::string> duplicates;
        for (const auto& section : read_sections(*text, file.string(), ignored)) {
            const auto where = section.file + ":" + std::to_string(section.line);
            if (const auto first = defined.find(section.name); first != defined.end()) {
                all.diagnostics.push_back(Diagnostic{section.file, section.line, "",
                                                     "profile \"" + section.name + "\" already defined at " +
                                                         first->second});
                duplicates.push_back(section.name);
                continue;
            }
            defined.emplace(section.name, where);
        }
        auto one = parse_profiles(*text, file.string());
        all.diagnostics.insert(all.diagnostics.end(), one.diagnostics.begin(), one.diagnostics.end());
        for (auto& profile : one.profiles) {
            if (std::find(duplicates.begin(), duplicates.end(), profile.name()) != duplicates.end()) continue;
            all.profiles.push_back(std::move(profile));
        }
    }
    return all;
}

}  // namespace profiles
