// revocation::CrlIndex: decoding, lookups (prefix collisions, sign octets, duplicates, a 100k
// entry CRL), malformed input, and signatures of every supported algorithm.
#include "ocsp-crl/crl_index.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <set>

#include "ca/authority.h"
#include "common/time_format.h"
#include "crypto/crl.h"
#include "unit/ca/ca_test_pki.h"
#include "unit/ocsp-crl/crl_test_pki.h"

namespace {

using namespace std::chrono_literals;
using crl_test::Ca;
using crl_test::Entry;
using crl_test::now;
using revocation::CrlIndex;

const Ca& ec_ca() {
    static const Ca ca = crl_test::make_ca("CRL Test CA", crl_test::ec_key());
    return ca;
}

CrlIndex parse(crypto::Bytes der) { return CrlIndex::parse(std::move(der)).value(); }

TEST(CrlIndex, DecodesTheFields) {
    const auto crl = parse(crl_test::make_crl(
        ec_ca(), {{"1A2B", now() - 3h, 1}, {"05", now() - 2h}}, {.this_update = now() - 1h}));
    EXPECT_EQ(crl.version(), 2);
    EXPECT_EQ(crl.issuer(), "CN=CRL Test CA");
    EXPECT_EQ(crl.issuer(), ec_ca().cert.subject());
    EXPECT_EQ(crl.this_update(), now() - 1h);
    EXPECT_EQ(crl.next_update(), now() + 24h * 7);
    EXPECT_EQ(crl.crl_number_hex(), "2A");
    EXPECT_FALSE(crl.crl_number_critical());
    EXPECT_FALSE(crl.is_delta());
    EXPECT_FALSE(crl.issuing_distribution_point());
    EXPECT_TRUE(crl.unknown_critical_extensions().empty());
    EXPECT_TRUE(crl.unknown_critical_entry_extensions().empty());
    ASSERT_TRUE(crl.authority_key_id());
    EXPECT_EQ(crl.authority_key_id()->size(), 20u);
    EXPECT_EQ(crl.entry_count(), 2u);
    EXPECT_EQ(crl.signature_algorithm(), "ecdsa-with-SHA256");
    EXPECT_TRUE(crl.signature_algorithms_match());
    EXPECT_TRUE(crl.is_signed_by(ec_ca().cert));
    EXPECT_GE(crl.memory_bytes(), crl.der().size());
}

TEST(CrlIndex, FindsEntriesWithTimeAndReason) {
    const auto crl = parse(crl_test::make_crl(
        ec_ca(), {{"1A2B", now() - 3h, 1}, {"05", now() - 2h}, {"0100", now() - 5h, 6}}));
    const auto a = crl.find_serial_hex("1A2B");
    ASSERT_TRUE(a);
    EXPECT_EQ(a->revocation_time, now() - 3h);
    EXPECT_EQ(a->reason, 1);
    const auto b = crl.find_serial_hex("5");
    ASSERT_TRUE(b);
    EXPECT_EQ(b->revocation_time, now() - 2h);
    EXPECT_FALSE(b->reason);
    EXPECT_EQ(crl.find_serial_hex("100")->reason, 6);
    // Case and leading zeros do not matter; other text finds nothing.
    EXPECT_TRUE(crl.find_serial_hex("1a2b"));
    EXPECT_TRUE(crl.find_serial_hex("0001A2B"));
    EXPECT_FALSE(crl.find_serial_hex("1A2C"));
    EXPECT_FALSE(crl.find_serial_hex("1A"));
    EXPECT_FALSE(crl.find_serial_hex(""));
    EXPECT_FALSE(crl.find_serial_hex("xyz"));
    EXPECT_FALSE(crl.find_serial_hex("-5"));
    // By content octets.
    EXPECT_TRUE(crl.find_serial(crypto::Bytes{0x1a, 0x2b}));
    EXPECT_TRUE(crl.find_serial(crypto::Bytes{0x00, 0x05}));  // redundant sign octet tolerated
    EXPECT_FALSE(crl.find_serial(crypto::Bytes{}));
}

TEST(CrlIndex, SerialsWithLeadingZeroOctetAndNegativeSerials) {
    const auto crl = parse(crl_test::make_crl(
        ec_ca(), {{"80"}, {"FF01"}, {"7F"}, {"-5"}, {"-80"}, {"-81"}, {"0"}}));
    EXPECT_EQ(crl.entry_count(), 7u);
    EXPECT_TRUE(crl.find_serial_hex("80"));
    EXPECT_TRUE(crl.find_serial(crypto::Bytes{0x00, 0x80}));
    EXPECT_TRUE(crl.find_serial(crypto::Bytes{0x80}));         // -128, listed as "-80"
    EXPECT_TRUE(crl.find_serial(crypto::Bytes{0xff, 0x7f}));   // -129, listed as "-81"
    EXPECT_FALSE(crl.find_serial(crypto::Bytes{0x81}));        // -127
    EXPECT_TRUE(crl.find_serial_hex("FF01"));
    EXPECT_TRUE(crl.find_serial(crypto::Bytes{0x00, 0xff, 0x01}));
    EXPECT_TRUE(crl.find_serial_hex("7F"));
    EXPECT_TRUE(crl.find_serial_hex("-5"));
    EXPECT_TRUE(crl.find_serial(crypto::Bytes{0xfb}));
    EXPECT_TRUE(crl.find_serial_hex("-80"));
    EXPECT_TRUE(crl.find_serial_hex("-81"));
    EXPECT_TRUE(crl.find_serial_hex("0"));
    EXPECT_FALSE(crl.find_serial_hex("5"));
    EXPECT_FALSE(crl.find_serial_hex("-7F"));
}

TEST(CrlIndex, DuplicateSerialAnswersWithTheFirstEntry) {
    const auto crl = parse(crl_test::make_crl(
        ec_ca(), {{"77", now() - 9h, 4}, {"10"}, {"77", now() - 1h, 1}}, {.sort = false}));
    EXPECT_EQ(crl.entry_count(), 3u);
    EXPECT_EQ(crl.find_serial_hex("77")->reason, 4);
}

TEST(CrlIndex, EmptyCrl) {
    const auto crl = parse(crl_test::make_crl(ec_ca(), {}));
    EXPECT_EQ(crl.entry_count(), 0u);
    EXPECT_FALSE(crl.find_serial_hex("1"));
    EXPECT_TRUE(crl.is_signed_by(ec_ca().cert));
}

TEST(CrlIndex, ReadsPem) {
    const auto der = crl_test::make_crl(ec_ca(), {{"42", now() - 2h, 3}});
    const std::string pem = "some text first\n" + crl_test::to_pem(der);
    const auto crl = CrlIndex::parse(crypto::Bytes(pem.begin(), pem.end()));
    ASSERT_TRUE(crl) << crl.error().to_string();
    EXPECT_EQ(crl->find_serial_hex("42")->reason, 3);
    EXPECT_TRUE(std::ranges::equal(crl->der(), der));
    EXPECT_TRUE(crl->is_signed_by(ec_ca().cert));
}

TEST(CrlIndex, AgreesWithOurCaAndCryptoCrl) {
    std::vector<crypto::RevokedEntry> revoked;
    for (int i = 1; i <= 50; ++i) {
        revoked.push_back({ca::serial_hex(ca::random_serial().value()), ca_test::now() - 1h * i,
                           i % 3 == 0 ? std::optional<int>(i % 7) : std::nullopt});
    }
    const auto made = ca_test::authority().make_crl(revoked, 9, ca_test::now() - 1h,
                                                    ca_test::now() + 24h);
    ASSERT_TRUE(made) << made.error().to_string();
    const auto crl = parse(made->to_der());
    EXPECT_EQ(crl.issuer(), made->issuer());
    EXPECT_EQ(crl.crl_number_hex(), made->crl_number_hex());
    EXPECT_EQ(crl.this_update(), made->this_update());
    EXPECT_EQ(crl.next_update(), made->next_update());
    EXPECT_TRUE(crl.is_signed_by(ca_test::authority().certificate()));
    EXPECT_FALSE(crl.is_signed_by(ca_test::material().root.certificate));
    ASSERT_EQ(crl.entry_count(), made->entry_count());
    for (const auto& e : made->entries()) {
        const auto found = crl.find_serial_hex(e.serial_hex);
        ASSERT_TRUE(found) << e.serial_hex;
        EXPECT_EQ(found->revocation_time, e.revocation_time);
        EXPECT_EQ(found->reason, e.reason);
    }
}

TEST(CrlIndex, ReportsExtensions) {
    crl_test::Spec spec;
    spec.idp = crl_test::Idp{{"http://crl.example/a.crl", "http://crl.example/b.crl"}};
    spec.idp->only_ca = true;
    spec.idp->only_reason_bit = 1;
    spec.idp->indirect = true;
    spec.critical_extension = "1.3.6.1.4.1.99999.1";
    spec.noncritical_extension = "1.3.6.1.4.1.99999.2";
    spec.delta_base = 41;
    const auto crl = parse(crl_test::make_crl(
        ec_ca(), {{"1", now() - 1h, std::nullopt, "1.3.6.1.4.1.99999.3"}, {"2"}}, spec));
    EXPECT_TRUE(crl.is_delta());
    ASSERT_TRUE(crl.issuing_distribution_point());
    const auto& idp = *crl.issuing_distribution_point();
    EXPECT_TRUE(idp.has_name);
    EXPECT_EQ(idp.uris,
              (std::vector<std::string>{"http://crl.example/a.crl", "http://crl.example/b.crl"}));
    EXPECT_TRUE(idp.only_ca_certs);
    EXPECT_FALSE(idp.only_user_certs);
    EXPECT_FALSE(idp.only_attribute_certs);
    EXPECT_TRUE(idp.indirect_crl);
    EXPECT_EQ(idp.only_some_reasons, 1u << 1);
    EXPECT_EQ(crl.unknown_critical_extensions(),
              std::vector<std::string>{"1.3.6.1.4.1.99999.1"});
    EXPECT_EQ(crl.unknown_critical_entry_extensions(),
              std::vector<std::string>{"1.3.6.1.4.1.99999.3"});
}

TEST(CrlIndex, CriticalCrlNumberIsReported) {
    const auto crl = parse(crl_test::make_crl(ec_ca(), {}, {.crl_number_critical = true}));
    EXPECT_TRUE(crl.crl_number_critical());
    const auto none = parse(crl_test::make_crl(ec_ca(), {}, {.crl_number = std::nullopt}));
    EXPECT_FALSE(none.crl_number_hex());
}

TEST(CrlIndex, WithoutNextUpdate) {
    const auto crl = parse(crl_test::make_crl(ec_ca(), {}, {.next_update = std::nullopt}));
    EXPECT_FALSE(crl.next_update());
}

TEST(CrlIndex, RefusesMalformedInput) {
    const auto der = crl_test::make_crl(ec_ca(), {{"1A2B", now() - 3h, 1}, {"05"}});
    auto error = [](crypto::Bytes data) {
        auto r = CrlIndex::parse(std::move(data));
        return r ? std::string("parsed") : r.error().to_string();
    };
    EXPECT_EQ(error({}), "parse error: CRL: empty input");
    EXPECT_EQ(error({0x30, 0x03, 0x02, 0x01}), "parse error: CRL: truncated DER in CertificateList");
    const std::string garbage = "this is not a CRL at all";
    EXPECT_EQ(error(crypto::Bytes(garbage.begin(), garbage.end())),
              "parse error: CRL: malformed DER in CertificateList");
    auto trailing = der;
    trailing.push_back(0);
    EXPECT_EQ(error(trailing), "parse error: CRL: trailing data after the DER");
    // Every truncation fails cleanly.
    for (std::size_t n = 0; n < der.size(); ++n) {
        EXPECT_FALSE(CrlIndex::parse(crypto::Bytes(der.begin(), der.begin() + n))) << n;
    }
    // Indefinite length (BER) is not DER.
    auto indefinite = der;
    indefinite[1] = 0x80;
    EXPECT_FALSE(CrlIndex::parse(indefinite));
    const std::string pem = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
    EXPECT_EQ(error(crypto::Bytes(pem.begin(), pem.end())),
              "parse error: CRL: no X509 CRL block in PEM text");
    const std::string bad_pem = "-----BEGIN X509 CRL-----\n!!!\n-----END X509 CRL-----\n";
    EXPECT_FALSE(CrlIndex::parse(crypto::Bytes(bad_pem.begin(), bad_pem.end())));
}

TEST(CrlIndex, RefusesUnsupportedVersion) {
    const auto r = CrlIndex::parse(crl_test::make_crl(ec_ca(), {}, {.version = 2}));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code(), common::Errc::unsupported);
    EXPECT_EQ(r.error().message(), "CRL: unsupported version (only v1 and v2 are defined)");
}

TEST(CrlIndex, RefusesAMalformedEntry) {
    auto der = crl_test::make_crl(ec_ca(), {{"1A2B", now() - 3h}});
    // The revocation date "YYMMDDHHMMSSZ" follows the serial 02 02 1A 2B: break its month.
    const crypto::Bytes serial{0x02, 0x02, 0x1a, 0x2b, 0x17, 0x0d};
    const auto at = std::search(der.begin(), der.end(), serial.begin(), serial.end());
    ASSERT_NE(at, der.end());
    *(at + serial.size() + 2) = '1';
    *(at + serial.size() + 3) = '3';
    const auto r = CrlIndex::parse(der);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message(), "CRL: malformed revocationDate (entry 1)");
}

TEST(CrlIndex, VerifiesSignaturesOfEveryAlgorithm) {
    const Ca rsa = crl_test::make_ca("RSA CA", crl_test::rsa_key());
    const Ca ed = crl_test::make_ca("Ed25519 CA", crl_test::ed25519_key());
    const auto pkcs1 = parse(crl_test::make_crl(rsa, {{"1"}}));
    EXPECT_EQ(pkcs1.signature_algorithm(), "sha256WithRSAEncryption");
    EXPECT_TRUE(pkcs1.is_signed_by(rsa.cert));
    const auto pss = parse(crl_test::make_crl(rsa, {{"1"}}, {.pss = true}));
    EXPECT_EQ(pss.signature_algorithm(), "rsassaPss");
    EXPECT_TRUE(pss.is_signed_by(rsa.cert));
    const auto eddsa = parse(crl_test::make_crl(ed, {{"1"}}));
    EXPECT_EQ(eddsa.signature_algorithm(), "ED25519");
    EXPECT_TRUE(eddsa.is_signed_by(ed.cert));
    // Wrong keys and key types.
    EXPECT_FALSE(pkcs1.is_signed_by(ed.cert));
    EXPECT_FALSE(pss.is_signed_by(ec_ca().cert));
    EXPECT_FALSE(eddsa.is_signed_by(rsa.cert));
    const Ca other = crl_test::make_ca("CRL Test CA", crl_test::ec_key());
    EXPECT_FALSE(parse(crl_test::make_crl(ec_ca(), {})).is_signed_by(other.cert));
}

TEST(CrlIndex, TamperedCrlDoesNotVerify) {
    auto der = crl_test::make_crl(ec_ca(), {{"1A2B", now() - 3h}});
    const crypto::Bytes serial{0x02, 0x02, 0x1a, 0x2b};
    const auto at = std::search(der.begin(), der.end(), serial.begin(), serial.end());
    ASSERT_NE(at, der.end());
    *(at + 3) = 0x2c;
    const auto crl = parse(der);
    EXPECT_TRUE(crl.find_serial_hex("1A2C"));
    EXPECT_FALSE(crl.is_signed_by(ec_ca().cert));
}

TEST(CrlIndex, OuterAndInnerAlgorithmsMustMatch) {
    auto der = crl_test::make_crl(ec_ca(), {});
    // ecdsa-with-SHA256 (1.2.840.10045.4.3.2) appears twice; make the outer one SHA-384.
    const crypto::Bytes oid{0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02};
    const auto outer = std::find_end(der.begin(), der.end(), oid.begin(), oid.end());
    ASSERT_NE(outer, der.end());
    *(outer + oid.size() - 1) = 0x03;
    const auto crl = parse(der);
    EXPECT_FALSE(crl.signature_algorithms_match());
    EXPECT_FALSE(crl.is_signed_by(ec_ca().cert));
}

// 100,000 entries in random order: serials that share 8-octet prefixes and differ only in
// their tails, serials of every length from 1 to 20 octets, serials with a leading zero octet.
TEST(CrlIndex, BigCrlLookups) {
    std::mt19937_64 rng(20260101);
    std::set<std::string> listed;
    auto hex = [](std::uint64_t v, int digits) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%0*llX", digits, static_cast<unsigned long long>(v));
        return std::string(buf);
    };
    const std::string shared = "7A5E5E5E5E5E5E5E";  // 8 octets every long serial starts with
    while (listed.size() < 60000) listed.insert(shared + hex(rng() % 100000, 8));
    while (listed.size() < 80000) listed.insert("8" + hex(rng(), 15));  // leading 00 octet
    while (listed.size() < 100000) {
        const int digits = 2 * static_cast<int>(1 + rng() % 20);
        std::string s = hex(rng(), 16) + hex(rng(), 16) + hex(rng(), 16);
        s = s.substr(0, static_cast<std::size_t>(digits));
        s[0] = "123456789ABCDEF"[rng() % 15];
        listed.insert(s.substr(0, 1) == "0" ? s.substr(1) : s);
    }
    std::vector<Entry> entries;
    for (const auto& s : listed) entries.push_back({s, now() - 1h, static_cast<int>(s.size() % 7)});
    std::shuffle(entries.begin(), entries.end(), rng);
    const auto t0 = std::chrono::steady_clock::now();
    const auto der = crl_test::make_crl(ec_ca(), entries, {.sort = false});
    const auto t1 = std::chrono::steady_clock::now();
    const auto crl = parse(der);
    const auto t2 = std::chrono::steady_clock::now();
    ASSERT_EQ(crl.entry_count(), 100000u);
    EXPECT_LE(crl.memory_bytes(), 2 * der.size());
    for (const auto& s : listed) {
        const auto found = crl.find_serial_hex(s);
        ASSERT_TRUE(found) << s;
        EXPECT_EQ(found->reason, static_cast<int>(s.size() % 7));
    }
    const auto t3 = std::chrono::steady_clock::now();
    // Neighbours that are not listed: same prefix other tail, one octet more or less.
    int misses = 0;
    for (std::uint64_t tail = 0; tail < 100000; tail += 7) {
        const auto s = shared + hex(tail, 8);
        if (!listed.count(s)) {
            EXPECT_FALSE(crl.find_serial_hex(s)) << s;
            ++misses;
        }
        EXPECT_FALSE(crl.find_serial_hex(s + "00"));
        EXPECT_FALSE(crl.find_serial_hex(s.substr(0, s.size() - 2)) &&
                     !listed.count(s.substr(0, s.size() - 2)));
    }
    EXPECT_GT(misses, 0);
    EXPECT_TRUE(crl.is_signed_by(ec_ca().cert));
    using ms = std::chrono::milliseconds;
    std::printf("100k CRL: %zu bytes, index memory %zu bytes; made in %lld ms, parsed in %lld ms, "
                "100k lookups in %lld ms\n",
                der.size(), crl.memory_bytes() - der.size(),
                static_cast<long long>(std::chrono::duration_cast<ms>(t1 - t0).count()),
                static_cast<long long>(std::chrono::duration_cast<ms>(t2 - t1).count()),
                static_cast<long long>(std::chrono::duration_cast<ms>(t3 - t2).count()));
}

}  // namespace
