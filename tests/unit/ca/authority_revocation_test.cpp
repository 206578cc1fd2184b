// ca::Authority::make_crl and ca::Authority::ocsp_respond, checked with the OpenSSL API, the
// openssl command-line tool and crypto::ChainValidator.
#include <gtest/gtest.h>

#include <openssl/ocsp.h>

#include <ctime>
#include <map>

#include "ca/authority.h"
#include "crypto/chain_validator.h"
#include "unit/ca/ca_test_pki.h"

namespace {

using namespace std::chrono_literals;
using ca_test::now;
using Kind = ca::CertificateStatus::Kind;

crypto::Certificate issue_leaf(std::string_view cn = "CN=leaf") {
    return ca_test::authority()
        .issue(ca_test::csr_for(ca_test::ec_key(), cn), ca::default_device_profile(),
               ca::random_serial().value(), now())
        .value();
}

TEST(AuthorityCrl, VerifiesWithOpensslAndListsReasonsInSerialOrder) {
    const auto t = now() - 1h;
    std::vector<crypto::RevokedEntry> revoked{
        {"7F01", t, 1}, {"0a", t - 1h, std::nullopt}, {"1234567890ABCDEF", t, 4}, {"FF", t, 0}};
    auto crl = ca_test::authority().make_crl(revoked, 42, now(), now() + 24h * 7);
    ASSERT_TRUE(crl) << crl.error().to_string();

    EXPECT_TRUE(crl->is_signed_by(ca_test::authority().certificate()));
    EXPECT_EQ(crl->issuer(), ca_test::authority().certificate().subject());
    EXPECT_EQ(crl->this_update(), now());
    EXPECT_EQ(crl->next_update(), now() + 24h * 7);
    EXPECT_EQ(crl->crl_number_hex(), "2A");
    const auto entries = crl->entries();
    ASSERT_EQ(entries.size(), 4u);
    std::vector<std::string> serials;
    for (const auto& e : entries) serials.push_back(e.serial_hex);
    EXPECT_EQ(serials, (std::vector<std::string>{"A", "FF", "7F01", "1234567890ABCDEF"}));
    EXPECT_EQ(entries[0].reason, std::nullopt);
    EXPECT_EQ(entries[1].reason, std::nullopt);  // unspecified is left out (RFC 5280 §5.3.1)
    EXPECT_EQ(entries[2].reason, 1);
    EXPECT_EQ(entries[3].reason, 4);
    EXPECT_EQ(entries[0].revocation_time, t - 1h);

    test_pki::TempFile crl_file(crl->to_pem());
    test_pki::TempFile ca_file(ca_test::authority().certificate().to_pem());
    const auto verified = test_pki::run("openssl crl -noout -verify -in " + crl_file.path() +
                                        " -CAfile " + ca_file.path());
    EXPECT_EQ(verified.status, 0) << verified.output;
    EXPECT_NE(verified.output.find("verify OK"), std::string::npos) << verified.output;
    const auto text = test_pki::run("openssl crl -noout -text -in " + crl_file.path()).output;
    for (const char* expected : {"Version 2 (0x1)", "X509v3 CRL Number: \n                42",
                                 "X509v3 Authority Key Identifier", "Key Compromise", "Superseded",
                                 "Serial Number: 7F01", "ecdsa-with-SHA256"}) {
        EXPECT_NE(text.find(expected), std::string::npos) << "missing: " << expected << "\n"
                                                          << text;
    }
}

TEST(AuthorityCrl, ChainValidatorUsesItToFindRevokedCertificates) {
    const auto good = issue_leaf("CN=good");
    const auto bad = issue_leaf("CN=bad");
    const auto& pki = ca_test::material();
    auto root_authority = ca::Authority::create(pki.root.certificate, pki.root.key, {}).value();
    auto root_crl = root_authority.make_crl({}, 1, now() - 1h, now() + 24h);
    auto issuing_crl = ca_test::authority().make_crl({{bad.serial_hex(), now() - 1h, 1}}, 7,
                                                     now() - 1h, now() + 24h);
    ASSERT_TRUE(root_crl && issuing_crl);

    crypto::ChainValidator validator({pki.root.certificate});
    crypto::ValidationOptions options;
    options.time = now();
    options.crls = {*root_crl, *issuing_crl};
    auto good_path = validator.validate(good, {pki.intermediate->certificate}, options);
    EXPECT_TRUE(good_path) << good_path.error().to_string();
    auto bad_path = validator.validate(bad, {pki.intermediate->certificate}, options);
    ASSERT_FALSE(bad_path);
    EXPECT_NE(bad_path.error().message().find("revoked"), std::string::npos)
        << bad_path.error().message();
}

TEST(AuthorityCrl, RefusesMalformedInput) {
    const auto& authority = ca_test::authority();
    const auto t = now();
    for (int reason : {-1, 7, 8, 11}) {
        auto crl = authority.make_crl({{"01", t, reason}}, 1, t, t + 1h);
        ASSERT_FALSE(crl) << reason;
        EXPECT_EQ(crl.error().code(), common::Errc::invalid_argument);
    }
    for (const std::string serial :
         {"", "xyz", "-1", "0x12", "12345678901234567890123456789012345678901"}) {
        EXPECT_FALSE(authority.make_crl({{serial, t, std::nullopt}}, 1, t, t + 1h)) << serial;
    }
    auto twice = authority.make_crl({{"0A", t, std::nullopt}, {"a", t, 1}}, 1, t, t + 1h);
    ASSERT_FALSE(twice);
    EXPECT_NE(twice.error().message().find("twice"), std::string::npos);
    EXPECT_FALSE(authority.make_crl({}, 1, t, t));
    test_pki::expect_openssl_queue_empty("make_crl");
    auto empty = authority.make_crl({}, 0, t, t + 1h);
    ASSERT_TRUE(empty) << empty.error().to_string();
    EXPECT_EQ(empty->entry_count(), 0u);
    EXPECT_EQ(empty->crl_number_hex(), "0");
}

// --- OCSP -------------------------------------------------------------------------------------

struct Request {
    crypto::OcspRequestPtr request{OCSP_REQUEST_new()};

    // Adds a CertID for serial under issuer, hashed with md.
    Request& add(const crypto::Certificate& issuer, const std::string& serial_hex,
                 const EVP_MD* md = EVP_sha1()) {
        BIGNUM* bn = nullptr;
        EXPECT_GT(BN_hex2bn(&bn, serial_hex.c_str()), 0);
        crypto::BignumPtr owned(bn);
        crypto::Asn1IntegerPtr serial(BN_to_ASN1_INTEGER(bn, nullptr));
        OCSP_CERTID* id = OCSP_cert_id_new(md, X509_get_subject_name(issuer.native()),
                                           X509_get0_pubkey_bitstr(issuer.native()), serial.get());
        EXPECT_NE(OCSP_request_add0_id(request.get(), id), nullptr);
        return *this;
    }
    Request& add(const crypto::Certificate& issuer, const crypto::Certificate& cert) {
        return add(issuer, cert.serial_hex());
    }
    Request& nonce(int length = 16) {
        EXPECT_EQ(OCSP_request_add1_nonce(request.get(), nullptr, length), 1);
        return *this;
    }
    crypto::Bytes der() const {
        unsigned char* out = nullptr;
        const int len = i2d_OCSP_REQUEST(request.get(), &out);
        crypto::Bytes bytes(out, out + len);
        OPENSSL_free(out);
        return bytes;
    }
};

ca::StatusLookup lookup_from(std::map<std::string, ca::CertificateStatus> known) {
    return [known = std::move(known)](
               std::string_view serial) -> common::Result<ca::CertificateStatus> {
        const auto it = known.find(std::string(serial));
        return it == known.end() ? ca::CertificateStatus{} : it->second;
    };
}

struct Parsed {
    crypto::OcspResponsePtr response;
    crypto::OcspBasicRespPtr basic;
};

Parsed parse(const crypto::Bytes& der) {
    const unsigned char* p = der.data();
    Parsed out{
        crypto::OcspResponsePtr(d2i_OCSP_RESPONSE(nullptr, &p, static_cast<long>(der.size()))),
        nullptr};
    EXPECT_TRUE(out.response);
    if (out.response) out.basic.reset(OCSP_response_get1_basic(out.response.get()));
    return out;
}

// OCSP_basic_verify against the test root at now(), the intermediate as untrusted.
bool verifies(OCSP_BASICRESP* basic) {
    crypto::X509StorePtr store(X509_STORE_new());
    X509_STORE_add_cert(store.get(), ca_test::material().root.certificate.native());
    X509_VERIFY_PARAM_set_time(X509_STORE_get0_param(store.get()),
                               std::chrono::system_clock::to_time_t(now()));
    crypto::X509StackPtr untrusted(sk_X509_new_null());
    sk_X509_push(untrusted.get(),
                 crypto::up_ref(ca_test::material().intermediate->certificate.native()).release());
    const bool ok = OCSP_basic_verify(basic, untrusted.get(), store.get(), 0) == 1;
    ERR_clear_error();
    return ok;
}

struct SingleStatus {
    int status = -1;
    int reason = -1;
    common::SystemTime revoked_at{}, this_update{}, next_update{};
};

SingleStatus status_of(OCSP_BASICRESP* basic, const crypto::Certificate& issuer,
                       const std::string& serial_hex) {
    Request probe;
    probe.add(issuer, serial_hex);
    OCSP_CERTID* id = OCSP_onereq_get0_id(OCSP_request_onereq_get0(probe.request.get(), 0));
    SingleStatus out;
    ASN1_GENERALIZEDTIME *revoked = nullptr, *this_update = nullptr, *next_update = nullptr;
    if (OCSP_resp_find_status(basic, id, &out.status, &out.reason, &revoked, &this_update,
                              &next_update) != 1) {
        return out;
    }
    auto when = [](const ASN1_GENERALIZEDTIME* t) {
        std::tm tm{};
        EXPECT_EQ(ASN1_TIME_to_tm(t, &tm), 1);
        return std::chrono::system_clock::from_time_t(timegm(&tm));
    };
    if (revoked != nullptr) out.revoked_at = when(revoked);
    out.this_update = when(this_update);
    if (next_update != nullptr) out.next_update = when(next_update);
    return out;
}

TEST(AuthorityOcsp, AnswersGoodRevokedAndUnknown) {
    const auto good = issue_leaf("CN=good");
    const auto revoked = issue_leaf("CN=revoked");
    const auto& issuer = ca_test::authority().certificate();
    const auto revoked_at = now() - 24h;
    auto lookup = lookup_from({{good.serial_hex(), {Kind::good, {}, std::nullopt}},
                               {revoked.serial_hex(), {Kind::revoked, revoked_at, 1}}});
    Request request;
    request.add(issuer, good).add(issuer, revoked).add(issuer, "0123456789").nonce();
    const auto answer = ca_test::authority().ocsp_respond(request.der(), lookup, now(), 1h);
    ASSERT_EQ(answer.status, ca::OcspResponseStatus::successful) << answer.detail;
    EXPECT_EQ(answer.detail, "");

    auto parsed = parse(answer.der);
    ASSERT_EQ(OCSP_response_status(parsed.response.get()), OCSP_RESPONSE_STATUS_SUCCESSFUL);
    ASSERT_TRUE(parsed.basic);
    EXPECT_TRUE(verifies(parsed.basic.get()));
    EXPECT_EQ(OCSP_check_nonce(request.request.get(), parsed.basic.get()), 1);
    EXPECT_EQ(OCSP_resp_count(parsed.basic.get()), 3);
    const STACK_OF(X509)* certs = OCSP_resp_get0_certs(parsed.basic.get());
    EXPECT_TRUE(certs == nullptr || sk_X509_num(certs) == 0);  // the CA signs; no certificates

    const auto g = status_of(parsed.basic.get(), issuer, good.serial_hex());
    EXPECT_EQ(g.status, V_OCSP_CERTSTATUS_GOOD);
    EXPECT_EQ(g.this_update, now());
    EXPECT_EQ(g.next_update, now() + 1h);
    const auto r = status_of(parsed.basic.get(), issuer, revoked.serial_hex());
    EXPECT_EQ(r.status, V_OCSP_CERTSTATUS_REVOKED);
    EXPECT_EQ(r.reason, OCSP_REVOKED_STATUS_KEYCOMPROMISE);
    EXPECT_EQ(r.revoked_at, revoked_at);
    EXPECT_EQ(status_of(parsed.basic.get(), issuer, "0123456789").status,
              V_OCSP_CERTSTATUS_UNKNOWN);

    // producedAt is `now`, not the system clock.
    const ASN1_GENERALIZEDTIME* produced = OCSP_resp_get0_produced_at(parsed.basic.get());
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(produced->data),
                          static_cast<std::size_t>(produced->length)),
              "20260101000000Z");
}

TEST(AuthorityOcsp, OpensslCliVerifiesCaSignedAndDelegatedResponses) {
    const auto leaf = issue_leaf();
    const auto& pki = ca_test::material();
    auto delegated = pki.authority();
    ASSERT_TRUE(delegated) << delegated.error().to_string();
    auto lookup = lookup_from({{leaf.serial_hex(), {Kind::good, {}, std::nullopt}}});
    test_pki::TempFile issuer_file(pki.intermediate->certificate.to_pem());
    test_pki::TempFile leaf_file(leaf.to_pem());
    test_pki::TempFile root_file(pki.root.certificate.to_pem());
    test_pki::TempFile signer_file(pki.ocsp_signer->certificate.to_pem());
    struct Case {
        const ca::Authority* authority;
        std::string va_file;
    };
    for (const auto& c :
         {Case{&ca_test::authority(), issuer_file.path()}, Case{&*delegated, signer_file.path()}}) {
        Request request;
        request.add(pki.intermediate->certificate, leaf);
        const auto answer = c.authority->ocsp_respond(request.der(), lookup, now(), 24h);
        ASSERT_EQ(answer.status, ca::OcspResponseStatus::successful) << answer.detail;
        test_pki::TempFile response(answer.der);
        const auto result = test_pki::run(
            "openssl ocsp -respin " + response.path() + " -issuer " + issuer_file.path() +
            " -cert " + leaf_file.path() + " -VAfile " + c.va_file + " -CAfile " +
            root_file.path() + " -attime " + ca_test::epoch_seconds(now()) +
            // thisUpdate is in 2026: the CLI checks it against the real clock
            " -validity_period 315360000");
        EXPECT_EQ(result.status, 0) << result.output;
        EXPECT_NE(result.output.find("Response verify OK"), std::string::npos) << result.output;
        EXPECT_NE(result.output.find(leaf_file.path() + ": good"), std::string::npos)
            << result.output;
    }
}

TEST(AuthorityOcsp, DelegatedSignerIsIncludedAndVerifies) {
    const auto leaf = issue_leaf();
    const auto& pki = ca_test::material();
    auto delegated = pki.authority().value();
    Request request;
    request.add(pki.intermediate->certificate, leaf).nonce(32);
    const auto answer = delegated.ocsp_respond(request.der(), lookup_from({}), now(), 1h);
    ASSERT_EQ(answer.status, ca::OcspResponseStatus::successful) << answer.detail;
    auto parsed = parse(answer.der);
    ASSERT_TRUE(parsed.basic);
    EXPECT_TRUE(verifies(parsed.basic.get()));
    EXPECT_EQ(OCSP_check_nonce(request.request.get(), parsed.basic.get()), 1);
    const STACK_OF(X509)* certs = OCSP_resp_get0_certs(parsed.basic.get());
    ASSERT_EQ(sk_X509_num(certs), 1);
    EXPECT_EQ(X509_cmp(sk_X509_value(certs, 0), pki.ocsp_signer->certificate.native()), 0);
    X509* signer = nullptr;
    EXPECT_EQ(OCSP_resp_get0_signer(parsed.basic.get(), &signer, nullptr), 1);
    const ASN1_OCTET_STRING* key_hash = nullptr;
    const X509_NAME* name = nullptr;
    ASSERT_EQ(OCSP_resp_get0_id(parsed.basic.get(), &key_hash, &name), 1);
    EXPECT_NE(key_hash, nullptr);  // responderID byKey
    // The unknown serial is "unknown", not an error.
    EXPECT_EQ(
        status_of(parsed.basic.get(), pki.intermediate->certificate, leaf.serial_hex()).status,
        V_OCSP_CERTSTATUS_UNKNOWN);
}

TEST(AuthorityOcsp, NonceIsOptionalAndBounded) {
    const auto& issuer = ca_test::authority().certificate();
    Request plain;
    plain.add(issuer, "01");
    const auto answer = ca_test::authority().ocsp_respond(plain.der(), lookup_from({}), now(), 1h);
    ASSERT_EQ(answer.status, ca::OcspResponseStatus::successful);
    auto parsed = parse(answer.der);
    EXPECT_EQ(OCSP_check_nonce(plain.request.get(), parsed.basic.get()), 2);  // absent in both

    Request long_nonce;
    long_nonce.add(issuer, "01").nonce(33);  // RFC 8954 §2.1: at most 32 octets
    EXPECT_EQ(
        ca_test::authority().ocsp_respond(long_nonce.der(), lookup_from({}), now(), 1h).status,
        ca::OcspResponseStatus::malformed_request);
}

TEST(AuthorityOcsp, ForeignCertIdsAreUnknownOrUnauthorized) {
    const auto& ours = ca_test::authority().certificate();
    const auto& root = ca_test::material().root.certificate;  // another CA
    std::vector<std::string> looked_up;
    ca::StatusLookup lookup =
        [&](std::string_view serial) -> common::Result<ca::CertificateStatus> {
        looked_up.emplace_back(serial);
        return ca::CertificateStatus{Kind::good, {}, std::nullopt};
    };
    Request mixed;
    mixed.add(ours, "AA", EVP_sha256()).add(root, "BB");
    const auto answer = ca_test::authority().ocsp_respond(mixed.der(), lookup, now(), 1h);
    ASSERT_EQ(answer.status, ca::OcspResponseStatus::successful) << answer.detail;
    EXPECT_EQ(looked_up, std::vector<std::string>{"AA"});
    auto parsed = parse(answer.der);
    EXPECT_EQ(status_of(parsed.basic.get(), root, "BB").status, V_OCSP_CERTSTATUS_UNKNOWN);

    Request foreign;
    foreign.add(root, "BB");
    const auto unauthorized = ca_test::authority().ocsp_respond(foreign.der(), lookup, now(), 1h);
    EXPECT_EQ(unauthorized.status, ca::OcspResponseStatus::unauthorized);
    EXPECT_EQ(unauthorized.der, (crypto::Bytes{0x30, 0x03, 0x0a, 0x01, 0x06}));
}

TEST(AuthorityOcsp, LookupFailureIsInternalError) {
    Request request;
    request.add(ca_test::authority().certificate(), "01");
    ca::StatusLookup failing = [](std::string_view) -> common::Result<ca::CertificateStatus> {
        return common::fail(common::Errc::io, "database is locked", common::Retry::yes);
    };
    const auto answer = ca_test::authority().ocsp_respond(request.der(), failing, now(), 1h);
    EXPECT_EQ(answer.status, ca::OcspResponseStatus::internal_error);
    EXPECT_NE(answer.detail.find("database is locked"), std::string::npos);
    EXPECT_EQ(answer.der, (crypto::Bytes{0x30, 0x03, 0x0a, 0x01, 0x02}));
}

TEST(AuthorityOcsp, MalformedRequestsAreAnsweredNotFatal) {
    const crypto::Bytes malformed{0x30, 0x03, 0x0a, 0x01, 0x01};
    auto lookup = lookup_from({});
    Request valid;
    valid.add(ca_test::authority().certificate(), "01").nonce();
    auto truncated = valid.der();
    truncated.pop_back();
    auto trailing = valid.der();
    trailing.push_back(0x00);
    for (const auto& bytes : {crypto::Bytes{}, test_pki::garbage(100), truncated, trailing,
                              Request{}.der(), crypto::Bytes(70 * 1024, 0x30)}) {
        const auto answer = ca_test::authority().ocsp_respond(bytes, lookup, now(), 1h);
        EXPECT_EQ(answer.status, ca::OcspResponseStatus::malformed_request) << answer.detail;
        EXPECT_EQ(answer.der, malformed);
        EXPECT_FALSE(answer.detail.empty());
    }
    // Every single-byte corruption gets some well-formed answer.
    test_pki::for_each_corruption(valid.der(), [&](std::size_t, const crypto::Bytes& corrupt) {
        const auto answer = ca_test::authority().ocsp_respond(corrupt, lookup, now(), 1h);
        auto parsed = parse(answer.der);
        EXPECT_EQ(OCSP_response_status(parsed.response.get()), static_cast<int>(answer.status));
    });
    test_pki::expect_openssl_queue_empty("ocsp_respond");
}

}  // namespace
