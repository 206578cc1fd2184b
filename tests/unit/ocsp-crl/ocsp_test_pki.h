// Test PKI and response makers for the ocsp-crl/ocsp.h tests: the ca/ tests' CA (an
// intermediate with a delegated OCSP signer), leaves it issued, responses from our own responder
// core (ca::Authority::ocsp_respond), and responses signed here with OpenSSL for the cases that
// responder would never produce (wrong signer, no nextUpdate, critical extensions, two answers).
#pragma once

#include <gtest/gtest.h>

#include <openssl/ocsp.h>
#include <openssl/x509.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ca/authority.h"
#include "crypto/certificate_builder.h"
#include "crypto/ossl_ptr.h"
#include "ocsp-crl/ocsp.h"
#include "unit/ca/ca_test_pki.h"

namespace ocsp_test {

using namespace std::chrono_literals;
using crypto::Bytes;
using revocation::OcspCheckOptions;
using revocation::OcspRequest;
using revocation::OcspRequestOptions;
using revocation::OcspResult;

inline common::SystemTime now() {
    return ca_test::now();
}

struct Pair {
    crypto::Certificate cert;
    crypto::PrivateKey key;
};

inline Bytes next_serial() {
    static std::uint8_t counter = 0x10;
    return {0x4f, 0x43, ++counter};
}

struct CertOptions {
    std::vector<std::string> ekus;
    std::optional<crypto::KeyUsageSet> key_usage;
    common::SystemTime not_before = now() - 24h;
    common::SystemTime not_after = now() + 24h * 30;
    bool ca = false;
};

// A certificate for subject signed by issuer_key under issuer_cert's name.
inline Pair issue(const crypto::Certificate& issuer_cert, const crypto::PrivateKey& issuer_key,
                  const std::string& subject, const CertOptions& options = {}) {
    auto key = ca_test::ec_key();
    crypto::CertificateBuilder builder;
    builder.serial(next_serial())
        .subject(subject)
        .public_key(key.public_key_der())
        .validity(options.not_before, options.not_after)
        .extended_key_usage(options.ekus);
    if (options.key_usage)
        builder.key_usage(*options.key_usage);
    if (options.ca) {
        builder.ca();
    } else {
        builder.end_entity();
    }
    return {builder.sign(issuer_key, issuer_cert).value(), key};
}

inline Pair self_signed_ca(const std::string& subject) {
    auto key = ca_test::ec_key();
    crypto::CertificateBuilder builder;
    builder.serial(next_serial())
        .subject(subject)
        .validity(now() - 24h, now() + 24h * 365)
        .ca()
        .key_usage({crypto::KeyUsage::key_cert_sign, crypto::KeyUsage::crl_sign});
    return {builder.self_sign(key).value(), key};
}

inline const ca::IssuedPair& issuing() {
    return ca_test::material().issuing();
}
inline const crypto::Certificate& issuer() {
    return issuing().certificate;
}
inline const ca::IssuedPair& signer() {
    return *ca_test::material().ocsp_signer;
}

// The CA answering OCSP itself, and with its delegated signer (id-kp-OCSPSigning + nocheck).
inline const ca::Authority& ca_responder() {
    return ca_test::authority();
}
inline const ca::Authority& delegated_responder() {
    static const ca::Authority made = ca_test::material().authority().value();
    return made;
}

inline const Pair& leaf() {
    static const Pair made = issue(issuer(), issuing().key, "CN=device-ocsp,O=Example");
    return made;
}
inline const Pair& other_leaf() {
    static const Pair made = issue(issuer(), issuing().key, "CN=device-other,O=Example");
    return made;
}

inline ca::StatusLookup answer_with(ca::CertificateStatus status) {
    return [status](std::string_view) { return common::Result<ca::CertificateStatus>(status); };
}
inline ca::CertificateStatus good() {
    return {ca::CertificateStatus::Kind::good, {}, std::nullopt};
}

inline OcspRequest request_for(const crypto::Certificate& cert, OcspRequestOptions options = {}) {
    return revocation::make_ocsp_request(cert, issuer(), options).value();
}

inline Bytes respond(const ca::Authority& responder, const OcspRequest& request,
                     ca::CertificateStatus status = good(), common::SystemTime at = now(),
                     std::chrono::seconds validity = 1h) {
    auto answer = responder.ocsp_respond(request.der, answer_with(status), at, validity);
    EXPECT_EQ(answer.status, ca::OcspResponseStatus::successful) << answer.detail;
    return answer.der;
}

inline OcspResult check(crypto::ByteView der, const std::optional<Bytes>& nonce = std::nullopt,
                        OcspCheckOptions options = {}, common::SystemTime at = now()) {
    return revocation::check_ocsp_response(der, leaf().cert, issuer(), nonce, at, options);
}

inline std::time_t to_time_t(common::SystemTime t) {
    return static_cast<std::time_t>(
        std::chrono::floor<std::chrono::seconds>(t).time_since_epoch().count());
}

// A response OpenSSL signs as told, for the cases our responder would never produce.
struct HandMade {
    X509* signer = nullptr;
    EVP_PKEY* key = nullptr;
    bool include_signer = true;
    bool by_name = false;
    std::vector<X509*> extra_certs;
    int status = V_OCSP_CERTSTATUS_GOOD;
    common::SystemTime this_update = now() - 1min;
    std::optional<common::SystemTime> next_update = now() + 1h;
    std::optional<Bytes> nonce;
    bool raw_nonce = false;  // the nonce octets as the extension value, not DER-wrapped
    bool critical_extension = false;
    bool critical_single_extension = false;
    bool second_answer_revoked = false;
};

inline Bytes hand_made(const HandMade& spec) {
    crypto::OcspBasicRespPtr basic(OCSP_BASICRESP_new());
    crypto::OcspCertIdPtr cid(OCSP_cert_to_id(EVP_sha1(), leaf().cert.native(), issuer().native()));
    crypto::Asn1TimePtr this_update(ASN1_GENERALIZEDTIME_set(nullptr, to_time_t(spec.this_update)));
    crypto::Asn1TimePtr next_update(
        spec.next_update ? ASN1_GENERALIZEDTIME_set(nullptr, to_time_t(*spec.next_update))
                         : nullptr);
    crypto::Asn1TimePtr revoked_at(ASN1_GENERALIZEDTIME_set(nullptr, to_time_t(now() - 24h)));
    OCSP_SINGLERESP* single =
        OCSP_basic_add1_status(basic.get(), cid.get(), spec.status, OCSP_REVOKED_STATUS_NOSTATUS,
                               revoked_at.get(), this_update.get(), next_update.get());
    EXPECT_NE(single, nullptr);
    if (spec.second_answer_revoked) {
        EXPECT_NE(OCSP_basic_add1_status(basic.get(), cid.get(), V_OCSP_CERTSTATUS_REVOKED, 1,
                                         revoked_at.get(), this_update.get(), next_update.get()),
                  nullptr);
    }
    if (spec.nonce && spec.raw_nonce) {
        crypto::Asn1OctetStringPtr value(ASN1_OCTET_STRING_new());
        ASN1_OCTET_STRING_set(value.get(), spec.nonce->data(),
                              static_cast<int>(spec.nonce->size()));
        crypto::X509ExtensionPtr ext(
            X509_EXTENSION_create_by_NID(nullptr, NID_id_pkix_OCSP_Nonce, 0, value.get()));
        EXPECT_EQ(OCSP_BASICRESP_add_ext(basic.get(), ext.get(), -1), 1);
    } else if (spec.nonce) {
        Bytes nonce = *spec.nonce;
        EXPECT_EQ(OCSP_basic_add1_nonce(basic.get(), nonce.data(), static_cast<int>(nonce.size())),
                  1);
    }
    if (spec.critical_extension || spec.critical_single_extension) {
        crypto::Asn1ObjectPtr oid(OBJ_txt2obj("1.3.6.1.4.1.55555.1", 1));
        crypto::Asn1OctetStringPtr value(ASN1_OCTET_STRING_new());
        ASN1_OCTET_STRING_set(value.get(), reinterpret_cast<const unsigned char*>("\x05\x00"), 2);
        crypto::X509ExtensionPtr ext(
            X509_EXTENSION_create_by_OBJ(nullptr, oid.get(), 1, value.get()));
        if (spec.critical_extension)
            OCSP_BASICRESP_add_ext(basic.get(), ext.get(), -1);
        if (spec.critical_single_extension)
            OCSP_SINGLERESP_add_ext(single, ext.get(), -1);
    }
    crypto::X509StackPtr extra(sk_X509_new_null());
    for (X509* x : spec.extra_certs) sk_X509_push(extra.get(), crypto::up_ref(x).release());
    unsigned long flags = spec.by_name ? 0 : OCSP_RESPID_KEY;
    if (!spec.include_signer)
        flags |= OCSP_NOCERTS;
    EXPECT_EQ(OCSP_basic_sign(basic.get(), spec.signer, spec.key, EVP_sha256(), extra.get(), flags),
              1);
    if (!spec.include_signer) {
        for (X509* x : spec.extra_certs) OCSP_basic_add1_cert(basic.get(), x);
    }
    crypto::OcspResponsePtr response(
        OCSP_response_create(OCSP_RESPONSE_STATUS_SUCCESSFUL, basic.get()));
    unsigned char* der = nullptr;
    const int length = i2d_OCSP_RESPONSE(response.get(), &der);
    EXPECT_GT(length, 0);
    Bytes out(der, der + length);
    OPENSSL_free(der);
    return out;
}

inline HandMade by_ca() {
    HandMade spec;
    spec.signer = issuer().native();
    spec.key = issuing().key.native();
    return spec;
}

inline HandMade by(const Pair& responder) {
    HandMade spec;
    spec.signer = responder.cert.native();
    spec.key = responder.key.native();
    return spec;
}

inline void expect_unknown(const OcspResult& result, std::string_view why_part) {
    ASSERT_TRUE(result.status.is_unknown()) << result.status.describe();
    EXPECT_NE(result.status.why().find(why_part), std::string::npos) << result.status.why();
}

// Undoes the percent-encoding of an OCSP GET URL (RFC 6960 Appendix A.1).
inline std::string url_decode(std::string_view text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size()) {
            out += static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16));
            i += 2;
        } else {
            out += text[i];
        }
    }
    return out;
}

}  // namespace ocsp_test
