// The SCEP pkiMessage (RFC 8894 §3): a CMS SignedData whose signed attributes carry
// messageType, transactionID, nonces and status, and whose content (messageData) is an
// EnvelopedData holding the request (PKCS#10, IssuerAndSubject, IssuerAndSerialNumber) or the
// reply (a certs-only SignedData).
//
// Both directions are here: the client builds requests and checks CertReps; the responder (and
// the tests' fake server) parses requests and builds CertReps. All checks the RFC states as MUST
// are errors, never warnings.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "crypto/bytes.h"
#include "crypto/certificate.h"
#include "crypto/cms.h"
#include "crypto/fingerprint.h"
#include "crypto/private_key.h"

namespace scep {

// RFC 8894 §3.2.1.2.
enum class MessageType {
    cert_rep = 3,
    renewal_req = 17,
    pkcs_req = 19,
    cert_poll = 20,  // formerly GetCertInitial
    get_cert = 21,
    get_crl = 22,
};
std::string_view to_string(MessageType type);  // "PKCSReq", ...

// RFC 8894 §3.2.1.3.
enum class PkiStatus { success = 0, failure = 2, pending = 3 };
std::string_view to_string(PkiStatus status);

// RFC 8894 §3.2.1.4 failInfo: 0 badAlg, 1 badMessageCheck, 2 badRequest, 3 badTime,
// 4 badCertId. Other values (CMP-style codes some servers send) are kept as numbers.
struct FailInfo {
    int code = 2;
    std::optional<std::string> text;  // failInfoText (id-scep-failInfoText), if sent
    // "badRequest (2)", "unknown failInfo 26", plus ": text" when present.
    std::string describe() const;
};

namespace oid {
inline constexpr const char* message_type = "2.16.840.1.113733.1.9.2";
inline constexpr const char* pki_status = "2.16.840.1.113733.1.9.3";
inline constexpr const char* fail_info = "2.16.840.1.113733.1.9.4";
inline constexpr const char* sender_nonce = "2.16.840.1.113733.1.9.5";
inline constexpr const char* recipient_nonce = "2.16.840.1.113733.1.9.6";
inline constexpr const char* transaction_id = "2.16.840.1.113733.1.9.7";
inline constexpr const char* fail_info_text = "1.3.6.1.5.5.7.24.1";
}  // namespace oid

inline constexpr std::size_t nonce_size = 16;

// transactionID derived from the public key (hex SHA-256 of the SubjectPublicKeyInfo), so that
// it is stable across restarts and re-sends (RFC 8894 §3.2.1.1, §4.4).
std::string transaction_id_for(const crypto::PrivateKey& key);

// --- messageData bodies ---

// IssuerAndSubject for CertPoll (§3.3.3): issuer = subject DN of the issuing CA.
common::Result<crypto::Bytes> encode_issuer_and_subject(const crypto::Certificate& issuing_ca,
                                                       std::string_view subject_dn);
// IssuerAndSerialNumber for GetCert (§3.3.4): issuer = subject of issuing_ca.
common::Result<crypto::Bytes> encode_issuer_and_serial(const crypto::Certificate& issuing_ca,
                                                      std::string_view serial_hex);
// IssuerAndSerialNumber of cert itself, for GetCRL (§3.3.4).
common::Result<crypto::Bytes> encode_issuer_and_serial_of(const crypto::Certificate& cert);
struct IssuerAndSerial {
    std::string issuer;      // RFC 4514
    std::string serial_hex;  // as Certificate::serial_hex()
};
common::Result<IssuerAndSerial> decode_issuer_and_serial(crypto::ByteView der);
struct IssuerAndSubject {
    std::string issuer;
    std::string subject;
};
common::Result<IssuerAndSubject> decode_issuer_and_subject(crypto::ByteView der);

// --- requests (client builds, responder parses) ---

struct Request {
    MessageType type = MessageType::pkcs_req;
    std::string transaction_id;
    crypto::Bytes sender_nonce;  // nonce_size fresh random bytes
    crypto::Bytes message_data;  // DER of the inner structure, before encryption
};

struct RequestCrypto {
    crypto::Certificate signer;  // self-signed for PKCSReq, the existing cert for RenewalReq
    crypto::PrivateKey signer_key;
    std::vector<crypto::Certificate> recipients;  // usually one: the RA/CA encryption cert
    crypto::cms::ContentCipher cipher = crypto::cms::ContentCipher::aes128_cbc;
    crypto::DigestAlgorithm digest = crypto::DigestAlgorithm::sha256;
};

common::Result<crypto::Bytes> build_request(const Request& request, const RequestCrypto& crypto);

struct ParsedRequest {
    Request request;              // message_data decrypted
    crypto::Certificate signer;   // from SignedData.certificates, signature verified
    crypto::DigestAlgorithm digest;
    crypto::cms::ContentCipher cipher;  // what the client encrypted with: answer with the same
    bool single_des = false;            // the client used single DES (accepted on request)
};

// Only the outer layer of a request: signature verified with the embedded signer and the
// attributes checked, messageData still encrypted. Lets a responder answer FAILURE (badAlg,
// badMessageCheck) to a client it can authenticate but whose envelope it cannot open.
struct SignedRequest {
    Request request;  // message_data = the EnvelopedData
    crypto::Certificate signer;
    crypto::DigestAlgorithm digest;
};
common::Result<SignedRequest> verify_request(crypto::ByteView der);
// Decrypts the envelope of a verified request. Single DES is refused (Errc::unsupported)
// unless allow_single_des: legacy clients (micromdm scepclient 2.1.0) use it whatever the
// caps say; then cipher is set to AES-128 for the reply and single_des tells the caller.
common::Result<ParsedRequest> open_request(SignedRequest request,
                                           const crypto::Certificate& recipient,
                                           const crypto::PrivateKey& recipient_key,
                                           bool allow_single_des = false);
// Verifies the signature with the embedded signer, checks the attributes (messageType known and
// a request type, transactionID present, senderNonce of nonce_size) and decrypts messageData
// with the RA/CA key. Errc::parse for malformed input, Errc::verification for a bad signature.
common::Result<ParsedRequest> parse_request(crypto::ByteView der,
                                            const crypto::Certificate& recipient,
                                            const crypto::PrivateKey& recipient_key);

// --- CertRep (responder builds, client parses) ---

struct CertRep {
    PkiStatus status = PkiStatus::success;
    std::string transaction_id;
    crypto::Bytes sender_nonce;     // the responder's own fresh nonce
    crypto::Bytes recipient_nonce;  // = the request's senderNonce
    std::optional<FailInfo> fail_info;      // FAILURE only
    std::vector<crypto::Certificate> certificates;  // SUCCESS: issued cert first (+ extras)
    std::optional<crypto::Bytes> crl_der;   // SUCCESS reply to GetCRL
    // The responder encrypted its SUCCESS reply with single DES (legacy servers do whatever
    // the client asked for). Accepted because the payload is public; the client logs it.
    bool reply_used_single_des = false;
};

struct ReplyCrypto {
    crypto::Certificate signer;  // RA signing cert or CA
    crypto::PrivateKey signer_key;
    crypto::Certificate recipient;  // the request's signer certificate
    crypto::cms::ContentCipher cipher = crypto::cms::ContentCipher::aes128_cbc;
    crypto::DigestAlgorithm digest = crypto::DigestAlgorithm::sha256;
};

common::Result<crypto::Bytes> build_cert_rep(const CertRep& reply, const ReplyCrypto& crypto);

struct ReplyExpectation {
    std::string transaction_id;
    crypto::Bytes sender_nonce;  // what we sent; must come back as recipientNonce
    std::vector<crypto::Certificate> allowed_signers;
    // To open a SUCCESS reply: our signer certificate and its key.
    crypto::Certificate recipient;
    crypto::PrivateKey recipient_key;
};

// Hard checks (RFC 8894 §3.2.1.5, §3.3.2): the signature verifies with one of
// allowed_signers, messageType is CertRep, transactionID and recipientNonce equal what we sent,
// pkiStatus is known, FAILURE carries failInfo. On SUCCESS the certs-only content is decrypted
// and decoded. Any violation is Errc::verification (signature, nonce, id) or Errc::protocol.
common::Result<CertRep> parse_cert_rep(crypto::ByteView der, const ReplyExpectation& expect);

}  // namespace scep
