// OCSP requests and offline response checks (RFC 6960, RFC 5019, nonces per RFC 8954).
//
// The signer is found and judged here, not by OpenSSL's store-based OCSP_basic_verify: only the
// issuer itself or a certificate it issued for OCSP signing may answer for its certificates.
#include "ocsp-crl/ocsp.h"

#include <openssl/err.h>
#include <openssl/ocsp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <array>

#include "common/time_format.h"
#include "crypto/key_usage.h"
#include "crypto/openssl_error.h"
#include "crypto/ossl_ptr.h"
#include "crypto/ossl_util.h"

namespace revocation {
namespace {

constexpr std::size_t max_nonce_octets = 32;   // RFC 8954 §2.1
constexpr std::size_t max_get_url_size = 255;  // RFC 5019 §5
constexpr std::size_t max_response_size = 1024u * 1024u;

// Internal checks fail with an Error whose message becomes Status::unknown's why.
common::Unexpected reject(std::string why) {
    return common::fail(common::Errc::verification, std::move(why));
}

bool issued_by(const crypto::Certificate& cert, const crypto::Certificate& issuer) {
    const bool same_name = X509_NAME_cmp(X509_get_issuer_name(cert.native()),
                                         X509_get_subject_name(issuer.native())) == 0;
    return same_name && cert.is_signed_by(issuer);
}

crypto::Bytes string_bytes(const ASN1_STRING* s) {
    const unsigned char* data = ASN1_STRING_get0_data(s);
    return crypto::Bytes(data, data + ASN1_STRING_length(s));
}

// RFC 3986 unreserved characters stay, everything else becomes %XX.
std::string url_encode(std::string_view text) {
    static constexpr std::string_view hex = "0123456789ABCDEF";
    std::string out;
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                                (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
                                c == '~';
        if (unreserved) {
            out += c;
        } else {
            out += '%';
            out += hex[u >> 4];
            out += hex[u & 0x0f];
        }
    }
    return out;
}

std::string response_status_name(int status) {
    switch (status) {
        case OCSP_RESPONSE_STATUS_MALFORMEDREQUEST: return "malformedRequest";
        case OCSP_RESPONSE_STATUS_INTERNALERROR: return "internalError";
        case OCSP_RESPONSE_STATUS_TRYLATER: return "tryLater";
        case OCSP_RESPONSE_STATUS_SIGREQUIRED: return "sigRequired";
        case OCSP_RESPONSE_STATUS_UNAUTHORIZED: return "unauthorized";
        default: return "OCSPResponseStatus " + std::to_string(status);
    }
}

// The BasicOCSPResponse inside a successful OCSPResponse (RFC 6960 §4.2.1).
common::Result<crypto::OcspBasicRespPtr> parse_basic_response(crypto::ByteView der) {
    if (der.empty()) return reject("empty OCSP response");
    if (der.size() > max_response_size) return reject("OCSP response over 1 MiB");
    const unsigned char* p = der.data();
    crypto::OcspResponsePtr response(d2i_OCSP_RESPONSE(nullptr, &p, static_cast<long>(der.size())));
    crypto::clear_openssl_errors();
    if (!response) return reject("OCSP response does not decode");
    if (p != der.data() + der.size()) return reject("OCSP response has trailing bytes");
    const int status = OCSP_response_status(response.get());
    if (status != OCSP_RESPONSE_STATUS_SUCCESSFUL) {
        return reject("OCSP responder answered " + response_status_name(status));
    }
    crypto::OcspBasicRespPtr basic(OCSP_response_get1_basic(response.get()));
    const int reason = ERR_GET_REASON(ERR_peek_error());
    crypto::clear_openssl_errors();
    if (!basic) {
        return reject(reason == OCSP_R_NOT_BASIC_RESPONSE
                          ? "OCSP response type is not id-pkix-ocsp-basic"
                          : "OCSP response has no BasicOCSPResponse");
    }
    // The signature covers the DER of ResponseData, which OpenSSL verifies by re-encoding what
    // it decoded, and its decoder also takes some non-DER forms (a primitive SEQUENCE OF). Only
    // the exact bytes that were signed are accepted: the BasicOCSPResponse, the content of the
    // last OCTET STRING and so the tail of a DER response, must re-encode to itself.
    unsigned char* reencoded = nullptr;
    const int length = i2d_OCSP_BASICRESP(basic.get(), &reencoded);
    const auto size = static_cast<std::size_t>(std::max(length, 0));
    const bool canonical = length > 0 && size < der.size() &&
                           std::equal(der.end() - static_cast<std::ptrdiff_t>(size), der.end(),
                                      reencoded);
    OPENSSL_free(reencoded);
    crypto::clear_openssl_errors();
    if (!canonical) return reject("BasicOCSPResponse is not DER (RFC 6960 §4.2.1)");
    return basic;
}

// responderID (RFC 6960 §4.2.2.3) names cert: byName its subject, byKey the SHA-1 of its
// subjectPublicKey bits.
bool responder_id_matches(OCSP_BASICRESP* basic, X509* cert) {
    const ASN1_OCTET_STRING* key_hash = nullptr;
    const X509_NAME* name = nullptr;
    if (OCSP_resp_get0_id(basic, &key_hash, &name) != 1) return false;
    if (name != nullptr) return X509_NAME_cmp(name, X509_get_subject_name(cert)) == 0;
    if (key_hash == nullptr) return false;
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int length = 0;
    if (X509_pubkey_digest(cert, EVP_sha1(), digest.data(), &length) != 1) {
        crypto::clear_openssl_errors();
        return false;
    }
    const crypto::Bytes expected(digest.data(), digest.data() + length);
    return string_bytes(key_hash) == expected;
}

bool signature_verifies(OCSP_BASICRESP* basic, X509* signer) {
    EVP_PKEY* key = X509_get0_pubkey(signer);
    const bool ok =
        key != nullptr && ASN1_item_verify(ASN1_ITEM_rptr(OCSP_RESPDATA),
                                           OCSP_resp_get0_tbs_sigalg(basic),
                                           OCSP_resp_get0_signature(basic),
                                           OCSP_resp_get0_respdata(basic), key) == 1;
    crypto::clear_openssl_errors();
    return ok;
}

// A delegated responder (RFC 6960 §4.2.2.2): issued and signed by the CA, id-kp-OCSPSigning,
// digitalSignature if keyUsage is present, valid at now.
common::Result<void> check_delegated(const crypto::Certificate& responder,
                                     const crypto::Certificate& issuer, common::SystemTime now) {
    const std::string who = "delegated OCSP responder \"" + responder.subject() + "\"";
    if (!issued_by(responder, issuer)) return reject(who + " is not issued by the CA");
    const auto ekus = responder.extended_key_usage();
    if (std::find(ekus.begin(), ekus.end(), crypto::eku::ocsp_signing) == ekus.end()) {
        return reject(who + " lacks id-kp-OCSPSigning");
    }
    const auto usage = responder.key_usage();
    if (usage && !usage->has(crypto::KeyUsage::digital_signature)) {
        return reject(who + " has a keyUsage without digitalSignature");
    }
    if (!responder.is_valid_at(now)) {
        return reject(who + " is not valid at " + common::format_rfc3339(now));
    }
    return {};
}

// Fills result.responder*, or says why no acceptable signer signed.
common::Result<void> check_signer(OCSP_BASICRESP* basic, const crypto::Certificate& issuer,
                                  common::SystemTime now, OcspResult& result) {
    std::optional<common::Error> first_problem;
    auto note = [&first_problem](common::Error e) {
        if (!first_problem) first_problem = std::move(e);
    };
    if (responder_id_matches(basic, issuer.native())) {
        if (signature_verifies(basic, issuer.native())) {
            result.responder = "CA";
            return {};
        }
        note(common::Error(common::Errc::verification,
                           "OCSP response signature does not verify with the CA's key"));
    }
    const STACK_OF(X509)* certs = OCSP_resp_get0_certs(basic);
    for (int i = 0; i < sk_X509_num(certs); ++i) {
        X509* candidate = sk_X509_value(certs, i);
        if (!responder_id_matches(basic, candidate)) continue;
        const auto responder = crypto::Certificate::adopt(crypto::up_ref(candidate).release());
        if (auto ok = check_delegated(responder, issuer, now); !ok) {
            note(ok.error());
            continue;
        }
        if (!signature_verifies(basic, candidate)) {
            note(common::Error(common::Errc::verification,
                               "OCSP response signature does not verify with the delegated "
                               "responder's key"));
            continue;
        }
        result.responder = responder.subject();
        result.responder_no_check =
            X509_get_ext_by_NID(candidate, NID_id_pkix_OCSP_noCheck, -1) >= 0;
        result.responder_certificate = responder;
        return {};
    }
    if (first_problem) return *first_problem;
    return reject("OCSP responderID names neither the CA nor a certificate in the response");
}

// RFC 6960 §4.4: unrecognised critical extensions make the response unusable. The nonce is
// the only response extension understood; no singleExtension is.
common::Result<void> check_critical_extensions(OCSP_BASICRESP* basic, OCSP_SINGLERESP* single) {
    for (int i = 0; i < OCSP_BASICRESP_get_ext_count(basic); ++i) {
        X509_EXTENSION* ext = OCSP_BASICRESP_get_ext(basic, i);
        if (X509_EXTENSION_get_critical(ext) == 1 &&
            OBJ_obj2nid(X509_EXTENSION_get_object(ext)) != NID_id_pkix_OCSP_Nonce) {
            return reject("OCSP response has an unrecognised critical extension");
        }
    }
    for (int i = 0; i < OCSP_SINGLERESP_get_ext_count(single); ++i) {
        if (X509_EXTENSION_get_critical(OCSP_SINGLERESP_get_ext(single, i)) == 1) {
            return reject("OCSP SingleResponse has an unrecognised critical extension");
        }
    }
    return {};
}

// RFC 8954: the response's nonce extension value is the DER OCTET STRING of our nonce (older
// responders put the raw octets there; both carry the same unguessable value).
common::Result<void> check_nonce(OCSP_BASICRESP* basic,
                                 const std::optional<crypto::Bytes>& nonce_sent,
                                 bool require_nonce) {
    if (require_nonce && !nonce_sent) return reject("a nonce is required but none was sent");
    const int index = OCSP_BASICRESP_get_ext_by_NID(basic, NID_id_pkix_OCSP_Nonce, -1);
    if (index < 0) {
        if (require_nonce) return reject("OCSP response carries no nonce");
        return {};
    }
    if (OCSP_BASICRESP_get_ext_by_NID(basic, NID_id_pkix_OCSP_Nonce, index) >= 0) {
        return reject("OCSP response carries more than one nonce");
    }
    if (!nonce_sent) return {};
    const crypto::Bytes value =
        string_bytes(X509_EXTENSION_get_data(OCSP_BASICRESP_get_ext(basic, index)));
    bool same = value == *nonce_sent;
    if (!same && nonce_sent->size() < 128) {  // short-form length: 04 len octets
        crypto::Bytes wrapped{0x04, static_cast<std::uint8_t>(nonce_sent->size())};
        wrapped.insert(wrapped.end(), nonce_sent->begin(), nonce_sent->end());
        same = value == wrapped;
    }
    if (!same) {
        return reject("OCSP response nonce differs from the one sent");
    }
    return {};
}

// The SingleResponse whose CertID names cert and issuer, in the CertID's own hash algorithm.
common::Result<OCSP_SINGLERESP*> find_single(OCSP_BASICRESP* basic,
                                             const crypto::Certificate& cert,
                                             const crypto::Certificate& issuer) {
    OCSP_SINGLERESP* found = nullptr;
    int found_status = -1;
    const int count = OCSP_resp_count(basic);
    for (int i = 0; i < count; ++i) {
        OCSP_SINGLERESP* single = OCSP_resp_get0(basic, i);
        auto* cid = const_cast<OCSP_CERTID*>(OCSP_SINGLERESP_get0_id(single));
        ASN1_OBJECT* algorithm = nullptr;
        if (cid == nullptr || OCSP_id_get0_info(nullptr, &algorithm, nullptr, nullptr, cid) != 1) {
            continue;
        }
        const EVP_MD* md = EVP_get_digestbyobj(algorithm);
        crypto::OcspCertIdPtr ours(
            md != nullptr ? OCSP_cert_to_id(md, cert.native(), issuer.native()) : nullptr);
        crypto::clear_openssl_errors();
        if (!ours || OCSP_id_cmp(ours.get(), cid) != 0) continue;
        const int status = OCSP_single_get0_status(single, nullptr, nullptr, nullptr, nullptr);
        if (found != nullptr && status != found_status) {
            return reject("OCSP response has conflicting answers for this certificate");
        }
        if (found == nullptr) {
            found = single;
            found_status = status;
        }
    }
    if (found != nullptr) return found;
    if (count == 0) return reject("OCSP response has no SingleResponse");
    return reject("OCSP response is for another certificate");
}

common::Result<common::SystemTime> checked_time(const ASN1_GENERALIZEDTIME* t, const char* what) {
    if (t == nullptr || ASN1_TIME_check(t) != 1) {
        crypto::clear_openssl_errors();
        return reject(std::string("OCSP response has a malformed ") + what);
    }
    return crypto::detail::to_system_time(t);
}

// Durations from the caller's configuration, capped so that now ± d cannot overflow.
std::chrono::seconds capped(std::chrono::seconds d) {
    constexpr std::chrono::seconds century{100LL * 366 * 24 * 3600};
    return std::clamp(d, std::chrono::seconds{0}, century);
}

// Times, freshness and certStatus of the SingleResponse about our certificate.
Status judge_single(OCSP_SINGLERESP* single, common::SystemTime now, const Freshness& freshness,
                    OcspResult& result) {
    const auto skew = capped(freshness.skew);
    int reason = OCSP_REVOKED_STATUS_NOSTATUS;
    ASN1_GENERALIZEDTIME* revoked_at = nullptr;
    ASN1_GENERALIZEDTIME* this_update = nullptr;
    ASN1_GENERALIZEDTIME* next_update = nullptr;
    const int cert_status =
        OCSP_single_get0_status(single, &reason, &revoked_at, &this_update, &next_update);
    auto this_time = checked_time(this_update, "thisUpdate");
    if (!this_time) return Status::unknown(this_time.error().message());
    result.this_update = *this_time;
    if (next_update != nullptr) {
        auto next_time = checked_time(next_update, "nextUpdate");
        if (!next_time) return Status::unknown(next_time.error().message());
        result.next_update = *next_time;
    }
    if (*this_time > now + skew) {
        return Status::unknown("OCSP response thisUpdate " + common::format_rfc3339(*this_time) +
                               " is in the future");
    }
    if (result.next_update && *result.next_update < now - skew) {
        return Status::unknown("OCSP response expired at " +
                               common::format_rfc3339(*result.next_update));
    }
    if (freshness.max_age && *this_time < now - capped(*freshness.max_age)) {
        return Status::unknown("OCSP response of " + common::format_rfc3339(*this_time) +
                               " is older than " + std::to_string(freshness.max_age->count()) +
                               " s");
    }
    switch (cert_status) {
        case V_OCSP_CERTSTATUS_GOOD: return Status::good();
        case V_OCSP_CERTSTATUS_REVOKED: {
            auto when = checked_time(revoked_at, "revocationTime");
            if (!when) return Status::unknown(when.error().message());
            std::optional<int> why;
            if (reason != OCSP_REVOKED_STATUS_NOSTATUS) why = reason;
            return Status::revoked(*when, why);
        }
        case V_OCSP_CERTSTATUS_UNKNOWN:
            return Status::unknown("responder does not know this certificate");
        default: return Status::unknown("OCSP SingleResponse has no usable certStatus");
    }
}

OcspResult check(crypto::ByteView response_der, const crypto::Certificate& cert,
                 const crypto::Certificate& issuer, const std::optional<crypto::Bytes>& nonce_sent,
                 common::SystemTime now, const OcspCheckOptions& options) {
    OcspResult result;
    auto unknown = [&result](const common::Error& e) {
        result.status = Status::unknown(e.message());
        return result;
    };
    if (!issued_by(cert, issuer)) {
        result.status = Status::unknown("\"" + cert.subject() + "\" is not issued by \"" +
                                        issuer.subject() + "\"");
        return result;
    }
    auto basic = parse_basic_response(response_der);
    if (!basic) return unknown(basic.error());
    if (auto ok = check_signer(basic->get(), issuer, now, result); !ok) return unknown(ok.error());
    if (auto produced = checked_time(OCSP_resp_get0_produced_at(basic->get()), "producedAt")) {
        result.produced_at = *produced;
    }
    if (auto ok = check_nonce(basic->get(), nonce_sent, options.require_nonce); !ok) {
        return unknown(ok.error());
    }
    auto single = find_single(basic->get(), cert, issuer);
    if (!single) return unknown(single.error());
    if (auto ok = check_critical_extensions(basic->get(), *single); !ok) {
        return unknown(ok.error());
    }
    result.status = judge_single(*single, now, options.freshness, result);
    return result;
}

}  // namespace

common::Result<OcspRequest> make_ocsp_request(const crypto::Certificate& cert,
                                              const crypto::Certificate& issuer,
                                              const OcspRequestOptions& options) {
    using common::Errc;
    if (options.cert_id_hash == crypto::DigestAlgorithm::md5) {
        return common::fail(Errc::invalid_argument, "OCSP CertID hash: MD5 is refused");
    }
    if (options.with_nonce && (options.nonce_size < 1 || options.nonce_size > max_nonce_octets)) {
        return common::fail(Errc::invalid_argument, "OCSP nonce size: 1 to 32 octets (RFC 8954)");
    }
    if (!issued_by(cert, issuer)) {
        return common::fail(Errc::invalid_argument, "OCSP request: \"" + cert.subject() +
                                                        "\" is not issued by \"" +
                                                        issuer.subject() + "\"");
    }
    crypto::OcspRequestPtr request(OCSP_REQUEST_new());
    crypto::OcspCertIdPtr id(OCSP_cert_to_id(crypto::detail::evp_md(options.cert_id_hash),
                                             cert.native(), issuer.native()));
    if (!request || !id || OCSP_request_add0_id(request.get(), id.get()) == nullptr) {
        return crypto::openssl_error(Errc::crypto, "OCSP request");
    }
    static_cast<void>(id.release());  // the request owns it now
    OcspRequest out;
    if (options.with_nonce) {
        auto nonce = crypto::random_bytes(options.nonce_size);
        if (!nonce) return nonce.error();
        const auto size = static_cast<int>(nonce->size());
        if (OCSP_request_add1_nonce(request.get(), nonce->data(), size) != 1) {
            return crypto::openssl_error(Errc::crypto, "OCSP nonce");
        }
        out.nonce = std::move(*nonce);
    }
    unsigned char* der = nullptr;
    const int length = i2d_OCSP_REQUEST(request.get(), &der);
    if (length <= 0) return crypto::openssl_error(Errc::crypto, "encoding the OCSP request");
    out.der.assign(der, der + length);
    OPENSSL_free(der);
    return out;
}

std::optional<std::string> ocsp_get_url(std::string_view responder_url,
                                        crypto::ByteView request_der) {
    std::string url(responder_url);
    if (url.empty() || url.back() != '/') url += '/';
    url += url_encode(crypto::to_base64(request_der));
    if (url.size() > max_get_url_size) return std::nullopt;
    return url;
}

OcspResult check_ocsp_response(crypto::ByteView response_der, const crypto::Certificate& cert,
                               const crypto::Certificate& issuer,
                               const std::optional<crypto::Bytes>& nonce_sent,
                               common::SystemTime now, const OcspCheckOptions& options) {
    OcspResult result = check(response_der, cert, issuer, nonce_sent, now, options);
    crypto::clear_openssl_errors();
    return result;
}

}  // namespace revocation
