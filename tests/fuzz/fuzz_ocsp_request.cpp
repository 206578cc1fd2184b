// libFuzzer target: bytes as an OCSPRequest through ca::Authority::ocsp_respond().
// Checks that every input gets a decodable OCSPResponse whose status is the one reported, and
// that a successful one is signed by the CA. The CA's key is fixed (a test key, below) so that
// the seeds' CertIDs name it; seeds: corpus/ocsp_request/ (make-ocsp-request-seeds.sh).
#include <openssl/ocsp.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "ca/authority.h"
#include "ca/make_ca.h"
#include "common/time_format.h"

namespace {

constexpr std::string_view ca_key_pem = R"(-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgbERtAngp7xmrVII5
DRML0TXjMiQXsA04nynNrbWRnH2hRANCAASd47K+kFPH7KVJUCLorfeqwk6z3Hlb
5agfLgGwEI2GZffGfPTNhezufRkoDjQAb4phzia9tyAL91gPhW58Gu/L
-----END PRIVATE KEY-----
)";

common::SystemTime fixed_now() {
    return common::parse_rfc3339("2026-01-01T00:00:00Z").value();
}

const ca::Authority& authority() {
    static const ca::Authority made = [] {
        ca::CaOptions options;
        options.root_subject = "CN=Fuzz OCSP CA";
        options.keys.root = crypto::PrivateKey::from_pem(ca_key_pem).value();
        return ca::make_ca(options, fixed_now()).value().authority().value();
    }();
    return made;
}

// Odd-length serials are revoked, even-length ones good, "1" unknown.
common::Result<ca::CertificateStatus> lookup(std::string_view serial) {
    using Kind = ca::CertificateStatus::Kind;
    if (serial == "1") return ca::CertificateStatus{};
    if (serial.size() % 2 == 1) return ca::CertificateStatus{Kind::revoked, fixed_now(), 1};
    return ca::CertificateStatus{Kind::good, {}, std::nullopt};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto answer =
        authority().ocsp_respond({data, size}, lookup, fixed_now(), std::chrono::hours(1));
    const unsigned char* p = answer.der.data();
    OCSP_RESPONSE* response = d2i_OCSP_RESPONSE(nullptr, &p, static_cast<long>(answer.der.size()));
    if (response == nullptr || OCSP_response_status(response) != static_cast<int>(answer.status)) {
        std::abort();
    }
    if (answer.status == ca::OcspResponseStatus::successful) {
        OCSP_BASICRESP* basic = OCSP_response_get1_basic(response);
        STACK_OF(X509)* certs = sk_X509_new_null();
        sk_X509_push(certs, authority().certificate().native());
        const int verified =
            basic != nullptr ? OCSP_basic_verify(basic, certs, nullptr, OCSP_NOVERIFY) : 0;
        sk_X509_free(certs);
        OCSP_BASICRESP_free(basic);
        if (verified != 1) std::abort();
    }
    OCSP_RESPONSE_free(response);
    return 0;
}
