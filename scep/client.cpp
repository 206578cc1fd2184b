#include "scep/client.h"

#include <algorithm>
#include <chrono>

#include "crypto/chain_validator.h"
#include "crypto/self_signed.h"

namespace scep {
namespace {

using common::Errc;
using common::fail;
using crypto::Bytes;

constexpr std::size_t caps_limit = 64u * 1024u;
constexpr auto max_clock_skew = std::chrono::hours(1);
constexpr const char* pki_message_type = "application/x-pki-message";

std::string join_query(const std::string& url, std::string_view query) {
    return url + (url.find('?') == std::string::npos ? "?" : "&") + std::string(query);
}

std::string short_id(std::string_view tid) {
    return std::string(tid.substr(0, 16)) + (tid.size() > 16 ? "..." : "");
}

common::Result<Bytes> fresh_nonce() { return crypto::random_bytes(nonce_size); }

}  // namespace

std::string_view to_string(EnrollmentResult::Status status) {
    switch (status) {
        case EnrollmentResult::Status::issued: return "issued";
        case EnrollmentResult::Status::pending: return "pending";
        case EnrollmentResult::Status::rejected: return "rejected";
    }
    return "unknown";
}

Client::Client(transport::HttpClient& http, const common::Clock& clock, ClientOptions options,
               common::Logger log)
    : m_http(http), m_clock(clock), m_options(std::move(options)), m_log(std::move(log)) {}

common::Result<transport::HttpResponse> Client::get(std::string_view operation,
                                                    std::string_view message, std::size_t limit) {
    std::string query = "operation=" + std::string(operation);
    if (!message.empty()) query += "&message=" + transport::url_escape(message);
    transport::HttpRequest request;
    request.url = join_query(m_options.url, query);
    request.max_response_bytes = limit;
    return m_http.send(request);
}

common::Result<Capabilities> Client::get_ca_caps() {
    auto response = get("GetCACaps", m_options.ca_identifier, caps_limit);
    if (!response) return response.error().with_context("GetCACaps");
    if (response->status != 200) {
        m_log.info("GetCACaps answered HTTP " + std::to_string(response->status) +
                   ": treating as no capabilities");
        return Capabilities{};
    }
    return Capabilities::parse(response->body);
}

common::Result<std::vector<crypto::Certificate>> Client::get_ca_cert_unverified() {
    auto response = get("GetCACert", m_options.ca_identifier, m_options.max_response_bytes);
    if (!response) return response.error().with_context("GetCACert");
    if (response->status != 200) return transport::http_status_error(*response, "GetCACert");
    auto certs = parse_ca_cert_response(response->content_type(), response->body);
    if (!certs) return certs.error().with_context("GetCACert");
    return certs;
}

common::Result<CaCertificates> Client::get_ca_certificates() {
    if (!m_options.fingerprint && !m_options.trust_anchor) {
        return fail(Errc::invalid_argument,
                    "GetCACert: a CA fingerprint (sha256:...) or a trust anchor is required to "
                    "trust the CA certificates");
    }
    auto certs = get_ca_cert_unverified();
    if (!certs) return certs.error();
    std::vector<crypto::Certificate> pool = *certs;
    pool.insert(pool.end(), m_options.extra_intermediates.begin(),
                m_options.extra_intermediates.end());
    int budget = m_options.max_ca_issuers_fetches;
    auto selected = select_ca_certificates(pool, m_options.fingerprint, m_options.trust_anchor,
                                           m_clock.now());
    // RFC 5280 §4.2.2.1: a server that sends only the issuing CA leaves the path to our anchor
    // open; caIssuers URLs close it. Whatever is fetched is untrusted and validated like the rest.
    while (!selected && selected.error().code() == Errc::verification && budget > 0) {
        auto fetched = fetch_missing_issuers(pool, budget);
        if (fetched.empty()) break;
        pool.insert(pool.end(), fetched.begin(), fetched.end());
        selected = select_ca_certificates(pool, m_options.fingerprint, m_options.trust_anchor,
                                          m_clock.now());
    }
    if (!selected) return selected.error().with_context("GetCACert");
    m_log.info("GetCACert: " + std::to_string(certs->size()) + " certificate(s); issuing CA " +
               selected->issuing_ca.subject() + ", anchor " +
               selected->anchor.fingerprint().to_string());
    return selected;
}

std::vector<crypto::Certificate> Client::fetch_missing_issuers(
    const std::vector<crypto::Certificate>& certs, int& budget) {
    std::vector<crypto::Certificate> out;
    for (const auto& cert : certs) {
        if (cert.is_self_issued()) continue;
        bool have_issuer = false;
        for (const auto& other : certs) have_issuer = have_issuer || other.subject() == cert.issuer();
        if (have_issuer) continue;
        for (const auto& url : cert.ca_issuers_urls()) {
            if (budget <= 0) return out;
            if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) continue;
            --budget;
            transport::HttpRequest request;
            request.url = url;
            request.max_response_bytes = caps_limit;
            auto response = m_http.send(request);
            if (!response || response->status != 200) {
                m_log.warning("caIssuers " + url + ": " +
                              (response ? "HTTP " + std::to_string(response->status)
                                        : response.error().to_string()));
                continue;
            }
            auto fetched = parse_ca_cert_response(response->content_type(), response->body);
            if (!fetched) {
                m_log.warning("caIssuers " + url + ": " + fetched.error().to_string());
                continue;
            }
            m_log.info("caIssuers " + url + ": " + std::to_string(fetched->size()) + " certificate(s)");
            out.insert(out.end(), fetched->begin(), fetched->end());
        }
    }
    return out;
}

common::Result<std::vector<crypto::Certificate>> Client::get_next_ca_certificates(
    const CaCertificates& current) {
    auto response = get("GetNextCACert", m_options.ca_identifier, m_options.max_response_bytes);
    if (!response) return response.error().with_context("GetNextCACert");
    if (response->status != 200) return transport::http_status_error(*response, "GetNextCACert");
    auto verified = crypto::cms::verify(crypto::as_bytes(response->body),
                                        {current.signer, current.issuing_ca, current.anchor});
    if (!verified) return verified.error().with_context("GetNextCACert signature");
    auto certs = crypto::cms::parse_certs_only(verified->content);
    if (!certs) return certs.error().with_context("GetNextCACert content");
    return certs;
}

common::Result<RequestCrypto> Client::signer_for(const crypto::Csr& csr,
                                                 const EnrollmentKeys& keys,
                                                 const CaCertificates& ca,
                                                 const Capabilities& caps) {
    auto cipher = caps.strongest_cipher();
    if (!cipher) return cipher.error();
    auto digest = caps.strongest_digest();
    if (!digest) return digest.error();
    if (keys.existing_certificate) {
        if (!keys.existing_key || !keys.existing_key->matches(*keys.existing_certificate)) {
            return fail(Errc::invalid_argument, "the existing certificate's key is missing or "
                                                "does not match it");
        }
        return RequestCrypto{*keys.existing_certificate, *keys.existing_key, {ca.encryption},
                             *cipher, *digest};
    }
    // RFC 8894 §2.3: a self-signed certificate with the CSR's key and subject.
    const auto now = m_clock.now();
    std::string subject = csr.subject();
    if (subject.empty()) subject = "CN=" + transaction_id_for(keys.key).substr(0, 32);
    auto self_signed = crypto::make_self_signed(
        keys.key, subject, {now - std::chrono::hours(1), now + std::chrono::hours(24 * 30)});
    if (!self_signed) return self_signed.error().with_context("SCEP signer certificate");
    return RequestCrypto{*self_signed, keys.key, {ca.encryption}, *cipher, *digest};
}

common::Result<CertRep> Client::pki_operation(const Request& request, const RequestCrypto& keys,
                                              const CaCertificates& ca, const Capabilities& caps) {
    auto der = build_request(request, keys);
    if (!der) return der.error();
    const bool post = m_options.method == ClientOptions::Method::post ||
                      (m_options.method == ClientOptions::Method::automatic &&
                       caps.post_pki_operation);
    transport::HttpRequest http;
    http.max_response_bytes = request.type == MessageType::get_crl ? m_options.max_crl_bytes
                                                                   : m_options.max_response_bytes;
    if (post) {
        http.method = transport::HttpRequest::Method::post;
        http.url = join_query(m_options.url, "operation=PKIOperation");
        http.headers = {{"Content-Type", pki_message_type}};
        http.body.assign(der->begin(), der->end());
    } else {
        // §4.1: standard base64 (no line breaks), then URL-escaped.
        http.url = join_query(m_options.url, "operation=PKIOperation&message=" +
                                                 transport::url_escape(crypto::to_base64(*der)));
    }
    const std::string what = std::string(to_string(request.type)) + " " +
                             short_id(request.transaction_id) + (post ? " (POST)" : " (GET)");
    auto response = m_http.send(http);
    if (!response) return response.error().with_context(what);
    if (response->status != 200) return transport::http_status_error(*response, what);
    ReplyExpectation expect{request.transaction_id, request.sender_nonce,
                            {ca.signer, ca.issuing_ca}, keys.signer, keys.signer_key};
    auto reply = parse_cert_rep(crypto::as_bytes(response->body), expect);
    if (!reply) return reply.error().with_context(what);
    m_log.info(what + " -> " + std::string(to_string(reply->status)) +
               (reply->fail_info ? " " + reply->fail_info->describe() : ""));
    if (reply->reply_used_single_des) {
        m_log.warning(what + ": the CA encrypted its reply with single DES although we sent " +
                      std::string(crypto::cms::to_string(keys.cipher)) +
                      "; accepted because the reply holds only public certificates");
    }
    return reply;
}

common::Result<EnrollmentResult> Client::to_enrollment(const CertRep& reply,
                                                       const crypto::PrivateKey& key,
                                                       const CaCertificates& ca) {
    EnrollmentResult out;
    out.transaction_id = reply.transaction_id;
    if (reply.status == PkiStatus::pending) {
        out.status = EnrollmentResult::Status::pending;
        return out;
    }
    if (reply.status == PkiStatus::failure) {
        out.status = EnrollmentResult::Status::rejected;
        out.failure = reply.fail_info;
        return out;
    }
    const Bytes our_key = key.public_key_der();
    for (const auto& cert : reply.certificates) {
        if (!out.certificate && cert.public_key_der() == our_key) {
            out.certificate = cert;
        } else {
            out.extra_certificates.push_back(cert);
        }
    }
    if (!out.certificate) {
        return fail(Errc::verification, "CertRep SUCCESS holds no certificate for our key");
    }
    std::vector<crypto::Certificate> untrusted = ca.all;
    untrusted.insert(untrusted.end(), out.extra_certificates.begin(), out.extra_certificates.end());
    crypto::ValidationOptions options;
    // A CA clock slightly ahead of ours must not make a fresh certificate "not yet valid"; one
    // that becomes valid only later than max_clock_skew from now is refused.
    const auto now = m_clock.now();
    options.time = std::clamp(out.certificate->not_before(), now, now + max_clock_skew);
    auto path = crypto::ChainValidator({ca.anchor}).validate(*out.certificate, untrusted, options);
    if (!path) return path.error().with_context("issued certificate");
    out.status = EnrollmentResult::Status::issued;
    return out;
}

common::Result<EnrollmentResult> Client::enroll(const crypto::Csr& csr, const EnrollmentKeys& keys,
                                                const CaCertificates& ca,
                                                const Capabilities& caps) {
    if (csr.public_key_der() != keys.key.public_key_der()) {
        return fail(Errc::invalid_argument, "the CSR was not made with the given key");
    }
    auto crypto_keys = signer_for(csr, keys, ca, caps);
    if (!crypto_keys) return crypto_keys.error();
    auto nonce = fresh_nonce();
    if (!nonce) return nonce.error();
    const MessageType type = keys.existing_certificate && caps.renewal ? MessageType::renewal_req
                                                                       : MessageType::pkcs_req;
    Request request{type, transaction_id_for(keys.key), std::move(*nonce), csr.to_der()};
    auto reply = pki_operation(request, *crypto_keys, ca, caps);
    if (!reply) return reply.error();
    return to_enrollment(*reply, keys.key, ca);
}

common::Result<EnrollmentResult> Client::poll(const crypto::Csr& csr, const EnrollmentKeys& keys,
                                              const CaCertificates& ca, const Capabilities& caps) {
    auto crypto_keys = signer_for(csr, keys, ca, caps);
    if (!crypto_keys) return crypto_keys.error();
    auto body = encode_issuer_and_subject(ca.issuing_ca, csr.subject());
    if (!body) return body.error();
    auto nonce = fresh_nonce();
    if (!nonce) return nonce.error();
    Request request{MessageType::cert_poll, transaction_id_for(keys.key), std::move(*nonce),
                    std::move(*body)};
    auto reply = pki_operation(request, *crypto_keys, ca, caps);
    if (!reply) return reply.error();
    return to_enrollment(*reply, keys.key, ca);
}

common::Result<crypto::Certificate> Client::get_cert(std::string_view serial_hex,
                                                     const crypto::Certificate& signer,
                                                     const crypto::PrivateKey& signer_key,
                                                     const CaCertificates& ca,
                                                     const Capabilities& caps) {
    auto body = encode_issuer_and_serial(ca.issuing_ca, serial_hex);
    if (!body) return body.error();
    auto wanted = decode_issuer_and_serial(*body);  // the serial as Certificate::serial_hex()
    if (!wanted) return wanted.error();
    auto reply = other_operation(MessageType::get_cert, std::move(*body), signer, signer_key, ca, caps);
    if (!reply) return reply.error();
    if (reply->certificates.empty()) {
        return fail(Errc::protocol, "GetCert: SUCCESS without a certificate");
    }
    // The certificate asked for is the one with that serial from our issuing CA.
    for (const auto& cert : reply->certificates) {
        if (cert.serial_hex() == wanted->serial_hex && cert.issuer() == ca.issuing_ca.subject() &&
            cert.is_signed_by(ca.issuing_ca)) {
            return cert;
        }
    }
    return fail(Errc::verification, "GetCert: no certificate in the reply has serial " +
                                        wanted->serial_hex + " from " + ca.issuing_ca.subject());
}

common::Result<crypto::Crl> Client::get_crl(const crypto::Certificate& cert,
                                            const crypto::PrivateKey& key,
                                            const CaCertificates& ca, const Capabilities& caps) {
    auto body = encode_issuer_and_serial_of(cert);
    if (!body) return body.error();
    auto reply = other_operation(MessageType::get_crl, std::move(*body), cert, key, ca, caps);
    if (!reply) return reply.error();
    if (!reply->crl_der) return fail(Errc::protocol, "GetCRL: SUCCESS without a CRL");
    auto crl = crypto::Crl::from_der(*reply->crl_der);
    if (!crl) return crl.error().with_context("GetCRL");
    if (!crl->is_signed_by(ca.issuing_ca)) {
        return fail(Errc::verification, "GetCRL: the CRL is not signed by " + ca.issuing_ca.subject());
    }
    return crl;
}

common::Result<CertRep> Client::other_operation(MessageType type, Bytes body,
                                                const crypto::Certificate& signer,
                                                const crypto::PrivateKey& signer_key,
                                                const CaCertificates& ca,
                                                const Capabilities& caps) {
    auto cipher = caps.strongest_cipher();
    if (!cipher) return cipher.error();
    auto digest = caps.strongest_digest();
    if (!digest) return digest.error();
    auto nonce = fresh_nonce();
    auto tid = crypto::random_bytes(16);
    if (!nonce || !tid) return fail(Errc::crypto, "no randomness");
    Request request{type, crypto::to_hex(*tid), std::move(*nonce), std::move(body)};
    RequestCrypto keys{signer, signer_key, {ca.encryption}, *cipher, *digest};
    auto reply = pki_operation(request, keys, ca, caps);
    if (!reply) return reply.error();
    if (reply->status == PkiStatus::failure) {
        return fail(Errc::not_found, std::string(to_string(type)) + " refused: " +
                                         reply->fail_info.value_or(FailInfo{}).describe());
    }
    if (reply->status == PkiStatus::pending) {
        return fail(Errc::protocol, std::string(to_string(type)) + ": unexpected PENDING");
    }
    return reply;
}

}  // namespace scep
