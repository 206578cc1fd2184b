#include "profiles/secret.h"

#include <gtest/gtest.h>

#include <sstream>

#include "profiles/profile_parser.h"
#include "profiles/profile_writer.h"
#include "profiles/tr069_mapping.h"

namespace profiles {
namespace {

TEST(ProfileSecret, PrintsAsRedacted) {
    const Secret s("hunter2");
    std::ostringstream out;
    out << s;
    EXPECT_EQ(out.str(), "(secret)");
    EXPECT_EQ(s.to_string(), "(secret)");
    EXPECT_EQ(s.reveal(), "hunter2");
    EXPECT_EQ(s, Secret("hunter2"));
    EXPECT_FALSE(s == Secret("other"));
}

// The secrets of a profile never appear in any redacted rendering: file text, entries, TR-069.
TEST(ProfileSecret, NeverInAnyRendering) {
    const std::string fp(64, 'a');
    const std::string base = "url = http://ra/\nca_fingerprint = " + fp + "\nsubject = CN=x\n";
    const auto r = parse_profiles(
        "[profile \"a\"]\n" + base + "challenge = CHALLENGE-XYZZY\n"
        "store = pkcs12:/etc/a.p12 passphrase=PASSPHRASE-XYZZY\n"
        "[profile \"b\"]\n" + base + "username = user\npassword = PASSWORD-XYZZY\n",
        "s.conf");
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r.profiles.size(), 2u);
    for (const auto& p : r.profiles) {
        std::string all = to_file_text(p, SecretRendering::redact);
        for (const auto& e : render_entries(p, SecretRendering::redact)) all += e.value + "\n";
        for (const auto& v : render_parameters(p, "001122", 1)) all += v.value + "\n";
        EXPECT_EQ(all.find("XYZZY"), std::string::npos) << all;
        EXPECT_NE(all.find("(secret)"), std::string::npos) << all;
        // reveal is the only way out.
        EXPECT_NE(to_file_text(p, SecretRendering::reveal).find("XYZZY"), std::string::npos);
    }
    // Diagnostics do not quote secrets either.
    const auto bad = parse_profiles("[profile \"c\"]\n" + base + "challenge = SECRET-XYZZY\nusername = u\n", "c.conf");
    ASSERT_FALSE(bad.ok());
    for (const auto& d : bad.diagnostics) EXPECT_EQ(d.to_string().find("XYZZY"), std::string::npos);
}

}  // namespace
}  // namespace profiles
