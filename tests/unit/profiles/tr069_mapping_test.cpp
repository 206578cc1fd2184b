#include "profiles/tr069_mapping.h"

#include <gtest/gtest.h>

#include <set>

#include "profiles/profile_keys.h"
#include "profiles/profile_parser.h"

namespace profiles {
namespace {

const std::string fp_hex = "5AF17B00112233445566778899AABBCCDDEEFF00112233445566778899AABBCC";
const std::string prefix = "Device.X_001122_CertificateProfile.2.";

// A profile that sets every key (and a second value of each repeatable one).
const std::string full_profile =
    "[profile \"gw-tls\"]\n"
    "enabled = false\n"
    "protocol = scep\n"
    "url = https://ra.example.net:8443/scep?x=1\n"
    "ca_identifier = \"ops ca, 2\"\n"
    "ca_fingerprint = " + fp_hex + "\n"
    "subject = CN=${SERIAL}, O=Example\\, Inc.\n"
    "san = dns:${HOSTNAME}.example.net\n"
    "san = uri:urn:x,y\n"
    "key = rsa:4096\n"
    "username = enrol\n"
    "password = \"pass, word\"\n"
    "renew_at_percent = 75\n"
    "poll_interval = 90s\n"
    "poll_window = 2d\n"
    "retry_min = 10s\n"
    "retry_max = 3h\n"
    "revocation = crl hard-fail\n"
    "revocation_max_age = 12h\n"
    "peer_trust_anchor = https://peer.example.net/root.der sha256:" + fp_hex + "\n"
    "peer_trust_anchor = \"https://peer2.example.net/a,b.der\" " + fp_hex + "\n"
    "store = pem:/etc/certs/tls/ owner=root mode=0640 layout=fullchain\n"
    "store = pkcs12:/etc/certs/a,b.p12 \"passphrase=p12, secret\"\n"
    "post_install = /usr/sbin/service nginx reload\n"
    "post_install_timeout = 45s\n";

Profile full() {
    auto r = parse_profiles(full_profile, "gw.conf");
    for (const auto& d : r.diagnostics) ADD_FAILURE() << d.to_string();
    return r.profiles.at(0);
}

std::map<std::string, std::string> as_map(const std::vector<ParameterValue>& values) {
    std::map<std::string, std::string> out;
    for (const auto& v : values) out[v.name] = v.value;
    return out;
}

TEST(ProfileTr069, EveryKeyHasExactlyOneParameterAndBack) {
    std::set<std::string_view> parameters;
    for (const auto& key : profile_keys()) {
        const ParameterMapping* m = find_parameter_for_key(key.name);
        ASSERT_NE(m, nullptr) << key.name << " has no TR-069 parameter";
        EXPECT_EQ(m->list, key.repeatable) << key.name;
        EXPECT_EQ(m->secret, key.secret) << key.name;
        EXPECT_EQ(find_parameter(m->parameter), m) << m->parameter;
        EXPECT_TRUE(parameters.insert(m->parameter).second) << m->parameter << " used twice";
    }
    for (const auto& m : parameter_mappings()) {
        if (m.key.empty()) {
            EXPECT_EQ(m.parameter, "Name");
            continue;
        }
        EXPECT_NE(find_key(m.key), nullptr) << m.parameter << " maps to no profile key";
    }
    EXPECT_EQ(parameter_mappings().size(), profile_keys().size() + 1);
}

TEST(ProfileTr069, TypesAndPaths) {
    EXPECT_EQ(find_parameter("Enable")->type, ParameterType::boolean);
    EXPECT_EQ(find_parameter("RenewAtPercent")->type, ParameterType::unsigned_int);
    EXPECT_EQ(find_parameter("PollInterval")->type, ParameterType::unsigned_int);
    EXPECT_EQ(find_parameter("URL")->type, ParameterType::string);
    EXPECT_TRUE(find_parameter("Challenge")->secret);
    EXPECT_TRUE(find_parameter("Password")->secret);
    EXPECT_FALSE(find_parameter("Username")->secret);
    EXPECT_EQ(to_string(ParameterType::unsigned_int), "unsignedInt");
    EXPECT_TRUE(valid_oui("00D0F1"));
    EXPECT_FALSE(valid_oui("00d0f1"));
    EXPECT_FALSE(valid_oui("00D0F"));
    EXPECT_EQ(profile_table_path("001122"), "Device.X_001122_CertificateProfile.");
    EXPECT_EQ(profile_object_path("001122", 2), prefix);
}

TEST(ProfileTr069, RenderedValues) {
    const auto values = render_parameters(full(), "001122", 2);
    ASSERT_EQ(values.size(), parameter_mappings().size());
    const auto m = as_map(values);
    EXPECT_EQ(m.at(prefix + "Name"), "gw-tls");
    EXPECT_EQ(m.at(prefix + "Enable"), "false");
    EXPECT_EQ(m.at(prefix + "URL"), "https://ra.example.net:8443/scep?x=1");
    EXPECT_EQ(m.at(prefix + "CAIdentifier"), "ops ca, 2");
    EXPECT_EQ(m.at(prefix + "Subject"), "CN=${SERIAL}, O=Example\\, Inc.");
    EXPECT_EQ(m.at(prefix + "SubjectAltNames"), "dns:${HOSTNAME}.example.net, \"uri:urn:x,y\"");
    EXPECT_EQ(m.at(prefix + "KeyType"), "rsa:4096");
    EXPECT_EQ(m.at(prefix + "Challenge"), "");
    EXPECT_EQ(m.at(prefix + "Username"), "enrol");
    EXPECT_EQ(m.at(prefix + "Password"), "");
    EXPECT_EQ(m.at(prefix + "RenewAtPercent"), "75");
    EXPECT_EQ(m.at(prefix + "PollInterval"), "90");
    EXPECT_EQ(m.at(prefix + "PollWindow"), "172800");
    EXPECT_EQ(m.at(prefix + "RetryMinimum"), "10");
    EXPECT_EQ(m.at(prefix + "RetryMaximum"), "10800");
    EXPECT_EQ(m.at(prefix + "Revocation"), "crl hard-fail");
    EXPECT_EQ(m.at(prefix + "RevocationMaxAge"), "43200");
    EXPECT_EQ(m.at(prefix + "Stores"),
              "pem:/etc/certs/tls/ owner=root mode=0640 layout=fullchain, \"pkcs12:/etc/certs/a,b.p12\" mode=0600 "
              "passphrase=(secret)");
    EXPECT_EQ(m.at(prefix + "PostInstall"), "/usr/sbin/service nginx reload");
    EXPECT_EQ(m.at(prefix + "PostInstallTimeout"), "45");
    for (const auto& v : values) {
        EXPECT_EQ(v.type, find_parameter(v.name.substr(prefix.size()))->type) << v.name;
    }

    const auto minimal = parse_profiles("[profile \"m\"]\nurl = http://ra/\nca_fingerprint = " + fp_hex +
                                            "\nsubject = CN=x\n", "m.conf").profiles.at(0);
    const auto mm = as_map(render_parameters(minimal, "001122", 2));
    EXPECT_EQ(mm.at(prefix + "Enable"), "true");
    EXPECT_EQ(mm.at(prefix + "CAIdentifier"), "");
    EXPECT_EQ(mm.at(prefix + "SubjectAltNames"), "");
    EXPECT_EQ(mm.at(prefix + "RevocationMaxAge"), "0");
    EXPECT_EQ(mm.at(prefix + "Revocation"), "ocsp,crl soft-fail");
    EXPECT_EQ(mm.at(prefix + "PollWindow"), "86400");
}

TEST(ProfileTr069, RoundTripThroughParameters) {
    const auto p = full();
    const auto values = as_map(render_parameters(p, "001122", 2, SecretRendering::reveal));
    const auto back = profile_from_parameters(values, "001122", 2);
    for (const auto& d : back.diagnostics) ADD_FAILURE() << d.to_string();
    ASSERT_EQ(back.profiles.size(), 1u);
    const auto& q = back.profiles[0];
    EXPECT_EQ(render_entries(q, SecretRendering::reveal), render_entries(p, SecretRendering::reveal));
    EXPECT_EQ(q.password()->reveal(), "pass, word");
    EXPECT_EQ(q.stores()[1].passphrase->reveal(), "p12, secret");
    EXPECT_EQ(q.origin_file(), prefix);
    // And back to parameters once more: a fixed point.
    EXPECT_EQ(as_map(render_parameters(q, "001122", 2, SecretRendering::reveal)), values);
}

TEST(ProfileTr069, AcsWritesAProfile) {
    const std::map<std::string, std::string> set{
        {prefix + "Name", "8021x"},
        {prefix + "Enable", "1"},
        {prefix + "URL", "http://ra.example.net/cgi-bin/pkiclient.exe"},
        {prefix + "CAFingerprint", "sha256:" + fp_hex},
        {prefix + "Subject", "CN=${MAC},O=Example"},
        {prefix + "Challenge", "otp;#1"},
        {prefix + "PollInterval", "120"},
        {prefix + "RevocationMaxAge", "0"},
        {prefix + "CAIdentifier", ""},
        {prefix + "Stores", "pem:/etc/certs/8021x/ mode=0600"},
    };
    const auto r = profile_from_parameters(set, "001122", 2);
    for (const auto& d : r.diagnostics) ADD_FAILURE() << d.to_string();
    ASSERT_EQ(r.profiles.size(), 1u);
    const auto& p = r.profiles[0];
    EXPECT_EQ(p.name(), "8021x");
    EXPECT_EQ(p.challenge()->reveal(), "otp;#1");
    EXPECT_EQ(p.poll_interval(), std::chrono::seconds(120));
    EXPECT_FALSE(p.revocation_max_age());
    EXPECT_EQ(p.ca_identifier(), "");
    EXPECT_EQ(p.stores().at(0).path, "/etc/certs/8021x/");
}

TEST(ProfileTr069, ProblemsNameTheParameter) {
    const std::map<std::string, std::string> set{
        {prefix + "URL", "ftp://ra/"},
        {prefix + "CAFingerprint", "sha256:AB"},
        {prefix + "Subject", "CN=x"},
        {prefix + "RenewAtPercent", "150"},
        {prefix + "PollWindow", "ten"},
        {prefix + "Frobnicate", "1"},
        {"Device.X_001122_CertificateProfile.3.URL", "http://other/"},
        {prefix + "Stores", "pkcs12:/a.p12 passphrase=(secret)"},
    };
    const auto r = profile_from_parameters(set, "001122", 2);
    EXPECT_TRUE(r.profiles.empty());
    std::set<std::string> keys;
    for (const auto& d : r.diagnostics) {
        EXPECT_EQ(d.line, 0u);
        EXPECT_EQ(d.file, prefix);
        keys.insert(d.key);
    }
    EXPECT_EQ(keys, (std::set<std::string>{"Device.X_001122_CertificateProfile.3.URL", "Frobnicate", "Name",
                                           "PollWindow", "URL", "CAFingerprint", "RenewAtPercent", "Stores"}));
}

}  // namespace
}  // namespace profiles
