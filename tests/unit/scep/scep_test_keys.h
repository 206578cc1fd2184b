// Keys and PKIs shared by the scep/ unit tests. RSA keys come from the committed test PKI
// (tests/data/make-test-pki.sh), because generating them under the sanitizers is slow; the fake
// SCEP server's CAs are built once per shape and kept for the whole test binary.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "crypto/csr.h"
#include "crypto/private_key.h"
#include "crypto/self_signed.h"
#include "fakes/fake_scep_pki.h"
#include "unit/crypto/test_pki.h"
#include "unit/crypto/test_pki_builder.h"

namespace scep_test {

// The instant every scep/ test runs at: 2026-01-01T00:00:00Z.
inline common::SystemTime now() {
    return test_pki::reference_time();
}

// An RSA 2048 key of the committed test PKI: "root", "other-root", "int", "leaf", "expired",
// "revoked". The CAs of the fake server use the first three, clients the last three.
inline crypto::PrivateKey rsa_key(std::string_view name) {
    return crypto::PrivateKey::from_pem(test_pki::read_text(std::string(name) + ".key")).value();
}

inline const fakes::ScepPki& pki(fakes::ScepPki::Shape shape) {
    static std::map<fakes::ScepPki::Shape, fakes::ScepPki> cache;
    auto it = cache.find(shape);
    if (it == cache.end()) {
        auto made = fakes::ScepPki::make(shape, now(),
                                         {rsa_key("root"), rsa_key("int"), rsa_key("other-root")});
        it = cache.emplace(shape, std::move(made)).first;
    }
    return it->second;
}

// A self-signed signer certificate like the one a client makes for PKCSReq (RFC 8894 §2.3).
inline crypto::Certificate self_signed(const crypto::PrivateKey& key,
                                       std::string_view subject = "CN=device-001") {
    const auto t = now();
    return crypto::make_self_signed(key, subject,
                                    {t - std::chrono::hours(1), t + std::chrono::hours(24 * 30)})
        .value();
}

inline crypto::Csr csr_for(const crypto::PrivateKey& key,
                           std::string_view subject = "CN=device-001",
                           std::optional<std::string> challenge = std::nullopt) {
    crypto::CsrRequest request;
    request.subject = std::string(subject);
    request.challenge_password = std::move(challenge);
    return crypto::Csr::build(request, key).value();
}

}  // namespace scep_test
