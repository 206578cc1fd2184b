// The CA behind tests/fakes/fake_scep_server.h: keys and certificates of an in-process SCEP CA in
// one of three shapes, and issuing certificates and CRLs with the OpenSSL X509 API.
//
// RSA key generation is slow under the sanitizers: pass ready keys (e.g. the committed test PKI's)
// and build each shape once per test binary; a ScepPki is immutable and copies share the OpenSSL
// objects. Failures are broken invariants of the test setup and throw std::runtime_error.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "crypto/certificate.h"
#include "crypto/crl.h"
#include "crypto/csr.h"
#include "crypto/private_key.h"

namespace fakes {

struct ScepPki {
    enum class Shape {
        ca_only,      // one self-signed RSA CA that issues, signs CertReps and decrypts requests
        ca_with_ra,   // a self-signed CA plus an RA signing and an RA encryption certificate
        three_level,  // root -> intermediate -> issuing CA (RSA; signs and decrypts itself)
    };

    // Certificates valid from now - 1 year to now + 5 years. The RSA keys (CA, RA) are taken
    // from rsa_keys in order, then generated; the other keys are fresh EC P-256 keys.
    static ScepPki make(Shape shape, common::SystemTime now,
                        std::vector<crypto::PrivateKey> rsa_keys = {});

    Shape shape;
    crypto::Certificate anchor;                      // what a client pins: the root or the CA
    std::vector<crypto::Certificate> intermediates;  // between anchor and issuing_ca
    crypto::Certificate issuing_ca;
    crypto::PrivateKey issuing_key;
    crypto::Certificate signer;  // signs CertReps: RA signing certificate or issuing_ca
    crypto::PrivateKey signer_key;
    crypto::Certificate encryption;  // decrypts requests: RA encryption certificate or issuing_ca
    crypto::PrivateKey encryption_key;
    crypto::Certificate unrelated;  // a self-signed CA no client trusts
    crypto::PrivateKey unrelated_key;

    // What GetCACert sends: issuing CA, RA certificates, intermediates, then the anchor if it is
    // not the issuing CA.
    std::vector<crypto::Certificate> ca_certificates() const;
};

// An end-entity certificate (digitalSignature + keyEncipherment, AKI/SKI) for subject_dn and
// public_key (a SubjectPublicKeyInfo in DER), signed by issuer, valid from now - 1 hour to
// now + 1 year.
crypto::Certificate issue_certificate(std::string_view subject_dn, crypto::ByteView public_key,
                                      const crypto::Certificate& issuer,
                                      const crypto::PrivateKey& issuer_key, common::SystemTime now,
                                      std::uint64_t serial);

// A CRL from issuer listing the given serials (hex), thisUpdate now - 1 hour, nextUpdate
// now + 7 days, with a cRLNumber.
crypto::Crl issue_crl(const crypto::Certificate& issuer, const crypto::PrivateKey& issuer_key,
                      const std::vector<std::string>& revoked_serials_hex, common::SystemTime now);

// An EnvelopedData for recipient (RSA) encrypted with single DES-CBC, as legacy SCEP servers
// make their replies; through a private OpenSSL library context with the legacy provider.
crypto::Bytes encrypt_with_single_des(crypto::ByteView content,
                                      const crypto::Certificate& recipient);

}  // namespace fakes
