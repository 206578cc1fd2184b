#include "device_identity.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <fstream>
#include <sstream>
#include <tuple>
#include <vector>

namespace certkeeperd {
namespace {

namespace fs = std::filesystem;
using common::Errc;

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

std::string first_line(const fs::path& path) {
    std::ifstream in(path);
    std::string line;
    if (!in || !std::getline(in, line)) return {};
    return std::string(trim(line));
}

bool printable(std::string_view s) {
    return std::all_of(s.begin(), s.end(),
                       [](char c) { return static_cast<unsigned char>(c) >= 0x20 && c != 0x7f; });
}

bool all_hex(std::string_view s) {
    return std::all_of(s.begin(), s.end(),
                       [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; });
}

std::string upper(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
}

constexpr std::array<std::string_view, 9> management_keys = {
    "acs_url", "acs_username", "acs_password", "acs_ca", "connection_request_address",
    "connection_request_port", "connection_request_username", "connection_request_password",
    "periodic_inform_interval"};

std::string oui_of(const std::string& mac) {
    std::string out;
    for (char c : mac.substr(0, 8)) {
        if (c != ':') out += c;
    }
    return out;
}

}  // namespace

common::Result<std::string> normalize_mac(std::string_view mac) {
    if (mac.size() != 17) return common::fail(Errc::parse, "not a MAC address: '" + std::string(mac) + "'");
    std::string out;
    for (std::size_t i = 0; i < mac.size(); ++i) {
        if (i % 3 == 2) {
            if (mac[i] != ':' && mac[i] != '-') {
                return common::fail(Errc::parse, "not a MAC address: '" + std::string(mac) + "'");
            }
            out += ':';
        } else {
            if (!all_hex(mac.substr(i, 1))) {
                return common::fail(Errc::parse, "not a MAC address: '" + std::string(mac) + "'");
            }
            out += static_cast<char>(std::toupper(static_cast<unsigned char>(mac[i])));
        }
    }
    return out;
}

common::Result<DeviceIdentity> parse_device_config(std::string_view text) {
    DeviceIdentity out;
    std::vector<std::string> seen;
    std::size_t line_no = 0;
    while (!text.empty()) {
        ++line_no;
        const auto end = text.find('\n');
        const std::string_view raw = text.substr(0, end);
        text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
        const std::string_view line = trim(raw);
        const std::string where = "line " + std::to_string(line_no) + ": ";
        if (line.empty() || line.front() == '#' || line.front() == ';') continue;
        const auto eq = line.find('=');
        if (eq == std::string_view::npos) return common::fail(Errc::parse, where + "expected key = value");
        const std::string key(trim(line.substr(0, eq)));
        const std::string_view value = trim(line.substr(eq + 1));
        if (std::find(seen.begin(), seen.end(), key) != seen.end()) {
            return common::fail(Errc::parse, where + key + " given twice");
        }
        seen.push_back(key);
        if (value.empty()) return common::fail(Errc::parse, where + key + ": empty value");
        if (!printable(value)) return common::fail(Errc::parse, where + key + ": control character in value");
        if (key == "mac") {
            auto mac = normalize_mac(value);
            if (!mac) return mac.error().with_context(where + "mac");
            out.variables.mac = *mac;
        } else if (key == "oui") {
            if (value.size() != 6 || !all_hex(value)) {
                return common::fail(Errc::parse, where + "oui: six hex digits expected, e.g. 001122");
            }
            out.variables.oui = upper(value);
        } else if (key == "serial") {
            out.variables.serial = value;
        } else if (key == "hostname") {
            out.variables.hostname = value;
        } else if (key == "manufacturer") {
            out.manufacturer = value;
        } else if (key == "product_class") {
            out.product_class = value;
        } else if (key == "model_name") {
            out.model_name = value;
        } else if (key == "description") {
            out.description = value;
        } else if (key == "hardware_version") {
            out.hardware_version = value;
        } else if (std::find(management_keys.begin(), management_keys.end(), key) != management_keys.end()) {
            out.management[key] = value;
        } else {
            return common::fail(Errc::parse, where + "unknown key '" + key + "'");
        }
    }
    return out;
}

DeviceIdentity detect_device_identity(const fs::path& root) {
    DeviceIdentity out;
    out.variables.hostname = first_line(root / "proc/sys/kernel/hostname");

    struct Candidate {
        bool virtual_interface;
        std::string name;
        std::string mac;
    };
    std::vector<Candidate> candidates;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(root / "sys/class/net", ec)) {
        const std::string name = entry.path().filename().string();
        if (name == "lo") continue;
        auto mac = normalize_mac(first_line(entry.path() / "address"));
        if (!mac || *mac == "00:00:00:00:00:00") continue;
        std::error_code exists_ec;
        const bool has_device = fs::exists(entry.path() / "device", exists_ec);
        candidates.push_back({!has_device, name, *mac});
    }
    std::sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
        return std::tie(a.virtual_interface, a.name) < std::tie(b.virtual_interface, b.name);
    });
    if (!candidates.empty()) {
        out.variables.mac = candidates.front().mac;
        out.variables.oui = oui_of(out.variables.mac);
    }

    out.variables.serial = first_line(root / "sys/class/dmi/id/product_serial");
    if (out.variables.serial.empty()) {
        std::string dt = first_line(root / "proc/device-tree/serial-number");
        dt.erase(std::find(dt.begin(), dt.end(), '\0'), dt.end());  // a device-tree string ends in NUL
        out.variables.serial = dt;
    }
    if (!printable(out.variables.serial)) out.variables.serial.clear();
    return out;
}

DeviceIdentity merge(const DeviceIdentity& configured, const DeviceIdentity& detected) {
    DeviceIdentity out = detected;
    auto take = [](std::string& into, const std::string& value) {
        if (!value.empty()) into = value;
    };
    if (!configured.variables.mac.empty()) {
        out.variables.mac = configured.variables.mac;
        out.variables.oui = oui_of(configured.variables.mac);
    }
    take(out.variables.oui, configured.variables.oui);
    take(out.variables.serial, configured.variables.serial);
    take(out.variables.hostname, configured.variables.hostname);
    take(out.manufacturer, configured.manufacturer);
    take(out.product_class, configured.product_class);
    take(out.model_name, configured.model_name);
    take(out.description, configured.description);
    take(out.hardware_version, configured.hardware_version);
    out.management = configured.management;
    return out;
}

}  // namespace certkeeperd
