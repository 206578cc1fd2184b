// libFuzzer target: bytes as a CRL through revocation::CrlIndex::parse(), every accessor,
// lookups, is_signed_by(), validate_crl() and check_crl(). None may crash; and when OpenSSL's
// d2i_X509_CRL() also accepts the input, both must agree on the entries (count and each serial
// found). The CA's key is fixed (below) so that the seeds' signatures verify; seeds:
// corpus/crl/ (make-crl-seeds.sh).
#include <openssl/x509.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "common/time_format.h"
#include "crypto/certificate_builder.h"
#include "crypto/ossl_ptr.h"
#include "crypto/private_key.h"
#include "ocsp-crl/crl_check.h"
#include "ocsp-crl/crl_index.h"

namespace {

constexpr std::string_view ca_key_pem = R"(-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgu6kuJV4MU1aPoWPD
tKDLHsfRUjO91g0j3+j0T9iwvlihRANCAAT5gpsuofb1VWPAs52SoZwY1YMsuYov
JkpYSFy7kx/+7WYkQKFH/oNsaYLu83mUU++zM3q8n+5XiuPWrYY3kmRJ
-----END PRIVATE KEY-----
)";

common::SystemTime fixed_now() {
    return common::parse_rfc3339("2026-01-01T00:00:00Z").value();
}

struct Pki {
    crypto::Certificate ca;
    crypto::Certificate leaf;  // serial 1234, cRLDistributionPoints http://crl.example/fuzz.crl
};

const Pki& pki() {
    static const Pki made = [] {
        using namespace std::chrono_literals;
        const auto key = crypto::PrivateKey::from_pem(ca_key_pem).value();
        const auto ca = crypto::CertificateBuilder()
                            .serial({0x01})
                            .subject("CN=Fuzz CRL CA")
                            .validity(fixed_now() - 24h * 3650, fixed_now() + 24h * 3650)
                            .ca()
                            .key_usage({crypto::KeyUsage::key_cert_sign,
                                        crypto::KeyUsage::crl_sign})
                            .self_sign(key)
                            .value();
        const auto leaf = crypto::CertificateBuilder()
                              .serial({0x12, 0x34})
                              .subject("CN=fuzz leaf")
                              .public_key(key.public_key_der())
                              .validity(fixed_now() - 24h, fixed_now() + 24h)
                              .end_entity()
                              .crl_distribution_point("http://crl.example/fuzz.crl")
                              .sign(key, ca)
                              .value();
        return Pki{ca, leaf};
    }();
    return made;
}

void touch_accessors(const revocation::CrlIndex& crl) {
    std::size_t sink = 0;
    sink += static_cast<std::size_t>(crl.version());
    sink += crl.issuer().size() + crl.issuer_der().size();
    sink += static_cast<std::size_t>(crl.this_update().time_since_epoch().count() & 1);
    sink += crl.next_update() ? 1 : 0;
    sink += crl.crl_number_hex().value_or("").size();
    sink += crl.crl_number_critical() + crl.is_delta();
    sink += crl.authority_key_id().value_or(crypto::Bytes{}).size();
    if (const auto& idp = crl.issuing_distribution_point()) sink += idp->uris.size();
    sink += crl.unknown_critical_extensions().size();
    sink += crl.unknown_critical_entry_extensions().size();
    sink += crl.entry_count() + crl.signature_algorithm().size();
    sink += crl.signature_algorithms_match() + crl.memory_bytes();
    for (std::string_view hex : {"0", "1", "1234", "-1", "7F", "80", "FFFFFFFFFFFFFFFFFF"}) {
        if (const auto e = crl.find_serial_hex(hex)) sink += e->reason.value_or(0);
    }
    if (sink == 0xdeadbeef) std::abort();  // keeps the calls
}

// Both parsers accepted the input: they must agree on the entries.
void compare_with_openssl(const revocation::CrlIndex& crl, const std::uint8_t* data,
                          std::size_t size) {
    const unsigned char* p = data;
    crypto::X509CrlPtr ossl(d2i_X509_CRL(nullptr, &p, static_cast<long>(size)));
    if (!ossl || p != data + size) return;
    STACK_OF(X509_REVOKED)* revoked = X509_CRL_get_REVOKED(ossl.get());
    const int count = revoked != nullptr ? sk_X509_REVOKED_num(revoked) : 0;  // NULL when empty
    if (static_cast<std::size_t>(count) != crl.entry_count()) std::abort();
    for (int i = 0; i < count; ++i) {
        const ASN1_INTEGER* serial = X509_REVOKED_get0_serialNumber(sk_X509_REVOKED_value(revoked, i));
        unsigned char buf[512];
        unsigned char* out = buf;
        const int n = i2d_ASN1_INTEGER(serial, nullptr);
        if (n <= 0 || n > static_cast<int>(sizeof buf)) continue;
        i2d_ASN1_INTEGER(serial, &out);
        const std::size_t header = buf[1] & 0x80 ? 2u + (buf[1] & 0x7fu) : 2u;
        const crypto::ByteView content(buf + header, static_cast<std::size_t>(n) - header);
        if (!crl.find_serial(content)) std::abort();
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto parsed = revocation::CrlIndex::parse(crypto::Bytes(data, data + size));
    if (!parsed) return 0;
    const auto& crl = *parsed;
    touch_accessors(crl);
    if (crl.entry_count() > 0 && size > 4) {
        (void)crl.find_serial(crypto::ByteView(data + 2, std::min<std::size_t>(size - 2, 20)));
    }
    const auto& p = pki();
    (void)crl.is_signed_by(p.ca);
    (void)revocation::validate_crl(crl, p.ca, fixed_now(), {});
    revocation::CrlCheckOptions options;
    options.require_crl_number = false;
    options.freshness.max_age = std::chrono::hours(24 * 365 * 10);
    (void)revocation::check_crl(crl, p.leaf, p.ca, fixed_now(), options).describe();
    compare_with_openssl(crl, data, size);
    return 0;
}
