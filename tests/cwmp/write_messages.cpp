// Writes sample CWMP envelopes with cwmp::encode (cwmp/codec.h), one per file, for the
// cwmp_validate test (every message the CPE sends, in every namespace) and, with --acs, also the
// messages an ACS sends (the seed corpus of fuzz_soap_decode).
//   cwmp_write_messages DIR [--acs]
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <utility>
#include <vector>

#include "cwmp/codec.h"

namespace {

using namespace cwmp;

std::vector<std::pair<std::string, Body>> cpe_messages() {
    Inform inform;
    inform.device_id = {"certkeeper project", "00D09E", "certkeeperd", "SN-0001"};
    inform.events = {{std::string(event::bootstrap), ""}, {std::string(event::boot), ""},
                     {std::string(event::value_change), ""}, {std::string(event::transfer_complete), ""},
                     {std::string(event::m_download), "dl-1"}, {"X 00D09E CertificateChanged", ""}};
    inform.current_time = "2024-05-01T12:00:00Z";
    inform.retry_count = 0;
    inform.parameter_list = {
        {"Device.DeviceInfo.Manufacturer", "certkeeper project", ValueType::string},
        {"Device.DeviceInfo.SoftwareVersion", "0.1.0", ValueType::string},
        {"Device.ManagementServer.ConnectionRequestURL", "http://192.0.2.10:7547/cr", ValueType::string},
        {"Device.ManagementServer.PeriodicInformInterval", "300", ValueType::unsignedInt},
        {"Device.ManagementServer.PeriodicInformEnable", "true", ValueType::boolean},
        {"Device.Security.Certificate.1.NotAfter", "2025-05-01T12:00:00Z", ValueType::dateTime},
        {"Device.X_00D09E_Test.Int", "-1", ValueType::int_},
        {"Device.X_00D09E_Test.Long", "-5000000000", ValueType::long_},
        {"Device.X_00D09E_Test.ULong", "5000000000", ValueType::unsignedLong},
        {"Device.X_00D09E_Test.Base64", "AAECAw==", ValueType::base64},
        {"Device.X_00D09E_Test.Hex", "0A0B0C", ValueType::hexBinary},
    };
    Inform periodic;
    periodic.device_id = inform.device_id;
    periodic.events = {{std::string(event::periodic), ""}};
    periodic.current_time = "2024-05-01T12:05:00+02:00";

    Fault spv_fault = make_fault(FaultCode::invalid_arguments);
    spv_fault.detail->set_parameter_values_faults = {
        {"Device.Nope", 9005, "Invalid parameter name"},
        {"Device.DeviceInfo.Manufacturer", 9008, "Attempt to set a non-writable parameter"}};

    return {
        {"Inform", inform},
        {"Inform-periodic", periodic},
        {"Inform-empty", Inform{{"certkeeper project", "00D09E", "certkeeperd", "SN-0001"}, {}, 1,
                                "2024-05-01T12:00:00Z", 3, {}}},
        {"GetRPCMethods", GetRPCMethods{}},
        {"GetRPCMethodsResponse", GetRPCMethodsResponse{{"GetRPCMethods", "GetParameterNames", "GetParameterValues",
                                                         "SetParameterValues", "GetParameterAttributes",
                                                         "SetParameterAttributes", "AddObject", "DeleteObject",
                                                         "Download", "Reboot", "FactoryReset", "ScheduleInform"}}},
        {"GetParameterValuesResponse", GetParameterValuesResponse{{
            {"Device.Security.Certificate.1.SerialNumber", "01:02:03", ValueType::string},
            {"Device.Security.Certificate.1.NotAfter", "2025-05-01T12:00:00Z", ValueType::dateTime},
            {"Device.Security.Certificate.1.Enable", "true", ValueType::boolean}}}},
        {"GetParameterValuesResponse-empty", GetParameterValuesResponse{}},
        {"SetParameterValuesResponse", SetParameterValuesResponse{Status::applied}},
        {"GetParameterNamesResponse", GetParameterNamesResponse{{{"Device.Security.", false},
                                                                 {"Device.Security.Certificate.", false},
                                                                 {"Device.ManagementServer.URL", true}}}},
        {"GetParameterAttributesResponse", GetParameterAttributesResponse{{
            {"Device.Security.Certificate.1.NotAfter", Notification::active, {}},
            {"Device.DeviceInfo.SoftwareVersion", Notification::passive, {"Subscriber"}}}}},
        {"SetParameterAttributesResponse", SetParameterAttributesResponse{}},
        {"AddObjectResponse", AddObjectResponse{3, Status::applied}},
        {"DeleteObjectResponse", DeleteObjectResponse{Status::applied}},
        {"DownloadResponse", DownloadResponse{Status::not_yet_applied, std::string(unknown_time),
                                              std::string(unknown_time)}},
        {"DownloadResponse-done", DownloadResponse{Status::applied, "2024-05-01T12:00:00Z", "2024-05-01T12:00:02Z"}},
        {"TransferComplete", TransferComplete{"dl-1", {0, ""}, "2024-05-01T12:00:00Z", "2024-05-01T12:00:02Z"}},
        {"TransferComplete-fault", TransferComplete{"dl-2", {9018, "File transfer failure: file corrupted"},
                                                    "2024-05-01T12:00:00Z", "2024-05-01T12:00:02Z"}},
        {"RebootResponse", RebootResponse{}},
        {"FactoryResetResponse", FactoryResetResponse{}},
        {"ScheduleInformResponse", ScheduleInformResponse{}},
        {"Fault-9000", make_fault(FaultCode::method_not_supported)},
        {"Fault-SetParameterValues", spv_fault},
        {"Fault-9019", make_fault(FaultCode::file_authentication_failure)},
    };
}

std::vector<std::pair<std::string, Body>> acs_messages() {
    return {
        {"InformResponse", InformResponse{1}},
        {"TransferCompleteResponse", TransferCompleteResponse{}},
        {"GetParameterValues", GetParameterValues{{"Device.DeviceInfo.", "Device.Security.Certificate.1.NotAfter"}}},
        {"SetParameterValues", SetParameterValues{{{"Device.ManagementServer.PeriodicInformInterval", "60",
                                                    ValueType::unsignedInt},
                                                   {"Device.ManagementServer.PeriodicInformEnable", "1",
                                                    ValueType::boolean}},
                                                  "key-1"}},
        {"GetParameterNames", GetParameterNames{"Device.", true}},
        {"GetParameterAttributes", GetParameterAttributes{{"Device.Security."}}},
        {"SetParameterAttributes", SetParameterAttributes{{{"Device.Security.Certificate.", true,
                                                            Notification::active, false, {}}}}},
        {"AddObject", AddObject{"Device.X_00D09E_Profile.", "k"}},
        {"DeleteObject", DeleteObject{"Device.X_00D09E_Profile.1.", "k"}},
        {"Download", Download{"dl-1", "3 Vendor Configuration File", "http://192.0.2.1/p.conf", "u", "p", 100,
                              "p.conf", 0, "", ""}},
        {"Reboot", Reboot{"r"}},
        {"FactoryReset", FactoryReset{}},
        {"ScheduleInform", ScheduleInform{5, "s"}},
        {"Fault-8005", Fault{SoapFaultCode::server, "CWMP fault", CwmpFault{8005, "Retry request", {}}}},
    };
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::cerr << "usage: cwmp_write_messages DIR [--acs]\n";
        return 2;
    }
    const std::filesystem::path dir = argv[1];
    const bool acs = argc > 2 && std::string(argv[2]) == "--acs";
    std::filesystem::create_directories(dir);
    auto messages = cpe_messages();
    if (acs) {
        for (auto& m : acs_messages()) {
            messages.push_back(std::move(m));
        }
    }
    const std::pair<const char*, CwmpVersion> versions[] = {
        {"1-0", CwmpVersion::v1_0}, {"1-1", CwmpVersion::v1_1}, {"1-2", CwmpVersion::v1_2}};
    int written = 0;
    for (const auto& [tag, version] : versions) {
        int id = 1;
        for (const auto& [name, body] : messages) {
            Envelope envelope{Header{}, body, version};
            envelope.header.id = "cpe-" + std::to_string(id++);
            auto xml = encode(envelope, version);
            if (!xml) {
                std::cerr << "encode " << name << " (" << tag << "): " << xml.error().to_string() << "\n";
                return 1;
            }
            std::ofstream(dir / (std::string(tag) + "-" + name + ".xml"), std::ios::binary) << *xml;
            ++written;
        }
    }
    std::cout << "wrote " << written << " envelopes to " << dir.string() << "\n";
    return 0;
}
