// crypto::CertificateBuilder: assembles and signs an X.509 v3 certificate (RFC 5280 §4.1) from
// plain C++ values. ca/ issues with it; tools and tests make lab PKIs with it.
//
// Setters only record; sign()/self_sign() check everything and do all the OpenSSL work, so
// one error names the first thing wrong. A builder is a plain value: copy it to make variants.
// Extensions written (each only when set, except the key identifiers):
//   basicConstraints (critical), keyUsage (critical), extKeyUsage, subjectAltName (critical
//   when the subject is empty, RFC 5280 §4.2.1.6), cRLDistributionPoints (one full-name URI),
//   authorityInfoAccess (OCSP and caIssuers URIs), id-pkix-ocsp-nocheck (RFC 6960 §4.2.2.2.1),
//   subjectKeyIdentifier (always: SHA-1 of the subjectPublicKey bits, RFC 5280 §4.2.1.2 (1)),
//   authorityKeyIdentifier (keyIdentifier of the issuer; not on self-signed certificates).
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "common/result.h"
#include "crypto/bytes.h"
#include "crypto/certificate.h"
#include "crypto/csr.h"
#include "crypto/fingerprint.h"
#include "crypto/key_usage.h"
#include "crypto/private_key.h"

namespace crypto {

class CertificateBuilder {
public:
    // Big-endian unsigned magnitude. sign() REQUIRES it non-zero and encodable in the 20
    // octets RFC 5280 §4.1.2.2 allows (a set top bit costs a leading zero octet).
    CertificateBuilder& serial(Bytes big_endian);
    // RFC 4514 text ("CN=x,O=y"); "" is the empty name (then subjectAltNames are required).
    CertificateBuilder& subject(std::string rfc4514);
    // The CSR's subject, byte for byte (string types and RDN order kept).
    CertificateBuilder& subject_from(const Csr& csr);
    // SubjectPublicKeyInfo in DER (Csr::public_key_der(), PrivateKey::public_key_der()).
    // self_sign() uses the signing key's when none is set.
    CertificateBuilder& public_key(Bytes spki_der);
    // Both inclusive (RFC 5280 §4.1.2.5), whole seconds. REQUIRES not_before < not_after.
    CertificateBuilder& validity(SystemTime not_before, SystemTime not_after);
    // basicConstraints cA=TRUE with an optional pathLenConstraint (>= 0), critical.
    CertificateBuilder& ca(std::optional<int> path_length = std::nullopt);
    // basicConstraints cA=FALSE, critical.
    CertificateBuilder& end_entity();
    CertificateBuilder& key_usage(KeyUsageSet usages);  // critical; empty = no extension
    // OIDs in dotted form (see key_usage.h eku::); non-critical; empty = no extension.
    CertificateBuilder& extended_key_usage(std::vector<std::string> oids);
    // dNSName in preferred name syntax (a whole "*" leftmost label allowed), rfc822Name a
    // mailbox, iPAddress v4 or v6, URI non-empty; Type::other is refused.
    CertificateBuilder& subject_alt_names(std::vector<SubjectAltName> names);
    CertificateBuilder& crl_distribution_point(std::string url);
    CertificateBuilder& ocsp_url(std::string url);
    CertificateBuilder& ca_issuers_url(std::string url);
    CertificateBuilder& ocsp_no_check();
    // SHA-2 only; SHA-256 unless set.
    CertificateBuilder& digest(DigestAlgorithm alg);

    // Issuer name = issuer's subject, authorityKeyIdentifier = issuer's key identifier.
    // REQUIRES issuer_key matches issuer (else Errc::invalid_argument). Errors:
    // Errc::invalid_argument for a missing or malformed field, Errc::crypto if OpenSSL fails.
    common::Result<Certificate> sign(const PrivateKey& issuer_key, const Certificate& issuer) const;
    // Issuer name = subject; no authorityKeyIdentifier. If a public key was set it must be
    // key's public half.
    common::Result<Certificate> self_sign(const PrivateKey& key) const;

private:
    struct BasicConstraints {
        bool ca = false;
        std::optional<int> path_length;
    };

    common::Result<Certificate> build(const PrivateKey& signer_key,
                                      const Certificate* issuer) const;
    common::Result<void> add_extensions(x509_st* x, bool empty_subject) const;

    std::optional<Bytes> m_serial;
    std::variant<std::monostate, std::string, Bytes> m_subject;  // RFC 4514 text or DER Name
    std::optional<Bytes> m_public_key;
    std::optional<SystemTime> m_not_before;
    std::optional<SystemTime> m_not_after;
    std::optional<BasicConstraints> m_basic_constraints;
    KeyUsageSet m_key_usage;
    std::vector<std::string> m_extended_key_usage;
    std::vector<SubjectAltName> m_subject_alt_names;
    std::optional<std::string> m_crl_url;
    std::optional<std::string> m_ocsp_url;
    std::optional<std::string> m_ca_issuers_url;
    bool m_ocsp_no_check = false;
    DigestAlgorithm m_digest = DigestAlgorithm::sha256;
};

}  // namespace crypto
