#include "ca/certificate_profile.h"

#include <gtest/gtest.h>

namespace {

using namespace std::chrono_literals;
using crypto::KeyUsage;

constexpr std::chrono::seconds days(long n) {
    return std::chrono::seconds(n * 86400);
}

TEST(CertificateProfile, BuiltInDeviceProfile) {
    const auto profiles = ca::CertificateProfiles::built_in();
    const auto* device = profiles.find("device");
    ASSERT_NE(device, nullptr);
    EXPECT_EQ(device->name, "device");
    EXPECT_EQ(device->validity, days(365));
    EXPECT_EQ(device->key_usage,
              (crypto::KeyUsageSet{KeyUsage::digital_signature, KeyUsage::key_encipherment}));
    EXPECT_EQ(device->extended_key_usage,
              (std::vector<std::string>{std::string(crypto::eku::client_auth),
                                        std::string(crypto::eku::server_auth)}));
    EXPECT_EQ(device->san, ca::SanPolicy::copy);
    EXPECT_FALSE(device->crl_url || device->ocsp_url || device->ca_issuers_url);
    EXPECT_EQ(profiles.find("nope"), nullptr);
    EXPECT_EQ(profiles.names(), std::vector<std::string>{"device"});
}

TEST(CertificateProfile, ParsesEverySetting) {
    const auto parsed = ca::CertificateProfiles::parse(R"(
# responder configuration
[responder]
listen = 127.0.0.1:8080   ; not ours: left alone, even if odd ===

[profile "vpn-client"]
validity           = 90d
key_usage          = digitalSignature, keyAgreement
extended_key_usage = clientAuth,1.3.6.1.5.5.7.3.17
san                = require
crl_url            = http://pki.example.net/issuing.crl   # where the CRL is
ocsp_url           = http://pki.example.net/ocsp
ca_issuers_url     = https://pki.example.net/issuing.der

[profile "sensor"]
validity = 12h
extended_key_usage = none
san = forbid
)");
    ASSERT_TRUE(parsed) << parsed.error().to_string();
    EXPECT_EQ(parsed->names(), (std::vector<std::string>{"device", "sensor", "vpn-client"}));
    const auto& vpn = *parsed->find("vpn-client");
    EXPECT_EQ(vpn.validity, days(90));
    EXPECT_EQ(vpn.key_usage,
              (crypto::KeyUsageSet{KeyUsage::digital_signature, KeyUsage::key_agreement}));
    EXPECT_EQ(vpn.extended_key_usage,
              (std::vector<std::string>{"1.3.6.1.5.5.7.3.2", "1.3.6.1.5.5.7.3.17"}));
    EXPECT_EQ(vpn.san, ca::SanPolicy::require);
    EXPECT_EQ(vpn.crl_url, "http://pki.example.net/issuing.crl");
    EXPECT_EQ(vpn.ocsp_url, "http://pki.example.net/ocsp");
    EXPECT_EQ(vpn.ca_issuers_url, "https://pki.example.net/issuing.der");

    // Unset settings keep the built-in defaults.
    const auto& sensor = *parsed->find("sensor");
    EXPECT_EQ(sensor.validity, 12h);
    EXPECT_EQ(sensor.key_usage, ca::default_device_profile().key_usage);
    EXPECT_TRUE(sensor.extended_key_usage.empty());
    EXPECT_EQ(sensor.san, ca::SanPolicy::forbid);
}

TEST(CertificateProfile, FileProfileReplacesTheBuiltIn) {
    const auto parsed =
        ca::CertificateProfiles::parse("[profile \"device\"]\r\nvalidity = 2w\r\nsan = copy\r\n");
    ASSERT_TRUE(parsed) << parsed.error().to_string();
    EXPECT_EQ(parsed->find("device")->validity, days(14));
    EXPECT_EQ(parsed->names(), std::vector<std::string>{"device"});

    const auto empty = ca::CertificateProfiles::parse("");
    ASSERT_TRUE(empty);
    EXPECT_EQ(empty->find("device")->validity, days(365));
}

TEST(CertificateProfile, ErrorsNameTheLine) {
    struct Case {
        const char* text;
        const char* expected;
    };
    const Case cases[] = {
        {"[profile \"a\"]\nvalidity = 365x\n", "line 2: validity: validity '365x': unknown unit"},
        {"\n[profile \"a\"]\n\nvalidty = 365d\n", "line 4: unknown profile setting 'validty'"},
        {"[profile \"a\"]\nkey_usage = digitalSignature,sign\n",
         "line 2: key_usage: 'sign' is not a key usage"},
        {"[profile \"a\"]\nkey_usage = keyCertSign\n",
         "line 2: key_usage: keyCertSign is for CA certificates"},
        {"[profile \"a\"]\nextended_key_usage = clientAuth,\n",
         "line 2: extended_key_usage: '' is not"},
        {"[profile \"a\"]\nsan = maybe\n",
         "line 2: san: 'maybe': expected copy, require or forbid"},
        {"[profile \"a\"]\ncrl_url = ftp://x/crl\n",
         "line 2: crl_url: 'ftp://x/crl' is not an http"},
        {"[profile \"a\"]\nocsp_url = http://\n", "line 2: ocsp_url:"},
        {"[profile \"a\"]\nca_issuers_url = http://a b/\n", "line 2: ca_issuers_url:"},
        {"[profile \"a\"]\nvalidity 365d\n", "line 2: expected 'name = value'"},
        {"[profile \"a\"]\nvalidity =\n", "line 2: validity: empty value"},
        {"[profile \"a\"]\nsan = copy\nsan = forbid\n", "line 3: san set twice"},
        {"[profile \"a\"]\n[x]\n[profile \"a\"]\n",
         "line 3: profile \"a\" defined twice (first at line 1)"},
        {"[profile a]\n", "line 1: expected [profile \"NAME\"]"},
        {"[profile \"a b\"]\n", "line 1: expected [profile \"NAME\"]"},
        {"[profile]\n", "line 1: expected [profile \"NAME\"]"},
        {"# ok\n[profile \"a\"\n", "line 2: section header without ']'"},
        {"[profile \"a\"]\nvalidity = 0d\n",
         "line 2: validity: validity '0d': must be longer than zero"},
        {"[profile \"a\"]\nvalidity = 36526d\n", "longer than 100 years"},
    };
    for (const auto& c : cases) {
        const auto parsed = ca::CertificateProfiles::parse(c.text);
        ASSERT_FALSE(parsed) << c.text;
        EXPECT_EQ(parsed.error().code(), common::Errc::parse);
        EXPECT_NE(parsed.error().message().find(c.expected), std::string::npos)
            << "expected '" << c.expected << "' in: " << parsed.error().message();
    }
}

TEST(CertificateProfile, ValidityUnits) {
    EXPECT_EQ(ca::parse_validity("3600s").value(), 1h);
    EXPECT_EQ(ca::parse_validity("30m").value(), 30min);
    EXPECT_EQ(ca::parse_validity(" 12h ").value(), 12h);
    EXPECT_EQ(ca::parse_validity("365d").value(), days(365));
    EXPECT_EQ(ca::parse_validity("2w").value(), days(14));
    EXPECT_EQ(ca::parse_validity("36525d").value(), days(36525));
    for (const char* bad : {"", "d", "365", "-1d", "1.5d", "1y", "1 d", "99999999999d", "12hh"}) {
        EXPECT_FALSE(ca::parse_validity(bad)) << bad;
    }
}

TEST(CertificateProfile, SanPolicyNames) {
    EXPECT_EQ(ca::to_string(ca::SanPolicy::copy), "copy");
    EXPECT_EQ(ca::to_string(ca::SanPolicy::require), "require");
    EXPECT_EQ(ca::to_string(ca::SanPolicy::forbid), "forbid");
}

}  // namespace
