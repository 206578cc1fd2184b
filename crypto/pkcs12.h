// PKCS#12 (RFC 7292) files for application stores that want key, certificate and chain in one
// passphrase-protected file (wpa_supplicant, many SIP stacks, Windows-derived tools).
//
// make_pkcs12 uses modern algorithms only: both the key bag and the certificate bag are
// encrypted with PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC, RFC 8018) and the MAC is HMAC-SHA-256
// (RFC 7292 Appendix B key derivation). Readers older than OpenSSL 1.1.1 / Windows 10 1709 may
// not open such a file; we do not offer the legacy RC2/3DES/SHA-1 set.
//
// The output and the passphrase are secrets: never log them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "crypto/bytes.h"
#include "crypto/certificate.h"
#include "crypto/private_key.h"

namespace crypto {

struct Pkcs12Options {
    // The friendlyName attribute of the key and certificate bags ("" = none).
    std::string friendly_name;
    // PBKDF2 iterations for each encrypted bag and iterations of the MAC key derivation.
    int iterations = 10000;
};

// REQUIRES: key matches certificate (Errc::invalid_argument otherwise); passphrase not empty.
// chain: the issuing CA first, towards the root; may be empty.
common::Result<Bytes> make_pkcs12(const PrivateKey& key, const Certificate& certificate,
                                  const std::vector<Certificate>& chain,
                                  std::string_view passphrase, const Pkcs12Options& options = {});

struct Pkcs12Contents {
    PrivateKey key;
    Certificate certificate;           // the one whose public key is key's
    std::vector<Certificate> chain;    // the other certificates, in file order
    std::string friendly_name;         // of the certificate, "" if none
};

// Errc::verification if the MAC does not verify with passphrase (wrong passphrase or a
// tampered file), Errc::parse if der is not a PKCS#12 with one key and its certificate.
common::Result<Pkcs12Contents> parse_pkcs12(ByteView der, std::string_view passphrase);

}  // namespace crypto
