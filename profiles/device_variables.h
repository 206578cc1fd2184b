// Device variables in subject and SAN templates: ${MAC} ${SERIAL} ${HOSTNAME} ${OUI}
// (docs/profile-format.md, "Templates"). "$$" is a literal '$'; any other '$' is literal too.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"

namespace profiles {

// What the device knows about itself; the daemon fills it from TR-181 Device.DeviceInfo.
struct DeviceVariables {
    std::string mac;       // ${MAC}, e.g. "00:11:22:AA:BB:CC", used as given
    std::string serial;    // ${SERIAL}, Device.DeviceInfo.SerialNumber
    std::string hostname;  // ${HOSTNAME}
    std::string oui;       // ${OUI}, Device.DeviceInfo.ManufacturerOUI, e.g. "001122"
};

// Errc::parse for an unknown variable ("${FOO}") or an unterminated "${". Validation uses this;
// expand() then fails only for a variable whose value the device does not have.
common::Result<void> check_template(std::string_view text);

// `text` with every variable replaced. Errc::parse as check_template(); Errc::not_found when a
// variable used is empty in `vars`.
common::Result<std::string> expand(std::string_view text, const DeviceVariables& vars);

}  // namespace profiles
