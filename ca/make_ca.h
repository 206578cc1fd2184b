// ca::make_ca: the key pairs and certificates `certkeeper-responder init` creates: a root, an
// optional intermediate that issues, optional SCEP RA certificates (one pair, or NDES-like
// separate signing and encryption pairs) and an optional delegated OCSP signer.
//
// Every certificate starts 5 minutes before `now` and ends inside its issuer's validity.
// Keys are generated unless given in CaOptions::keys.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "ca/authority.h"
#include "common/result.h"
#include "crypto/certificate.h"
#include "crypto/private_key.h"

namespace ca {

struct IssuedPair {
    crypto::Certificate certificate;
    crypto::PrivateKey key;
};

struct CaOptions {
    using days = std::chrono::duration<std::int64_t, std::ratio<86400>>;

    crypto::KeySpec key{crypto::KeySpec::Type::ec, 0, "P-256"};  // root and intermediate
    // Root: self-signed, cA=TRUE, keyCertSign + cRLSign (critical), subjectKeyIdentifier.
    std::string root_subject = "CN=certkeeper Root CA";
    days root_validity{7305};  // 20 years
    // Set: the root signs an intermediate (pathLenConstraint 0, authorityKeyIdentifier) that
    // issues; unset: the root issues.
    std::optional<std::string> intermediate_subject;
    days intermediate_validity{3653};  // 10 years

    enum class Ra {
        none,      // the CA signs CertReps and decrypts requests itself
        combined,  // one RA pair, digitalSignature + keyEncipherment
        separate,  // NDES-like: a signing pair (digitalSignature), an encryption pair
                   // (keyEncipherment)
    };
    Ra ra = Ra::none;
    std::string ra_subject = "CN=certkeeper SCEP RA";  // " encryption" is appended for the 2nd pair
    // RSA only: SCEP clients encrypt to the RA with RSA key transport (RFC 8894 §3.2.2).
    crypto::KeySpec ra_key{crypto::KeySpec::Type::rsa, 2048, ""};
    days ra_validity{730};

    // A delegated OCSP responder certificate (id-kp-OCSPSigning, id-pkix-ocsp-nocheck) with a key
    // of `key`'s kind. Short-lived on purpose: nocheck certificates cannot be revoked.
    bool ocsp_signer = false;
    std::string ocsp_signer_subject = "CN=certkeeper OCSP signer";
    days ocsp_signer_validity{90};

    // Ready keys, e.g. for tests; each one unset is generated.
    struct Keys {
        std::optional<crypto::PrivateKey> root, intermediate, ra_signing, ra_encryption,
            ocsp_signer;
    };
    Keys keys;
};

struct CaMaterial {
    IssuedPair root;
    std::optional<IssuedPair> intermediate;
    std::optional<IssuedPair> ra_signing;     // Ra::combined: the only RA pair
    std::optional<IssuedPair> ra_encryption;  // Ra::separate only
    std::optional<IssuedPair> ocsp_signer;

    // The intermediate if there is one, else the root.
    const IssuedPair& issuing() const { return intermediate ? *intermediate : root; }
    // Authority::create(issuing(), chain up to the root, the OCSP signer if any).
    common::Result<Authority> authority() const;
};

// Errc::unsupported for an RA key that is not RSA; Errc::invalid_argument for a malformed
// subject; generation and signing errors as crypto/ reports them.
common::Result<CaMaterial> make_ca(const CaOptions& options, SystemTime now);

}  // namespace ca
