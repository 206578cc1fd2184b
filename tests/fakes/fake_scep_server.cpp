#include "fakes/fake_scep_server.h"

#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/pkcs7.h>

#include <deque>
#include <map>
#include <mutex>
#include <stdexcept>

#include "crypto/bytes.h"
#include "crypto/cms.h"
#include "crypto/ossl_ptr.h"

namespace fakes {
namespace {

using crypto::Bytes;
using crypto::ByteView;
using scep::MessageType;
using scep::PkiStatus;
using Response = TestHttpServer::Response;

constexpr const char* scep_path = "/cgi-bin/pkiclient.exe";
constexpr const char* pki_message_type = "application/x-pki-message";

template <typename T>
T must(common::Result<T> result, std::string_view what) {
    if (!result) {
        throw std::runtime_error("fake SCEP server: " + std::string(what) + ": " +
                                 result.error().to_string());
    }
    return std::move(*result);
}

std::string binary(const Bytes& bytes) {
    return std::string(crypto::as_chars(bytes));
}

std::optional<std::string> percent_decode(std::string_view text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '%') {
            out += text[i];
            continue;
        }
        if (i + 2 >= text.size())
            return std::nullopt;
        const auto hex = crypto::from_hex(text.substr(i + 1, 2));
        if (!hex || hex->size() != 1)
            return std::nullopt;
        out += static_cast<char>((*hex)[0]);
        i += 2;
    }
    return out;
}

// The content-encryption algorithm of an EnvelopedData, as OpenSSL's short name.
std::string content_cipher_of(ByteView envelope) {
    const unsigned char* p = envelope.data();
    crypto::Pkcs7Ptr p7(d2i_PKCS7(nullptr, &p, static_cast<long>(envelope.size())));
    ERR_clear_error();
    if (!p7 || OBJ_obj2nid(p7->type) != NID_pkcs7_enveloped)
        return "(not enveloped)";
    return OBJ_nid2sn(OBJ_obj2nid(p7->d.enveloped->enc_data->algorithm->algorithm));
}

crypto::cms::ContentCipher reply_cipher(std::string_view request_cipher) {
    if (request_cipher == "DES-EDE3-CBC")
        return crypto::cms::ContentCipher::des3_cbc;
    if (request_cipher == "AES-256-CBC")
        return crypto::cms::ContentCipher::aes256_cbc;
    return crypto::cms::ContentCipher::aes128_cbc;
}

// A CertRep with attributes as given, for the faults build_cert_rep cannot produce.
struct RawCertRep {
    std::string message_type = "3";
    std::optional<std::string> pki_status;
    std::string transaction_id;
    Bytes sender_nonce;
    std::optional<Bytes> recipient_nonce;
    std::optional<std::string> fail_info;
    Bytes content;  // the EnvelopedData, or empty
};

Bytes sign_raw(const RawCertRep& raw, const scep::ReplyCrypto& keys) {
    using crypto::cms::Attribute;
    auto text = [](const char* oid, const std::string& value) {
        return Attribute{oid, Attribute::Type::printable_string, Bytes(value.begin(), value.end())};
    };
    crypto::cms::SignOptions options;
    options.digest = keys.digest;
    options.attributes = {
        text(scep::oid::message_type, raw.message_type),
        text(scep::oid::transaction_id, raw.transaction_id),
        Attribute{scep::oid::sender_nonce, Attribute::Type::octet_string, raw.sender_nonce}};
    if (raw.pki_status)
        options.attributes.push_back(text(scep::oid::pki_status, *raw.pki_status));
    if (raw.fail_info)
        options.attributes.push_back(text(scep::oid::fail_info, *raw.fail_info));
    if (raw.recipient_nonce) {
        options.attributes.push_back(Attribute{
            scep::oid::recipient_nonce, Attribute::Type::octet_string, *raw.recipient_nonce});
    }
    return must(crypto::cms::sign(raw.content, keys.signer, keys.signer_key, options), "CertRep");
}

Bytes fresh_nonce() {
    return must(crypto::random_bytes(scep::nonce_size), "nonce");
}

}  // namespace

struct FakeScepServer::State {
    mutable std::mutex mutex;
    ScepServerOptions options;
    std::deque<ScriptedReply> script;
    std::vector<ScepReceived> received;
    std::vector<crypto::Certificate> issued;
    std::map<std::string, Bytes> pending;  // transactionID -> CSR DER
    std::uint64_t next_serial = 0x1000;

    ScriptedReply next_reply() {
        std::lock_guard lock(mutex);
        if (script.empty())
            return {};
        ScriptedReply out = script.front();
        script.pop_front();
        return out;
    }
};

namespace {

// Everything a PKIOperation handler needs, on the server's thread.
class Exchange {
  public:
    Exchange(FakeScepServer::State& state, const ScepPki& pki, ScepReceived& seen,
             scep::ParsedRequest request, ScriptedReply script)
        : m_state(state),
          m_pki(pki),
          m_seen(seen),
          m_request(std::move(request)),
          m_script(script) {}

    Response answer();

  private:
    scep::CertRep make_reply();
    void enrolment(scep::CertRep& reply, const Bytes& csr_der);
    void poll(scep::CertRep& reply);
    void get_cert(scep::CertRep& reply);
    void get_crl(scep::CertRep& reply);
    Bytes encode(const scep::CertRep& reply);
    std::uint64_t next_serial() {
        std::lock_guard lock(m_state.mutex);
        return m_state.next_serial++;
    }
    common::SystemTime now() const {
        std::lock_guard lock(m_state.mutex);
        return m_state.options.now;
    }

    FakeScepServer::State& m_state;
    const ScepPki& m_pki;
    ScepReceived& m_seen;
    scep::ParsedRequest m_request;
    ScriptedReply m_script;
};

void fail_with(scep::CertRep& reply, int code) {
    reply.status = PkiStatus::failure;
    reply.fail_info = scep::FailInfo{code, std::nullopt};
    reply.certificates.clear();
}

Response Exchange::answer() {
    Response response;
    switch (m_script.fault) {
        case ScepFault::http_error:
            response = TestHttpServer::reply(500, "internal error", "text/plain");
            break;
        case ScepFault::garbage_body:
            response = TestHttpServer::reply(200, "this is not a pkiMessage \x30\x82\xff",
                                             pki_message_type);
            break;
        case ScepFault::oversized: {
            std::size_t size = 0;
            {
                std::lock_guard lock(m_state.mutex);
                size = m_state.options.oversized_bytes;
            }
            response = TestHttpServer::reply(200, std::string(size, '\x30'), pki_message_type);
            break;
        }
        default: {
            Bytes der = encode(make_reply());
            if (m_script.fault == ScepFault::truncated)
                der.resize(der.size() / 2);
            response = TestHttpServer::reply(200, binary(der), pki_message_type);
        }
    }
    response.delay = m_script.delay;
    return response;
}

scep::CertRep Exchange::make_reply() {
    scep::CertRep reply;
    reply.status = m_script.status;
    reply.transaction_id = m_request.request.transaction_id;
    reply.sender_nonce = fresh_nonce();
    reply.recipient_nonce = m_request.request.sender_nonce;
    switch (m_request.request.type) {
        case MessageType::pkcs_req:
        case MessageType::renewal_req:
            enrolment(reply, m_request.request.message_data);
            break;
        case MessageType::cert_poll:
            poll(reply);
            break;
        case MessageType::get_cert:
            get_cert(reply);
            break;
        case MessageType::get_crl:
            get_crl(reply);
            break;
        case MessageType::cert_rep:
            fail_with(reply, 2);
            break;
    }
    if (m_script.status == PkiStatus::failure) {
        fail_with(reply, 2);
        reply.fail_info = m_script.fail_info.value_or(scep::FailInfo{2, std::nullopt});
    }
    return reply;
}

void Exchange::enrolment(scep::CertRep& reply, const Bytes& csr_der) {
    auto csr = crypto::Csr::from_der(csr_der);
    if (!csr || !csr->verify_signature())
        return fail_with(reply, 1);  // badMessageCheck
    if (m_request.request.type == MessageType::renewal_req &&
        !m_request.signer.is_signed_by(m_pki.issuing_ca)) {
        return fail_with(reply, 1);
    }
    if (m_script.status == PkiStatus::pending) {
        std::lock_guard lock(m_state.mutex);
        m_state.pending[m_request.request.transaction_id] = csr_der;
        return;
    }
    if (m_script.status != PkiStatus::success)
        return;
    const auto& issuer =
        m_script.fault == ScepFault::issue_from_other_ca ? m_pki.unrelated : m_pki.issuing_ca;
    const auto& issuer_key =
        m_script.fault == ScepFault::issue_from_other_ca ? m_pki.unrelated_key : m_pki.issuing_key;
    const Bytes key = m_script.fault == ScepFault::issue_for_other_key
                          ? m_pki.unrelated_key.public_key_der()
                          : csr->public_key_der();
    auto cert = issue_certificate(csr->subject(), key, issuer, issuer_key, now(), next_serial());
    reply.certificates = {cert};
    if (m_script.fault == ScepFault::none || m_script.fault == ScepFault::des_reply) {
        std::lock_guard lock(m_state.mutex);
        m_state.issued.push_back(cert);
    }
}

void Exchange::poll(scep::CertRep& reply) {
    auto ias = scep::decode_issuer_and_subject(m_request.request.message_data);
    std::optional<Bytes> csr_der;
    {
        std::lock_guard lock(m_state.mutex);
        const auto it = m_state.pending.find(m_request.request.transaction_id);
        if (it != m_state.pending.end())
            csr_der = it->second;
        if (csr_der && m_script.status == PkiStatus::success)
            m_state.pending.erase(it);
    }
    if (!ias || !csr_der || ias->issuer != m_pki.issuing_ca.subject())
        return fail_with(reply, 4);
    enrolment(reply, *csr_der);
}

void Exchange::get_cert(scep::CertRep& reply) {
    auto ias = scep::decode_issuer_and_serial(m_request.request.message_data);
    if (!ias || ias->issuer != m_pki.issuing_ca.subject())
        return fail_with(reply, 4);
    if (m_script.fault == ScepFault::issue_for_other_key) {
        reply.certificates = {
            issue_certificate("CN=someone else", m_pki.unrelated_key.public_key_der(),
                              m_pki.issuing_ca, m_pki.issuing_key, now(), next_serial())};
        return;
    }
    std::lock_guard lock(m_state.mutex);
    for (const auto& cert : m_state.issued) {
        if (cert.serial_hex() == ias->serial_hex) {
            reply.certificates = {cert};
            return;
        }
    }
    fail_with(reply, 4);  // badCertId
}

void Exchange::get_crl(scep::CertRep& reply) {
    auto ias = scep::decode_issuer_and_serial(m_request.request.message_data);
    if (!ias || ias->issuer != m_pki.issuing_ca.subject())
        return fail_with(reply, 4);
    reply.crl_der = issue_crl(m_pki.issuing_ca, m_pki.issuing_key, {"7E57"}, now()).to_der();
}

Bytes Exchange::encode(const scep::CertRep& reply) {
    const ScepFault fault = m_script.fault;
    const bool foreign = fault == ScepFault::unrelated_signer;
    scep::ReplyCrypto keys{foreign ? m_pki.unrelated : m_pki.signer,
                           foreign ? m_pki.unrelated_key : m_pki.signer_key, m_request.signer,
                           reply_cipher(m_seen.content_cipher), m_request.digest};
    scep::CertRep out = reply;
    if (fault == ScepFault::wrong_recipient_nonce)
        out.recipient_nonce = fresh_nonce();
    if (fault == ScepFault::wrong_transaction_id)
        out.transaction_id = "not-your-transaction";
    const bool raw = fault == ScepFault::wrong_message_type ||
                     fault == ScepFault::unknown_pki_status ||
                     fault == ScepFault::missing_fail_info ||
                     fault == ScepFault::no_recipient_nonce || fault == ScepFault::des_reply;
    if (!raw)
        return must(scep::build_cert_rep(out, keys), "build_cert_rep");
    RawCertRep r{"3",
                 std::to_string(static_cast<int>(out.status)),
                 out.transaction_id,
                 out.sender_nonce,
                 out.recipient_nonce,
                 std::nullopt,
                 {}};
    if (out.status == PkiStatus::failure && fault != ScepFault::missing_fail_info) {
        r.fail_info = std::to_string(out.fail_info.value_or(scep::FailInfo{}).code);
    }
    if (fault == ScepFault::wrong_message_type)
        r.message_type = "19";
    if (fault == ScepFault::unknown_pki_status)
        r.pki_status = "1";
    if (fault == ScepFault::no_recipient_nonce)
        r.recipient_nonce.reset();
    if (out.status == PkiStatus::success) {
        const Bytes payload =
            out.crl_der ? must(crypto::cms::make_crls_only(
                                   {must(crypto::Crl::from_der(*out.crl_der), "CRL")}),
                               "crls-only")
                        : must(crypto::cms::make_certs_only(out.certificates), "certs-only");
        r.content =
            fault == ScepFault::des_reply
                ? encrypt_with_single_des(payload, keys.recipient)
                : must(crypto::cms::encrypt(payload, {keys.recipient}, keys.cipher), "envelope");
    }
    return sign_raw(r, keys);
}

// Decodes the pkiMessage of a PKIOperation (POST body or GET message=) and fills seen.
std::optional<scep::ParsedRequest> decode(const TestHttpServer::Request& http, const ScepPki& pki,
                                          ScepReceived& seen) {
    Bytes der;
    if (http.method == "POST") {
        der.assign(http.body.begin(), http.body.end());
    } else {
        const auto text = seen.raw_message ? percent_decode(*seen.raw_message) : std::nullopt;
        auto decoded =
            text ? crypto::from_base64(*text)
                 : common::Result<Bytes>(common::Error(common::Errc::parse, "no message="));
        if (!decoded) {
            seen.parse_error = "GET message=: " + decoded.error().to_string();
            return std::nullopt;
        }
        der = std::move(*decoded);
    }
    auto parsed = scep::parse_request(der, pki.encryption, pki.encryption_key);
    if (!parsed) {
        seen.parse_error = parsed.error().to_string();
        return std::nullopt;
    }
    if (auto outer = crypto::cms::verify_with_embedded_signer(der)) {
        seen.content_cipher = content_cipher_of(outer->content);
    }
    seen.message_type = parsed->request.type;
    seen.transaction_id = parsed->request.transaction_id;
    seen.sender_nonce = parsed->request.sender_nonce;
    seen.digest = parsed->digest;
    seen.signer = parsed->signer;
    seen.message_data = parsed->request.message_data;
    const auto type = parsed->request.type;
    if (type == MessageType::pkcs_req || type == MessageType::renewal_req) {
        if (auto csr = crypto::Csr::from_der(seen.message_data)) {
            seen.challenge_password = csr->challenge_password();
        }
    }
    return std::move(*parsed);
}

Response ca_cert_reply(const ScepPki& pki, CaCertFormat format) {
    if (format == CaCertFormat::der) {
        return TestHttpServer::reply(200, binary(pki.anchor.to_der()),
                                     "application/x-x509-ca-cert");
    }
    const Bytes p7 = must(crypto::cms::make_certs_only(pki.ca_certificates()), "GetCACert");
    return TestHttpServer::reply(200, binary(p7), "application/x-x509-ca-ra-cert");
}

Response next_ca_cert_reply(const ScepPki& pki, const ScepServerOptions& options) {
    if (options.next_ca_certificates.empty()) {
        return TestHttpServer::reply(404, "no rollover", "text/plain");
    }
    const Bytes inner =
        must(crypto::cms::make_certs_only(options.next_ca_certificates), "GetNextCACert content");
    const bool foreign = options.next_ca_signed_by_unrelated;
    const Bytes p7 = must(crypto::cms::sign(inner, foreign ? pki.unrelated : pki.signer,
                                            foreign ? pki.unrelated_key : pki.signer_key, {}),
                          "GetNextCACert");
    return TestHttpServer::reply(200, binary(p7), "application/x-x509-next-ca-cert");
}

}  // namespace

FakeScepServer::FakeScepServer(const ScepPki& pki, ScepServerOptions options)
    : m_state(std::make_unique<State>()),
      m_pki(pki),
      m_http([this](const TestHttpServer::Request& request) { return handle(request); }) {
    m_state->options = std::move(options);
}

FakeScepServer::~FakeScepServer() = default;

Response FakeScepServer::handle(const TestHttpServer::Request& request) {
    ScepReceived seen;
    seen.http_method = request.method;
    seen.operation = request.query_parameter("operation").value_or("");
    seen.raw_message = request.query_parameter("message");
    seen.content_type = request.header("Content-Type");
    ScepServerOptions options;
    {
        std::lock_guard lock(m_state->mutex);
        options = m_state->options;
    }
    Response response = TestHttpServer::reply(400, "unknown operation", "text/plain");
    if (seen.operation == "GetCACaps") {
        response = TestHttpServer::reply(200, options.caps, "text/plain");
    } else if (seen.operation == "GetCACert") {
        response = ca_cert_reply(m_pki, options.ca_cert_format);
    } else if (seen.operation == "GetNextCACert") {
        response = next_ca_cert_reply(m_pki, options);
    } else if (seen.operation == "PKIOperation") {
        if (auto parsed = decode(request, m_pki, seen)) {
            response =
                Exchange(*m_state, m_pki, seen, std::move(*parsed), m_state->next_reply()).answer();
        } else {
            response =
                TestHttpServer::reply(400, "bad pkiMessage: " + seen.parse_error, "text/plain");
        }
    }
    std::lock_guard lock(m_state->mutex);
    m_state->received.push_back(std::move(seen));
    return response;
}

std::string FakeScepServer::url() const {
    return m_http.url(scep_path);
}

void FakeScepServer::set_caps(std::string caps) {
    std::lock_guard lock(m_state->mutex);
    m_state->options.caps = std::move(caps);
}

void FakeScepServer::set_ca_cert_format(CaCertFormat format) {
    std::lock_guard lock(m_state->mutex);
    m_state->options.ca_cert_format = format;
}

void FakeScepServer::script(std::vector<ScriptedReply> replies) {
    std::lock_guard lock(m_state->mutex);
    m_state->script.insert(m_state->script.end(), replies.begin(), replies.end());
}

std::vector<ScepReceived> FakeScepServer::received() const {
    std::lock_guard lock(m_state->mutex);
    return m_state->received;
}

std::vector<ScepReceived> FakeScepServer::pki_operations() const {
    std::vector<ScepReceived> out;
    for (auto& seen : received()) {
        if (seen.operation == "PKIOperation")
            out.push_back(std::move(seen));
    }
    return out;
}

std::vector<crypto::Certificate> FakeScepServer::issued() const {
    std::lock_guard lock(m_state->mutex);
    return m_state->issued;
}

}  // namespace fakes
