// revocation::make_ocsp_request and ocsp_get_url, checked against OpenSSL's reading.
#include <gtest/gtest.h>

#include <openssl/ocsp.h>
#include <openssl/x509.h>

#include <string>
#include <vector>

#include "ocsp-crl/ocsp.h"
#include "unit/ocsp-crl/ocsp_test_pki.h"

namespace {

using namespace ocsp_test;
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

}  // namespace
