#include "lifecycle/state_data.h"

#include <charconv>

#include "common/time_format.h"

namespace lifecycle::detail {

namespace {

std::string escape(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (const char c : s) {
        if (c == '\\') {
            out += "\\\\";
        } else if (c == '\n') {
            out += "\\n";
        } else if (c != '\r') {
            out += c;
        }
    }
    return out;
}

std::string unescape(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\\' && i + 1 < s.size()) {
            ++i;
            out += s[i] == 'n' ? '\n' : s[i];
        } else {
            out += s[i];
        }
    }
    return out;
}

}  // namespace

StateData StateData::parse(std::string_view text) {
    StateData data;
    while (!text.empty()) {
        const auto end = text.find('\n');
        const std::string_view line = text.substr(0, end);
        text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
        const auto eq = line.find('=');
        if (eq == std::string_view::npos || eq == 0)
            continue;
        data.m_values[std::string(line.substr(0, eq))] = unescape(line.substr(eq + 1));
    }
    return data;
}

std::string StateData::encode() const {
    std::string out;
    for (const auto& [key, value] : m_values) {
        if (value.empty())
            continue;
        out += key;
        out += '=';
        out += escape(value);
        out += '\n';
    }
    return out;
}

void StateData::set(const std::string& key, std::string value) {
    m_values[key] = std::move(value);
}

void StateData::set_time(const std::string& key, std::optional<common::SystemTime> t) {
    set(key, t ? common::format_rfc3339(*t) : std::string());
}

void StateData::set_certificates(const std::string& key,
                                 const std::vector<crypto::Certificate>& certs) {
    std::string pem;
    for (const auto& cert : certs) pem += cert.to_pem();
    set(key, std::move(pem));
}

std::string StateData::get(const std::string& key) const {
    const auto it = m_values.find(key);
    return it == m_values.end() ? std::string() : it->second;
}

std::optional<common::SystemTime> StateData::get_time(const std::string& key) const {
    const std::string text = get(key);
    if (text.empty())
        return std::nullopt;
    auto t = common::parse_rfc3339(text);
    if (!t)
        return std::nullopt;
    return *t;
}

unsigned StateData::get_unsigned(const std::string& key) const {
    const std::string text = get(key);
    unsigned value = 0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    return ec == std::errc{} && ptr == text.data() + text.size() ? value : 0;
}

std::vector<crypto::Certificate> StateData::get_certificates(const std::string& key) const {
    const std::string pem = get(key);
    if (pem.empty())
        return {};
    auto certs = crypto::Certificate::all_from_pem(pem);
    if (!certs)
        return {};
    return std::move(certs).value();
}

}  // namespace lifecycle::detail
