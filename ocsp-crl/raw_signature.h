// Verifies an X.509-style signature (RFC 5280 §4.1.1.2-3) over bytes that are already encoded,
// such as the TBSCertList of a CRL, without decoding and re-encoding the signed structure.
// Private to ocsp-crl/. Thread-safety: pure function.
#pragma once

#include <string>

#include "crypto/bytes.h"
#include "crypto/certificate.h"

namespace revocation {

// True if `signature` (the content of the BIT STRING, its unused-bits octet first) is a valid
// signature over `signed_bytes` under `algorithm` (a DER AlgorithmIdentifier) with signer's
// public key. Supported: RSA PKCS#1 v1.5 and RSASSA-PSS (RFC 4055, MGF1) with SHA-1/SHA-2,
// ECDSA with SHA-1/SHA-2, Ed25519 and Ed448. False for anything else, including a key type
// that does not fit the algorithm. Leaves OpenSSL's error queue empty.
bool verify_raw_signature(crypto::ByteView signed_bytes, crypto::ByteView algorithm,
                          crypto::ByteView signature, const crypto::Certificate& signer);

// The signature algorithm's long name ("sha256WithRSAEncryption", "rsassaPss"), or its
// dotted OID if OpenSSL has no name; "" if algorithm does not decode.
std::string signature_algorithm_name(crypto::ByteView algorithm);

}  // namespace revocation
