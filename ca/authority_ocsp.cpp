// Authority::ocsp_respond: the OCSP responder core (RFC 6960), with nonces as RFC 8954 says.
#include <ctime>

#include "ca/authority.h"
#include "crypto/openssl_error.h"
#include "crypto/ossl_util.h"

namespace ca {
namespace {

constexpr std::size_t max_request_size = 64u * 1024u;
constexpr int max_cert_ids = 64;
constexpr int max_nonce_octets = 32;  // RFC 8954 §2.1

// An OCSPResponse without responseBytes: SEQUENCE { responseStatus ENUMERATED }.
OcspAnswer status_only(OcspResponseStatus status, std::string detail) {
    OcspAnswer out;
    out.der = {0x30, 0x03, 0x0a, 0x01, static_cast<std::uint8_t>(status)};
    out.status = status;
    out.detail = std::move(detail);
    return out;
}

std::time_t to_time_t(SystemTime t) {
    return static_cast<std::time_t>(
        std::chrono::floor<std::chrono::seconds>(t).time_since_epoch().count());
}

// The nonce's length: the inner OCTET STRING's if the value is one (RFC 8954), else the raw
// value's.
int nonce_length(const X509_EXTENSION* ext) {
    const ASN1_OCTET_STRING* value = X509_EXTENSION_get_data(const_cast<X509_EXTENSION*>(ext));
    const unsigned char* p = ASN1_STRING_get0_data(value);
    const long len = ASN1_STRING_length(value);
    crypto::Asn1OctetStringPtr inner(d2i_ASN1_OCTET_STRING(nullptr, &p, len));
    crypto::clear_openssl_errors();
    const bool wrapped = inner && p == ASN1_STRING_get0_data(value) + len;
    return wrapped ? ASN1_STRING_length(inner.get()) : static_cast<int>(len);
}

// The request if it is one we answer, else why it is malformed.
common::Result<crypto::OcspRequestPtr> parse_request(crypto::ByteView der) {
    auto malformed = [](std::string why) {
        return common::fail(common::Errc::parse, std::move(why));
    };
    if (der.empty() || der.size() > max_request_size) {
        return malformed("OCSP request empty or over 64 KiB");
    }
    const unsigned char* p = der.data();
    crypto::OcspRequestPtr req(d2i_OCSP_REQUEST(nullptr, &p, static_cast<long>(der.size())));
    crypto::clear_openssl_errors();
    if (!req || p != der.data() + der.size()) return malformed("OCSP request does not decode");
    const int count = OCSP_request_onereq_count(req.get());
    if (count <= 0 || count > max_cert_ids) {
        return malformed("OCSP request with " + std::to_string(count) +
                         " CertIDs (1 to 64 answered)");
    }
    const int nonce = OCSP_REQUEST_get_ext_by_NID(req.get(), NID_id_pkix_OCSP_Nonce, -1);
    if (nonce >= 0) {
        const int len = nonce_length(OCSP_REQUEST_get_ext(req.get(), nonce));
        if (len < 1 || len > max_nonce_octets) {
            return malformed("OCSP nonce of " + std::to_string(len) +
                             " octets (RFC 8954: 1 to 32)");
        }
    }
    return req;
}

// issuerNameHash and issuerKeyHash of cid, in cid's own hash algorithm, are those of ca.
bool names_issuer(OCSP_CERTID* cid, X509* ca) {
    ASN1_OBJECT* algorithm = nullptr;
    if (OCSP_id_get0_info(nullptr, &algorithm, nullptr, nullptr, cid) != 1) return false;
    const EVP_MD* md = EVP_get_digestbyobj(algorithm);
    crypto::OcspCertIdPtr ours(md != nullptr ? OCSP_cert_to_id(md, nullptr, ca) : nullptr);
    const bool same = ours && OCSP_id_issuer_cmp(ours.get(), cid) == 0;
    crypto::clear_openssl_errors();
    return same;
}

bool is_crl_reason(int reason) {
    return reason >= 0 && reason <= 10 && reason != 7;
}

common::Result<void> add_single_response(OCSP_BASICRESP* basic, OCSP_CERTID* cid,
                                         const CertificateStatus& status, ASN1_TIME* this_update,
                                         ASN1_TIME* next_update) {
    int kind = V_OCSP_CERTSTATUS_UNKNOWN;
    int reason = OCSP_REVOKED_STATUS_NOSTATUS;
    crypto::Asn1TimePtr revoked_at;
    if (status.kind == CertificateStatus::Kind::good) kind = V_OCSP_CERTSTATUS_GOOD;
    if (status.kind == CertificateStatus::Kind::revoked) {
        kind = V_OCSP_CERTSTATUS_REVOKED;
        revoked_at = crypto::detail::to_asn1_time(status.revocation_time);
        if (status.reason && is_crl_reason(*status.reason)) reason = *status.reason;
    }
    if (OCSP_basic_add1_status(basic, cid, kind, reason, revoked_at.get(), this_update,
                               next_update) == nullptr) {
        return crypto::openssl_error(common::Errc::crypto, "OCSP SingleResponse");
    }
    return {};
}

// One SingleResponse per CertID: looked up if the CertID names ca, else unknown. Returns whether
// any CertID named ca.
common::Result<bool> add_responses(OCSP_BASICRESP* basic, OCSP_REQUEST* request, X509* ca,
                                   const StatusLookup& lookup, ASN1_TIME* this_update,
                                   ASN1_TIME* next_update) {
    bool any_ours = false;
    for (int i = 0; i < OCSP_request_onereq_count(request); ++i) {
        OCSP_CERTID* cid = OCSP_onereq_get0_id(OCSP_request_onereq_get0(request, i));
        CertificateStatus status;  // unknown unless the CertID is ours
        if (names_issuer(cid, ca)) {
            any_ours = true;
            ASN1_INTEGER* serial = nullptr;
            OCSP_id_get0_info(nullptr, nullptr, nullptr, &serial, cid);
            auto found = lookup(crypto::detail::asn1_integer_to_hex(serial));
            if (!found) return found.error().with_context("status lookup");
            status = *found;
        }
        if (auto ok = add_single_response(basic, cid, status, this_update, next_update); !ok) {
            return ok.error();
        }
    }
    return any_ours;
}

// OpenSSL stamps producedAt with the system clock while signing; restamp it with `now` and
// sign the ResponseData again (RFC 6960 §4.2.1), so that no clock is read.
common::Result<void> sign(OCSP_BASICRESP* basic, X509* signer, EVP_PKEY* key, bool include_signer,
                          SystemTime now) {
    const unsigned long flags = OCSP_RESPID_KEY | (include_signer ? 0 : OCSP_NOCERTS);
    if (OCSP_basic_sign(basic, signer, key, EVP_sha256(), nullptr, flags) != 1) {
        return crypto::openssl_error(common::Errc::crypto, "signing the OCSP response");
    }
    auto* produced_at = const_cast<ASN1_GENERALIZEDTIME*>(OCSP_resp_get0_produced_at(basic));
    auto* algorithm = const_cast<X509_ALGOR*>(OCSP_resp_get0_tbs_sigalg(basic));
    auto* signature = const_cast<ASN1_BIT_STRING*>(OCSP_resp_get0_signature(basic));
    if (ASN1_GENERALIZEDTIME_set(produced_at, to_time_t(now)) == nullptr ||
        ASN1_item_sign(ASN1_ITEM_rptr(OCSP_RESPDATA), algorithm, nullptr, signature,
                       OCSP_resp_get0_respdata(basic), key, EVP_sha256()) <= 0) {
        return crypto::openssl_error(common::Errc::crypto, "signing the OCSP response");
    }
    return {};
}

crypto::Bytes successful_response(OCSP_BASICRESP* basic) {
    crypto::OcspResponsePtr response(OCSP_response_create(OCSP_RESPONSE_STATUS_SUCCESSFUL, basic));
    unsigned char* der = nullptr;
    const int len = response ? i2d_OCSP_RESPONSE(response.get(), &der) : -1;
    crypto::clear_openssl_errors();
    if (len <= 0) return {};
    crypto::Bytes out(der, der + len);
    OPENSSL_free(der);
    return out;
}

}  // namespace

OcspAnswer Authority::ocsp_respond(crypto::ByteView request_der, const StatusLookup& lookup,
                                   SystemTime now, std::chrono::seconds validity) const {
    auto request = parse_request(request_der);
    if (!request) {
        return status_only(OcspResponseStatus::malformed_request, request.error().message());
    }
    crypto::OcspBasicRespPtr basic(OCSP_BASICRESP_new());
    auto this_update = crypto::detail::to_asn1_time(now);
    auto next_update = crypto::detail::to_asn1_time(now + validity);
    if (!basic || !this_update || !next_update) {
        return status_only(OcspResponseStatus::internal_error,
                           crypto::openssl_error(common::Errc::crypto, "OCSP").message());
    }
    auto any_ours = add_responses(basic.get(), request->get(), m_certificate.native(), lookup,
                                  this_update.get(), next_update.get());
    if (!any_ours) {
        return status_only(OcspResponseStatus::internal_error, any_ours.error().message());
    }
    if (!*any_ours) {
        return status_only(OcspResponseStatus::unauthorized, "no CertID names this CA as issuer");
    }
    if (OCSP_copy_nonce(basic.get(), request->get()) == 0) {
        return status_only(OcspResponseStatus::internal_error,
                           crypto::openssl_error(common::Errc::crypto, "OCSP nonce").message());
    }
    const auto& signer = m_ocsp_signer ? m_ocsp_signer->certificate : m_certificate;
    const auto& key = m_ocsp_signer ? m_ocsp_signer->key : m_key;
    if (auto ok = sign(basic.get(), signer.native(), key.native(), m_ocsp_signer.has_value(), now);
        !ok) {
        return status_only(OcspResponseStatus::internal_error, ok.error().message());
    }
    OcspAnswer out;
    out.der = successful_response(basic.get());
    out.status = OcspResponseStatus::successful;
    if (out.der.empty()) {
        return status_only(OcspResponseStatus::internal_error, "encoding the OCSP response");
    }
    return out;
}

}  // namespace ca
