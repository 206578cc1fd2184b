#include "crypto/key_usage.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace crypto {
namespace {

using common::Errc;

struct KuRow {
    KeyUsage usage;
    const char* rfc_name;
    const char* snake_name;
    int bit;  // RFC 5280 §4.2.1.3 bit number
};

const KuRow all_usages[] = {
    {KeyUsage::digital_signature, "digitalSignature", "digital_signature", 0},
    {KeyUsage::content_commitment, "contentCommitment", "content_commitment", 1},
    {KeyUsage::key_encipherment, "keyEncipherment", "key_encipherment", 2},
    {KeyUsage::data_encipherment, "dataEncipherment", "data_encipherment", 3},
    {KeyUsage::key_agreement, "keyAgreement", "key_agreement", 4},
    {KeyUsage::key_cert_sign, "keyCertSign", "key_cert_sign", 5},
    {KeyUsage::crl_sign, "cRLSign", "crl_sign", 6},
    {KeyUsage::encipher_only, "encipherOnly", "encipher_only", 7},
    {KeyUsage::decipher_only, "decipherOnly", "decipher_only", 8},
};

TEST(KeyUsageTest, NamesAndBitsFollowRfc5280) {
    for (const auto& row : all_usages) {
        EXPECT_EQ(to_string(row.usage), row.rfc_name);
        EXPECT_EQ(static_cast<unsigned>(row.usage), 1u << row.bit) << row.rfc_name;
        EXPECT_EQ(parse_key_usage(row.rfc_name).value(), row.usage);
        EXPECT_EQ(parse_key_usage(row.snake_name).value(), row.usage);
        EXPECT_EQ(parse_key_usage(to_string(row.usage)).value(), row.usage);
    }
}

TEST(KeyUsageTest, ParseIsCaseInsensitiveAndKnowsNonRepudiation) {
    EXPECT_EQ(parse_key_usage("DIGITALSIGNATURE").value(), KeyUsage::digital_signature);
    EXPECT_EQ(parse_key_usage("crlsign").value(), KeyUsage::crl_sign);
    EXPECT_EQ(parse_key_usage("Key_Cert_Sign").value(), KeyUsage::key_cert_sign);
    EXPECT_EQ(parse_key_usage("nonRepudiation").value(), KeyUsage::content_commitment);
    EXPECT_EQ(parse_key_usage("nonrepudiation").value(), KeyUsage::content_commitment);
}

TEST(KeyUsageTest, ParseRejectsUnknownNames) {
    for (const char* bad : {"", "signature", "digital signature", "digitalSignature ", "serverAuth",
                            "keyCertSign,cRLSign", "0"}) {
        auto r = parse_key_usage(bad);
        ASSERT_FALSE(r) << bad;
        EXPECT_EQ(r.error().code(), Errc::invalid_argument) << bad;
    }
}

TEST(KeyUsageTest, SetOperations) {
    KeyUsageSet set;
    EXPECT_TRUE(set.empty());
    EXPECT_EQ(set.bits(), 0u);
    EXPECT_TRUE(set.names().empty());
    set.add(KeyUsage::key_encipherment);
    set.add(KeyUsage::digital_signature);
    set.add(KeyUsage::digital_signature);  // idempotent
    EXPECT_FALSE(set.empty());
    EXPECT_TRUE(set.has(KeyUsage::digital_signature));
    EXPECT_TRUE(set.has(KeyUsage::key_encipherment));
    EXPECT_FALSE(set.has(KeyUsage::key_cert_sign));
    EXPECT_EQ(set.bits(), 0b101u);
    // names() lists in RFC bit order, whatever the insertion order.
    EXPECT_EQ(set.names(), (std::vector<std::string>{"digitalSignature", "keyEncipherment"}));
    EXPECT_EQ(set, (KeyUsageSet{KeyUsage::digital_signature, KeyUsage::key_encipherment}));
    EXPECT_NE(set, KeyUsageSet{KeyUsage::digital_signature});
}

TEST(KeyUsageTest, ContainsAll) {
    const KeyUsageSet ca{KeyUsage::key_cert_sign, KeyUsage::crl_sign};
    EXPECT_TRUE(ca.contains_all(KeyUsageSet{KeyUsage::crl_sign}));
    EXPECT_TRUE(ca.contains_all(ca));
    EXPECT_TRUE(ca.contains_all(KeyUsageSet{}));
    EXPECT_FALSE(ca.contains_all(KeyUsageSet{KeyUsage::crl_sign, KeyUsage::digital_signature}));
    EXPECT_FALSE(KeyUsageSet{}.contains_all(ca));
}

TEST(KeyUsageTest, AllNineUsages) {
    KeyUsageSet all;
    std::vector<std::string> names;
    for (const auto& row : all_usages) {
        all.add(row.usage);
        names.emplace_back(row.rfc_name);
    }
    EXPECT_EQ(all.bits(), 0x1ffu);
    EXPECT_EQ(all.names(), names);
}

TEST(KeyUsageTest, ExtendedKeyUsageNamesToOids) {
    struct Row {
        const char* rfc_name;
        const char* snake_name;
        std::string_view oid;
    };
    for (const Row& row : {Row{"serverAuth", "server_auth", eku::server_auth},
                           Row{"clientAuth", "client_auth", eku::client_auth},
                           Row{"codeSigning", "code_signing", eku::code_signing},
                           Row{"emailProtection", "email_protection", eku::email_protection},
                           Row{"ipsecIKE", "ipsec_ike", eku::ipsec_ike},
                           Row{"timeStamping", "time_stamping", eku::time_stamping},
                           Row{"OCSPSigning", "ocsp_signing", eku::ocsp_signing},
                           Row{"anyExtendedKeyUsage", "any", eku::any}}) {
        EXPECT_EQ(parse_extended_key_usage(row.rfc_name).value(), row.oid);
        EXPECT_EQ(parse_extended_key_usage(row.snake_name).value(), row.oid);
        EXPECT_EQ(extended_key_usage_name(row.oid), row.rfc_name);
    }
    EXPECT_EQ(eku::server_auth, "1.3.6.1.5.5.7.3.1");
    EXPECT_EQ(eku::client_auth, "1.3.6.1.5.5.7.3.2");
    EXPECT_EQ(parse_extended_key_usage("SERVERAUTH").value(), eku::server_auth);
}

TEST(KeyUsageTest, ExtendedKeyUsageOidsPassThrough) {
    EXPECT_EQ(parse_extended_key_usage("1.3.6.1.4.1.311.20.2.2").value(), "1.3.6.1.4.1.311.20.2.2");
    EXPECT_EQ(parse_extended_key_usage("1.2").value(), "1.2");
    EXPECT_EQ(extended_key_usage_name("1.3.6.1.4.1.311.20.2.2"), "1.3.6.1.4.1.311.20.2.2");
}

TEST(KeyUsageTest, ExtendedKeyUsageRejectsMalformed) {
    for (const char* bad : {"", "1", "1.", ".1", "1..2", "1.2.", "1.a", "1,2", "server auth",
                            " 1.2", "tlsServer", "-1.2"}) {
        auto r = parse_extended_key_usage(bad);
        ASSERT_FALSE(r) << "accepted '" << bad << "'";
        EXPECT_EQ(r.error().code(), Errc::invalid_argument) << bad;
    }
}

}  // namespace
}  // namespace crypto
