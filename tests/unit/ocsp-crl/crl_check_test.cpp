// revocation::validate_crl and check_crl: every reason a CRL is not usable evidence comes back
// as Unknown with its message; Good and Revoked only from a CRL that passed every check.
#include "ocsp-crl/crl_check.h"

#include <gtest/gtest.h>

#include <chrono>

#include "common/time_format.h"
#include "unit/ocsp-crl/crl_test_pki.h"

namespace {

using namespace std::chrono_literals;
using crl_test::Ca;
using crl_test::Entry;
using crl_test::now;
using revocation::CrlCheckOptions;
using revocation::CrlIndex;
using revocation::Status;

const Ca& ca() {
    static const Ca made = crl_test::make_ca("Check CA", crl_test::ec_key());
    return made;
}

const crypto::Certificate& leaf() {  // serial 1A2B
    static const crypto::Certificate made = crl_test::make_leaf(ca(), {0x1a, 0x2b});
    return made;
}

CrlIndex index(const crypto::Bytes& der) { return CrlIndex::parse(der).value(); }

Status check(const crypto::Bytes& der, const crypto::Certificate& cert = leaf(),
             const CrlCheckOptions& options = {}, common::SystemTime at = now()) {
    return revocation::check_crl(index(der), cert, ca().cert, at, options);
}

// The Unknown reason, or the status name if it is not Unknown.
std::string why(const Status& s) { return s.is_unknown() ? s.why() : std::string(s.name()); }

TEST(CrlCheck, GoodWhenNotListed) {
    const auto der = crl_test::make_crl(ca(), {{"1A2C"}, {"05", now() - 1h, 1}});
    EXPECT_TRUE(revocation::validate_crl(index(der), ca().cert, now(), {}));
    EXPECT_TRUE(check(der).is_good()) << why(check(der));
}

TEST(CrlCheck, RevokedWithTimeAndReason) {
    const auto der = crl_test::make_crl(ca(), {{"1A2B", now() - 5h, 1}});
    const auto status = check(der);
    ASSERT_TRUE(status.is_revoked()) << why(status);
    EXPECT_EQ(status.revoked_info().time, now() - 5h);
    EXPECT_EQ(status.revoked_info().reason, 1);
    const auto plain = check(crl_test::make_crl(ca(), {{"1A2B", now() - 5h}}));
    ASSERT_TRUE(plain.is_revoked());
    EXPECT_FALSE(plain.revoked_info().reason);
}

TEST(CrlCheck, RemoveFromCrlIsNotRevoked) {
    EXPECT_TRUE(check(crl_test::make_crl(ca(), {{"1A2B", now() - 5h, 8}})).is_good());
    EXPECT_TRUE(check(crl_test::make_crl(ca(), {{"1A2B", now() - 5h, 6}})).is_revoked());
}

TEST(CrlCheck, Expired) {
    const auto der = crl_test::make_crl(
        ca(), {}, {.this_update = now() - 24h * 8, .next_update = now() - 24h});
    EXPECT_EQ(why(check(der)), "CRL expired at 2025-12-31T00:00:00Z (nextUpdate)");
    // Within the skew it still counts.
    const auto just = crl_test::make_crl(ca(), {}, {.next_update = now() - 4min});
    EXPECT_TRUE(check(just).is_good());
    CrlCheckOptions strict;
    strict.freshness.skew = 0s;
    EXPECT_TRUE(check(just, leaf(), strict).is_unknown());
}

TEST(CrlCheck, NotYetValid) {
    const auto der = crl_test::make_crl(ca(), {}, {.this_update = now() + 1h});
    EXPECT_EQ(why(check(der)),
              "CRL not yet valid: thisUpdate 2026-01-01T01:00:00Z is after 2026-01-01T00:00:00Z");
    EXPECT_TRUE(check(crl_test::make_crl(ca(), {}, {.this_update = now() + 4min})).is_good());
}

TEST(CrlCheck, MaxAgeAndMissingNextUpdate) {
    const auto no_next = crl_test::make_crl(ca(), {}, {.next_update = std::nullopt});
    EXPECT_EQ(why(check(no_next)), "CRL has no nextUpdate and no maximum age is configured");
    CrlCheckOptions options;
    options.freshness.max_age = 24h;
    EXPECT_TRUE(check(no_next, leaf(), options).is_good());
    const auto old = crl_test::make_crl(ca(), {}, {.this_update = now() - 48h});
    EXPECT_EQ(why(check(old, leaf(), options)),
              "CRL is stale: thisUpdate 2025-12-30T00:00:00Z is more than 86400 s before "
              "2026-01-01T00:00:00Z");
}

TEST(CrlCheck, WrongSignerKey) {
    const Ca impostor = crl_test::make_ca("Check CA", crl_test::ec_key());  // same name
    const auto der = crl_test::make_crl(impostor, {{"1A2B"}});
    EXPECT_EQ(why(check(der)), "CRL signed by the wrong key: not by CN=Check CA (ecdsa-with-SHA256)");
    const auto v = revocation::validate_crl(index(der), ca().cert, now(), {});
    ASSERT_FALSE(v);
    EXPECT_EQ(v.error().code(), common::Errc::verification);
}

TEST(CrlCheck, OtherIssuerIsReported) {
    const Ca other = crl_test::make_ca("Other CA", crl_test::ec_key());
    const auto der = crl_test::make_crl(other, {{"1A2B"}});
    EXPECT_EQ(why(check(der)), "CRL is for issuer CN=Other CA, not CN=Check CA");
    // A certificate of another CA checked against this CA.
    const auto foreign = crl_test::make_leaf(other, {0x1a, 0x2b});
    EXPECT_EQ(why(check(crl_test::make_crl(ca(), {}), foreign)),
              "certificate CN=device was issued by CN=Other CA, not by CN=Check CA");
}

TEST(CrlCheck, CrlNumber) {
    const auto missing = crl_test::make_crl(ca(), {}, {.crl_number = std::nullopt});
    EXPECT_EQ(why(check(missing)), "CRL has no cRLNumber (RFC 5280 §5.2.3)");
    CrlCheckOptions lenient;
    lenient.require_crl_number = false;
    EXPECT_TRUE(check(missing, leaf(), lenient).is_good());
    const auto critical = crl_test::make_crl(ca(), {}, {.crl_number_critical = true});
    EXPECT_EQ(why(check(critical, leaf(), lenient)),
              "CRL's cRLNumber is marked critical (RFC 5280 §5.2.3 requires non-critical)");
}

TEST(CrlCheck, UnknownCriticalExtensions) {
    const auto crl_level =
        crl_test::make_crl(ca(), {}, {.critical_extension = "1.3.6.1.4.1.99999.1"});
    EXPECT_EQ(why(check(crl_level)), "CRL has an unrecognised critical extension 1.3.6.1.4.1.99999.1");
    const auto harmless =
        crl_test::make_crl(ca(), {}, {.noncritical_extension = "1.3.6.1.4.1.99999.2"});
    EXPECT_TRUE(check(harmless).is_good());
    // An unknown critical extension on any entry, even another certificate's, rejects the CRL.
    const auto entry_level =
        crl_test::make_crl(ca(), {{"77", now() - 1h, std::nullopt, "1.3.6.1.4.1.99999.3"}});
    EXPECT_EQ(why(check(entry_level)),
              "CRL entry has an unrecognised critical extension 1.3.6.1.4.1.99999.3");
}

TEST(CrlCheck, DeltaAndIndirectCrlsAreRefused) {
    const auto delta = crl_test::make_crl(ca(), {}, {.delta_base = 41});
    EXPECT_EQ(why(check(delta)),
              "delta CRLs are not supported (deltaCRLIndicator present); a complete CRL is "
              "needed");
    const auto v = revocation::validate_crl(index(delta), ca().cert, now(), {});
    ASSERT_FALSE(v);
    EXPECT_EQ(v.error().code(), common::Errc::unsupported);
    crl_test::Spec spec;
    spec.idp = crl_test::Idp{};
    spec.idp->indirect = true;
    EXPECT_EQ(why(check(crl_test::make_crl(ca(), {}, spec))),
              "indirect CRLs are not supported (issuingDistributionPoint indirectCRL is set)");
}

TEST(CrlCheck, DistributionPointScope) {
    const auto sub_ca = crl_test::make_leaf(ca(), {0x1a, 0x2b}, true);
    crl_test::Spec only_ca;
    only_ca.idp = crl_test::Idp{};
    only_ca.idp->only_ca = true;
    const auto ca_crl = crl_test::make_crl(ca(), {{"1A2B"}}, only_ca);
    EXPECT_EQ(why(check(ca_crl)), "CRL covers only CA certificates and CN=device is not a CA");
    EXPECT_TRUE(check(ca_crl, sub_ca).is_revoked());

    crl_test::Spec only_user;
    only_user.idp = crl_test::Idp{};
    only_user.idp->only_user = true;
    const auto user_crl = crl_test::make_crl(ca(), {{"1A2B"}}, only_user);
    EXPECT_TRUE(check(user_crl).is_revoked());
    EXPECT_EQ(why(check(user_crl, sub_ca)),
              "CRL covers only end-entity certificates and CN=sub CA is a CA");

    crl_test::Spec attributes;
    attributes.idp = crl_test::Idp{};
    attributes.idp->only_attribute = true;
    EXPECT_EQ(why(check(crl_test::make_crl(ca(), {}, attributes))),
              "CRL covers only attribute certificates");

    crl_test::Spec some_reasons;
    some_reasons.idp = crl_test::Idp{};
    some_reasons.idp->only_reason_bit = 1;
    EXPECT_EQ(why(check(crl_test::make_crl(ca(), {}, some_reasons))),
              "CRL covers only some revocation reasons (onlySomeReasons); a complete CRL is "
              "needed");
}

TEST(CrlCheck, DistributionPointName) {
    const auto with_dp = crl_test::make_leaf(ca(), {0x1a, 0x2b}, false, "http://crl.example/1.crl");
    crl_test::Spec named;
    named.idp = crl_test::Idp{{"http://crl.example/0.crl", "http://crl.example/1.crl"}};
    const auto der = crl_test::make_crl(ca(), {}, named);
    EXPECT_TRUE(check(der, with_dp).is_good());
    const auto elsewhere = crl_test::make_leaf(ca(), {0x1a, 0x2b}, false, "http://crl.example/2.crl");
    EXPECT_EQ(why(check(der, elsewhere)),
              "CRL's distribution point (http://crl.example/0.crl, http://crl.example/1.crl) is "
              "not among the certificate's cRLDistributionPoints");
    EXPECT_TRUE(check(der, leaf()).is_unknown());  // no cRLDistributionPoints at all
}

TEST(CrlCheck, IssuerKeyUsageMustAllowCrlSign) {
    const Ca no_crl_sign = crl_test::make_ca("Narrow CA", crl_test::ec_key(), "critical,keyCertSign");
    const auto cert = crl_test::make_leaf(no_crl_sign, {0x01});
    const auto der = crl_test::make_crl(no_crl_sign, {});
    const auto s = revocation::check_crl(index(der), cert, no_crl_sign.cert, now(), {});
    EXPECT_EQ(why(s), "CRL signed by CN=Narrow CA, whose keyUsage does not include cRLSign");

    const Ca no_key_usage = crl_test::make_ca("Plain CA", crl_test::ec_key(), "");
    const auto cert2 = crl_test::make_leaf(no_key_usage, {0x01});
    const auto der2 = crl_test::make_crl(no_key_usage, {});
    EXPECT_TRUE(revocation::check_crl(index(der2), cert2, no_key_usage.cert, now(), {}).is_good());
}

TEST(CrlCheck, AuthorisedCrlSigner) {
    const Ca signer = crl_test::make_ca("Check CA CRL signer", crl_test::ec_key(),
                                        "critical,cRLSign", &ca(), false);
    const auto der = crl_test::make_crl(signer, {{"1A2B", now() - 1h, 4}}, {.issuer_name_from = &ca()});
    EXPECT_EQ(why(check(der)),
              "CRL signed by the wrong key: not by CN=Check CA (ecdsa-with-SHA256)");
    CrlCheckOptions options;
    options.crl_signers = {signer.cert};
    const auto status = check(der, leaf(), options);
    ASSERT_TRUE(status.is_revoked()) << why(status);
    EXPECT_EQ(status.revoked_info().reason, 4);

    // Without cRLSign, or issued by someone else, it may not sign.
    const Ca weak = crl_test::make_ca("Weak signer", crl_test::ec_key(), "critical,digitalSignature",
                                      &ca(), false);
    options.crl_signers = {weak.cert};
    EXPECT_EQ(why(check(crl_test::make_crl(weak, {}, {.issuer_name_from = &ca()}), leaf(), options)),
              "CRL signed by CN=Weak signer, which may not sign CRLs for CN=Check CA: its keyUsage "
              "does not include cRLSign");
    const Ca stranger = crl_test::make_ca("Stranger", crl_test::ec_key(), "critical,cRLSign");
    options.crl_signers = {stranger.cert};
    EXPECT_EQ(
        why(check(crl_test::make_crl(stranger, {}, {.issuer_name_from = &ca()}), leaf(), options)),
        "CRL signed by CN=Stranger, which may not sign CRLs for CN=Check CA: it was not issued "
        "by CN=Check CA");
}

TEST(CrlCheck, RsaPssAndEd25519Crls) {
    const Ca rsa = crl_test::make_ca("RSA CA", crl_test::rsa_key());
    const auto rsa_leaf = crl_test::make_leaf(rsa, {0x33});
    const auto pss = crl_test::make_crl(rsa, {{"33", now() - 1h, 1}}, {.pss = true});
    EXPECT_TRUE(revocation::check_crl(index(pss), rsa_leaf, rsa.cert, now(), {}).is_revoked());

    const Ca ed = crl_test::make_ca("Ed25519 CA", crl_test::ed25519_key());
    const auto eddsa = crl_test::make_crl(ed, {{"33"}});
    EXPECT_TRUE(revocation::validate_crl(index(eddsa), ed.cert, now(), {}));
    EXPECT_FALSE(revocation::validate_crl(index(eddsa), rsa.cert, now(), {}));
}

}  // namespace
