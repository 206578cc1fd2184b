// libFuzzer target: a GetCACert body through parse_ca_cert_response() and, when it decodes,
// select_ca_certificates() with a fixed pin and with a pin on the last certificate received
// (so that role selection and chain validation run on any decodable input).
// Seeds: corpus/ca_cert/ (made by corpus/make-ca-cert-seeds.sh).
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "common/time_format.h"
#include "scep/ca_certificates.h"

namespace {

// SHA-256 of corpus/ca_cert/root.der.
constexpr std::string_view seed_root_pin =
    "sha256:E0:50:80:18:D1:39:58:CB:46:F6:5D:15:0F:DB:5A:15:48:7F:DE:49:04:E5:4A:EB:D8:82:2F:03:"
    "18:88:02:02";

// Picked by the input size, so that every byte of the input is body.
constexpr std::array<std::string_view, 4> content_types{
    "application/x-x509-ca-cert", "application/x-x509-ca-ra-cert",
    "Application/X-X509-RA-CA-Certs; charset=binary", ""};

// What a successful selection promises, whatever the input.
void check(const scep::CaCertificates& selected) {
    if (selected.chain.empty() || !(selected.chain.front() == selected.issuing_ca) ||
        !(selected.chain.back() == selected.anchor) || selected.all.empty()) {
        std::abort();
    }
}

void select_and_check(const std::vector<crypto::Certificate>& certs, const crypto::Fingerprint& pin,
                      common::SystemTime at) {
    auto selected = scep::select_ca_certificates(certs, pin, std::nullopt, at);
    if (selected) {
        check(*selected);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const crypto::Fingerprint pin = crypto::Fingerprint::parse(seed_root_pin).value();
    static const common::SystemTime at = common::parse_rfc3339("2030-01-01T00:00:00Z").value();
    const std::string_view body(reinterpret_cast<const char*>(data), size);
    auto certs = scep::parse_ca_cert_response(content_types[size % content_types.size()], body);
    if (!certs) {
        return 0;
    }
    if (certs->empty()) {
        std::abort();  // parse_ca_cert_response() never succeeds with nothing
    }
    select_and_check(*certs, pin, at);
    select_and_check(*certs, certs->back().fingerprint(), at);
    return 0;
}
