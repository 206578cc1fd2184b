// scep/pki_message.h, request side: build_request / parse_request round trips and refusals, the
// messageData bodies (IssuerAndSubject, IssuerAndSerialNumber), names, FailInfo, transactionID.
// CertRep is in cert_rep_test.cpp.
#include "scep/pki_message.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <tuple>
#include <vector>

#include "crypto/cms.h"
#include "unit/scep/scep_test_keys.h"

namespace {

using common::Errc;
using crypto::Bytes;
using crypto::DigestAlgorithm;
using crypto::cms::Attribute;
using crypto::cms::ContentCipher;
using scep::MessageType;
using ::testing::HasSubstr;
using Shape = fakes::ScepPki::Shape;

struct Parties {
    fakes::ScepPki ca = scep_test::pki(Shape::ca_only);
    fakes::ScepPki ra = scep_test::pki(Shape::ca_with_ra);
    crypto::PrivateKey client_key = scep_test::rsa_key("leaf");
    crypto::Certificate client = scep_test::self_signed(client_key);
    crypto::Certificate device =
        crypto::Certificate::from_pem(test_pki::read_text("leaf.pem")).value();
};

const Parties& parties() {
    static const Parties instance;
    return instance;
}

Bytes nonce() {
    return crypto::random_bytes(scep::nonce_size).value();
}

Bytes body_for(MessageType type) {
    const auto& p = parties();
    switch (type) {
        case MessageType::pkcs_req:
        case MessageType::renewal_req:
            return scep_test::csr_for(p.client_key).to_der();
        case MessageType::cert_poll:
            return scep::encode_issuer_and_subject(p.ca.issuing_ca, "CN=device-001").value();
        case MessageType::get_cert:
            return scep::encode_issuer_and_serial(p.ca.issuing_ca, "1F").value();
        case MessageType::get_crl:
            return scep::encode_issuer_and_serial_of(p.device).value();
        case MessageType::cert_rep:
            break;
    }
    return {};
}

scep::Request request_of(MessageType type) {
    return {type, scep::transaction_id_for(parties().client_key), nonce(), body_for(type)};
}

scep::RequestCrypto request_crypto(ContentCipher cipher = ContentCipher::aes128_cbc,
                                   DigestAlgorithm digest = DigestAlgorithm::sha256) {
    const auto& p = parties();
    return {p.client, p.client_key, {p.ca.encryption}, cipher, digest};
}

common::Result<scep::ParsedRequest> parse(const Bytes& der) {
    return scep::parse_request(der, parties().ca.encryption, parties().ca.encryption_key);
}

Attribute text(const char* oid, std::string value) {
    return {oid, Attribute::Type::printable_string, Bytes(value.begin(), value.end())};
}

// A request signed by the client with exactly these attributes around an envelope of body.
Bytes signed_request(std::vector<Attribute> attributes) {
    const auto& p = parties();
    const Bytes envelope = crypto::cms::encrypt(body_for(MessageType::pkcs_req), {p.ca.encryption},
                                                ContentCipher::aes128_cbc)
                               .value();
    crypto::cms::SignOptions options;
    options.attributes = std::move(attributes);
    return crypto::cms::sign(envelope, p.client, p.client_key, options).value();
}

std::vector<Attribute> good_attributes() {
    return {text(scep::oid::message_type, "19"),
            text(scep::oid::transaction_id, scep::transaction_id_for(parties().client_key)),
            Attribute{scep::oid::sender_nonce, Attribute::Type::octet_string, nonce()}};
}

std::vector<Attribute> without(std::vector<Attribute> attributes, std::string_view oid) {
    std::erase_if(attributes, [&](const Attribute& a) { return a.oid == oid; });
    return attributes;
}

std::vector<Attribute> replaced(std::vector<Attribute> attributes, Attribute attribute) {
    for (auto& a : attributes) {
        if (a.oid == attribute.oid)
            a = attribute;
    }
    return attributes;
}

// --- build_request / parse_request ---

using RoundTripParam = std::tuple<MessageType, ContentCipher, DigestAlgorithm>;
class PkiMessageRequestRoundTrip : public ::testing::TestWithParam<RoundTripParam> {};

TEST_P(PkiMessageRequestRoundTrip, EveryFieldSurvives) {
    const auto [type, cipher, digest] = GetParam();
    const scep::Request request = request_of(type);
    const auto der = scep::build_request(request, request_crypto(cipher, digest));
    ASSERT_TRUE(der) << der.error().to_string();
    const auto parsed = parse(*der);
    ASSERT_TRUE(parsed) << parsed.error().to_string();
    EXPECT_EQ(parsed->request.type, type);
    EXPECT_EQ(parsed->request.transaction_id, request.transaction_id);
    EXPECT_EQ(parsed->request.sender_nonce, request.sender_nonce);
    EXPECT_EQ(parsed->request.message_data, request.message_data);
    EXPECT_EQ(parsed->signer, parties().client);
    EXPECT_EQ(parsed->digest, digest);
    test_pki::expect_openssl_queue_empty("parse_request");
}

INSTANTIATE_TEST_SUITE_P(
    AllRequestTypes, PkiMessageRequestRoundTrip,
    ::testing::Combine(::testing::Values(MessageType::pkcs_req, MessageType::renewal_req,
                                         MessageType::cert_poll, MessageType::get_cert,
                                         MessageType::get_crl),
                       ::testing::Values(ContentCipher::aes128_cbc, ContentCipher::des3_cbc),
                       ::testing::Values(DigestAlgorithm::sha256, DigestAlgorithm::sha1)));

INSTANTIATE_TEST_SUITE_P(StrongerAlgorithms, PkiMessageRequestRoundTrip,
                         ::testing::Combine(::testing::Values(MessageType::pkcs_req),
                                            ::testing::Values(ContentCipher::aes256_cbc),
                                            ::testing::Values(DigestAlgorithm::sha384,
                                                              DigestAlgorithm::sha512)));

TEST(PkiMessageRequest, RaEncryptionCertificateRoundTrip) {
    const auto& p = parties();
    const scep::Request request = request_of(MessageType::pkcs_req);
    const scep::RequestCrypto keys{p.client, p.client_key, {p.ra.encryption}};
    const auto der = scep::build_request(request, keys).value();
    const auto parsed = scep::parse_request(der, p.ra.encryption, p.ra.encryption_key);
    ASSERT_TRUE(parsed) << parsed.error().to_string();
    EXPECT_EQ(parsed->request.message_data, request.message_data);
}

TEST(PkiMessageRequest, BuildRefusesABadNonceOrAnEmptyTransactionId) {
    scep::Request request = request_of(MessageType::pkcs_req);
    request.sender_nonce.resize(8);
    auto der = scep::build_request(request, request_crypto());
    ASSERT_FALSE(der);
    EXPECT_EQ(der.error().code(), Errc::invalid_argument);
    request = request_of(MessageType::pkcs_req);
    request.transaction_id.clear();
    der = scep::build_request(request, request_crypto());
    ASSERT_FALSE(der);
    EXPECT_EQ(der.error().code(), Errc::invalid_argument);
}

TEST(PkiMessageRequest, BuildRefusesARequestWithoutRecipient) {
    scep::RequestCrypto keys = request_crypto();
    keys.recipients.clear();
    EXPECT_FALSE(scep::build_request(request_of(MessageType::pkcs_req), keys));
}

TEST(PkiMessageRequest, ParseRefusesARequestForAnotherRecipient) {
    const auto& p = parties();
    const scep::RequestCrypto keys{p.client, p.client_key, {p.ra.encryption}};
    const auto der = scep::build_request(request_of(MessageType::pkcs_req), keys).value();
    const auto parsed = parse(der);
    ASSERT_FALSE(parsed);
    EXPECT_EQ(parsed.error().code(), Errc::verification) << parsed.error().to_string();
}

TEST(PkiMessageRequest, ParseRefusesATamperedSignature) {
    Bytes der = scep::build_request(request_of(MessageType::pkcs_req), request_crypto()).value();
    der.back() ^= 0x01;  // the last bytes are the SignerInfo's signature
    const auto parsed = parse(der);
    ASSERT_FALSE(parsed);
    EXPECT_EQ(parsed.error().code(), Errc::verification) << parsed.error().to_string();
}

TEST(PkiMessageRequest, ParseRefusesACertRepAndUnknownMessageTypes) {
    for (const char* type : {"3", "0", "18", "23", "99", "", "19x", "-19"}) {
        const auto parsed =
            parse(signed_request(replaced(good_attributes(), text(scep::oid::message_type, type))));
        ASSERT_FALSE(parsed) << "messageType '" << type << "'";
        EXPECT_EQ(parsed.error().code(), Errc::protocol) << type;
        EXPECT_THAT(parsed.error().message(), HasSubstr("messageType"));
    }
    const auto parsed = parse(signed_request(without(good_attributes(), scep::oid::message_type)));
    ASSERT_FALSE(parsed);
    EXPECT_EQ(parsed.error().code(), Errc::protocol);
}

TEST(PkiMessageRequest, ParseRequiresATransactionIdAndA16ByteNonce) {
    auto parsed = parse(signed_request(without(good_attributes(), scep::oid::transaction_id)));
    ASSERT_FALSE(parsed);
    EXPECT_EQ(parsed.error().code(), Errc::protocol);
    EXPECT_THAT(parsed.error().message(), HasSubstr("transactionID"));
    parsed =
        parse(signed_request(replaced(good_attributes(), text(scep::oid::transaction_id, ""))));
    ASSERT_FALSE(parsed);
    EXPECT_EQ(parsed.error().code(), Errc::protocol);
    parsed = parse(signed_request(without(good_attributes(), scep::oid::sender_nonce)));
    ASSERT_FALSE(parsed);
    EXPECT_THAT(parsed.error().message(), HasSubstr("senderNonce"));
    for (std::size_t size : {0u, 8u, 15u, 17u, 32u}) {
        parsed = parse(signed_request(replaced(
            good_attributes(),
            Attribute{scep::oid::sender_nonce, Attribute::Type::octet_string, Bytes(size, 7)})));
        ASSERT_FALSE(parsed) << size;
        EXPECT_EQ(parsed.error().code(), Errc::protocol);
    }
}

TEST(PkiMessageRequest, ParseAcceptsTheHandBuiltGoodAttributes) {
    const auto parsed = parse(signed_request(good_attributes()));
    ASSERT_TRUE(parsed) << parsed.error().to_string();
    EXPECT_EQ(parsed->request.type, MessageType::pkcs_req);
}

TEST(PkiMessageRequest, ParseRefusesMalformedInputWithoutCrashing) {
    const Bytes der =
        scep::build_request(request_of(MessageType::cert_poll), request_crypto()).value();
    EXPECT_FALSE(parse({}));
    EXPECT_FALSE(parse(test_pki::garbage(1)));
    EXPECT_FALSE(parse(test_pki::garbage(4096)));
    EXPECT_FALSE(parse(parties().device.to_der()));
    EXPECT_FALSE(parse(crypto::cms::make_certs_only({parties().device}).value()));
    for (std::size_t len = 0; len < der.size(); len += 7) {
        EXPECT_FALSE(parse(Bytes(der.begin(), der.begin() + static_cast<long>(len)))) << len;
    }
    test_pki::expect_openssl_queue_empty("malformed parse_request");
}

// --- messageData bodies ---

TEST(PkiMessageBodies, IssuerAndSubjectRoundTrip) {
    const auto& ca = parties().ca.issuing_ca;
    const auto der = scep::encode_issuer_and_subject(ca, "CN=device-001,O=Example,C=DE");
    ASSERT_TRUE(der) << der.error().to_string();
    const auto decoded = scep::decode_issuer_and_subject(*der);
    ASSERT_TRUE(decoded) << decoded.error().to_string();
    EXPECT_EQ(decoded->issuer, ca.subject());
    EXPECT_EQ(decoded->subject, "CN=device-001,O=Example,C=DE");
}

TEST(PkiMessageBodies, IssuerAndSubjectWithALongSubjectUsesLongFormLengths) {
    const std::string subject = "CN=" + std::string(60, 'a') + ",OU=" + std::string(60, 'b') +
                                ",OU=" + std::string(60, 'c') + ",O=" + std::string(60, 'd');
    const auto der = scep::encode_issuer_and_subject(parties().ca.issuing_ca, subject).value();
    ASSERT_GT(der.size(), 255u);
    const auto decoded = scep::decode_issuer_and_subject(der);
    ASSERT_TRUE(decoded) << decoded.error().to_string();
    EXPECT_EQ(decoded->subject, subject);
}

TEST(PkiMessageBodies, IssuerAndSubjectRefusesABadSubject) {
    EXPECT_FALSE(scep::encode_issuer_and_subject(parties().ca.issuing_ca, "not a DN"));
}

TEST(PkiMessageBodies, DecodeIssuerAndSubjectRefusesMalformedInput) {
    const Bytes der = scep::encode_issuer_and_subject(parties().ca.issuing_ca, "CN=x").value();
    Bytes trailing = der;
    trailing.push_back(0);
    for (const Bytes& bad : {Bytes{}, Bytes{0x30, 0x00}, Bytes{0x31, 0x00}, trailing,
                             test_pki::garbage(64), parties().device.to_der()}) {
        const auto decoded = scep::decode_issuer_and_subject(bad);
        ASSERT_FALSE(decoded) << crypto::to_hex(bad);
        EXPECT_EQ(decoded.error().code(), Errc::parse);
    }
    for (std::size_t len = 0; len < der.size(); ++len) {
        EXPECT_FALSE(scep::decode_issuer_and_subject(
            Bytes(der.begin(), der.begin() + static_cast<long>(len))));
    }
    test_pki::expect_openssl_queue_empty("decode_issuer_and_subject");
}

TEST(PkiMessageBodies, IssuerAndSerialRoundTrip) {
    const auto& ca = parties().ca.issuing_ca;
    for (const auto& [in, out] : std::vector<std::pair<std::string, std::string>>{
             {"1A2B3C", "1A2B3C"},
             {"abc", "ABC"},
             {"00FF", "FF"},
             {"1", "1"},
             {std::string(40, '7'), std::string(40, '7')}}) {
        const auto der = scep::encode_issuer_and_serial(ca, in);
        ASSERT_TRUE(der) << in << ": " << der.error().to_string();
        const auto decoded = scep::decode_issuer_and_serial(*der);
        ASSERT_TRUE(decoded) << decoded.error().to_string();
        EXPECT_EQ(decoded->issuer, ca.subject());
        EXPECT_EQ(decoded->serial_hex, out);
    }
}

TEST(PkiMessageBodies, IssuerAndSerialRefusesABadSerial) {
    for (const char* bad : {"", "xyz", "12 34", "0x12", "12-34"}) {
        const auto der = scep::encode_issuer_and_serial(parties().ca.issuing_ca, bad);
        ASSERT_FALSE(der) << "'" << bad << "'";
        EXPECT_EQ(der.error().code(), Errc::invalid_argument);
    }
    test_pki::expect_openssl_queue_empty("encode_issuer_and_serial");
}

TEST(PkiMessageBodies, IssuerAndSerialOfACertificateNamesItsIssuer) {
    const auto& device = parties().device;
    const auto decoded =
        scep::decode_issuer_and_serial(scep::encode_issuer_and_serial_of(device).value());
    ASSERT_TRUE(decoded) << decoded.error().to_string();
    EXPECT_EQ(decoded->issuer, device.issuer());
    EXPECT_EQ(decoded->serial_hex, device.serial_hex());
}

TEST(PkiMessageBodies, DecodeIssuerAndSerialRefusesMalformedInput) {
    const Bytes der = scep::encode_issuer_and_serial_of(parties().device).value();
    Bytes trailing = der;
    trailing.push_back(0);
    const Bytes subject_body =
        scep::encode_issuer_and_subject(parties().ca.issuing_ca, "CN=x").value();
    for (const Bytes& bad : {Bytes{}, trailing, subject_body, test_pki::garbage(64)}) {
        const auto decoded = scep::decode_issuer_and_serial(bad);
        ASSERT_FALSE(decoded);
        EXPECT_EQ(decoded.error().code(), Errc::parse);
    }
    for (std::size_t len = 0; len < der.size(); ++len) {
        EXPECT_FALSE(scep::decode_issuer_and_serial(
            Bytes(der.begin(), der.begin() + static_cast<long>(len))));
    }
    test_pki::expect_openssl_queue_empty("decode_issuer_and_serial");
}

// --- names, FailInfo, transactionID ---

TEST(PkiMessageNames, MessageTypesAndStatusesAreNamedAsInTheRfc) {
    EXPECT_EQ(scep::to_string(MessageType::cert_rep), "CertRep");
    EXPECT_EQ(scep::to_string(MessageType::renewal_req), "RenewalReq");
    EXPECT_EQ(scep::to_string(MessageType::pkcs_req), "PKCSReq");
    EXPECT_EQ(scep::to_string(MessageType::cert_poll), "CertPoll");
    EXPECT_EQ(scep::to_string(MessageType::get_cert), "GetCert");
    EXPECT_EQ(scep::to_string(MessageType::get_crl), "GetCRL");
    EXPECT_EQ(scep::to_string(scep::PkiStatus::success), "SUCCESS");
    EXPECT_EQ(scep::to_string(scep::PkiStatus::failure), "FAILURE");
    EXPECT_EQ(scep::to_string(scep::PkiStatus::pending), "PENDING");
    EXPECT_EQ(static_cast<int>(MessageType::renewal_req), 17);
    EXPECT_EQ(static_cast<int>(MessageType::cert_poll), 20);
}

TEST(PkiMessageFailInfo, DescribesKnownCodes) {
    EXPECT_EQ((scep::FailInfo{0, {}}).describe(), "badAlg (0)");
    EXPECT_EQ((scep::FailInfo{1, {}}).describe(), "badMessageCheck (1)");
    EXPECT_EQ((scep::FailInfo{2, {}}).describe(), "badRequest (2)");
    EXPECT_EQ((scep::FailInfo{3, {}}).describe(), "badTime (3)");
    EXPECT_EQ((scep::FailInfo{4, {}}).describe(), "badCertId (4)");
    EXPECT_EQ(scep::FailInfo{}.code, 2);
}

TEST(PkiMessageFailInfo, DescribesUnknownCodesAndText) {
    EXPECT_EQ((scep::FailInfo{5, {}}).describe(), "unknown failInfo 5");
    EXPECT_EQ((scep::FailInfo{26, {}}).describe(), "unknown failInfo 26");
    EXPECT_EQ((scep::FailInfo{-1, {}}).describe(), "unknown failInfo -1");
    EXPECT_EQ((scep::FailInfo{26, "try later"}).describe(), "unknown failInfo 26: try later");
    EXPECT_EQ((scep::FailInfo{2, "DN already exists"}).describe(),
              "badRequest (2): DN already exists");
    EXPECT_EQ((scep::FailInfo{2, ""}).describe(), "badRequest (2)");
}

TEST(PkiMessageTransactionId, IsStableForOneKeyAndDiffersBetweenKeys) {
    const auto a = scep::transaction_id_for(scep_test::rsa_key("leaf"));
    EXPECT_EQ(a, scep::transaction_id_for(scep_test::rsa_key("leaf")));  // a separately loaded copy
    EXPECT_EQ(a, scep::transaction_id_for(parties().client_key));
    EXPECT_NE(a, scep::transaction_id_for(scep_test::rsa_key("expired")));
    const auto ec = crypto::PrivateKey::generate({crypto::KeySpec::Type::ec, 0, "P-256"}).value();
    EXPECT_NE(a, scep::transaction_id_for(ec));
    EXPECT_EQ(a.size(), 64u);  // hex SHA-256: PrintableString-safe
    EXPECT_EQ(a.find_first_not_of("0123456789abcdef"), std::string::npos);
}

}  // namespace
