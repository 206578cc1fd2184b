// What the device knows about itself: the values of ${MAC} ${SERIAL} ${HOSTNAME} ${OUI} in
// profile templates (profiles/device_variables.h) and the TR-181 Device.DeviceInfo basics the
// CWMP agent will report. Given by --device-config FILE, else detected (docs/certkeeperd.md).
//
// Thread-safety: plain functions; detection reads the file system.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>

#include "common/result.h"
#include "profiles/device_variables.h"

namespace certkeeperd {

struct DeviceIdentity {
    profiles::DeviceVariables variables;
    std::string manufacturer;      // Device.DeviceInfo.Manufacturer
    std::string product_class;     // Device.DeviceInfo.ProductClass
    std::string model_name;        // Device.DeviceInfo.ModelName
    std::string description;       // Device.DeviceInfo.Description
    std::string hardware_version;  // Device.DeviceInfo.HardwareVersion
    // The CWMP agent's settings given in the same file (acs_url, acs_username, acs_password,
    // acs_ca, connection_request_address, connection_request_port, connection_request_username,
    // connection_request_password, periodic_inform_interval): raw text, checked where they are
    // used (main.cpp), command-line options win.
    std::map<std::string, std::string> management;
};

// The --device-config format: "key = value" lines (blanks around both ignored), '#' or ';'
// starts a comment line, blank lines ignored. Keys: mac, serial, hostname, oui, manufacturer,
// product_class, model_name, description, hardware_version and the CWMP keys of
// DeviceIdentity::management, each at most once. mac is six hex octets separated by ':' or '-' (written
// back upper-case with ':'); oui six hex digits (upper-case); the others any printable text.
// Errc::parse naming the line for anything else (unknown key, duplicate, bad value).
common::Result<DeviceIdentity> parse_device_config(std::string_view text);

// Detected values. root is "/" in production, a fake tree in tests:
//  - hostname: <root>/proc/sys/kernel/hostname;
//  - mac: <root>/sys/class/net/*/address, skipping "lo" and all-zero addresses; interfaces
//    backed by a device (a "device" entry) before virtual ones, then by name;
//  - oui: the first three octets of that MAC;
//  - serial: <root>/sys/class/dmi/id/product_serial, else <root>/proc/device-tree/serial-number
//    (unreadable or empty: left empty, and a template that uses ${SERIAL} fails to expand).
// Never fails: what cannot be found stays empty.
DeviceIdentity detect_device_identity(const std::filesystem::path& root = "/");

// configured's non-empty values over detected ones (oui from configured's MAC when the MAC is
// configured and oui is not).
DeviceIdentity merge(const DeviceIdentity& configured, const DeviceIdentity& detected);

// "AA:BB:CC:DD:EE:FF" from "aa-bb-cc-dd-ee-ff" or "aa:bb:..."; Errc::parse otherwise.
common::Result<std::string> normalize_mac(std::string_view mac);

}  // namespace certkeeperd
