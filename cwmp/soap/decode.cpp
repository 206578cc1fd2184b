// XML text -> gSOAP's generated structs -> cwmp::Envelope.
#include <cstring>
#include <sstream>
#include <string>
#include <utility>
#include <variant>

#include "cwmp/soap/envelope_codec.h"
#include "cwmp/soap/soap_context.h"

namespace cwmp::soap {
namespace {

using common::Errc;
using common::Result;

// What the ignore hook collects while gSOAP parses.
struct ParseState {
    std::vector<std::string> not_understood;
};

std::string qualified_name(struct ::soap* s, const char* tag) {
    const char* uri = soap_current_namespace_tag(s, tag);
    const char* colon = std::strchr(tag, ':');
    const char* local = colon ? colon + 1 : tag;
    return "{" + std::string(uri ? uri : "") + "}" + local;
}

// Called by gSOAP for every element it has no type for. Unknown header entries with
// mustUnderstand="1" are recorded (SOAP 1.1 §4.2.3); everything else unknown is skipped, as
// TR-069 §A.2.1 asks receivers to ignore unknown elements.
int on_unknown_element(struct ::soap* s, const char* tag) {
    auto* state = static_cast<ParseState*>(s->user);
    if (state && s->part == SOAP_IN_HEADER && s->mustUnderstand) {
        state->not_understood.push_back(qualified_name(s, tag));
    }
    return SOAP_OK;
}

common::Unexpected soap_failure(struct ::soap* s, std::string_view what) {
    Errc code = Errc::parse;
    std::string reason;
    switch (s->error) {
        case SOAP_EOF: reason = "truncated or empty input"; break;
        case SOAP_LEVEL: reason = "elements nested too deep"; code = Errc::protocol; break;
        case SOAP_LENGTH: reason = "a text or array exceeds the limit"; code = Errc::protocol; break;
        case SOAP_OCCURS: reason = "too many or too few elements"; break;
        case SOAP_VERSIONMISMATCH: reason = "not a SOAP 1.1 envelope (VersionMismatch)"; code = Errc::protocol; break;
        case SOAP_TAG_MISMATCH: reason = "unexpected element"; break;
        case SOAP_NO_TAG: reason = "missing element"; break;
        case SOAP_TYPE: reason = "a value does not parse as its type"; break;
        case SOAP_SYNTAX_ERROR: reason = "XML syntax error"; break;
        default: reason = "malformed XML"; break;
    }
    std::string message = "SOAP decode: " + std::string(what) + ": " + reason;
    if (*s->tag) {
        message += " at <" + std::string(s->tag) + ">";
    }
    message += " (" + describe_error(s) + ")";
    return common::fail(code, std::move(message));
}

Result<ValueType> value_type(const std::string* xsi_type) {
    if (!xsi_type || xsi_type->empty()) {
        return ValueType::string;  // TR-069 requires xsi:type; an ACS that omits it means string
    }
    // Compare by local name: peers bind xsd/xs/SOAP-ENC prefixes as they like.
    const auto colon = xsi_type->find(':');
    const std::string local = colon == std::string::npos ? *xsi_type : xsi_type->substr(colon + 1);
    static constexpr std::pair<std::string_view, ValueType> names[] = {
        {"string", ValueType::string},       {"int", ValueType::int_},
        {"unsignedInt", ValueType::unsignedInt}, {"boolean", ValueType::boolean},
        {"dateTime", ValueType::dateTime},   {"base64", ValueType::base64},
        {"base64Binary", ValueType::base64}, {"long", ValueType::long_},
        {"unsignedLong", ValueType::unsignedLong}, {"hexBinary", ValueType::hexBinary},
    };
    for (const auto& [name, type] : names) {
        if (local == name) {
            return type;
        }
    }
    return common::fail(Errc::parse, "SOAP decode: unsupported xsi:type \"" + *xsi_type + "\"");
}

Result<std::vector<ParameterValueStruct>> values(const ::ParameterValueList& list) {
    std::vector<ParameterValueStruct> out;
    out.reserve(static_cast<std::size_t>(list.__size > 0 ? list.__size : 0));
    for (int i = 0; i < list.__size; ++i) {
        const auto& item = list.__ptrParameterValueStruct[i];
        auto type = value_type(item.Value.xsi__type);
        if (!type) {
            return std::move(type).error().with_context(item.Name);
        }
        out.push_back({item.Name, item.Value.__item, *type});
    }
    return out;
}

template <typename List>
std::vector<std::string> strings(const List& list) {
    std::vector<std::string> out;
    for (int i = 0; i < list.__size; ++i) {
        out.push_back(list.__ptrstring[i]);
    }
    return out;
}

Result<Status> status(int value) {
    if (value != 0 && value != 1) {
        return common::fail(Errc::parse, "SOAP decode: Status " + std::to_string(value) + " is not 0 or 1");
    }
    return static_cast<Status>(value);
}

Result<Notification> notification(int value) {
    if (value < 0 || value > 6) {
        return common::fail(Errc::parse,
                            "SOAP decode: Notification " + std::to_string(value) + " is not 0..6");
    }
    return static_cast<Notification>(value);
}

SoapFaultCode soap_fault_code(struct ::soap* s, const char* qname) {
    if (!qname) {
        return SoapFaultCode::server;
    }
    if (!soap_match_tag(s, qname, "SOAP-ENV:Client") || !std::strcmp(qname, "Client")) {
        return SoapFaultCode::client;
    }
    if (!soap_match_tag(s, qname, "SOAP-ENV:MustUnderstand")) {
        return SoapFaultCode::must_understand;
    }
    if (!soap_match_tag(s, qname, "SOAP-ENV:VersionMismatch")) {
        return SoapFaultCode::version_mismatch;
    }
    return SoapFaultCode::server;
}

// Reads one generated element type with `in` and converts it with `convert`.
template <typename Generated, typename In, typename Convert>
Result<Body> read(struct ::soap* s, const char* tag, In in, Convert convert) {
    Generated x{};
    if (!in(s, tag, &x, nullptr)) {
        return soap_failure(s, tag);
    }
    return convert(x);
}

Result<Body> read_body_element(struct ::soap* s) {
    const auto is = [s](const char* tag) { return soap_match_tag(s, s->tag, tag) == SOAP_OK; };

    if (is("cwmp:Inform")) {
        return read<_cwmp__Inform>(s, "cwmp:Inform", soap_in__cwmp__Inform, [](const _cwmp__Inform& x) -> Result<Body> {
            Inform m;
            m.device_id = {x.DeviceId.Manufacturer, x.DeviceId.OUI, x.DeviceId.ProductClass, x.DeviceId.SerialNumber};
            for (int i = 0; i < x.Event.__size; ++i) {
                m.events.push_back({x.Event.__ptrEventStruct[i].EventCode, x.Event.__ptrEventStruct[i].CommandKey});
            }
            m.max_envelopes = x.MaxEnvelopes;
            m.current_time = x.CurrentTime;
            m.retry_count = x.RetryCount;
            auto list = values(x.ParameterList);
            if (!list) {
                return std::move(list).error();
            }
            m.parameter_list = std::move(*list);
            return Body(std::move(m));
        });
    }
    if (is("cwmp:InformResponse")) {
        return read<_cwmp__InformResponse>(s, "cwmp:InformResponse", soap_in__cwmp__InformResponse,
            [](const auto& x) -> Result<Body> { return Body(InformResponse{x.MaxEnvelopes}); });
    }
    if (is("cwmp:TransferComplete")) {
        return read<_cwmp__TransferComplete>(s, "cwmp:TransferComplete", soap_in__cwmp__TransferComplete,
            [](const auto& x) -> Result<Body> {
                return Body(TransferComplete{x.CommandKey, {x.FaultStruct.FaultCode, x.FaultStruct.FaultString},
                                             x.StartTime, x.CompleteTime});
            });
    }
    if (is("cwmp:TransferCompleteResponse")) {
        return read<_cwmp__TransferCompleteResponse>(s, "cwmp:TransferCompleteResponse",
            soap_in__cwmp__TransferCompleteResponse, [](const auto&) -> Result<Body> { return Body(TransferCompleteResponse{}); });
    }
    if (is("cwmp:GetRPCMethods")) {
        return read<_cwmp__GetRPCMethods>(s, "cwmp:GetRPCMethods", soap_in__cwmp__GetRPCMethods,
            [](const auto&) -> Result<Body> { return Body(GetRPCMethods{}); });
    }
    if (is("cwmp:GetRPCMethodsResponse")) {
        return read<_cwmp__GetRPCMethodsResponse>(s, "cwmp:GetRPCMethodsResponse", soap_in__cwmp__GetRPCMethodsResponse,
            [](const auto& x) -> Result<Body> { return Body(GetRPCMethodsResponse{strings(x.MethodList)}); });
    }
    if (is("cwmp:SetParameterValues")) {
        return read<_cwmp__SetParameterValues>(s, "cwmp:SetParameterValues", soap_in__cwmp__SetParameterValues,
            [](const auto& x) -> Result<Body> {
                auto list = values(x.ParameterList);
                if (!list) {
                    return std::move(list).error();
                }
                return Body(SetParameterValues{std::move(*list), x.ParameterKey});
            });
    }
    if (is("cwmp:SetParameterValuesResponse")) {
        return read<_cwmp__SetParameterValuesResponse>(s, "cwmp:SetParameterValuesResponse",
            soap_in__cwmp__SetParameterValuesResponse, [](const auto& x) -> Result<Body> {
                auto st = status(x.Status);
                if (!st) {
                    return std::move(st).error();
                }
                return Body(SetParameterValuesResponse{*st});
            });
    }
    if (is("cwmp:GetParameterValues")) {
        return read<_cwmp__GetParameterValues>(s, "cwmp:GetParameterValues", soap_in__cwmp__GetParameterValues,
            [](const auto& x) -> Result<Body> { return Body(GetParameterValues{strings(x.ParameterNames)}); });
    }
    if (is("cwmp:GetParameterValuesResponse")) {
        return read<_cwmp__GetParameterValuesResponse>(s, "cwmp:GetParameterValuesResponse",
            soap_in__cwmp__GetParameterValuesResponse, [](const auto& x) -> Result<Body> {
                auto list = values(x.ParameterList);
                if (!list) {
                    return std::move(list).error();
                }
                return Body(GetParameterValuesResponse{std::move(*list)});
            });
    }
    if (is("cwmp:GetParameterNames")) {
        return read<_cwmp__GetParameterNames>(s, "cwmp:GetParameterNames", soap_in__cwmp__GetParameterNames,
            [](const auto& x) -> Result<Body> { return Body(GetParameterNames{x.ParameterPath, x.NextLevel}); });
    }
    if (is("cwmp:GetParameterNamesResponse")) {
        return read<_cwmp__GetParameterNamesResponse>(s, "cwmp:GetParameterNamesResponse",
            soap_in__cwmp__GetParameterNamesResponse, [](const auto& x) -> Result<Body> {
                GetParameterNamesResponse m;
                for (int i = 0; i < x.ParameterList.__size; ++i) {
                    const auto& item = x.ParameterList.__ptrParameterInfoStruct[i];
                    m.parameter_list.push_back({item.Name, item.Writable});
                }
                return Body(std::move(m));
            });
    }
    if (is("cwmp:SetParameterAttributes")) {
        return read<_cwmp__SetParameterAttributes>(s, "cwmp:SetParameterAttributes",
            soap_in__cwmp__SetParameterAttributes, [](const auto& x) -> Result<Body> {
                SetParameterAttributes m;
                for (int i = 0; i < x.ParameterList.__size; ++i) {
                    const auto& item = x.ParameterList.__ptrSetParameterAttributesStruct[i];
                    auto n = notification(item.Notification);
                    if (!n) {
                        return std::move(n).error().with_context(item.Name);
                    }
                    m.parameter_list.push_back({item.Name, item.NotificationChange, *n,
                                                item.AccessListChange, strings(item.AccessList)});
                }
                return Body(std::move(m));
            });
    }
    if (is("cwmp:SetParameterAttributesResponse")) {
        return read<_cwmp__SetParameterAttributesResponse>(s, "cwmp:SetParameterAttributesResponse",
            soap_in__cwmp__SetParameterAttributesResponse,
            [](const auto&) -> Result<Body> { return Body(SetParameterAttributesResponse{}); });
    }
    if (is("cwmp:GetParameterAttributes")) {
        return read<_cwmp__GetParameterAttributes>(s, "cwmp:GetParameterAttributes",
            soap_in__cwmp__GetParameterAttributes,
            [](const auto& x) -> Result<Body> { return Body(GetParameterAttributes{strings(x.ParameterNames)}); });
    }
    if (is("cwmp:GetParameterAttributesResponse")) {
        return read<_cwmp__GetParameterAttributesResponse>(s, "cwmp:GetParameterAttributesResponse",
            soap_in__cwmp__GetParameterAttributesResponse, [](const auto& x) -> Result<Body> {
                GetParameterAttributesResponse m;
                for (int i = 0; i < x.ParameterList.__size; ++i) {
                    const auto& item = x.ParameterList.__ptrParameterAttributeStruct[i];
                    auto n = notification(item.Notification);
                    if (!n) {
                        return std::move(n).error().with_context(item.Name);
                    }
                    m.parameter_list.push_back({item.Name, *n, strings(item.AccessList)});
                }
                return Body(std::move(m));
            });
    }
    if (is("cwmp:AddObject")) {
        return read<_cwmp__AddObject>(s, "cwmp:AddObject", soap_in__cwmp__AddObject,
            [](const auto& x) -> Result<Body> { return Body(AddObject{x.ObjectName, x.ParameterKey}); });
    }
    if (is("cwmp:AddObjectResponse")) {
        return read<_cwmp__AddObjectResponse>(s, "cwmp:AddObjectResponse", soap_in__cwmp__AddObjectResponse,
            [](const auto& x) -> Result<Body> {
                auto st = status(x.Status);
                if (!st) {
                    return std::move(st).error();
                }
                return Body(AddObjectResponse{x.InstanceNumber, *st});
            });
    }
    if (is("cwmp:DeleteObject")) {
        return read<_cwmp__DeleteObject>(s, "cwmp:DeleteObject", soap_in__cwmp__DeleteObject,
            [](const auto& x) -> Result<Body> { return Body(DeleteObject{x.ObjectName, x.ParameterKey}); });
    }
    if (is("cwmp:DeleteObjectResponse")) {
        return read<_cwmp__DeleteObjectResponse>(s, "cwmp:DeleteObjectResponse", soap_in__cwmp__DeleteObjectResponse,
            [](const auto& x) -> Result<Body> {
                auto st = status(x.Status);
                if (!st) {
                    return std::move(st).error();
                }
                return Body(DeleteObjectResponse{*st});
            });
    }
    if (is("cwmp:Download")) {
        return read<_cwmp__Download>(s, "cwmp:Download", soap_in__cwmp__Download, [](const auto& x) -> Result<Body> {
            return Body(Download{x.CommandKey, x.FileType, x.URL, x.Username, x.Password, x.FileSize,
                                 x.TargetFileName, x.DelaySeconds, x.SuccessURL, x.FailureURL});
        });
    }
    if (is("cwmp:DownloadResponse")) {
        return read<_cwmp__DownloadResponse>(s, "cwmp:DownloadResponse", soap_in__cwmp__DownloadResponse,
            [](const auto& x) -> Result<Body> {
                auto st = status(x.Status);
                if (!st) {
                    return std::move(st).error();
                }
                return Body(DownloadResponse{*st, x.StartTime, x.CompleteTime});
            });
    }
    if (is("cwmp:Reboot")) {
        return read<_cwmp__Reboot>(s, "cwmp:Reboot", soap_in__cwmp__Reboot,
            [](const auto& x) -> Result<Body> { return Body(Reboot{x.CommandKey}); });
    }
    if (is("cwmp:RebootResponse")) {
        return read<_cwmp__RebootResponse>(s, "cwmp:RebootResponse", soap_in__cwmp__RebootResponse,
            [](const auto&) -> Result<Body> { return Body(RebootResponse{}); });
    }
    if (is("cwmp:FactoryReset")) {
        return read<_cwmp__FactoryReset>(s, "cwmp:FactoryReset", soap_in__cwmp__FactoryReset,
            [](const auto&) -> Result<Body> { return Body(FactoryReset{}); });
    }
    if (is("cwmp:FactoryResetResponse")) {
        return read<_cwmp__FactoryResetResponse>(s, "cwmp:FactoryResetResponse", soap_in__cwmp__FactoryResetResponse,
            [](const auto&) -> Result<Body> { return Body(FactoryResetResponse{}); });
    }
    if (is("cwmp:ScheduleInform")) {
        return read<_cwmp__ScheduleInform>(s, "cwmp:ScheduleInform", soap_in__cwmp__ScheduleInform,
            [](const auto& x) -> Result<Body> { return Body(ScheduleInform{x.DelaySeconds, x.CommandKey}); });
    }
    if (is("cwmp:ScheduleInformResponse")) {
        return read<_cwmp__ScheduleInformResponse>(s, "cwmp:ScheduleInformResponse",
            soap_in__cwmp__ScheduleInformResponse,
            [](const auto&) -> Result<Body> { return Body(ScheduleInformResponse{}); });
    }
    if (is("SOAP-ENV:Fault")) {
        return read<SOAP_ENV__Fault>(s, "SOAP-ENV:Fault", soap_in_SOAP_ENV__Fault, [s](const SOAP_ENV__Fault& x) -> Result<Body> {
            Fault m;
            m.faultcode = soap_fault_code(s, x.faultcode);
            m.faultstring = x.faultstring ? x.faultstring : "";
            if (x.detail && x.detail->cwmp__Fault) {
                const auto& f = *x.detail->cwmp__Fault;
                CwmpFault detail{f.FaultCode, f.FaultString ? *f.FaultString : "", {}};
                for (int i = 0; i < f.__sizeSetParameterValuesFault; ++i) {
                    const auto& spv = f.SetParameterValuesFault[i];
                    detail.set_parameter_values_faults.push_back(
                        {spv.ParameterName ? spv.ParameterName : "", spv.FaultCode,
                         spv.FaultString ? spv.FaultString : ""});
                }
                m.detail = std::move(detail);
            }
            return Body(std::move(m));
        });
    }
    // Not ours: report it and skip its content.
    const char* uri = soap_current_namespace_tag(s, s->tag);
    const char* colon = std::strchr(s->tag, ':');
    UnknownMethod unknown{colon ? colon + 1 : s->tag, uri ? uri : ""};
    if (soap_ignore_element(s)) {
        return soap_failure(s, "unknown body element");
    }
    return Body(std::move(unknown));
}

bool accepted_namespace(std::string_view uri) {
    for (std::string_view known : {"urn:dslforum-org:cwmp-1-0", "urn:dslforum-org:cwmp-1-1", "urn:dslforum-org:cwmp-1-2",
                                   "urn:dslforum-org:cwmp-1-3", "urn:dslforum-org:cwmp-1-4"}) {
        if (uri == known) {
            return true;
        }
    }
    return false;
}

Result<CwmpVersion> peer_version(struct ::soap* s) {
    const char* used = s->local_namespaces ? s->local_namespaces[cwmp_namespace_index].out : nullptr;
    if (!used) {
        used = s->local_namespaces ? s->local_namespaces[cwmp_namespace_index].ns : nullptr;
    }
    const std::string_view uri = used ? used : "";
    if (uri == "urn:dslforum-org:cwmp-1-0") {
        return CwmpVersion::v1_0;
    }
    if (uri == "urn:dslforum-org:cwmp-1-1") {
        return CwmpVersion::v1_1;
    }
    if (uri == "urn:dslforum-org:cwmp-1-2" || uri == "urn:dslforum-org:cwmp-1-3" ||
        uri == "urn:dslforum-org:cwmp-1-4") {
        return CwmpVersion::v1_2;
    }
    return common::fail(Errc::protocol, "SOAP decode: unsupported cwmp namespace \"" + std::string(uri) + "\"");
}

}  // namespace

Result<Envelope> read_envelope(std::string_view xml, const DecodeLimits& limits) {
    Context context = make_context(CwmpVersion::v1_0);
    if (!context) {
        return common::fail(Errc::internal, "SOAP decode: out of memory");
    }
    struct ::soap* s = context.get();
    ParseState state;
    s->user = &state;
    s->fignore = on_unknown_element;
    s->maxlevel = limits.max_depth;
    s->maxlength = static_cast<long>(limits.max_text);
    s->maxoccurs = limits.max_elements;
    s->recv_maxlength = xml.size() + 1;

    std::istringstream in{std::string(xml)};
    s->is = &in;

    // gSOAP lets plain XML without an Envelope or Body through (REST); CWMP does not.
    if (soap_begin_recv(s) || soap_peek_element(s)) {
        return soap_failure(s, "envelope");
    }
    if (soap_match_tag(s, s->tag, "SOAP-ENV:Envelope")) {
        const char* colon = std::strchr(s->tag, ':');
        if (std::strcmp(colon ? colon + 1 : s->tag, "Envelope") == 0) {
            return common::fail(Errc::protocol, "SOAP decode: an Envelope that is not SOAP 1.1 (VersionMismatch): " +
                                                    qualified_name(s, s->tag));
        }
        return common::fail(Errc::protocol, "SOAP decode: the root element " + qualified_name(s, s->tag) +
                                                " is not a SOAP 1.1 Envelope");
    }
    if (soap_envelope_begin_in(s)) {
        return soap_failure(s, "envelope");
    }
    if (soap_recv_header(s)) {
        return soap_failure(s, "header");
    }
    if (soap_peek_element(s) || soap_match_tag(s, s->tag, "SOAP-ENV:Body")) {
        return common::fail(Errc::protocol, "SOAP decode: no SOAP 1.1 Body in the Envelope");
    }
    if (soap_body_begin_in(s)) {
        return soap_failure(s, "body");
    }
    if (soap_peek_element(s)) {
        if (s->error == SOAP_NO_TAG) {
            return common::fail(Errc::protocol, "SOAP decode: empty Body");
        }
        return soap_failure(s, "body");
    }
    auto body = read_body_element(s);
    if (!body) {
        return std::move(body).error();
    }
    if (const auto* unknown = std::get_if<UnknownMethod>(&*body);
        unknown && unknown->namespace_uri.starts_with("urn:dslforum-org:cwmp-") &&
        !accepted_namespace(unknown->namespace_uri)) {
        return common::fail(Errc::protocol, "SOAP decode: unsupported cwmp namespace \"" + unknown->namespace_uri + "\"");
    }
    // One RPC per envelope (MaxEnvelopes 1): the next thing must be </Body>.
    if (soap_peek_element(s) == SOAP_OK) {
        return common::fail(Errc::protocol, "SOAP decode: more than one body element (" + qualified_name(s, s->tag) + ")");
    }
    s->error = SOAP_OK;
    if (soap_body_end_in(s) || soap_envelope_end_in(s) || soap_end_recv(s)) {
        return soap_failure(s, "end of envelope (more than one body element?)");
    }

    Envelope envelope{Header{}, std::move(*body), CwmpVersion::v1_0};
    if (const SOAP_ENV__Header* h = s->header) {
        Header& out = envelope.header;
        if (h->cwmp__ID) {
            out.id = *h->cwmp__ID;
        }
        if (h->cwmp__HoldRequests) {
            out.hold_requests = *h->cwmp__HoldRequests;
        }
        if (h->cwmp__NoMoreRequests) {
            out.no_more_requests = *h->cwmp__NoMoreRequests;
        }
        if (h->cwmp__SessionTimeout) {
            out.session_timeout = *h->cwmp__SessionTimeout;
        }
        if (h->cwmp__SupportedCWMPVersions) {
            out.supported_cwmp_versions = *h->cwmp__SupportedCWMPVersions;
        }
        if (h->cwmp__UseCWMPVersion) {
            out.use_cwmp_version = *h->cwmp__UseCWMPVersion;
        }
    }
    envelope.header.not_understood = std::move(state.not_understood);
    auto version = peer_version(s);
    if (!version) {
        return std::move(version).error();
    }
    envelope.version = *version;
    s->is = nullptr;
    return envelope;
}

}  // namespace cwmp::soap
