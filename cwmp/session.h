// cwmp::Session: one CWMP session of the CPE (TR-069 Amd 6 §3.7.1) as a state machine that
// never blocks: it says which HTTP request to send next, the caller sends it (the daemon on a
// worker thread) and feeds the result back with on_response(). One session is
//
//   Inform (events, MaxEnvelopes 1) -> InformResponse
//   [TransferComplete -> TransferCompleteResponse]...     (not while the ACS holds requests)
//   empty POST -> ACS request -> our response -> ... -> empty HTTP response (204): done.
//
// Cookies the ACS sets are sent back for the rest of the session (§3.4.2). Every ACS request is
// answered with its cwmp:ID; a response from the ACS must carry the ID of our request. A
// mustUnderstand header we do not know is answered with a SOAP MustUnderstand fault, an unknown
// method with fault 9000; any other request goes to SessionHost::dispatch. HTTP authentication
// (Basic or Digest) and TLS are the HttpClient's, from the credentials in SessionConfig.
//
// Failure (transport error, HTTP status other than 200/204, unparseable or unexpected envelope,
// an ACS fault, a wrong cwmp:ID) ends the session as failed; the caller retries with the
// back-off of cwmp/retry.h.
//
// Thread-safety: one thread (the daemon's loop); the host is called from inside start() and
// on_response() only.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "cwmp/messages.h"
#include "transport/http_client.h"

namespace cwmp {

// One event waiting for delivery (TR-069 Amd 6 §3.7.1.5 EventStruct), as the event queue keeps
// it (cwmp/cwmp_store.h in production). payload: what goes with it, e.g. the TransferComplete
// arguments of "7 TRANSFER COMPLETE" (encode_transfer_complete()).
struct PendingEvent {
    std::int64_t id = 0;  // increasing in queue order
    std::string event_code;
    std::string command_key;
    std::string payload;
};

struct SessionConfig {
    std::string acs_url;   // Device.ManagementServer.URL
    std::string username;  // Device.ManagementServer.Username; "" = no HTTP authentication
    std::string password;  // secret: never logged
    DeviceIdStruct device_id;
    CwmpVersion version = CwmpVersion::v1_2;  // namespace of our Inform
    std::chrono::milliseconds timeout{30000};  // one HTTP exchange
    std::size_t max_envelope_bytes = 1024u * 1024u;
};

// The SOAP codec seam (cwmp/codec.h in production, a table in tests).
struct Codec {
    // cwmp/codec.h's encode() and decode().
    static Codec standard();
    std::function<common::Result<std::string>(const Envelope&, CwmpVersion)> encode;
    std::function<common::Result<Envelope>(std::string_view xml)> decode;
};

// What the session needs from the rest of the agent. Called on the session's thread.
class SessionHost {
public:
    virtual ~SessionHost() = default;
    // ParameterList of the Inform (§3.7.1.5: the forced inform parameters and, with
    // "4 VALUE CHANGE", the changed ones).
    virtual std::vector<ParameterValueStruct> inform_parameters(const std::vector<PendingEvent>& events) = 0;
    // The InformResponse (and, if the Inform carried "7 TRANSFER COMPLETE", every
    // TransferCompleteResponse) arrived: events up to this id are delivered.
    virtual void events_delivered(std::int64_t up_to_id) = 0;
    // An ACS request: its response, or a Fault.
    virtual Body dispatch(const Body& request) = 0;
    // xsd:dateTime of now, for CurrentTime.
    virtual std::string current_time() = 0;
};

class Session {
public:
    struct Step {
        enum class Kind { send, done, failed };
        Kind kind = Kind::send;
        transport::HttpRequest request;  // kind == send
        common::Error error{common::Errc::internal, ""};  // kind == failed
    };

    // events: pending events, oldest first (several single events with one code are sent
    // once). retry_count: the Inform's RetryCount (consecutive failed sessions before this one).
    Session(SessionConfig config, Codec codec, SessionHost& host, std::vector<PendingEvent> events,
            std::uint32_t retry_count);

    // The Inform.
    Step start();
    // The result of the last request sent.
    Step on_response(const common::Result<transport::HttpResponse>& result);

    // Requests the ACS sent and we answered, by method name, in order (for logs and tests).
    const std::vector<std::string>& handled() const { return m_handled; }

private:
    enum class Phase { inform, transfer_complete, serving, finished };

    Step send_envelope(const Envelope& envelope);
    Step send_empty();
    Step next_own_request();
    Step fail(std::string message, common::Retry retry = common::Retry::yes);
    Step answer(const Envelope& request);
    transport::HttpRequest base_request() const;
    void keep_cookies(const transport::HttpResponse& response);
    std::string next_id();

    SessionConfig m_config;
    Codec m_codec;
    SessionHost& m_host;
    std::vector<PendingEvent> m_events;
    std::uint32_t m_retry_count;
    Phase m_phase = Phase::inform;
    std::vector<TransferComplete> m_transfers;  // still to send
    std::string m_sent_id;                       // cwmp:ID of our outstanding request
    bool m_hold_requests = false;
    std::map<std::string, std::string> m_cookies;
    CwmpVersion m_version;
    std::uint64_t m_id_counter = 0;
    std::vector<std::string> m_handled;
};

// The payload of a queued "7 TRANSFER COMPLETE" event (PendingEvent::payload) and back.
std::string encode_transfer_complete(const TransferComplete& message);
std::optional<TransferComplete> decode_transfer_complete(std::string_view payload);

}  // namespace cwmp
