#include "scep/responder.h"

#include <cctype>

#include "crypto/cms.h"

namespace scep {
namespace {

using crypto::Bytes;

constexpr const char* type_pki_message = "application/x-pki-message";
constexpr std::size_t max_message_bytes = 1024u * 1024u;

ResponderReply http_error(int status, std::string message) {
    return ResponderReply{status, "text/plain", std::move(message) + "\n"};
}

std::string lower(std::string_view s) {
    std::string out;
    for (char c : s) out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// GET PKIOperation: standard base64, URL-decoded by the HTTP layer. Tolerates what deployed
// clients send: '+' turned into ' ' by form decoding, and line breaks (old sscep's %0A).
common::Result<Bytes> decode_get_message(std::string_view message) {
    std::string cleaned;
    cleaned.reserve(message.size());
    for (char c : message) {
        if (c == ' ') {
            cleaned += '+';
        } else if (c != '\r' && c != '\n') {
            cleaned += c;
        }
    }
    return crypto::from_base64(cleaned);
}

FailInfo fail(int code, std::string text) { return FailInfo{code, std::move(text)}; }

// A transactionID comes from the peer: log at most 16 characters, and only printable ones.
std::string printable_id(std::string_view id) {
    std::string out;
    for (char c : id.substr(0, 16)) {
        out += std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '+' || c == '/' || c == '=' || c == '-' ? c : '?';
    }
    return out;
}

}  // namespace

Responder::Responder(ResponderIdentity identity, ResponderBackend& backend,
                     const common::Clock& clock, common::Logger log)
    : m_id(std::move(identity)),
      m_backend(backend),
      m_clock(clock),
      m_log(std::move(log)),
      m_signer(m_id.ra_signer.value_or(m_id.issuing_ca)),
      m_signer_key(m_id.ra_signer_key.value_or(m_id.ca_key)),
      m_decrypter(m_id.ra_encryption.value_or(m_id.issuing_ca)),
      m_decrypter_key(m_id.ra_encryption_key.value_or(m_id.ca_key)) {}

ResponderReply Responder::handle(std::string_view method, std::string_view operation,
                                 std::string_view message, std::string_view body) {
    // RFC 8894 §4.1: operation names are case-sensitive in the RFC; clients vary, so compare
    // case-insensitively.
    const std::string op = lower(operation);
    if (op == "getcacaps") {
        return ResponderReply{200, "text/plain",
                              m_id.next_ca.empty() ? m_id.capabilities
                                                   : "GetNextCACert\n" + m_id.capabilities};
    }
    if (op == "getcacert") return get_ca_cert();
    if (op == "getnextcacert") return get_next_ca_cert();
    if (op != "pkioperation") {
        return http_error(400, "unknown operation '" + std::string(operation.substr(0, 40)) + "'");
    }
    if (method == "POST") {
        if (body.empty()) return http_error(400, "PKIOperation: empty POST body");
        if (body.size() > max_message_bytes) return http_error(413, "PKIOperation: body too large");
        return pki_operation(crypto::as_bytes(body));
    }
    if (message.empty()) return http_error(400, "PKIOperation: no message parameter");
    if (message.size() > max_message_bytes * 4 / 3 + 4) {
        return http_error(414, "PKIOperation: message too large");
    }
    auto der = decode_get_message(message);
    if (!der) return http_error(400, "PKIOperation: message is not base64");
    return pki_operation(*der);
}

ResponderReply Responder::get_ca_cert() const {
    if (!m_id.ra_signer && !m_id.ra_encryption && m_id.ca_chain.empty()) {
        const Bytes der = m_id.issuing_ca.to_der();
        return ResponderReply{200, "application/x-x509-ca-cert", std::string(der.begin(), der.end())};
    }
    // RFC 8894 §4.2.1.2: RA certificates, the issuing CA and the rest of the chain.
    std::vector<crypto::Certificate> certs;
    if (m_id.ra_signer) certs.push_back(*m_id.ra_signer);
    if (m_id.ra_encryption && !(m_id.ra_signer && *m_id.ra_encryption == *m_id.ra_signer)) {
        certs.push_back(*m_id.ra_encryption);
    }
    certs.push_back(m_id.issuing_ca);
    certs.insert(certs.end(), m_id.ca_chain.begin(), m_id.ca_chain.end());
    auto p7 = crypto::cms::make_certs_only(certs);
    if (!p7) return http_error(500, "GetCACert: " + p7.error().message());
    return ResponderReply{200, "application/x-x509-ca-ra-cert", std::string(p7->begin(), p7->end())};
}

ResponderReply Responder::get_next_ca_cert() const {
    if (m_id.next_ca.empty()) return http_error(404, "GetNextCACert: no CA rollover prepared");
    auto inner = crypto::cms::make_certs_only(m_id.next_ca);
    if (!inner) return http_error(500, "GetNextCACert: " + inner.error().message());
    // §4.7.1: signed by the current CA (or RA) key.
    auto signed_data = crypto::cms::sign(*inner, m_signer, m_signer_key, {});
    if (!signed_data) return http_error(500, "GetNextCACert: " + signed_data.error().message());
    return ResponderReply{200, "application/x-x509-next-ca-cert",
                          std::string(signed_data->begin(), signed_data->end())};
}

ResponderReply Responder::pki_operation(crypto::ByteView der) {
    const auto now = m_clock.now();
    auto signed_request = verify_request(der);
    if (!signed_request) {
        // Not authenticated: no CertRep can be addressed to the sender.
        m_log.warning("PKIOperation refused: " + signed_request.error().to_string());
        return http_error(400, "PKIOperation: " + signed_request.error().message());
    }
    const Request& header = signed_request->request;
    CertRep reply;
    reply.transaction_id = header.transaction_id;
    reply.recipient_nonce = header.sender_nonce;
    auto nonce = crypto::random_bytes(nonce_size);
    if (!nonce) return http_error(500, "no randomness");
    reply.sender_nonce = *nonce;
    ReplyCrypto keys{m_signer, m_signer_key, signed_request->signer,
                     crypto::cms::ContentCipher::aes128_cbc, signed_request->digest};
    if (keys.digest == crypto::DigestAlgorithm::md5) keys.digest = crypto::DigestAlgorithm::sha256;
    const crypto::Certificate& signer = signed_request->signer;
    const std::string what = std::string(to_string(header.type)) + " " +
                             printable_id(header.transaction_id) + " from " + signer.subject() +
                             (signer.is_self_issued() ? " (self-signed)" : " (serial " + signer.serial_hex() + ")");
    BackendOutcome outcome;
    if (m_backend.is_replay(header.sender_nonce, now)) {
        outcome.fail_info = fail(1, "replayed senderNonce");
    } else {
        auto parsed = open_request(std::move(*signed_request), m_decrypter, m_decrypter_key,
                                   m_id.accept_single_des);
        if (!parsed) {
            const bool bad_alg = parsed.error().code() == common::Errc::unsupported;
            outcome.fail_info = fail(bad_alg ? 0 : 1, parsed.error().message());
            if (bad_alg) {
                m_log.warning(what + ": " + parsed.error().message() +
                              " (a legacy client? `legacy_des = yes` in responder.conf accepts "
                              "single DES)");
            }
        } else {
            if (parsed->single_des) m_log.warning(what + ": client encrypted with single DES");
            keys.cipher = parsed->cipher;
            outcome = dispatch(*parsed, now, reply);
        }
    }
    reply.status = outcome.status;
    if (outcome.status == PkiStatus::failure) reply.fail_info = outcome.fail_info;
    m_log.info(what + " -> " + std::string(to_string(outcome.status)) +
               (outcome.status == PkiStatus::failure ? " " + outcome.fail_info.describe() : "") +
               (outcome.certificate ? " serial " + outcome.certificate->serial_hex() : ""));
    auto rep = build_cert_rep(reply, keys);
    if (!rep) return http_error(500, "CertRep: " + rep.error().message());
    return ResponderReply{200, type_pki_message, std::string(rep->begin(), rep->end())};
}

BackendOutcome Responder::dispatch(const ParsedRequest& parsed, common::SystemTime now,
                                   CertRep& reply) {
    const Request& request = parsed.request;
    switch (request.type) {
        case MessageType::pkcs_req:
        case MessageType::renewal_req: {
            auto csr = crypto::Csr::from_der(request.message_data);
            if (!csr) return BackendOutcome{PkiStatus::failure, {}, fail(2, "malformed PKCS#10")};
            if (!csr->verify_signature()) {
                return BackendOutcome{PkiStatus::failure, {}, fail(1, "CSR signature does not verify")};
            }
            // §2.3: PKCSReq is signed with the CSR's own key (self-signed certificate).
            if (request.type == MessageType::pkcs_req &&
                csr->public_key_der() != parsed.signer.public_key_der()) {
                return BackendOutcome{PkiStatus::failure, {},
                                      fail(1, "PKCSReq signer key differs from the CSR key")};
            }
            auto outcome = m_backend.enroll(
                EnrollmentCall{request.type, request.transaction_id, *csr, parsed.signer}, now);
            if (outcome.certificate) reply.certificates = {*outcome.certificate};
            return outcome;
        }
        case MessageType::cert_poll: {
            auto ias = decode_issuer_and_subject(request.message_data);
            if (!ias) return BackendOutcome{PkiStatus::failure, {}, fail(2, "malformed IssuerAndSubject")};
            auto outcome = m_backend.poll(request.transaction_id, ias->subject, now);
            if (outcome.certificate) reply.certificates = {*outcome.certificate};
            return outcome;
        }
        case MessageType::get_cert: {
            auto ias = decode_issuer_and_serial(request.message_data);
            auto cert = ias ? m_backend.find_certificate(ias->serial_hex) : std::nullopt;
            if (!cert) return BackendOutcome{PkiStatus::failure, {}, fail(4, "no such certificate")};
            reply.certificates = {*cert};
            return BackendOutcome{PkiStatus::success, cert, {}};
        }
        case MessageType::get_crl: {
            auto crl = m_backend.current_crl(now);
            if (!crl) return BackendOutcome{PkiStatus::failure, {}, fail(4, "no CRL available")};
            reply.crl_der = crl->to_der();
            return BackendOutcome{PkiStatus::success, {}, {}};
        }
        case MessageType::cert_rep: break;
    }
    return BackendOutcome{PkiStatus::failure, {}, fail(2, "unexpected messageType")};
}

}  // namespace scep
