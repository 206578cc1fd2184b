// revocation::check_ocsp_response: answers, signers, scope, nonce, freshness, bad bytes.
#include <gtest/gtest.h>

#include <openssl/ocsp.h>
#include <openssl/x509.h>

#include <string>
#include <vector>

#include "ocsp-crl/ocsp.h"
#include "unit/ocsp-crl/ocsp_test_pki.h"

namespace {

using namespace ocsp_test;
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
    const auto result =
        check(respond(ca_responder(), request, {ca::CertificateStatus::Kind::revoked, when, 1}),
              request.nonce);
    ASSERT_TRUE(result.status.is_revoked()) << result.status.describe();
    EXPECT_EQ(result.status.revoked_info().time, when);
    EXPECT_EQ(result.status.revoked_info().reason, 1);
}

TEST(OcspCheckTest, RevokedWithoutReason) {
    const auto request = request_for(leaf().cert);
    const auto result = check(
        respond(ca_responder(), request, {ca::CertificateStatus::Kind::revoked, now() - 1h, {}}),
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
    const auto result = revocation::check_ocsp_response(answer.der, foreign.cert, stranger.cert,
                                                        request.nonce, now(), {});
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
