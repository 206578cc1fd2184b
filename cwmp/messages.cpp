#include "cwmp/messages.h"

#include <type_traits>

namespace cwmp {

std::string_view namespace_uri(CwmpVersion version) {
    switch (version) {
        case CwmpVersion::v1_0: return "urn:dslforum-org:cwmp-1-0";
        case CwmpVersion::v1_1: return "urn:dslforum-org:cwmp-1-1";
        case CwmpVersion::v1_2: return "urn:dslforum-org:cwmp-1-2";
    }
    return "urn:dslforum-org:cwmp-1-0";
}

std::string_view xsi_type_name(ValueType type) {
    switch (type) {
        case ValueType::string: return "xsd:string";
        case ValueType::int_: return "xsd:int";
        case ValueType::unsignedInt: return "xsd:unsignedInt";
        case ValueType::boolean: return "xsd:boolean";
        case ValueType::dateTime: return "xsd:dateTime";
        case ValueType::base64: return "SOAP-ENC:base64";
        case ValueType::long_: return "xsd:long";
        case ValueType::unsignedLong: return "xsd:unsignedLong";
        case ValueType::hexBinary: return "xsd:hexBinary";
    }
    return "xsd:string";
}

std::string_view fault_string(std::uint32_t fault_code) {
    switch (fault_code) {
        case 9000: return "Method not supported";
        case 9001: return "Request denied (no reason specified)";
        case 9002: return "Internal error";
        case 9003: return "Invalid arguments";
        case 9004: return "Resources exceeded";
        case 9005: return "Invalid parameter name";
        case 9006: return "Invalid parameter type";
        case 9007: return "Invalid parameter value";
        case 9008: return "Attempt to set a non-writable parameter";
        case 9009: return "Notification request rejected";
        case 9010: return "File transfer failure";
        case 9011: return "Upload failure";
        case 9012: return "File transfer server authentication failure";
        case 9013: return "Unsupported protocol for file transfer";
        case 9014: return "File transfer failure: unable to join multicast group";
        case 9015: return "File transfer failure: unable to contact file server";
        case 9016: return "File transfer failure: unable to access file";
        case 9017: return "File transfer failure: unable to complete download";
        case 9018: return "File transfer failure: file corrupted";
        case 9019: return "File transfer failure: file authentication failure";
        case 8000: return "Method not supported";
        case 8001: return "Request denied (no reason specified)";
        case 8002: return "Internal error";
        case 8003: return "Invalid arguments";
        case 8004: return "Resources exceeded";
        case 8005: return "Retry request";
        case 8006: return "ACS version incompatible with CPE";
        default: break;
    }
    if ((fault_code >= 9800 && fault_code <= 9899) || (fault_code >= 8800 && fault_code <= 8899)) {
        return "Vendor defined fault";
    }
    return "Unknown fault";
}

SoapFaultCode soap_fault_code_for(std::uint32_t fault_code) {
    switch (fault_code) {
        case 9003:
        case 9005:
        case 9006:
        case 9007:
        case 9008:
        case 8003:
            return SoapFaultCode::client;
        default:
            return SoapFaultCode::server;
    }
}

Fault make_fault(FaultCode code, std::string text) {
    const auto number = static_cast<std::uint32_t>(code);
    Fault fault;
    fault.faultcode = soap_fault_code_for(number);
    fault.faultstring = "CWMP fault";
    fault.detail = CwmpFault{number, text.empty() ? std::string(fault_string(number)) : std::move(text), {}};
    return fault;
}

namespace {
template <typename T>
constexpr std::string_view name_of();
#define CWMP_NAME(T) \
    template <>      \
    constexpr std::string_view name_of<T>() { return #T; }
CWMP_NAME(Inform)
CWMP_NAME(InformResponse)
CWMP_NAME(TransferComplete)
CWMP_NAME(TransferCompleteResponse)
CWMP_NAME(GetRPCMethods)
CWMP_NAME(GetRPCMethodsResponse)
CWMP_NAME(SetParameterValues)
CWMP_NAME(SetParameterValuesResponse)
CWMP_NAME(GetParameterValues)
CWMP_NAME(GetParameterValuesResponse)
CWMP_NAME(GetParameterNames)
CWMP_NAME(GetParameterNamesResponse)
CWMP_NAME(SetParameterAttributes)
CWMP_NAME(SetParameterAttributesResponse)
CWMP_NAME(GetParameterAttributes)
CWMP_NAME(GetParameterAttributesResponse)
CWMP_NAME(AddObject)
CWMP_NAME(AddObjectResponse)
CWMP_NAME(DeleteObject)
CWMP_NAME(DeleteObjectResponse)
CWMP_NAME(Download)
CWMP_NAME(DownloadResponse)
CWMP_NAME(Reboot)
CWMP_NAME(RebootResponse)
CWMP_NAME(FactoryReset)
CWMP_NAME(FactoryResetResponse)
CWMP_NAME(ScheduleInform)
CWMP_NAME(ScheduleInformResponse)
CWMP_NAME(Fault)
#undef CWMP_NAME
}  // namespace

std::string_view method_name(const Body& body) {
    return std::visit(
        [](const auto& message) -> std::string_view {
            using T = std::decay_t<decltype(message)>;
            if constexpr (std::is_same_v<T, UnknownMethod>) {
                return message.name;
            } else {
                return name_of<T>();
            }
        },
        body);
}

}  // namespace cwmp
