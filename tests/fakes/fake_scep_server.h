// A scriptable SCEP server (RFC 8894 §4) on 127.0.0.1 for tests, on top of TestHttpServer and
// the codec in scep/pki_message.h. It answers GetCACaps, GetCACert, GetNextCACert and
// PKIOperation (POST and GET), issues real certificates from the CSRs it receives, remembers
// pending requests for CertPoll, and answers GetCert and GetCRL.
//
// A script of ScriptedReply entries decides, one PKIOperation at a time, how each reply is made
// or corrupted; with the script empty, every request is answered correctly (SUCCESS). Every
// request is recorded (Received) with what was decoded from it, so tests can assert the client's
// RFC behaviour: method, messageType, transactionID, nonce, cipher, digest, signer, challenge.
//
// Thread-safety: requests are handled on the server's thread; every member may be called from
// the test's thread at any time. REQUIRES: pki outlives the server.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "crypto/certificate.h"
#include "fakes/fake_scep_pki.h"
#include "fakes/test_http_server.h"
#include "scep/pki_message.h"

namespace fakes {

// How one PKIOperation reply is made wrong.
enum class ScepFault {
    none,
    unrelated_signer,       // CertRep signed by ScepPki::unrelated
    wrong_recipient_nonce,  // recipientNonce = fresh random bytes
    no_recipient_nonce,     // recipientNonce attribute omitted
    wrong_transaction_id,   // transactionID = "not-your-transaction"
    wrong_message_type,     // messageType "19" (PKCSReq) instead of "3"
    unknown_pki_status,     // pkiStatus "1"
    missing_fail_info,      // FAILURE without the failInfo attribute
    garbage_body,           // HTTP 200 with bytes that are not DER
    truncated,              // the correct CertRep cut to half its length
    oversized,              // a body of ScepServerOptions::oversized_bytes
    issue_for_other_key,    // SUCCESS with a certificate for ScepPki::unrelated_key (also GetCert)
    issue_from_other_ca,    // SUCCESS with our key's certificate signed by ScepPki::unrelated
    des_reply,              // SUCCESS content encrypted with single DES-CBC
    http_error,             // HTTP 500
};

struct ScriptedReply {
    scep::PkiStatus status = scep::PkiStatus::success;
    std::optional<scep::FailInfo> fail_info;  // FAILURE: default badRequest
    ScepFault fault = ScepFault::none;
    std::chrono::milliseconds delay{0};  // before the reply is sent

    static ScriptedReply pending() { return {scep::PkiStatus::pending, {}, ScepFault::none, {}}; }
    static ScriptedReply failure(scep::FailInfo info) {
        return {scep::PkiStatus::failure, std::move(info), ScepFault::none, {}};
    }
    static ScriptedReply faulty(ScepFault fault,
                                scep::PkiStatus status = scep::PkiStatus::success) {
        return {status, {}, fault, {}};
    }
    static ScriptedReply delayed(std::chrono::milliseconds delay) {
        return {scep::PkiStatus::success, {}, ScepFault::none, delay};
    }
};

enum class CaCertFormat {
    der,         // the anchor alone, application/x-x509-ca-cert
    certs_only,  // ScepPki::ca_certificates() in a degenerate PKCS#7, x-x509-ca-ra-cert
};

struct ScepServerOptions {
    // The GetCACaps body, sent as is.
    std::string caps = "POSTPKIOperation\nSHA-256\nAES\nDES3\nSHA-1\nRenewal\nGetNextCACert\n";
    CaCertFormat ca_cert_format = CaCertFormat::certs_only;
    // Validity of issued certificates and CRLs is computed from this instant.
    common::SystemTime now;
    std::size_t oversized_bytes = 5u * 1024u * 1024u;
    // GetNextCACert answers with these certificates (signed by the CA signer); 404 when empty.
    std::vector<crypto::Certificate> next_ca_certificates;
    // GetNextCACert signed by ScepPki::unrelated instead (a rollover the client must refuse).
    bool next_ca_signed_by_unrelated = false;
};

// One request as the server saw it.
struct ScepReceived {
    std::string http_method;                 // "GET", "POST"
    std::string operation;                   // operation= value
    std::optional<std::string> raw_message;  // message= as sent (still percent-encoded)
    std::optional<std::string> content_type;
    // PKIOperation, when the pkiMessage could be decoded:
    std::string parse_error;  // why it could not be, else empty
    std::optional<scep::MessageType> message_type;
    std::string transaction_id;
    crypto::Bytes sender_nonce;
    std::optional<crypto::DigestAlgorithm> digest;
    std::string content_cipher;  // OpenSSL short name: "AES-128-CBC", "DES-EDE3-CBC"
    std::optional<crypto::Certificate> signer;
    crypto::Bytes message_data;                     // decrypted
    std::optional<std::string> challenge_password;  // PKCSReq / RenewalReq
};

class FakeScepServer {
  public:
    FakeScepServer(const ScepPki& pki, ScepServerOptions options);
    ~FakeScepServer();
    FakeScepServer(const FakeScepServer&) = delete;
    FakeScepServer& operator=(const FakeScepServer&) = delete;

    // The SCEP URL: "http://127.0.0.1:PORT/cgi-bin/pkiclient.exe".
    std::string url() const;
    const ScepPki& pki() const { return m_pki; }

    void set_caps(std::string caps);
    void set_ca_cert_format(CaCertFormat format);
    // Appends replies for the next PKIOperations, in order.
    void script(std::vector<ScriptedReply> replies);

    std::vector<ScepReceived> received() const;
    // Only the PKIOperation requests.
    std::vector<ScepReceived> pki_operations() const;
    // Certificates issued so far (by SUCCESS replies without faults), in order.
    std::vector<crypto::Certificate> issued() const;

    struct State;  // private to the .cpp

  private:
    TestHttpServer::Response handle(const TestHttpServer::Request& request);

    std::unique_ptr<State> m_state;
    const ScepPki& m_pki;
    TestHttpServer m_http;
};

}  // namespace fakes
