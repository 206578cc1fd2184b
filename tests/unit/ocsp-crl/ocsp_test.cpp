// revocation::make_ocsp_request, ocsp_get_url and check_ocsp_response. Good responses come from
// our own responder core (ca::Authority::ocsp_respond); the ones it would never make (wrong
// signer, no nextUpdate, critical extensions, two answers) are signed here with OpenSSL.
#include "ocsp-crl/ocsp.h"

#include <gtest/gtest.h>

#include <openssl/ocsp.h>
#include <openssl/x509.h>

#include <chrono>
#include <string>
#include <vector>

#include "ca/authority.h"
#include "crypto/certificate_builder.h"
#include "crypto/ossl_ptr.h"
#include "unit/ca/ca_test_pki.h"

namespace {

using namespace std::chrono_literals;
using crypto::Bytes;
using revocation::OcspCheckOptions;
using revocation::OcspRequest;
using revocation::OcspRequestOptions;
using revocation::OcspResult;

common::SystemTime now() {
    return ca_test::now();
}

struct Pair {
    crypto::Certificate cert;
    crypto::PrivateKey key;
};

Bytes next_serial() {
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
Pair issue(const crypto::Certificate& issuer_cert, const crypto::PrivateKey& issuer_key,
           const std::string& subject, const CertOptions& options = {}) {
    auto key = ca_test::ec_key();
    crypto::CertificateBuilder builder;
    builder.serial(next_serial())
        .subject(subject)
        .public_key(key.public_key_der())
        .validity(options.not_before, options.not_after)
        .extended_key_usage(options.ekus);
    if (options.key_usage) builder.key_usage(*options.key_usage);
    if (options.ca) {
        builder.ca();
    } else {
        builder.end_entity();
    }
    return {builder.sign(issuer_key, issuer_cert).value(), key};
}

Pair self_signed_ca(const std::string& subject) {
    auto key = ca_test::ec_key();
    crypto::CertificateBuilder builder;
    builder.serial(next_serial())
        .subject(subject)
        .validity(now() - 24h, now() + 24h * 365)
        .ca()
        .key_usage({crypto::KeyUsage::key_cert_sign, crypto::KeyUsage::crl_sign});
    return {builder.self_sign(key).value(), key};
}

const ca::IssuedPair& issuing() {
    return ca_test::material().issuing();
}
const crypto::Certificate& issuer() {
    return issuing().certificate;
}
const ca::IssuedPair& signer() {
    return *ca_test::material().ocsp_signer;
}

// The CA answering OCSP itself, and with its delegated signer (id-kp-OCSPSigning + nocheck).
const ca::Authority& ca_responder() {
    return ca_test::authority();
}
const ca::Authority& delegated_responder() {
    static const ca::Authority made = ca_test::material().authority().value();
    return made;
}

const Pair& leaf() {
    static const Pair made = issue(issuer(), issuing().key, "CN=device-ocsp,O=Example");
    return made;
}
const Pair& other_leaf() {
    static const Pair made = issue(issuer(), issuing().key, "CN=device-other,O=Example");
    return made;
}

ca::StatusLookup answer_with(ca::CertificateStatus status) {
    return [status](std::string_view) { return common::Result<ca::CertificateStatus>(status); };
}
ca::CertificateStatus good() {
    return {ca::CertificateStatus::Kind::good, {}, std::nullopt};
}

OcspRequest request_for(const crypto::Certificate& cert, OcspRequestOptions options = {}) {
    return revocation::make_ocsp_request(cert, issuer(), options).value();
}

Bytes respond(const ca::Authority& responder, const OcspRequest& request,
              ca::CertificateStatus status = good(), common::SystemTime at = now(),
              std::chrono::seconds validity = 1h) {
    auto answer = responder.ocsp_respond(request.der, answer_with(status), at, validity);
    EXPECT_EQ(answer.status, ca::OcspResponseStatus::successful) << answer.detail;
    return answer.der;
}

OcspResult check(crypto::ByteView der, const std::optional<Bytes>& nonce = std::nullopt,
                 OcspCheckOptions options = {}, common::SystemTime at = now()) {
    return revocation::check_ocsp_response(der, leaf().cert, issuer(), nonce, at, options);
}

std::time_t to_time_t(common::SystemTime t) {
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

Bytes hand_made(const HandMade& spec) {
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
        if (spec.critical_extension) OCSP_BASICRESP_add_ext(basic.get(), ext.get(), -1);
        if (spec.critical_single_extension) OCSP_SINGLERESP_add_ext(single, ext.get(), -1);
    }
    crypto::X509StackPtr extra(sk_X509_new_null());
    for (X509* x : spec.extra_certs) sk_X509_push(extra.get(), crypto::up_ref(x).release());
    unsigned long flags = spec.by_name ? 0 : OCSP_RESPID_KEY;
    if (!spec.include_signer) flags |= OCSP_NOCERTS;
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

HandMade by_ca() {
    HandMade spec;
    spec.signer = issuer().native();
    spec.key = issuing().key.native();
    return spec;
}

HandMade by(const Pair& responder) {
    HandMade spec;
    spec.signer = responder.cert.native();
    spec.key = responder.key.native();
    return spec;
}

void expect_unknown(const OcspResult& result, std::string_view why_part) {
    ASSERT_TRUE(result.status.is_unknown()) << result.status.describe();
    EXPECT_NE(result.status.why().find(why_part), std::string::npos) << result.status.why();
}

// --- make_ocsp_request -------------------------------------------------------------------------

crypto::OcspRequestPtr parse_request(const Bytes& der) {
    const unsigned char* p = der.data();
    crypto::OcspRequestPtr request(d2i_OCSP_REQUEST(nullptr, &p, static_cast<long>(der.size())));
    EXPECT_TRUE(request);
    EXPECT_EQ(p, der.data() + der.size());
    return request;
}

TEST(OcspRequestTest, OpenSslReadsOurCertIdAndNonce) {
    const auto request = request_for(leaf().cert);
    ASSERT_TRUE(request.nonce);
    EXPECT_EQ(request.nonce->size(), 32u);
    auto parsed = parse_request(request.der);
    ASSERT_EQ(OCSP_request_onereq_count(parsed.get()), 1);
    OCSP_CERTID* cid = OCSP_onereq_get0_id(OCSP_request_onereq_get0(parsed.get(), 0));
    crypto::OcspCertIdPtr expected(
        OCSP_cert_to_id(EVP_sha1(), leaf().cert.native(), issuer().native()));
    EXPECT_EQ(OCSP_id_cmp(cid, expected.get()), 0);

    const int index = OCSP_REQUEST_get_ext_by_NID(parsed.get(), NID_id_pkix_OCSP_Nonce, -1);
    ASSERT_GE(index, 0);
    const ASN1_OCTET_STRING* value =
        X509_EXTENSION_get_data(OCSP_REQUEST_get_ext(parsed.get(), index));
    Bytes wrapped{0x04, 0x20};
    wrapped.insert(wrapped.end(), request.nonce->begin(), request.nonce->end());
    EXPECT_EQ(Bytes(ASN1_STRING_get0_data(value),
                    ASN1_STRING_get0_data(value) + ASN1_STRING_length(value)),
              wrapped);
    EXPECT_FALSE(OCSP_request_is_signed(parsed.get()));
}

TEST(OcspRequestTest, NonceIsEchoedByOurResponderAsOpenSslExpects) {
    const auto request = request_for(leaf().cert);
    const auto der = respond(ca_responder(), request);
    const unsigned char* p = der.data();
    crypto::OcspResponsePtr response(d2i_OCSP_RESPONSE(nullptr, &p, static_cast<long>(der.size())));
    crypto::OcspBasicRespPtr basic(OCSP_response_get1_basic(response.get()));
    auto parsed = parse_request(request.der);
    EXPECT_EQ(OCSP_check_nonce(parsed.get(), basic.get()), 1);
}

TEST(OcspRequestTest, Sha256CertIdAndNoNonce) {
    OcspRequestOptions options;
    options.cert_id_hash = crypto::DigestAlgorithm::sha256;
    options.with_nonce = false;
    const auto request = request_for(leaf().cert, options);
    EXPECT_FALSE(request.nonce);
    auto parsed = parse_request(request.der);
    EXPECT_LT(OCSP_REQUEST_get_ext_by_NID(parsed.get(), NID_id_pkix_OCSP_Nonce, -1), 0);
    OCSP_CERTID* cid = OCSP_onereq_get0_id(OCSP_request_onereq_get0(parsed.get(), 0));
    ASN1_OBJECT* algorithm = nullptr;
    ASSERT_EQ(OCSP_id_get0_info(nullptr, &algorithm, nullptr, nullptr, cid), 1);
    EXPECT_EQ(OBJ_obj2nid(algorithm), NID_sha256);
}

TEST(OcspRequestTest, NoncesDiffer) {
    EXPECT_NE(request_for(leaf().cert).nonce, request_for(leaf().cert).nonce);
}

TEST(OcspRequestTest, RefusesBadInput) {
    auto stranger = self_signed_ca("CN=Stranger CA");
    auto wrong_issuer = revocation::make_ocsp_request(leaf().cert, stranger.cert);
    ASSERT_FALSE(wrong_issuer);
    EXPECT_EQ(wrong_issuer.error().code(), common::Errc::invalid_argument);

    OcspRequestOptions md5;
    md5.cert_id_hash = crypto::DigestAlgorithm::md5;
    EXPECT_FALSE(revocation::make_ocsp_request(leaf().cert, issuer(), md5));
    for (std::size_t size : {std::size_t{0}, std::size_t{33}}) {
        OcspRequestOptions options;
        options.nonce_size = size;
        EXPECT_FALSE(revocation::make_ocsp_request(leaf().cert, issuer(), options)) << size;
    }
    OcspRequestOptions small;
    small.nonce_size = 1;
    EXPECT_EQ(request_for(leaf().cert, small).nonce->size(), 1u);
}

// --- ocsp_get_url ------------------------------------------------------------------------------

// Undoes the percent-encoding.
std::string url_decode(std::string_view text) {
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

TEST(OcspGetUrlTest, AppendsUrlEncodedBase64AfterASlash) {
    const Bytes der{0xfb, 0xff, 0xfe, 0x30, 0x03};  // base64 "+//+MAM=" has all three specials
    EXPECT_EQ(revocation::ocsp_get_url("http://ocsp.example", der),
              "http://ocsp.example/%2B%2F%2F%2BMAM%3D");
    EXPECT_EQ(revocation::ocsp_get_url("http://ocsp.example/ocsp/", der),
              "http://ocsp.example/ocsp/%2B%2F%2F%2BMAM%3D");
}

TEST(OcspGetUrlTest, RealRequestRoundTrips) {
    const auto request = request_for(leaf().cert);
    const std::string base = "http://127.0.0.1:8080/ocsp";
    auto url = revocation::ocsp_get_url(base, request.der);
    ASSERT_TRUE(url);
    ASSERT_EQ(url->rfind(base + "/", 0), 0u);
    const std::string encoded = url->substr(base.size() + 1);
    EXPECT_EQ(encoded.find_first_of("+/="), std::string::npos);
    EXPECT_EQ(crypto::from_base64(url_decode(encoded)).value(), request.der);
}

TEST(OcspGetUrlTest, Over255BytesMeansPost) {
    const auto request = request_for(leaf().cert);
    const auto short_url = revocation::ocsp_get_url("http://o", request.der);
    ASSERT_TRUE(short_url);
    const std::size_t encoded = short_url->size() - std::string("http://o/").size();
    ASSERT_LT(encoded, 250u);
    // "http://" + padding + "/" + encoded == 255 bytes exactly: still GET.
    const std::string fits = "http://" + std::string(255 - encoded - 8, 'a');
    const auto at_limit = revocation::ocsp_get_url(fits, request.der);
    ASSERT_TRUE(at_limit);
    EXPECT_EQ(at_limit->size(), 255u);
    EXPECT_FALSE(revocation::ocsp_get_url(fits + "a", request.der));

    const Bytes big(300, 0x30);
    EXPECT_FALSE(revocation::ocsp_get_url("http://o", big));
}

// --- check_ocsp_response: answers --------------------------------------------------------------

TEST(OcspCheckTest, GoodFromTheCaItself) {
    const auto request = request_for(leaf().cert);
    const auto result = check(respond(ca_responder(), request), request.nonce);
    EXPECT_TRUE(result.status.is_good()) << result.status.describe();
    EXPECT_EQ(result.responder, "CA");
    EXPECT_FALSE(result.responder_certificate);
    EXPECT_EQ(result.this_update, now());
    EXPECT_EQ(result.next_update, now() + 1h);
    EXPECT_EQ(result.produced_at, now());
}

TEST(OcspCheckTest, RevokedWithReasonAndTime) {
    const auto request = request_for(leaf().cert);
    const auto when = now() - 48h;
    const auto result = check(respond(ca_responder(), request,
                                      {ca::CertificateStatus::Kind::revoked, when, 1}),
                              request.nonce);
    ASSERT_TRUE(result.status.is_revoked()) << result.status.describe();
    EXPECT_EQ(result.status.revoked_info().time, when);
    EXPECT_EQ(result.status.revoked_info().reason, 1);
}

TEST(OcspCheckTest, RevokedWithoutReason) {
    const auto request = request_for(leaf().cert);
    const auto result = check(respond(ca_responder(), request,
                                      {ca::CertificateStatus::Kind::revoked, now() - 1h, {}}),
                              request.nonce);
    ASSERT_TRUE(result.status.is_revoked()) << result.status.describe();
    EXPECT_FALSE(result.status.revoked_info().reason);
}

TEST(OcspCheckTest, UnknownCertStatus) {
    const auto request = request_for(leaf().cert);
    const auto result =
        check(respond(ca_responder(), request, ca::CertificateStatus{}), request.nonce);
    expect_unknown(result, "responder does not know this certificate");
    EXPECT_EQ(result.responder, "CA");
}

TEST(OcspCheckTest, GoodFromDelegatedResponder) {
    const auto request = request_for(leaf().cert);
    const auto result = check(respond(delegated_responder(), request), request.nonce);
    EXPECT_TRUE(result.status.is_good()) << result.status.describe();
    EXPECT_EQ(result.responder, signer().certificate.subject());
    ASSERT_TRUE(result.responder_certificate);
    EXPECT_EQ(*result.responder_certificate, signer().certificate);
    EXPECT_TRUE(result.responder_no_check);
}

TEST(OcspCheckTest, Sha256CertId) {
    OcspRequestOptions options;
    options.cert_id_hash = crypto::DigestAlgorithm::sha256;
    const auto request = request_for(leaf().cert, options);
    const auto result = check(respond(ca_responder(), request), request.nonce);
    EXPECT_TRUE(result.status.is_good()) << result.status.describe();
}

TEST(OcspCheckTest, ResponderIdByName) {
    auto spec = by_ca();
    spec.by_name = true;
    EXPECT_TRUE(check(hand_made(spec)).status.is_good());
}

TEST(OcspCheckTest, DelegatedResponderWithoutNoCheckIsNoted) {
    CertOptions options;
    options.ekus = {std::string(crypto::eku::ocsp_signing)};
    const auto responder = issue(issuer(), issuing().key, "CN=plain responder", options);
    const auto result = check(hand_made(by(responder)));
    EXPECT_TRUE(result.status.is_good()) << result.status.describe();
    EXPECT_EQ(result.responder, "CN=plain responder");
    EXPECT_FALSE(result.responder_no_check);
}

// --- check_ocsp_response: who signed -----------------------------------------------------------

TEST(OcspCheckTest, ResponderWithoutOcspSigning) {
    CertOptions options;
    options.ekus = {std::string(crypto::eku::server_auth), std::string(crypto::eku::any)};
    const auto responder = issue(issuer(), issuing().key, "CN=not a responder", options);
    expect_unknown(check(hand_made(by(responder))), "lacks id-kp-OCSPSigning");
    // A plain leaf of the CA (no extendedKeyUsage at all) may not answer either.
    expect_unknown(check(hand_made(by(other_leaf()))), "lacks id-kp-OCSPSigning");
}

TEST(OcspCheckTest, ResponderIssuedByAnotherCa) {
    CertOptions options;
    options.ekus = {std::string(crypto::eku::ocsp_signing)};
    const auto other_ca = self_signed_ca("CN=Other CA");
    const auto responder = issue(other_ca.cert, other_ca.key, "CN=other responder", options);
    auto spec = by(responder);
    spec.extra_certs = {other_ca.cert.native()};
    expect_unknown(check(hand_made(spec)), "is not issued by the CA");

    // Same issuer name as our CA, but another key signed it.
    const auto impostor_ca = self_signed_ca(issuer().subject());
    const auto forged = issue(impostor_ca.cert, impostor_ca.key, "CN=forged responder", options);
    ASSERT_EQ(forged.cert.issuer(), issuer().subject());
    expect_unknown(check(hand_made(by(forged))), "is not issued by the CA");
}

TEST(OcspCheckTest, ResponderNotValidNow) {
    CertOptions options;
    options.ekus = {std::string(crypto::eku::ocsp_signing)};
    options.not_before = now() - 48h;
    options.not_after = now() - 24h;
    const auto expired = issue(issuer(), issuing().key, "CN=expired responder", options);
    expect_unknown(check(hand_made(by(expired))), "is not valid at");
}

TEST(OcspCheckTest, ResponderKeyUsageWithoutDigitalSignature) {
    CertOptions options;
    options.ekus = {std::string(crypto::eku::ocsp_signing)};
    options.key_usage = crypto::KeyUsageSet{crypto::KeyUsage::key_agreement};
    const auto responder = issue(issuer(), issuing().key, "CN=ku responder", options);
    expect_unknown(check(hand_made(by(responder))), "without digitalSignature");
}

TEST(OcspCheckTest, DelegatedResponderNotIncluded) {
    auto spec = HandMade{};
    spec.signer = signer().certificate.native();
    spec.key = signer().key.native();
    spec.include_signer = false;
    expect_unknown(check(hand_made(spec)), "responderID names neither");
}

TEST(OcspCheckTest, StrangerUsingTheCaName) {
    const auto stranger = self_signed_ca(issuer().subject());
    auto spec = by(stranger);
    spec.by_name = true;
    spec.include_signer = false;
    expect_unknown(check(hand_made(spec)), "does not verify with the CA's key");
    spec.include_signer = true;  // included: still not issued by the CA
    EXPECT_TRUE(check(hand_made(spec)).status.is_unknown());
}

TEST(OcspCheckTest, StrangerWithOwnKey) {
    const auto stranger = self_signed_ca("CN=Stranger");
    auto spec = by(stranger);
    spec.include_signer = false;
    expect_unknown(check(hand_made(spec)), "responderID names neither");
}

TEST(OcspCheckTest, WrongIssuerGiven) {
    const auto request = request_for(leaf().cert);
    const auto der = respond(ca_responder(), request);
    const auto stranger = self_signed_ca("CN=Stranger");
    const auto result =
        revocation::check_ocsp_response(der, leaf().cert, stranger.cert, request.nonce, now(), {});
    expect_unknown(result, "is not issued by");
}

// Every single-bit change of a signed response: never Good.
void expect_no_bit_flip_is_good(const Bytes& der, const std::optional<Bytes>& nonce) {
    ASSERT_TRUE(check(der, nonce).status.is_good());
    int good = 0;
    for (std::size_t i = 0; i < der.size(); ++i) {
        for (int bit = 0; bit < 8; ++bit) {
            Bytes flipped = der;
            flipped[i] = static_cast<std::uint8_t>(flipped[i] ^ (1u << bit));
            if (check(flipped, nonce).status.is_good()) {
                ++good;
                ADD_FAILURE() << "Good after flipping bit " << bit << " of byte " << i;
            }
        }
    }
    EXPECT_EQ(good, 0);
}

TEST(OcspCheckTest, NoBitFlipOfACaResponseIsGood) {
    const auto request = request_for(leaf().cert);
    expect_no_bit_flip_is_good(respond(ca_responder(), request), request.nonce);
}

TEST(OcspCheckTest, NoBitFlipOfADelegatedResponseIsGood) {
    const auto request = request_for(leaf().cert);
    expect_no_bit_flip_is_good(respond(delegated_responder(), request), request.nonce);
}

// --- check_ocsp_response: scope, nonce, freshness ----------------------------------------------

TEST(OcspCheckTest, ResponseForAnotherCertificate) {
    const auto request = request_for(other_leaf().cert);
    expect_unknown(check(respond(ca_responder(), request), request.nonce),
                   "response is for another certificate");
}

TEST(OcspCheckTest, ConflictingAnswers) {
    auto spec = by_ca();
    spec.second_answer_revoked = true;
    expect_unknown(check(hand_made(spec)), "conflicting");
}

TEST(OcspCheckTest, WrongNonce) {
    const auto request = request_for(leaf().cert);
    const auto other = request_for(leaf().cert);
    expect_unknown(check(respond(ca_responder(), request), other.nonce), "nonce differs");
}

TEST(OcspCheckTest, NonceForms) {
    const Bytes nonce(16, 0x5a);
    auto spec = by_ca();
    spec.nonce = nonce;  // RFC 8954: extnValue is OCTET STRING(nonce)
    EXPECT_TRUE(check(hand_made(spec), nonce).status.is_good());
    spec.raw_nonce = true;  // older responders: extnValue is the nonce itself
    EXPECT_TRUE(check(hand_made(spec), nonce).status.is_good());

    Bytes wrapped{0x04, 0x10};
    wrapped.insert(wrapped.end(), nonce.begin(), nonce.end());
    spec.raw_nonce = false;
    spec.nonce = wrapped;  // OCTET STRING(OCTET STRING(nonce)): not ours
    expect_unknown(check(hand_made(spec), nonce), "nonce differs");
    spec.nonce = Bytes(nonce.begin(), nonce.end() - 1);
    expect_unknown(check(hand_made(spec), nonce), "nonce differs");
}

TEST(OcspCheckTest, NonceMissing) {
    OcspRequestOptions no_nonce;
    no_nonce.with_nonce = false;
    const auto der = respond(ca_responder(), request_for(leaf().cert, no_nonce));
    const Bytes sent(32, 0x11);
    OcspCheckOptions strict;
    strict.require_nonce = true;
    expect_unknown(check(der, sent, strict), "carries no nonce");
    expect_unknown(check(der, std::nullopt, strict), "none was sent");
    EXPECT_TRUE(check(der, sent).status.is_good());  // RFC 5019: cached responses lack one
    EXPECT_TRUE(check(der).status.is_good());

    const auto request = request_for(leaf().cert);
    EXPECT_TRUE(check(respond(ca_responder(), request), request.nonce, strict).status.is_good());
}

TEST(OcspCheckTest, NonceInResponseButNoneSent) {
    const auto request = request_for(leaf().cert);
    EXPECT_TRUE(check(respond(ca_responder(), request)).status.is_good());
}

TEST(OcspCheckTest, StaleNextUpdatePassed) {
    const auto request = request_for(leaf().cert);
    const auto result =
        check(respond(ca_responder(), request, good(), now() - 2h, 1h), request.nonce);
    expect_unknown(result, "expired at 2025-12-31T23:00:00Z");
    EXPECT_EQ(result.next_update, now() - 1h);
    // Within the 5 minute skew.
    const auto late = respond(ca_responder(), request, good(), now() - 1h - 4min, 1h);
    EXPECT_TRUE(check(late, request.nonce).status.is_good());
}

TEST(OcspCheckTest, ThisUpdateInTheFuture) {
    const auto request = request_for(leaf().cert);
    expect_unknown(check(respond(ca_responder(), request, good(), now() + 10min), request.nonce),
                   "is in the future");
    const auto slightly = respond(ca_responder(), request, good(), now() + 4min);
    EXPECT_TRUE(check(slightly, request.nonce).status.is_good());
}

TEST(OcspCheckTest, MaxAgeExceeded) {
    const auto request = request_for(leaf().cert);
    const auto der = respond(ca_responder(), request, good(), now() - 48h, 24h * 7);
    OcspCheckOptions options;
    options.freshness.max_age = 24h;
    expect_unknown(check(der, request.nonce, options), "is older than 86400 s");
    EXPECT_TRUE(check(der, request.nonce).status.is_good());
    options.freshness.max_age = 72h;
    EXPECT_TRUE(check(der, request.nonce, options).status.is_good());
}

TEST(OcspCheckTest, NoNextUpdate) {
    auto spec = by_ca();
    spec.next_update = std::nullopt;
    spec.this_update = now() - 48h;
    const auto der = hand_made(spec);
    const auto result = check(der);
    EXPECT_TRUE(result.status.is_good()) << result.status.describe();  // accepted, documented
    EXPECT_FALSE(result.next_update);
    OcspCheckOptions options;
    options.freshness.max_age = 24h;
    expect_unknown(check(der, std::nullopt, options), "is older than");
}

TEST(OcspCheckTest, UnknownCriticalExtensions) {
    auto spec = by_ca();
    spec.critical_extension = true;
    expect_unknown(check(hand_made(spec)), "unrecognised critical extension");
    spec = by_ca();
    spec.critical_single_extension = true;
    expect_unknown(check(hand_made(spec)), "unrecognised critical extension");
}

// --- check_ocsp_response: not a usable response ------------------------------------------------

TEST(OcspCheckTest, NonSuccessfulStatuses) {
    const std::vector<std::pair<std::uint8_t, std::string>> statuses{
        {1, "malformedRequest"}, {2, "internalError"}, {3, "tryLater"},
        {5, "sigRequired"},      {6, "unauthorized"},  {4, "OCSPResponseStatus 4"}};
    for (const auto& [code, name] : statuses) {
        const Bytes der{0x30, 0x03, 0x0a, 0x01, code};
        expect_unknown(check(der), "OCSP responder answered " + name);
    }
}

TEST(OcspCheckTest, ResponderAnswerUnauthorizedForAnotherCa) {
    const auto stranger = self_signed_ca("CN=Stranger");
    const auto foreign = issue(stranger.cert, stranger.key, "CN=foreign leaf");
    const auto request = revocation::make_ocsp_request(foreign.cert, stranger.cert).value();
    const auto answer = ca_responder().ocsp_respond(request.der, answer_with(good()), now(), 1h);
    const auto result =
        revocation::check_ocsp_response(answer.der, foreign.cert, stranger.cert, request.nonce,
                                        now(), {});
    expect_unknown(result, "unauthorized");
}

TEST(OcspCheckTest, NotABasicResponse) {
    const Bytes other_type{0x30, 0x0e, 0x0a, 0x01, 0x00, 0xa0, 0x09, 0x30,
                           0x07, 0x06, 0x03, 0x2a, 0x03, 0x04, 0x04, 0x00};
    expect_unknown(check(other_type), "not id-pkix-ocsp-basic");
    const Bytes no_bytes{0x30, 0x03, 0x0a, 0x01, 0x00};
    expect_unknown(check(no_bytes), "no BasicOCSPResponse");
}

TEST(OcspCheckTest, EmptyGarbageTruncatedTrailing) {
    expect_unknown(check(Bytes{}), "empty OCSP response");
    expect_unknown(check(test_pki::garbage(512)), "does not decode");
    expect_unknown(check(crypto::as_bytes("-----BEGIN OCSP RESPONSE-----")), "does not decode");

    const auto request = request_for(leaf().cert);
    const auto der = respond(delegated_responder(), request);
    for (std::size_t size = 0; size < der.size(); ++size) {
        const auto result = check(crypto::ByteView(der).first(size), request.nonce);
        ASSERT_TRUE(result.status.is_unknown()) << size;
    }
    Bytes trailing = der;
    trailing.push_back(0);
    expect_unknown(check(trailing, request.nonce), "trailing bytes");
    test_pki::expect_openssl_queue_empty("check_ocsp_response");
}

}  // namespace
