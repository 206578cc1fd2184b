// cwmp::Envelope -> gSOAP's generated structs -> XML text.
#include <cctype>
#include <sstream>
#include <string>
#include <type_traits>
#include <variant>

#include "cwmp/soap/envelope_codec.h"
#include "cwmp/soap/soap_context.h"

namespace cwmp::soap {
namespace {

using common::Errc;

// Everything allocated here is owned by the context and freed with it.
class Writer {
public:
    explicit Writer(struct ::soap* context) : m_soap(context) {}

    std::string* text(const std::string& value) {
        std::string* copy = soap_new_xsd__string(m_soap);
        if (copy) {
            *copy = value;
        }
        return copy;
    }
    char* c_text(std::string_view value) {
        return soap_strdup(m_soap, std::string(value).c_str());
    }

    // gSOAP writes SOAP-ENC:arrayType only for a non-null array, so an empty one gets one unused
    // element to point at.
    template <typename Item, typename New>
    Item* array(std::size_t size, New make) {
        return make(m_soap, static_cast<int>(size == 0 ? 1 : size));
    }

    ::ParameterValueList values(const std::vector<ParameterValueStruct>& list) {
        ::ParameterValueList out{};
        out.__ptrParameterValueStruct =
            array<cwmp__ParameterValueStruct>(list.size(), soap_new_cwmp__ParameterValueStruct);
        out.__size = static_cast<int>(list.size());
        for (std::size_t i = 0; i < list.size(); ++i) {
            auto& item = out.__ptrParameterValueStruct[i];
            item.Name = list[i].name;
            item.Value.__item = list[i].value;
            item.Value.xsi__type = text(std::string(xsi_type_name(list[i].type)));
        }
        return out;
    }

    template <typename List>
    List strings(const std::vector<std::string>& list) {
        List out{};
        out.__ptrstring = array<std::string>(list.size(), soap_new_xsd__string);
        out.__size = static_cast<int>(list.size());
        for (std::size_t i = 0; i < list.size(); ++i) {
            out.__ptrstring[i] = list[i];
        }
        return out;
    }

    struct ::soap* m_soap;
};

// cwmp-1-0.xsd knows fewer fault codes than later namespaces: FaultCode 9000-9013 (+ vendor
// 9800-9899 and the ACS's 8000-8005, 8800-8899), TransferComplete's FaultCode only 0, 9001,
// 9002, 9010, 9011, 9012. Codes TR-069 added later are written as their 1.0 parent: the file
// transfer failures 9013-9019 as 9010 "File transfer failure", anything else as 9002 "Internal
// error". FaultString keeps the caller's text.
std::uint32_t fault_code_in(CwmpVersion version, std::uint32_t code) {
    if (version != CwmpVersion::v1_0 || code <= 9013 || (code >= 9800 && code <= 9899)) {
        return code;
    }
    return code <= 9019 ? 9010 : 9002;
}

std::uint32_t transfer_fault_code_in(CwmpVersion version, std::uint32_t code) {
    if (version != CwmpVersion::v1_0) {
        return code;
    }
    switch (code) {
        case 0: case 9001: case 9002: case 9010: case 9011: case 9012: return code;
        default: return code >= 9013 && code <= 9019 ? 9010 : 9002;
    }
}

int fault_code_qname(SoapFaultCode code, std::string& out) {
    switch (code) {
        case SoapFaultCode::client: out = "SOAP-ENV:Client"; return 0;
        case SoapFaultCode::server: out = "SOAP-ENV:Server"; return 0;
        case SoapFaultCode::must_understand: out = "SOAP-ENV:MustUnderstand"; return 0;
        case SoapFaultCode::version_mismatch: out = "SOAP-ENV:VersionMismatch"; return 0;
    }
    return 1;
}

// Writes the body element; returns gSOAP's error code.
class BodyWriter {
public:
    BodyWriter(Writer& writer, CwmpVersion version) : w(writer), s(writer.m_soap), v(version) {}

    int operator()(const Inform& m) {
        _cwmp__Inform x{};
        x.DeviceId.Manufacturer = m.device_id.manufacturer;
        x.DeviceId.OUI = m.device_id.oui;
        x.DeviceId.ProductClass = m.device_id.product_class;
        x.DeviceId.SerialNumber = m.device_id.serial_number;
        x.Event.__ptrEventStruct =
            w.array<cwmp__EventStruct>(m.events.size(), soap_new_cwmp__EventStruct);
        x.Event.__size = static_cast<int>(m.events.size());
        for (std::size_t i = 0; i < m.events.size(); ++i) {
            x.Event.__ptrEventStruct[i].EventCode = m.events[i].event_code;
            x.Event.__ptrEventStruct[i].CommandKey = m.events[i].command_key;
        }
        x.MaxEnvelopes = m.max_envelopes;
        x.CurrentTime = m.current_time;
        x.RetryCount = m.retry_count;
        x.ParameterList = w.values(m.parameter_list);
        return soap_put__cwmp__Inform(s, &x, "cwmp:Inform", "");
    }
    int operator()(const InformResponse& m) {
        _cwmp__InformResponse x{};
        x.MaxEnvelopes = m.max_envelopes;
        return soap_put__cwmp__InformResponse(s, &x, "cwmp:InformResponse", "");
    }
    int operator()(const TransferComplete& m) {
        _cwmp__TransferComplete x{};
        x.CommandKey = m.command_key;
        x.FaultStruct.FaultCode = transfer_fault_code_in(v, m.fault_struct.fault_code);
        x.FaultStruct.FaultString = m.fault_struct.fault_string;
        x.StartTime = m.start_time;
        x.CompleteTime = m.complete_time;
        return soap_put__cwmp__TransferComplete(s, &x, "cwmp:TransferComplete", "");
    }
    int operator()(const TransferCompleteResponse&) {
        _cwmp__TransferCompleteResponse x{};
        return soap_put__cwmp__TransferCompleteResponse(s, &x, "cwmp:TransferCompleteResponse", "");
    }
    int operator()(const GetRPCMethods&) {
        _cwmp__GetRPCMethods x{};
        return soap_put__cwmp__GetRPCMethods(s, &x, "cwmp:GetRPCMethods", "");
    }
    int operator()(const GetRPCMethodsResponse& m) {
        _cwmp__GetRPCMethodsResponse x{};
        x.MethodList = w.strings<::MethodList>(m.method_list);
        return soap_put__cwmp__GetRPCMethodsResponse(s, &x, "cwmp:GetRPCMethodsResponse", "");
    }
    int operator()(const SetParameterValues& m) {
        _cwmp__SetParameterValues x{};
        x.ParameterList = w.values(m.parameter_list);
        x.ParameterKey = m.parameter_key;
        return soap_put__cwmp__SetParameterValues(s, &x, "cwmp:SetParameterValues", "");
    }
    int operator()(const SetParameterValuesResponse& m) {
        _cwmp__SetParameterValuesResponse x{};
        x.Status = static_cast<int>(m.status);
        return soap_put__cwmp__SetParameterValuesResponse(s, &x, "cwmp:SetParameterValuesResponse", "");
    }
    int operator()(const GetParameterValues& m) {
        _cwmp__GetParameterValues x{};
        x.ParameterNames = w.strings<::ParameterNames>(m.parameter_names);
        return soap_put__cwmp__GetParameterValues(s, &x, "cwmp:GetParameterValues", "");
    }
    int operator()(const GetParameterValuesResponse& m) {
        _cwmp__GetParameterValuesResponse x{};
        x.ParameterList = w.values(m.parameter_list);
        return soap_put__cwmp__GetParameterValuesResponse(s, &x, "cwmp:GetParameterValuesResponse", "");
    }
    int operator()(const GetParameterNames& m) {
        _cwmp__GetParameterNames x{};
        x.ParameterPath = m.parameter_path;
        x.NextLevel = m.next_level;
        return soap_put__cwmp__GetParameterNames(s, &x, "cwmp:GetParameterNames", "");
    }
    int operator()(const GetParameterNamesResponse& m) {
        _cwmp__GetParameterNamesResponse x{};
        x.ParameterList.__ptrParameterInfoStruct = w.array<cwmp__ParameterInfoStruct>(
            m.parameter_list.size(), soap_new_cwmp__ParameterInfoStruct);
        x.ParameterList.__size = static_cast<int>(m.parameter_list.size());
        for (std::size_t i = 0; i < m.parameter_list.size(); ++i) {
            x.ParameterList.__ptrParameterInfoStruct[i].Name = m.parameter_list[i].name;
            x.ParameterList.__ptrParameterInfoStruct[i].Writable = m.parameter_list[i].writable;
        }
        return soap_put__cwmp__GetParameterNamesResponse(s, &x, "cwmp:GetParameterNamesResponse", "");
    }
    int operator()(const SetParameterAttributes& m) {
        _cwmp__SetParameterAttributes x{};
        x.ParameterList.__ptrSetParameterAttributesStruct = w.array<cwmp__SetParameterAttributesStruct>(
            m.parameter_list.size(), soap_new_cwmp__SetParameterAttributesStruct);
        x.ParameterList.__size = static_cast<int>(m.parameter_list.size());
        for (std::size_t i = 0; i < m.parameter_list.size(); ++i) {
            const auto& in = m.parameter_list[i];
            auto& out = x.ParameterList.__ptrSetParameterAttributesStruct[i];
            out.Name = in.name;
            out.NotificationChange = in.notification_change;
            out.Notification = static_cast<int>(in.notification);
            out.AccessListChange = in.access_list_change;
            out.AccessList = w.strings<::AccessList>(in.access_list);
        }
        return soap_put__cwmp__SetParameterAttributes(s, &x, "cwmp:SetParameterAttributes", "");
    }
    int operator()(const SetParameterAttributesResponse&) {
        _cwmp__SetParameterAttributesResponse x{};
        return soap_put__cwmp__SetParameterAttributesResponse(s, &x, "cwmp:SetParameterAttributesResponse", "");
    }
    int operator()(const GetParameterAttributes& m) {
        _cwmp__GetParameterAttributes x{};
        x.ParameterNames = w.strings<::ParameterNames>(m.parameter_names);
        return soap_put__cwmp__GetParameterAttributes(s, &x, "cwmp:GetParameterAttributes", "");
    }
    int operator()(const GetParameterAttributesResponse& m) {
        _cwmp__GetParameterAttributesResponse x{};
        x.ParameterList.__ptrParameterAttributeStruct = w.array<cwmp__ParameterAttributeStruct>(
            m.parameter_list.size(), soap_new_cwmp__ParameterAttributeStruct);
        x.ParameterList.__size = static_cast<int>(m.parameter_list.size());
        for (std::size_t i = 0; i < m.parameter_list.size(); ++i) {
            const auto& in = m.parameter_list[i];
            auto& out = x.ParameterList.__ptrParameterAttributeStruct[i];
            out.Name = in.name;
            out.Notification = static_cast<int>(in.notification);
            out.AccessList = w.strings<::AccessList>(in.access_list);
        }
        return soap_put__cwmp__GetParameterAttributesResponse(s, &x, "cwmp:GetParameterAttributesResponse", "");
    }
    int operator()(const AddObject& m) {
        _cwmp__AddObject x{};
        x.ObjectName = m.object_name;
        x.ParameterKey = m.parameter_key;
        return soap_put__cwmp__AddObject(s, &x, "cwmp:AddObject", "");
    }
    int operator()(const AddObjectResponse& m) {
        _cwmp__AddObjectResponse x{};
        x.InstanceNumber = m.instance_number;
        x.Status = static_cast<int>(m.status);
        return soap_put__cwmp__AddObjectResponse(s, &x, "cwmp:AddObjectResponse", "");
    }
    int operator()(const DeleteObject& m) {
        _cwmp__DeleteObject x{};
        x.ObjectName = m.object_name;
        x.ParameterKey = m.parameter_key;
        return soap_put__cwmp__DeleteObject(s, &x, "cwmp:DeleteObject", "");
    }
    int operator()(const DeleteObjectResponse& m) {
        _cwmp__DeleteObjectResponse x{};
        x.Status = static_cast<int>(m.status);
        return soap_put__cwmp__DeleteObjectResponse(s, &x, "cwmp:DeleteObjectResponse", "");
    }
    int operator()(const Download& m) {
        _cwmp__Download x{};
        x.CommandKey = m.command_key;
        x.FileType = m.file_type;
        x.URL = m.url;
        x.Username = m.username;
        x.Password = m.password;
        x.FileSize = m.file_size;
        x.TargetFileName = m.target_file_name;
        x.DelaySeconds = m.delay_seconds;
        x.SuccessURL = m.success_url;
        x.FailureURL = m.failure_url;
        return soap_put__cwmp__Download(s, &x, "cwmp:Download", "");
    }
    int operator()(const DownloadResponse& m) {
        _cwmp__DownloadResponse x{};
        x.Status = static_cast<int>(m.status);
        x.StartTime = m.start_time;
        x.CompleteTime = m.complete_time;
        return soap_put__cwmp__DownloadResponse(s, &x, "cwmp:DownloadResponse", "");
    }
    int operator()(const Reboot& m) {
        _cwmp__Reboot x{};
        x.CommandKey = m.command_key;
        return soap_put__cwmp__Reboot(s, &x, "cwmp:Reboot", "");
    }
    int operator()(const RebootResponse&) {
        _cwmp__RebootResponse x{};
        return soap_put__cwmp__RebootResponse(s, &x, "cwmp:RebootResponse", "");
    }
    int operator()(const FactoryReset&) {
        _cwmp__FactoryReset x{};
        return soap_put__cwmp__FactoryReset(s, &x, "cwmp:FactoryReset", "");
    }
    int operator()(const FactoryResetResponse&) {
        _cwmp__FactoryResetResponse x{};
        return soap_put__cwmp__FactoryResetResponse(s, &x, "cwmp:FactoryResetResponse", "");
    }
    int operator()(const ScheduleInform& m) {
        _cwmp__ScheduleInform x{};
        x.DelaySeconds = m.delay_seconds;
        x.CommandKey = m.command_key;
        return soap_put__cwmp__ScheduleInform(s, &x, "cwmp:ScheduleInform", "");
    }
    int operator()(const ScheduleInformResponse&) {
        _cwmp__ScheduleInformResponse x{};
        return soap_put__cwmp__ScheduleInformResponse(s, &x, "cwmp:ScheduleInformResponse", "");
    }
    int operator()(const Fault& m) {
        SOAP_ENV__Fault x{};
        std::string code;
        fault_code_qname(m.faultcode, code);
        x.faultcode = w.c_text(code);
        x.faultstring = w.c_text(m.faultstring);
        if (m.detail) {
            auto* detail = soap_new_SOAP_ENV__Detail(s);
            auto* cwmp_fault = soap_new__cwmp__Fault(s);
            if (!detail || !cwmp_fault) {
                return SOAP_EOM;
            }
            cwmp_fault->FaultCode = fault_code_in(v, m.detail->fault_code);
            cwmp_fault->FaultString = w.text(m.detail->fault_string);
            const auto& spv = m.detail->set_parameter_values_faults;
            cwmp_fault->__sizeSetParameterValuesFault = static_cast<int>(spv.size());
            if (!spv.empty()) {
                cwmp_fault->SetParameterValuesFault =
                    soap_new_cwmp__SetParameterValuesFault(s, static_cast<int>(spv.size()));
                for (std::size_t i = 0; i < spv.size(); ++i) {
                    auto& out = cwmp_fault->SetParameterValuesFault[i];
                    out.ParameterName = w.c_text(spv[i].parameter_name);
                    out.FaultCode = fault_code_in(v, spv[i].fault_code);
                    out.FaultString = w.c_text(spv[i].fault_string);
                }
            }
            detail->cwmp__Fault = cwmp_fault;
            x.detail = detail;
        }
        return soap_put_SOAP_ENV__Fault(s, &x, "SOAP-ENV:Fault", "");
    }
    int operator()(const UnknownMethod&) { return SOAP_TYPE; }

private:
    Writer& w;
    struct ::soap* s;
    CwmpVersion v;
};

// True if `xml` is well-formed UTF-8 and gSOAP wrote no character reference to a C0 control other
// than tab, newline and carriage return (XML 1.0 §2.2 forbids them even as references).
bool valid_xml_text(std::string_view xml) {
    std::size_t i = 0;
    while (i < xml.size()) {
        const auto c = static_cast<unsigned char>(xml[i]);
        if (c < 0x80) {
            if (c == '&' && xml.substr(i, 3) == "&#x") {
                unsigned long value = 0;
                std::size_t k = i + 3;
                while (k < xml.size() && k < i + 12 && std::isxdigit(static_cast<unsigned char>(xml[k]))) {
                    value = value * 16 + static_cast<unsigned long>(std::stoi(std::string(1, xml[k]), nullptr, 16));
                    ++k;
                }
                if (value < 0x20 && value != 0x9 && value != 0xA && value != 0xD) {
                    return false;
                }
            }
            ++i;
            continue;
        }
        std::size_t length = 0;
        if ((c & 0xE0) == 0xC0 && c >= 0xC2) {
            length = 2;
        } else if ((c & 0xF0) == 0xE0) {
            length = 3;
        } else if ((c & 0xF8) == 0xF0 && c <= 0xF4) {
            length = 4;
        } else {
            return false;
        }
        if (i + length > xml.size()) {
            return false;
        }
        for (std::size_t k = 1; k < length; ++k) {
            if ((static_cast<unsigned char>(xml[i + k]) & 0xC0) != 0x80) {
                return false;
            }
        }
        i += length;
    }
    return true;
}

}  // namespace

common::Result<std::string> write_envelope(const Envelope& envelope, CwmpVersion version) {
    if (std::holds_alternative<UnknownMethod>(envelope.body)) {
        return common::fail(Errc::invalid_argument, "SOAP encode: UnknownMethod cannot be sent");
    }
    Context context = make_context(version);
    if (!context) {
        return common::fail(Errc::internal, "SOAP encode: out of memory");
    }
    struct ::soap* s = context.get();
    Writer writer(s);

    SOAP_ENV__Header header{};
    const Header& h = envelope.header;
    bool has_header = false;
    if (h.id) {
        header.cwmp__ID = writer.text(*h.id);
        has_header = true;
    }
    if (h.hold_requests) {
        header.cwmp__HoldRequests = soap_new_xsd__boolean(s);
        *header.cwmp__HoldRequests = *h.hold_requests;
        has_header = true;
    }
    if (h.no_more_requests) {
        header.cwmp__NoMoreRequests = soap_new_xsd__boolean(s);
        *header.cwmp__NoMoreRequests = *h.no_more_requests;
        has_header = true;
    }
    if (h.session_timeout) {
        header.cwmp__SessionTimeout = soap_new_xsd__unsignedInt(s);
        *header.cwmp__SessionTimeout = *h.session_timeout;
        has_header = true;
    }
    if (h.supported_cwmp_versions) {
        header.cwmp__SupportedCWMPVersions = writer.text(*h.supported_cwmp_versions);
        has_header = true;
    }
    if (h.use_cwmp_version) {
        header.cwmp__UseCWMPVersion = writer.text(*h.use_cwmp_version);
        has_header = true;
    }
    s->header = has_header ? &header : nullptr;
    // SOAP encoding (arrays with SOAP-ENC:arrayType), declared on Body.
    s->encodingStyle = "";

    std::ostringstream out;
    s->os = &out;
    BodyWriter body(writer, version);
    if (soap_begin_send(s) || soap_envelope_begin_out(s) || soap_putheader(s) ||
        soap_body_begin_out(s) || std::visit(body, envelope.body) || soap_body_end_out(s) ||
        soap_envelope_end_out(s) || soap_end_send(s)) {
        return common::fail(Errc::internal, "SOAP encode: " + describe_error(s));
    }
    s->os = nullptr;
    s->header = nullptr;
    std::string xml = std::move(out).str();
    if (!valid_xml_text(xml)) {
        return common::fail(Errc::invalid_argument,
                            "SOAP encode: a text is not UTF-8 or holds a control character XML cannot carry");
    }
    return xml;
}

}  // namespace cwmp::soap
