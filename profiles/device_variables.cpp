#include "profiles/device_variables.h"

#include <optional>

namespace profiles {
namespace {

using common::Errc;
using common::fail;

// REQUIRES: vars may be null (checking only).
common::Result<std::string> substitute(std::string_view text, const DeviceVariables* vars) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c != '$' || i + 1 >= text.size() || (text[i + 1] != '{' && text[i + 1] != '$')) {
            out += c;
            continue;
        }
        if (text[i + 1] == '$') {
            out += '$';
            ++i;
            continue;
        }
        const auto close = text.find('}', i + 2);
        if (close == std::string_view::npos) return fail(Errc::parse, "unterminated '${' in template");
        const auto name = text.substr(i + 2, close - i - 2);
        const std::string* value = nullptr;
        if (vars != nullptr) {
            if (name == "MAC") value = &vars->mac;
            if (name == "SERIAL") value = &vars->serial;
            if (name == "HOSTNAME") value = &vars->hostname;
            if (name == "OUI") value = &vars->oui;
        }
        if (name != "MAC" && name != "SERIAL" && name != "HOSTNAME" && name != "OUI") {
            return fail(Errc::parse, "unknown variable ${" + std::string(name) +
                                         "} (known: ${MAC} ${SERIAL} ${HOSTNAME} ${OUI})");
        }
        if (vars != nullptr) {
            if (value->empty()) {
                return fail(Errc::not_found, "the device has no value for ${" + std::string(name) + "}");
            }
            out += *value;
        }
        i = close;
    }
    return out;
}

}  // namespace

common::Result<void> check_template(std::string_view text) {
    auto r = substitute(text, nullptr);
    if (!r) return std::move(r).error();
    return {};
}

common::Result<std::string> expand(std::string_view text, const DeviceVariables& vars) {
    return substitute(text, &vars);
}

}  // namespace profiles
