// The SCEP responder (RFC 8894 §4, server side): turns SCEP HTTP requests into calls on a
// ResponderBackend and its answers into CertReps. It owns the protocol rules; the backend owns
// policy (who may enrol, manual approval) and the CA.
//
// Checks that make a request fail before the backend sees it: the CMS signature (with the
// signer certificate the message carries), messageType, transactionID and 16-byte senderNonce
// present, decryptable messageData, a PKCSReq/RenewalReq whose CSR key differs from the
// signer's key (PKCSReq only; RenewalReq is signed by the existing certificate), a replayed
// senderNonce. A request that cannot be authenticated at all gets HTTP 400; one that can gets a
// CertRep FAILURE with the failInfo RFC 8894 §3.2.1.4 assigns.
//
// Thread-safety: handle() may run concurrently on several threads if the backend allows it.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/log.h"
#include "crypto/certificate.h"
#include "crypto/crl.h"
#include "crypto/csr.h"
#include "crypto/private_key.h"
#include "scep/pki_message.h"

namespace scep {

// What the backend decides for an enrolment or a poll.
struct BackendOutcome {
    PkiStatus status = PkiStatus::failure;
    std::optional<crypto::Certificate> certificate;  // SUCCESS
    FailInfo fail_info;                              // FAILURE
};

struct EnrollmentCall {
    MessageType type = MessageType::pkcs_req;  // pkcs_req or renewal_req
    std::string transaction_id;
    crypto::Csr csr;
    crypto::Certificate signer;  // self-signed (PKCSReq) or the existing certificate (RenewalReq)
};

class ResponderBackend {
public:
    virtual ~ResponderBackend() = default;
    virtual BackendOutcome enroll(const EnrollmentCall& call, common::SystemTime now) = 0;
    virtual BackendOutcome poll(std::string_view transaction_id, std::string_view subject,
                                common::SystemTime now) = 0;
    // GetCert: nullopt if no such certificate.
    virtual std::optional<crypto::Certificate> find_certificate(std::string_view serial_hex) = 0;
    // GetCRL: the current CRL of the issuing CA.
    virtual std::optional<crypto::Crl> current_crl(common::SystemTime now) = 0;
    // Whether senderNonce was already seen (and record it). Replays are refused.
    virtual bool is_replay(const crypto::Bytes& sender_nonce, common::SystemTime now) = 0;
};

struct ResponderIdentity {
    crypto::Certificate issuing_ca;
    std::vector<crypto::Certificate> ca_chain;  // above the issuing CA, up to the root
    // RA certificates (NDES style): both may be the same pair, or absent (CA mode: the CA
    // signs and decrypts itself).
    std::optional<crypto::Certificate> ra_signer;
    std::optional<crypto::PrivateKey> ra_signer_key;
    std::optional<crypto::Certificate> ra_encryption;
    std::optional<crypto::PrivateKey> ra_encryption_key;
    crypto::PrivateKey ca_key;  // used when there is no RA pair
    // GetNextCACert: the rollover certificate(s), if a rollover is prepared.
    std::vector<crypto::Certificate> next_ca;
    // Accept requests encrypted with single DES (legacy clients such as micromdm scepclient
    // 2.1.0 ignore the caps). Off by default: DES leaves the challenge password exposed.
    bool accept_single_des = false;
    // GetCACaps; "GetNextCACert" is added when next_ca is set.
    std::string capabilities = "AES\nDES3\nPOSTPKIOperation\nRenewal\nSHA-1\nSHA-256\nSHA-512\nSCEPStandard";
};

struct ResponderReply {
    int status = 200;
    std::string content_type;
    std::string body;
};

class Responder {
public:
    // REQUIRES: backend, clock and the logger's sink outlive the responder.
    Responder(ResponderIdentity identity, ResponderBackend& backend, const common::Clock& clock,
              common::Logger log);

    // operation and message are the decoded query parameters; body is the POST body (empty for
    // GET). max_message_bytes bounds the decoded PKIOperation.
    ResponderReply handle(std::string_view method, std::string_view operation,
                          std::string_view message, std::string_view body);

private:
    ResponderReply get_ca_cert() const;
    ResponderReply get_next_ca_cert() const;
    ResponderReply pki_operation(crypto::ByteView der);
    BackendOutcome dispatch(const ParsedRequest& parsed, common::SystemTime now,
                            CertRep& reply);

    ResponderIdentity m_id;
    ResponderBackend& m_backend;
    const common::Clock& m_clock;
    common::Logger m_log;
    crypto::Certificate m_signer;
    crypto::PrivateKey m_signer_key;
    crypto::Certificate m_decrypter;
    crypto::PrivateKey m_decrypter_key;
};

}  // namespace scep
