// libFuzzer target: bytes as a profile file through profiles::parse_profiles(). Nothing may
// crash, and every profile that validates must survive both renderings unchanged: the file text
// (to_file_text) parses back to the same entries, and the TR-069 parameters
// (render_parameters -> profile_from_parameters) build the same profile. Templates are expanded
// with fixed device variables. Seeds: corpus/profile/.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <string_view>

#include "profiles/device_variables.h"
#include "profiles/profile_parser.h"
#include "profiles/profile_writer.h"
#include "profiles/tr069_mapping.h"

namespace {

using profiles::SecretRendering;

void check_round_trips(const profiles::Profile& p) {
    const auto entries = profiles::render_entries(p, SecretRendering::reveal);

    const auto text = profiles::to_file_text(p, SecretRendering::reveal);
    const auto again = profiles::parse_profiles(text, "again");
    if (!again.ok() || again.profiles.size() != 1) std::abort();
    if (profiles::render_entries(again.profiles[0], SecretRendering::reveal) != entries) std::abort();

    std::map<std::string, std::string> values;
    for (auto& v : profiles::render_parameters(p, "001122", 1, SecretRendering::reveal)) values[v.name] = v.value;
    const auto from_acs = profiles::profile_from_parameters(values, "001122", 1);
    if (!from_acs.ok() || from_acs.profiles.size() != 1) std::abort();
    if (profiles::render_entries(from_acs.profiles[0], SecretRendering::reveal) != entries) std::abort();

    // A redacted rendering never carries a secret (a passphrase is the last word of its store).
    std::size_t store = 0;
    for (const auto& e : profiles::render_entries(p, SecretRendering::redact)) {
        if ((e.key == "challenge" || e.key == "password") && e.value != profiles::redacted_text) std::abort();
        if (e.key == "store" && p.stores().at(store++).passphrase && !e.value.ends_with(" passphrase=(secret)")) {
            std::abort();
        }
    }

    const profiles::DeviceVariables device{"00:11:22:AA:BB:CC", "SN1", "host", "001122"};
    if (!profiles::expand(p.subject(), device)) std::abort();  // validated templates always expand
    for (const auto& san : p.subject_alt_names()) {
        if (!profiles::expand(san.value, device)) std::abort();
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto result = profiles::parse_profiles(text, "fuzz.conf");
    for (const auto& d : result.diagnostics) {
        if (d.file != "fuzz.conf") std::abort();
    }
    for (const auto& p : result.profiles) check_round_trips(p);
    return 0;
}
