// The example profiles in docs/profile-format.md parse without a problem and mean what the page
// says, so the documentation cannot rot.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "profiles/device_variables.h"
#include "profiles/profile_keys.h"
#include "profiles/profile_parser.h"

namespace profiles {
namespace {

// The ``` blocks of the page that hold a [profile "..."] section.
std::vector<std::string> example_blocks() {
    std::ifstream in(std::string(CERTKEEPER_SOURCE_DIR) + "/docs/profile-format.md");
    std::stringstream all;
    all << in.rdbuf();
    const std::string text = all.str();
    std::vector<std::string> blocks;
    for (std::size_t pos = 0; (pos = text.find("```\n", pos)) != std::string::npos;) {
        const auto end = text.find("```\n", pos + 4);
        if (end == std::string::npos) break;
        const auto block = text.substr(pos + 4, end - pos - 4);
        if (block.find("[profile \"") != std::string::npos) blocks.push_back(block);
        pos = end + 4;
    }
    return blocks;
}

TEST(ProfileDocs, ExamplesAreValid) {
    const auto blocks = example_blocks();
    ASSERT_EQ(blocks.size(), 2u);
    const auto phone = parse_profiles(blocks[0], "ip-phone");
    const auto gateway = parse_profiles(blocks[1], "gateway");
    for (const auto& d : phone.diagnostics) ADD_FAILURE() << d.to_string();
    for (const auto& d : gateway.diagnostics) ADD_FAILURE() << d.to_string();
    ASSERT_EQ(phone.profiles.size(), 1u);
    ASSERT_EQ(gateway.profiles.size(), 1u);

    const DeviceVariables device{"00:11:22:AA:BB:CC", "SN42", "phone-1", "001122"};
    const auto& p = phone.profiles[0];
    EXPECT_EQ(expand(p.subject(), device).value(), "CN=00:11:22:AA:BB:CC,OU=Phones,O=Example");
    EXPECT_EQ(p.challenge()->reveal(), "7G#k;p2Q");
    EXPECT_EQ(p.revocation().on_unknown, UnknownRevocation::hard_fail);
    EXPECT_EQ(p.post_install(), (std::vector<std::string>{"/usr/bin/systemctl", "reload", "wpa_supplicant"}));

    const auto& g = gateway.profiles[0];
    EXPECT_EQ(g.peer_trust_anchors().size(), 1u);
    EXPECT_EQ(g.stores().size(), 2u);
    EXPECT_EQ(g.stores()[1].passphrase->reveal(), "p12 pass");
    EXPECT_EQ(g.password()->reveal(), "long random password");
    EXPECT_EQ(expand(g.subject_alt_names()[1].value, device).value(), "urn:dev:ops:001122-HGW-SN42");
}

TEST(ProfileDocs, EveryKeyIsDocumented) {
    std::ifstream in(std::string(CERTKEEPER_SOURCE_DIR) + "/docs/profile-format.md");
    std::stringstream all;
    all << in.rdbuf();
    for (const auto& key : profile_keys()) {
        EXPECT_NE(all.str().find("| `" + std::string(key.name) + "` |"), std::string::npos) << key.name;
    }
}

}  // namespace
}  // namespace profiles
