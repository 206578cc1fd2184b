// A small EC PKI for the lifecycle tests, made in memory at fixed instants: root -> issuing CA ->
// device certificates with any validity; a second root for rollover and a peer root.
#pragma once

#include <string>
#include <vector>

#include "common/time_format.h"
#include "crypto/certificate_builder.h"
#include "crypto/private_key.h"
#include "lifecycle/events.h"
#include "profiles/profile_parser.h"

namespace lifecycle_test {

inline common::SystemTime at(std::string_view text) {
    return common::parse_rfc3339(text).value();
}

inline crypto::PrivateKey ec_key() {
    return crypto::PrivateKey::generate({crypto::KeySpec::Type::ec, 0, "P-256"}).value();
}

struct Ca {
    crypto::PrivateKey root_key = ec_key();
    crypto::Certificate root;
    crypto::PrivateKey issuing_key = ec_key();
    crypto::Certificate issuing;

    explicit Ca(const std::string& name, common::SystemTime from = at("2025-01-01T00:00:00Z"))
        : root(crypto::CertificateBuilder()
                   .serial({0x01})
                   .subject("CN=" + name + " Root,O=certkeeper tests")
                   .validity(from, from + std::chrono::hours(24 * 365 * 10))
                   .ca()
                   .key_usage({crypto::KeyUsage::key_cert_sign, crypto::KeyUsage::crl_sign})
                   .self_sign(root_key)
                   .value()),
          issuing(crypto::CertificateBuilder()
                      .serial({0x02})
                      .subject("CN=" + name + " Issuing CA,O=certkeeper tests")
                      .public_key(issuing_key.public_key_der())
                      .validity(from, from + std::chrono::hours(24 * 365 * 5))
                      .ca(0)
                      .key_usage({crypto::KeyUsage::key_cert_sign, crypto::KeyUsage::crl_sign})
                      .sign(root_key, root)
                      .value()) {}

    crypto::Certificate issue(common::SystemTime not_before, common::SystemTime not_after,
                              std::uint8_t serial, const std::string& cn = "device-001") const {
        const auto key = ec_key();
        return crypto::CertificateBuilder()
            .serial({0x10, serial})
            .subject("CN=" + cn + ",O=Example")
            .public_key(key.public_key_der())
            .validity(not_before, not_after)
            .end_entity()
            .key_usage({crypto::KeyUsage::digital_signature})
            .sign(issuing_key, issuing)
            .value();
    }

    std::vector<crypto::Certificate> chain() const { return {issuing, root}; }

    lifecycle::CaCertificates ca_set(std::vector<std::string> caps = {"AES", "SHA-256", "Renewal",
                                                                      "GetNextCACert"}) const {
        return lifecycle::CaCertificates{root, issuing, {}, {}, std::move(caps)};
    }
};

// A profile with the root of `ca` pinned; `extra` lines are appended to the section.
inline profiles::Profile profile(const crypto::Certificate& root, const std::string& extra = {},
                                 const std::string& name = "wifi") {
    const std::string text = "[profile \"" + name +
                             "\"]\n"
                             "url = http://ra.example.net/scep\n"
                             "ca_fingerprint = " +
                             root.fingerprint().to_string() +
                             "\n"
                             "subject = CN=device-001,O=Example\n"
                             "challenge = otp\n"
                             "renew_at_percent = 80\n"
                             "poll_interval = 60s\n"
                             "poll_window = 1h\n"
                             "retry_min = 60s\n"
                             "retry_max = 1h\n" +
                             extra;
    auto parsed = profiles::parse_profiles(text, "test.conf");
    for (const auto& d : parsed.diagnostics) ADD_FAILURE() << d.to_string();
    return parsed.profiles.at(0);
}

}  // namespace lifecycle_test
