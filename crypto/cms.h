// CMS / PKCS#7 (RFC 5652) as SCEP (RFC 8894 §3) needs it:
//  - certs-only degenerate SignedData (GetCACert with RA chains, CertRep payloads),
//  - SignedData over a payload with authenticated (signed) attributes (pkiMessage),
//  - EnvelopedData with key transport to RSA recipients (the encrypted PKCS#10 / certs).
// All functions take and return DER. Errors never leave OpenSSL's error queue dirty.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "crypto/bytes.h"
#include "crypto/certificate.h"
#include "crypto/crl.h"
#include "crypto/fingerprint.h"
#include "crypto/private_key.h"

namespace crypto::cms {

// --- certs-only SignedData (RFC 8894 §3.4, "degenerate certificates-only") ---

// REQUIRES: !certs.empty().
common::Result<Bytes> make_certs_only(const std::vector<Certificate>& certs);
// Accepts PKCS#7 / CMS SignedData with no signers; an error if there is no certificate in it.
// A SignedData that does have signers is tolerated: its certificates are returned and its
// signatures are neither checked nor trusted.
common::Result<std::vector<Certificate>> parse_certs_only(ByteView der);

// Degenerate SignedData carrying CRLs instead of certificates (the SUCCESS reply to SCEP
// GetCRL, RFC 8894 §3.3.4). REQUIRES: !crls.empty().
common::Result<Bytes> make_crls_only(const std::vector<Crl>& crls);
// Every CRL of a PKCS#7 SignedData; an error if there is none.
common::Result<std::vector<Crl>> parse_crls_only(ByteView der);

// --- SignedData with signed attributes ---

// One signed attribute with a single value. SCEP uses PrintableString for messageType,
// pkiStatus, failInfo, transactionID and OCTET STRING for senderNonce and recipientNonce.
struct Attribute {
    enum class Type { printable_string, octet_string, utf8_string };
    std::string oid;  // dotted form
    Type type = Type::printable_string;
    Bytes value;
    bool operator==(const Attribute&) const = default;
};

struct SignOptions {
    DigestAlgorithm digest = DigestAlgorithm::sha256;  // SHA-2 or, for legacy peers, SHA-1
    std::vector<Attribute> attributes;                 // added to the signed attributes
    std::vector<Certificate> extra_certs;              // added to SignedData.certificates
};

// SignedData encapsulating content (eContentType id-data), one signer identified by issuer and
// serial, the signer certificate included. REQUIRES: key matches signer.
common::Result<Bytes> sign(ByteView content, const Certificate& signer, const PrivateKey& key,
                           const SignOptions& options);

struct Verified {
    Bytes content;                         // encapsulated content (may be empty)
    Certificate signer;                    // the certificate whose key verified the signature
    std::vector<Attribute> attributes;     // every signed attribute with a single string value
    std::vector<Certificate> certificates; // SignedData.certificates
    DigestAlgorithm digest;

    // The value of the attribute with this OID, if present.
    std::optional<Bytes> attribute(std::string_view oid) const;
};

// Verifies the signature with one of allowed_signers (matched by issuer+serial or subject key
// identifier). No chain building: trust in the signer is the caller's decision. An absent
// eContent (RFC 8894 CertRep FAILURE/PENDING) verifies as empty content.
// Errc::verification if the signer is not allowed or the signature or digest does not verify.
common::Result<Verified> verify(ByteView der, const std::vector<Certificate>& allowed_signers);
// Verifies the signature with the signer certificate carried inside the message (SCEP
// PKCSReq's self-signed certificate). The caller decides whether that signer is acceptable.
common::Result<Verified> verify_with_embedded_signer(ByteView der);

// --- EnvelopedData (key transport) ---

enum class ContentCipher { aes128_cbc, aes256_cbc, des3_cbc };
std::string_view to_string(ContentCipher cipher);

// The content cipher of an EnvelopedData, to answer a peer with the cipher it chose.
// Errc::unsupported for anything but AES-128/256-CBC and 3DES (single DES, RC2, ...).
common::Result<ContentCipher> envelope_cipher(ByteView der);

// REQUIRES: !recipients.empty(). RSA recipients get key transport, EC recipients ECDH key
// agreement (RFC 5753); other key types are Errc::unsupported.
common::Result<Bytes> encrypt(ByteView content, const std::vector<Certificate>& recipients,
                              ContentCipher cipher);
// Decrypts for the recipient identified by cert; key is its private key. Single DES is refused.
common::Result<Bytes> decrypt(ByteView der, const Certificate& cert, const PrivateKey& key);

struct Decrypted {
    Bytes content;
    bool single_des = false;  // the sender used DES-CBC
};
// As decrypt(), but also accepts content encrypted with single DES-CBC, which some deployed
// SCEP servers (micromdm/scep 2.1.0, step-ca by default) use for their replies whatever the
// client announced. Only for payloads that are not secret (issued certificates, CRLs); never
// for requests. single_des tells the caller to say so in its log.
common::Result<Decrypted> decrypt_tolerating_des(ByteView der, const Certificate& cert,
                                                 const PrivateKey& key);

}  // namespace crypto::cms
