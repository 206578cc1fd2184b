#include "device_identity.h"

#include <gtest/gtest.h>

#include <map>

#include <fstream>

#include "fakes/temp_dir.h"

namespace certkeeperd {
namespace {

namespace fs = std::filesystem;

void write(const fs::path& path, const std::string& text) {
    fs::create_directories(path.parent_path());
    std::ofstream(path) << text;
}

TEST(DeviceConfigTest, ParsesEveryKeyWithCommentsAndBlanks) {
    auto id = parse_device_config(
        "# device identity\n"
        "mac = 00-11-22-aa-bb-cc\r\n"
        "\n"
        "  serial=SN 42  \n"
        "; another comment\n"
        "hostname = phone-7\n"
        "oui = 00a0c6\n"
        "manufacturer = Example Corp\n"
        "product_class = IP-Phone\n");
    ASSERT_TRUE(id) << id.error().to_string();
    EXPECT_EQ(id->variables.mac, "00:11:22:AA:BB:CC");
    EXPECT_EQ(id->variables.serial, "SN 42");
    EXPECT_EQ(id->variables.hostname, "phone-7");
    EXPECT_EQ(id->variables.oui, "00A0C6");
    EXPECT_EQ(id->manufacturer, "Example Corp");
    EXPECT_EQ(id->product_class, "IP-Phone");
}

TEST(DeviceConfigTest, DeviceInfoAndCwmpKeys) {
    auto id = parse_device_config(
        "model_name = HGW 9000\n"
        "description = home gateway\n"
        "hardware_version = rev B\n"
        "acs_url = https://acs.example.net/cwmp\n"
        "connection_request_port = 30005\n"
        "periodic_inform_interval = 3600\n");
    ASSERT_TRUE(id) << id.error().to_string();
    EXPECT_EQ(id->model_name, "HGW 9000");
    EXPECT_EQ(id->description, "home gateway");
    EXPECT_EQ(id->hardware_version, "rev B");
    const std::map<std::string, std::string> want{{"acs_url", "https://acs.example.net/cwmp"},
                                                  {"connection_request_port", "30005"},
                                                  {"periodic_inform_interval", "3600"}};
    EXPECT_EQ(id->management, want);
    const auto merged = merge(*id, DeviceIdentity{});
    EXPECT_EQ(merged.management, want);
    EXPECT_EQ(merged.model_name, "HGW 9000");
    EXPECT_FALSE(parse_device_config("acs_url = a\nacs_url = b\n")) << "a key given twice";
    EXPECT_FALSE(parse_device_config("acs_port = 1\n")) << "not a key";
}

TEST(DeviceConfigTest, EmptyFileIsEmptyIdentity) {
    auto id = parse_device_config("");
    ASSERT_TRUE(id);
    EXPECT_TRUE(id->variables.mac.empty());
}

TEST(DeviceConfigTest, RefusesWhatIsNotInTheFormatNamingTheLine) {
    for (const char* bad : {"imei = 1\n", "mac = 00:11:22:33:44\n", "mac = 00:11:22:33:44:5g\n",
                            "oui = 0011\n", "serial\n", "serial =\n", "serial = a\nserial = b\n",
                            "hostname = a\x01z\n"}) {
        auto id = parse_device_config(bad);
        EXPECT_FALSE(id) << bad;
        if (!id) {
            EXPECT_EQ(id.error().code(), common::Errc::parse);
            EXPECT_NE(id.error().message().find("line "), std::string::npos) << id.error().message();
        }
    }
}

TEST(DeviceConfigTest, NormalizeMac) {
    EXPECT_EQ(normalize_mac("aa:bb:cc:dd:ee:ff").value(), "AA:BB:CC:DD:EE:FF");
    EXPECT_EQ(normalize_mac("AA-BB-CC-DD-EE-0F").value(), "AA:BB:CC:DD:EE:0F");
    EXPECT_FALSE(normalize_mac("aabbccddeeff"));
    EXPECT_FALSE(normalize_mac("aa:bb:cc:dd:ee:ff:00"));
}

TEST(DeviceDetectionTest, PhysicalInterfaceFirstSkippingLoopbackAndZeroMacs) {
    fakes::TempDir root("certkeeper-device");
    write(root / "proc/sys/kernel/hostname", "gw-1\n");
    write(root / "sys/class/net/lo/address", "00:00:00:00:00:00\n");
    write(root / "sys/class/net/br0/address", "02:00:00:00:00:01\n");  // virtual, sorts first
    write(root / "sys/class/net/eth1/address", "00:11:22:33:44:66\n");
    fs::create_directories(root / "sys/class/net/eth1/device");
    write(root / "sys/class/net/eth0/address", "00:11:22:33:44:55\n");
    fs::create_directories(root / "sys/class/net/eth0/device");
    write(root / "sys/class/net/wg0/address", "\n");  // no MAC at all
    write(root / "sys/class/dmi/id/product_serial", "ABC123\n");
    const DeviceIdentity id = detect_device_identity(root.path());
    EXPECT_EQ(id.variables.hostname, "gw-1");
    EXPECT_EQ(id.variables.mac, "00:11:22:33:44:55");
    EXPECT_EQ(id.variables.oui, "001122");
    EXPECT_EQ(id.variables.serial, "ABC123");
}

TEST(DeviceDetectionTest, VirtualInterfaceWhenThereIsNoOtherAndDeviceTreeSerial) {
    fakes::TempDir root("certkeeper-device");
    write(root / "sys/class/net/lo/address", "00:00:00:00:00:00\n");
    write(root / "sys/class/net/veth9/address", "0a:58:0a:f4:00:07\n");
    write(root / "proc/device-tree/serial-number", std::string("00000000deadbeef") + '\0');
    const DeviceIdentity id = detect_device_identity(root.path());
    EXPECT_EQ(id.variables.mac, "0A:58:0A:F4:00:07");
    EXPECT_EQ(id.variables.serial, "00000000deadbeef");
    EXPECT_TRUE(id.variables.hostname.empty());
}

TEST(DeviceDetectionTest, NothingFoundIsEmptyNotAnError) {
    fakes::TempDir root("certkeeper-device");
    const DeviceIdentity id = detect_device_identity(root.path());
    EXPECT_TRUE(id.variables.mac.empty());
    EXPECT_TRUE(id.variables.serial.empty());
}

TEST(DeviceDetectionTest, ConfiguredValuesWinAndAConfiguredMacBringsItsOui) {
    DeviceIdentity detected;
    detected.variables = {"00:11:22:33:44:55", "DETECTED", "host", "001122"};
    DeviceIdentity configured;
    configured.variables.mac = "AA:BB:CC:00:00:01";
    configured.variables.serial = "SN9";
    const DeviceIdentity merged = merge(configured, detected);
    EXPECT_EQ(merged.variables.mac, "AA:BB:CC:00:00:01");
    EXPECT_EQ(merged.variables.oui, "AABBCC");
    EXPECT_EQ(merged.variables.serial, "SN9");
    EXPECT_EQ(merged.variables.hostname, "host");
    configured.variables.oui = "123456";
    EXPECT_EQ(merge(configured, detected).variables.oui, "123456");
}

}  // namespace
}  // namespace certkeeperd
