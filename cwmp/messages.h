// The CWMP messages as plain C++ values: what the codec (cwmp/codec.h) decodes an ACS's SOAP
// envelope into and encodes the CPE's envelopes from. No gSOAP and no XML in here; the RPC
// handlers (cwmp/rpc/) and the session engine work only with these types.
//
// Spec: TR-069 Amendment 6 (CWMP 1.4), Annex A; schema urn:dslforum-org:cwmp-1-2 (cwmp-1-4.xsd).
// Field comments give the element name as the schema spells it. Texts are UTF-8. Limits the
// schema puts on lengths (e.g. CommandKey <= 32, Name <= 256) are checked by the RPC handlers and
// the session, not by these types; the codec checks the structure and the number formats.
//
// Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace cwmp {

// The cwmp namespace of an envelope. CWMP 1.2, 1.3 and 1.4 all use urn:dslforum-org:cwmp-1-2
// (TR-069 Amd 6 §A.1; cwmp-1-3 and cwmp-1-4 are schema files, not namespaces).
enum class CwmpVersion {
    v1_0,  // urn:dslforum-org:cwmp-1-0 (CWMP 1.0; what GenieACS speaks)
    v1_1,  // urn:dslforum-org:cwmp-1-1 (CWMP 1.1)
    v1_2,  // urn:dslforum-org:cwmp-1-2 (CWMP 1.2, 1.3, 1.4)
};

// "urn:dslforum-org:cwmp-1-2" etc.
std::string_view namespace_uri(CwmpVersion version);

// The xsi:type of a parameter value (TR-069 Amd 6 §A.2.1, Table 4). The value itself stays text
// in its lexical XML form; the data model parses it.
enum class ValueType {
    string,        // xsd:string
    int_,          // xsd:int
    unsignedInt,   // xsd:unsignedInt
    boolean,       // xsd:boolean ("true"/"false"/"1"/"0")
    dateTime,      // xsd:dateTime
    base64,        // SOAP-ENC:base64 on output; xsd:base64, xsd:base64Binary accepted on input
    long_,         // xsd:long
    unsignedLong,  // xsd:unsignedLong
    hexBinary,     // xsd:hexBinary (TR-106 hexBinary)
};

// "xsd:string", "xsd:int", ... as written on output.
std::string_view xsi_type_name(ValueType type);

// xsd:dateTime texts are kept as written: "2024-05-01T12:00:00Z". TR-069 §A.2.1 "Unknown Time".
inline constexpr std::string_view unknown_time = "0001-01-01T00:00:00Z";

// CPE fault codes (TR-069 Amd 6 §A.5.1, Table 61), the FaultCode of cwmp:Fault.
enum class FaultCode : std::uint32_t {
    method_not_supported = 9000,
    request_denied = 9001,
    internal_error = 9002,
    invalid_arguments = 9003,
    resources_exceeded = 9004,
    invalid_parameter_name = 9005,
    invalid_parameter_type = 9006,
    invalid_parameter_value = 9007,
    non_writable_parameter = 9008,
    notification_request_rejected = 9009,
    file_transfer_failure = 9010,
    upload_failure = 9011,
    file_transfer_server_authentication_failure = 9012,
    unsupported_file_transfer_protocol = 9013,
    unable_to_join_multicast_group = 9014,
    unable_to_contact_file_server = 9015,
    unable_to_access_file = 9016,
    unable_to_complete_download = 9017,
    file_corrupted = 9018,
    file_authentication_failure = 9019,
};

// ACS fault codes that a CPE must act on (§A.5.2, Table 62).
enum class AcsFaultCode : std::uint32_t {
    method_not_supported = 8000,
    request_denied = 8001,
    internal_error = 8002,
    invalid_arguments = 8003,
    resources_exceeded = 8004,
    retry_request = 8005,
    version_incompatible = 8006,  // CWMP 1.4
};

// Table 61's text, e.g. "Method not supported"; "Vendor defined fault" for 9800-9899,
// "Unknown fault" otherwise.
std::string_view fault_string(std::uint32_t fault_code);

// The SOAP 1.1 faultcode of an envelope Fault (SOAP 1.1 §4.4.1). TR-069 Table 61 names Client or
// Server per CWMP fault code; MustUnderstand answers a header we must but cannot understand.
enum class SoapFaultCode { client, server, must_understand, version_mismatch };

// Client for 9003, 9005-9008; Server for the rest (Table 61's "Type" column).
SoapFaultCode soap_fault_code_for(std::uint32_t fault_code);

// Event codes (§3.7.1.5, Table 7). EventCode is kept as text; vendor codes are "X OUI name".
namespace event {
inline constexpr std::string_view bootstrap = "0 BOOTSTRAP";
inline constexpr std::string_view boot = "1 BOOT";
inline constexpr std::string_view periodic = "2 PERIODIC";
inline constexpr std::string_view scheduled = "3 SCHEDULED";
inline constexpr std::string_view value_change = "4 VALUE CHANGE";
inline constexpr std::string_view kicked = "5 KICKED";
inline constexpr std::string_view connection_request = "6 CONNECTION REQUEST";
inline constexpr std::string_view transfer_complete = "7 TRANSFER COMPLETE";
inline constexpr std::string_view diagnostics_complete = "8 DIAGNOSTICS COMPLETE";
inline constexpr std::string_view request_download = "9 REQUEST DOWNLOAD";
inline constexpr std::string_view m_reboot = "M Reboot";
inline constexpr std::string_view m_schedule_inform = "M ScheduleInform";
inline constexpr std::string_view m_download = "M Download";
}  // namespace event

// ---- shared structures (§A.3.1-A.3.3 and the schema's complex types) ----

struct DeviceIdStruct {
    std::string manufacturer;   // Manufacturer (<= 64)
    std::string oui;            // OUI (6 upper-case hex digits)
    std::string product_class;  // ProductClass (<= 64)
    std::string serial_number;  // SerialNumber (<= 64)
    bool operator==(const DeviceIdStruct&) const = default;
};

struct EventStruct {
    std::string event_code;   // EventCode, e.g. "1 BOOT", "M Download"
    std::string command_key;  // CommandKey (<= 32), empty unless the event answers an RPC
    bool operator==(const EventStruct&) const = default;
};

struct ParameterValueStruct {
    std::string name;                  // Name (<= 256)
    std::string value;                 // Value, lexical form
    ValueType type = ValueType::string;  // the xsi:type attribute of Value
    bool operator==(const ParameterValueStruct&) const = default;
};

struct ParameterInfoStruct {
    std::string name;       // Name: a parameter, or a partial path ending in "." for an object
    bool writable = false;  // Writable
    bool operator==(const ParameterInfoStruct&) const = default;
};

// Notification attribute (§A.3.2.4): 0 off, 1 passive, 2 active, 3-6 lightweight variants.
enum class Notification : int {
    off = 0,
    passive = 1,
    active = 2,
    passive_lightweight = 3,
    passive_and_passive_lightweight = 4,
    active_lightweight = 5,
    passive_and_active_lightweight = 6,
};

struct SetParameterAttributesStruct {
    std::string name;                              // Name
    bool notification_change = false;              // NotificationChange
    Notification notification = Notification::off;  // Notification
    bool access_list_change = false;               // AccessListChange
    std::vector<std::string> access_list;          // AccessList ("Subscriber")
    bool operator==(const SetParameterAttributesStruct&) const = default;
};

struct ParameterAttributeStruct {
    std::string name;                              // Name
    Notification notification = Notification::off;  // Notification
    std::vector<std::string> access_list;          // AccessList
    bool operator==(const ParameterAttributeStruct&) const = default;
};

// Status of SetParameterValuesResponse, AddObjectResponse, DeleteObjectResponse,
// DownloadResponse: 0 applied, 1 committed but not yet applied (e.g. after a reboot).
enum class Status : int { applied = 0, not_yet_applied = 1 };

// FaultStruct of TransferComplete (TransferCompleteFaultStruct). fault_code 0 = success.
struct TransferCompleteFaultStruct {
    std::uint32_t fault_code = 0;  // FaultCode: 0 or 9001, 9002, 9010-9020, 9800-9899
    std::string fault_string;      // FaultString (<= 256), empty on success
    bool operator==(const TransferCompleteFaultStruct&) const = default;
};

// ---- CPE -> ACS requests and ACS -> CPE responses (§A.3.3) ----

struct Inform {
    DeviceIdStruct device_id;                         // DeviceId
    std::vector<EventStruct> events;                  // Event (0..64)
    std::uint32_t max_envelopes = 1;                  // MaxEnvelopes (1 since CWMP 1.1)
    std::string current_time;                         // CurrentTime (xsd:dateTime)
    std::uint32_t retry_count = 0;                    // RetryCount
    std::vector<ParameterValueStruct> parameter_list;  // ParameterList
    bool operator==(const Inform&) const = default;
};

struct InformResponse {
    std::uint32_t max_envelopes = 1;  // MaxEnvelopes
    bool operator==(const InformResponse&) const = default;
};

struct TransferComplete {
    std::string command_key;                  // CommandKey of the Download
    TransferCompleteFaultStruct fault_struct;  // FaultStruct
    std::string start_time;                   // StartTime (xsd:dateTime, or unknown_time)
    std::string complete_time;                // CompleteTime (xsd:dateTime, or unknown_time)
    bool operator==(const TransferComplete&) const = default;
};

struct TransferCompleteResponse {
    bool operator==(const TransferCompleteResponse&) const = default;
};

// GetRPCMethods goes both ways (§A.3.1.1).
struct GetRPCMethods {
    bool operator==(const GetRPCMethods&) const = default;
};

struct GetRPCMethodsResponse {
    std::vector<std::string> method_list;  // MethodList
    bool operator==(const GetRPCMethodsResponse&) const = default;
};

// ---- ACS -> CPE requests and CPE -> ACS responses (§A.3.2, §A.4.1) ----

struct SetParameterValues {
    std::vector<ParameterValueStruct> parameter_list;  // ParameterList
    std::string parameter_key;                         // ParameterKey (<= 32)
    bool operator==(const SetParameterValues&) const = default;
};

struct SetParameterValuesResponse {
    Status status = Status::applied;  // Status
    bool operator==(const SetParameterValuesResponse&) const = default;
};

struct GetParameterValues {
    std::vector<std::string> parameter_names;  // ParameterNames (names or partial paths)
    bool operator==(const GetParameterValues&) const = default;
};

struct GetParameterValuesResponse {
    std::vector<ParameterValueStruct> parameter_list;  // ParameterList
    bool operator==(const GetParameterValuesResponse&) const = default;
};

struct GetParameterNames {
    std::string parameter_path;  // ParameterPath ("" = whole tree, "X.Y." partial path)
    bool next_level = false;     // NextLevel
    bool operator==(const GetParameterNames&) const = default;
};

struct GetParameterNamesResponse {
    std::vector<ParameterInfoStruct> parameter_list;  // ParameterList
    bool operator==(const GetParameterNamesResponse&) const = default;
};

struct SetParameterAttributes {
    std::vector<SetParameterAttributesStruct> parameter_list;  // ParameterList (>= 1)
    bool operator==(const SetParameterAttributes&) const = default;
};

struct SetParameterAttributesResponse {
    bool operator==(const SetParameterAttributesResponse&) const = default;
};

struct GetParameterAttributes {
    std::vector<std::string> parameter_names;  // ParameterNames
    bool operator==(const GetParameterAttributes&) const = default;
};

struct GetParameterAttributesResponse {
    std::vector<ParameterAttributeStruct> parameter_list;  // ParameterList
    bool operator==(const GetParameterAttributesResponse&) const = default;
};

struct AddObject {
    std::string object_name;    // ObjectName (partial path ending in ".")
    std::string parameter_key;  // ParameterKey
    bool operator==(const AddObject&) const = default;
};

struct AddObjectResponse {
    std::uint32_t instance_number = 1;  // InstanceNumber (>= 1)
    Status status = Status::applied;    // Status
    bool operator==(const AddObjectResponse&) const = default;
};

struct DeleteObject {
    std::string object_name;    // ObjectName (an instance: "X.Y.3.")
    std::string parameter_key;  // ParameterKey
    bool operator==(const DeleteObject&) const = default;
};

struct DeleteObjectResponse {
    Status status = Status::applied;  // Status
    bool operator==(const DeleteObjectResponse&) const = default;
};

struct Download {
    std::string command_key;       // CommandKey
    std::string file_type;         // FileType, e.g. "3 Vendor Configuration File", "X OUI name"
    std::string url;               // URL
    std::string username;          // Username (secret-adjacent: never log with the password)
    std::string password;          // Password (secret: never log)
    std::uint32_t file_size = 0;   // FileSize in bytes, 0 = unknown
    std::string target_file_name;  // TargetFileName
    std::uint32_t delay_seconds = 0;  // DelaySeconds
    std::string success_url;       // SuccessURL
    std::string failure_url;       // FailureURL
    bool operator==(const Download&) const = default;
};

struct DownloadResponse {
    Status status = Status::not_yet_applied;  // Status
    std::string start_time = std::string(unknown_time);     // StartTime (unknown if status 1)
    std::string complete_time = std::string(unknown_time);  // CompleteTime (unknown if status 1)
    bool operator==(const DownloadResponse&) const = default;
};

struct Reboot {
    std::string command_key;  // CommandKey
    bool operator==(const Reboot&) const = default;
};

struct RebootResponse {
    bool operator==(const RebootResponse&) const = default;
};

struct FactoryReset {
    bool operator==(const FactoryReset&) const = default;
};

struct FactoryResetResponse {
    bool operator==(const FactoryResetResponse&) const = default;
};

struct ScheduleInform {
    std::uint32_t delay_seconds = 0;  // DelaySeconds (> 0 per §A.4.1.2)
    std::string command_key;          // CommandKey
    bool operator==(const ScheduleInform&) const = default;
};

struct ScheduleInformResponse {
    bool operator==(const ScheduleInformResponse&) const = default;
};

// ---- faults (§A.5) ----

struct SetParameterValuesFault {
    std::string parameter_name;   // ParameterName
    std::uint32_t fault_code = 0;  // FaultCode (9xxx)
    std::string fault_string;     // FaultString
    bool operator==(const SetParameterValuesFault&) const = default;
};

// detail/cwmp:Fault.
struct CwmpFault {
    std::uint32_t fault_code = 0;  // FaultCode: 9000-9899 from a CPE, 8000-8899 from an ACS
    std::string fault_string;     // FaultString
    std::vector<SetParameterValuesFault> set_parameter_values_faults;  // SetParameterValuesFault
    bool operator==(const CwmpFault&) const = default;
};

// SOAP-ENV:Fault. A CWMP fault is faultcode Client/Server, faultstring "CWMP fault" and the
// cwmp:Fault in detail (§A.5). A MustUnderstand fault carries no detail (SOAP 1.1 §4.4).
struct Fault {
    SoapFaultCode faultcode = SoapFaultCode::server;  // faultcode
    std::string faultstring = "CWMP fault";           // faultstring
    std::optional<CwmpFault> detail;                  // detail/cwmp:Fault
    bool operator==(const Fault&) const = default;
};

// The CWMP fault for `code`, with Table 61's text unless `text` is given.
Fault make_fault(FaultCode code, std::string text = {});

// A body element the codec does not know (e.g. cwmp:Upload, cwmp:ScheduleDownload, or an element
// from another namespace). The session answers it with fault 9000 Method not supported.
struct UnknownMethod {
    std::string name;           // local name, e.g. "Upload"
    std::string namespace_uri;  // namespace of the element as received
    bool operator==(const UnknownMethod&) const = default;
};

// ---- the envelope ----

// SOAP header fields (§A.4.1 ... §3.7.1.4 and Table 33 "SOAP Header Elements").
struct Header {
    std::optional<std::string> id;             // cwmp:ID, sent with mustUnderstand="1"
    std::optional<bool> hold_requests;         // cwmp:HoldRequests (ACS -> CPE), mustUnderstand="1"
    std::optional<bool> no_more_requests;      // cwmp:NoMoreRequests (CWMP 1.0, deprecated)
    std::optional<std::uint32_t> session_timeout;  // cwmp:SessionTimeout (CWMP 1.3+), mustUnderstand="0"
    std::optional<std::string> supported_cwmp_versions;  // cwmp:SupportedCWMPVersions (1.4), "1.0,1.1,..."
    std::optional<std::string> use_cwmp_version;         // cwmp:UseCWMPVersion (1.4), mustUnderstand="1"
    // Header elements with mustUnderstand="1" that we do not implement, as received
    // ("{namespace}name"). Decode only; when non-empty the session must answer with a SOAP Fault
    // whose faultcode is MustUnderstand and must not process the body (SOAP 1.1 §4.2.3).
    std::vector<std::string> not_understood;
    bool operator==(const Header&) const = default;
};

using Body = std::variant<
    Inform, InformResponse, TransferComplete, TransferCompleteResponse, GetRPCMethods,
    GetRPCMethodsResponse, SetParameterValues, SetParameterValuesResponse, GetParameterValues,
    GetParameterValuesResponse, GetParameterNames, GetParameterNamesResponse,
    SetParameterAttributes, SetParameterAttributesResponse, GetParameterAttributes,
    GetParameterAttributesResponse, AddObject, AddObjectResponse, DeleteObject,
    DeleteObjectResponse, Download, DownloadResponse, Reboot, RebootResponse, FactoryReset,
    FactoryResetResponse, ScheduleInform, ScheduleInformResponse, Fault, UnknownMethod>;

// One SOAP envelope with one body element (MaxEnvelopes is 1 in practice; §3.4.1).
struct Envelope {
    Header header;
    Body body;
    // The namespace the peer used. Set by decode(); encode() takes the version as a parameter and
    // ignores this field.
    CwmpVersion version = CwmpVersion::v1_0;
    bool operator==(const Envelope&) const = default;
};

// The body element's name as the schema spells it: "Inform", "GetParameterValuesResponse",
// "Fault"; for UnknownMethod its received name.
std::string_view method_name(const Body& body);

}  // namespace cwmp
