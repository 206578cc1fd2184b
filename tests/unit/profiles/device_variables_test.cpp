#include "profiles/device_variables.h"

#include <gtest/gtest.h>

namespace profiles {
namespace {

const DeviceVariables device{"00:11:22:AA:BB:CC", "SN123", "phone-7", "001122"};

TEST(ProfileTemplate, ExpandsEveryVariable) {
    EXPECT_EQ(expand("CN=${MAC},serialNumber=${SERIAL},O=${OUI}", device).value(),
              "CN=00:11:22:AA:BB:CC,serialNumber=SN123,O=001122");
    EXPECT_EQ(expand("${HOSTNAME}.example.net", device).value(), "phone-7.example.net");
    EXPECT_EQ(expand("no variables", device).value(), "no variables");
    EXPECT_EQ(expand("${MAC}${MAC}", device).value(), "00:11:22:AA:BB:CC00:11:22:AA:BB:CC");
}

TEST(ProfileTemplate, DollarRules) {
    EXPECT_EQ(expand("cost $$5", device).value(), "cost $5");
    EXPECT_EQ(expand("$$${MAC}", device).value(), "$00:11:22:AA:BB:CC");
    EXPECT_EQ(expand("a$b $", device).value(), "a$b $");
    EXPECT_EQ(expand("$${MAC}", device).value(), "${MAC}");
}

TEST(ProfileTemplate, UnknownOrBrokenVariableIsAnError) {
    auto unknown = expand("CN=${IMEI}", device);
    ASSERT_FALSE(unknown);
    EXPECT_EQ(unknown.error().code(), common::Errc::parse);
    EXPECT_NE(unknown.error().message().find("${IMEI}"), std::string::npos);
    EXPECT_FALSE(expand("CN=${mac}", device));  // names are case-sensitive
    EXPECT_FALSE(expand("CN=${MAC", device));
    EXPECT_FALSE(expand("CN=${}", device));
    EXPECT_FALSE(check_template("${SERIALNUMBER}"));
    EXPECT_TRUE(check_template("CN=${MAC},O=${OUI},${SERIAL}${HOSTNAME}"));
}

TEST(ProfileTemplate, VariableTheDeviceLacksIsNotFound) {
    DeviceVariables partial = device;
    partial.hostname.clear();
    auto r = expand("${HOSTNAME}.example.net", partial);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code(), common::Errc::not_found);
    EXPECT_TRUE(expand("CN=${MAC}", partial));
}

}  // namespace
}  // namespace profiles
