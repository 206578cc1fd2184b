#include "cwmp/session.h"


#include <algorithm>
#include <sstream>
#include <variant>

namespace cwmp {
namespace {

using common::Errc;

template <typename T>
const T* as(const Body& body) {
    return std::get_if<T>(&body);
}

bool is_request_from_acs(const Body& body) {
    return std::holds_alternative<GetRPCMethods>(body) || std::holds_alternative<SetParameterValues>(body) ||
           std::holds_alternative<GetParameterValues>(body) || std::holds_alternative<GetParameterNames>(body) ||
           std::holds_alternative<SetParameterAttributes>(body) ||
           std::holds_alternative<GetParameterAttributes>(body) || std::holds_alternative<AddObject>(body) ||
           std::holds_alternative<DeleteObject>(body) || std::holds_alternative<Download>(body) ||
           std::holds_alternative<Reboot>(body) || std::holds_alternative<FactoryReset>(body) ||
           std::holds_alternative<ScheduleInform>(body) || std::holds_alternative<UnknownMethod>(body);
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

bool is_multiple(std::string_view code) {  // Table 7: events that may appear more than once
    return code.starts_with("M ") || code == event::transfer_complete || code.starts_with("10 ") ||
           code.starts_with("11 ") || code.starts_with("12 ");
}

}  // namespace

Session::Session(SessionConfig config, Codec codec, SessionHost& host, std::vector<PendingEvent> events,
                 std::uint32_t retry_count)
    : m_config(std::move(config)),
      m_codec(std::move(codec)),
      m_host(host),
      m_events(std::move(events)),
      m_retry_count(retry_count),
      m_version(m_config.version) {
    for (const auto& e : m_events) {
        if (e.event_code == event::transfer_complete) {
            if (auto tc = decode_transfer_complete(e.payload)) m_transfers.push_back(*tc);
        }
    }
}

std::string Session::next_id() { return "cpe-" + std::to_string(++m_id_counter); }

transport::HttpRequest Session::base_request() const {
    transport::HttpRequest r;
    r.method = transport::HttpRequest::Method::post;
    r.url = m_config.acs_url;
    r.timeout = m_config.timeout;
    r.max_response_bytes = m_config.max_envelope_bytes;
    r.username = m_config.username;
    r.password = m_config.password;
    if (!m_cookies.empty()) {
        std::string cookie;
        for (const auto& [name, value] : m_cookies) {
            if (!cookie.empty()) cookie += "; ";
            cookie += name + "=" + value;
        }
        r.headers.emplace_back("Cookie", cookie);
    }
    return r;
}

void Session::keep_cookies(const transport::HttpResponse& response) {
    for (const auto& [name, value] : response.headers) {
        if (name.size() != 10 || !std::equal(name.begin(), name.end(), "set-cookie", [](char a, char b) {
                return (a >= 'A' && a <= 'Z' ? static_cast<char>(a - 'A' + 'a') : a) == b;
            })) {
            continue;
        }
        const std::string_view pair = trim(std::string_view(value).substr(0, value.find(';')));
        const auto eq = pair.find('=');
        if (eq == std::string_view::npos || eq == 0) continue;
        m_cookies[std::string(trim(pair.substr(0, eq)))] = std::string(trim(pair.substr(eq + 1)));
    }
}

Session::Step Session::send_envelope(const Envelope& envelope) {
    Step step;
    step.request = base_request();
    step.request.headers.emplace_back("Content-Type", "text/xml; charset=\"utf-8\"");
    step.request.headers.emplace_back("SOAPAction", "");
    auto body = m_codec.encode(envelope, m_version);
    if (!body) return fail("cannot encode " + std::string(method_name(envelope.body)) + ": " + body.error().message(),
                           common::Retry::no);
    step.request.body = std::move(*body);
    return step;
}

Session::Step Session::send_empty() {
    Step step;
    step.request = base_request();
    return step;
}

Session::Step Session::fail(std::string message, common::Retry retry) {
    m_phase = Phase::finished;
    Step step;
    step.kind = Step::Kind::failed;
    step.error = common::Error(Errc::protocol, "CWMP session: " + std::move(message), retry);
    return step;
}

Session::Step Session::start() {
    Inform inform;
    inform.device_id = m_config.device_id;
    for (const auto& e : m_events) {
        const EventStruct es{e.event_code, e.command_key};
        if (!is_multiple(e.event_code) &&
            std::find(inform.events.begin(), inform.events.end(), es) != inform.events.end()) {
            continue;
        }
        if (inform.events.size() < 64) inform.events.push_back(es);
    }
    inform.max_envelopes = 1;
    inform.current_time = m_host.current_time();
    inform.retry_count = m_retry_count;
    inform.parameter_list = m_host.inform_parameters(m_events);
    Envelope envelope{Header{}, std::move(inform), m_version};
    m_sent_id = next_id();
    envelope.header.id = m_sent_id;
    m_phase = Phase::inform;
    return send_envelope(envelope);
}

Session::Step Session::next_own_request() {
    if (!m_transfers.empty() && !m_hold_requests) {
        Envelope envelope{Header{}, m_transfers.front(), m_version};
        m_sent_id = next_id();
        envelope.header.id = m_sent_id;
        m_phase = Phase::transfer_complete;
        return send_envelope(envelope);
    }
    m_phase = Phase::serving;
    return send_empty();
}

Session::Step Session::answer(const Envelope& request) {
    m_hold_requests = request.header.hold_requests.value_or(false);
    m_phase = Phase::serving;  // a request instead of our response: ours is sent again later
    Envelope reply{Header{}, Body{Fault{}}, m_version};
    reply.header.id = request.header.id;
    if (!request.header.not_understood.empty()) {
        Fault f;
        f.faultcode = SoapFaultCode::must_understand;
        f.faultstring = "Header not understood: " + request.header.not_understood.front();
        reply.body = f;
    } else if (const auto* unknown = as<UnknownMethod>(request.body)) {
        reply.body = make_fault(FaultCode::method_not_supported);
        m_handled.push_back(unknown->name);
    } else {
        m_handled.emplace_back(method_name(request.body));
        reply.body = m_host.dispatch(request.body);
    }
    return send_envelope(reply);
}

Session::Step Session::on_response(const common::Result<transport::HttpResponse>& result) {
    if (m_phase == Phase::finished) return fail("response after the end of the session", common::Retry::no);
    if (!result) return fail(result.error().to_string(), common::Retry::yes);
    const transport::HttpResponse& response = *result;
    keep_cookies(response);
    const bool empty = response.status == 204 || (response.status == 200 && trim(response.body).empty());
    if (!empty && response.status != 200) {
        return fail("HTTP status " + std::to_string(response.status) + " from the ACS");
    }
    if (empty) {
        if (m_phase != Phase::serving) return fail("the ACS ended the session before answering our request");
        m_hold_requests = false;
        if (!m_transfers.empty()) return next_own_request();
        m_phase = Phase::finished;
        Step done;
        done.kind = Step::Kind::done;
        return done;
    }
    auto decoded = m_codec.decode(response.body);
    if (!decoded) return fail("undecodable envelope from the ACS: " + decoded.error().message());
    const Envelope& envelope = *decoded;
    m_version = envelope.version;  // answer in the namespace the ACS uses

    if (const auto* fault = as<Fault>(envelope.body)) {
        const std::uint32_t code = fault->detail ? fault->detail->fault_code : 0;
        return fail("the ACS answered with fault " + std::to_string(code) + " " +
                    (fault->detail ? fault->detail->fault_string : fault->faultstring));
    }
    switch (m_phase) {
        case Phase::inform: {
            if (!as<InformResponse>(envelope.body)) {
                return fail(std::string("expected InformResponse, got ") + std::string(method_name(envelope.body)));
            }
            if (envelope.header.id && *envelope.header.id != m_sent_id) {
                return fail("InformResponse for cwmp:ID " + *envelope.header.id + ", sent " + m_sent_id);
            }
            m_hold_requests = envelope.header.hold_requests.value_or(false);
            if (m_transfers.empty() && !m_events.empty()) {
                m_host.events_delivered(m_events.back().id);
            }
            return next_own_request();
        }
        case Phase::transfer_complete: {
            if (!as<TransferCompleteResponse>(envelope.body)) {
                if (is_request_from_acs(envelope.body)) return answer(envelope);  // HoldRequests race
                return fail(std::string("expected TransferCompleteResponse, got ") +
                            std::string(method_name(envelope.body)));
            }
            if (envelope.header.id && *envelope.header.id != m_sent_id) {
                return fail("TransferCompleteResponse for cwmp:ID " + *envelope.header.id + ", sent " + m_sent_id);
            }
            m_hold_requests = envelope.header.hold_requests.value_or(false);
            m_transfers.erase(m_transfers.begin());
            if (m_transfers.empty() && !m_events.empty()) m_host.events_delivered(m_events.back().id);
            return next_own_request();
        }
        case Phase::serving:
            if (!is_request_from_acs(envelope.body)) {
                return fail(std::string("unexpected ") + std::string(method_name(envelope.body)) + " from the ACS");
            }
            if (!envelope.header.id) {
                // §3.5: the ID is optional for the ACS in CWMP 1.0; answer without one.
            }
            return answer(envelope);
        case Phase::finished: break;
    }
    return fail("internal: no phase", common::Retry::no);
}

// "CommandKey\nFaultCode\nStartTime\nCompleteTime\nFaultString": line-based, the fault string last.
std::string encode_transfer_complete(const TransferComplete& m) {
    std::ostringstream out;
    out << m.command_key << '\n'
        << m.fault_struct.fault_code << '\n'
        << m.start_time << '\n'
        << m.complete_time << '\n'
        << m.fault_struct.fault_string;
    return out.str();
}

std::optional<TransferComplete> decode_transfer_complete(std::string_view payload) {
    std::vector<std::string> parts;
    std::size_t pos = 0;
    for (int i = 0; i < 4; ++i) {
        const auto nl = payload.find('\n', pos);
        if (nl == std::string_view::npos) return std::nullopt;
        parts.emplace_back(payload.substr(pos, nl - pos));
        pos = nl + 1;
    }
    TransferComplete m;
    m.command_key = parts[0];
    try {
        m.fault_struct.fault_code = static_cast<std::uint32_t>(std::stoul(parts[1]));
    } catch (...) {
        return std::nullopt;
    }
    m.start_time = parts[2];
    m.complete_time = parts[3];
    m.fault_struct.fault_string = std::string(payload.substr(pos));
    return m;
}

}  // namespace cwmp
