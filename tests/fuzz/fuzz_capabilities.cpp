// libFuzzer target: a GetCACaps body through Capabilities::parse() and the algorithm choice.
// Checks that the normalised keywords parse back to the same capabilities.
// Seeds: corpus/capabilities/.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "scep/capabilities.h"

namespace {

bool same_flags(const scep::Capabilities& a, const scep::Capabilities& b) {
    return a.aes == b.aes && a.des3 == b.des3 && a.post_pki_operation == b.post_pki_operation &&
           a.renewal == b.renewal && a.get_next_ca_cert == b.get_next_ca_cert && a.sha1 == b.sha1 &&
           a.sha224 == b.sha224 && a.sha256 == b.sha256 && a.sha384 == b.sha384 &&
           a.sha512 == b.sha512 && a.scep_standard == b.scep_standard;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view body(reinterpret_cast<const char*>(data), size);
    const auto caps = scep::Capabilities::parse(body);
    std::string normalised;
    for (const auto& keyword : caps.keywords()) {
        normalised += keyword + "\r\n";
    }
    const auto again = scep::Capabilities::parse(normalised);
    if (!same_flags(caps, again) || !again.unknown.empty()) {
        std::abort();
    }
    const auto cipher = caps.strongest_cipher();
    if (cipher.has_value() != (caps.aes || caps.des3)) {
        std::abort();
    }
    const auto digest = caps.strongest_digest();
    if (digest.has_value() != (caps.sha1 || caps.sha256 || caps.sha384 || caps.sha512)) {
        std::abort();
    }
    return 0;
}
