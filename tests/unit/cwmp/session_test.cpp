#include "cwmp/session.h"

#include <gtest/gtest.h>

#include <deque>
#include <map>

#include "cwmp/retry.h"
#include "cwmp/session_scheduler.h"
#include "fakes/capture_sink.h"
#include "fakes/fake_clock.h"
#include "fakes/fake_timers.h"

namespace cwmp {
namespace {

using namespace std::chrono_literals;
using Kind = Session::Step::Kind;

// ---- TR-069 Amd 6 §3.2.1.1, Table 3 ----

TEST(RetryBackoff, WindowsFollowTheStandardsTable) {
    const std::pair<std::uint32_t, std::pair<int, int>> table[] = {
        {1, {5, 10}},      {2, {10, 20}},     {3, {20, 40}},      {4, {40, 80}},
        {5, {80, 160}},    {6, {160, 320}},   {7, {320, 640}},    {8, {640, 1280}},
        {9, {1280, 2560}}, {10, {2560, 5120}}, {11, {2560, 5120}}, {1000, {2560, 5120}}};
    for (const auto& [n, range] : table) {
        const RetryWindow w = retry_window(n);
        EXPECT_EQ(w.min, std::chrono::seconds(range.first)) << "n=" << n;
        EXPECT_EQ(w.max, std::chrono::seconds(range.second)) << "n=" << n;
    }
}

TEST(RetryBackoff, DelayIsInsideTheWindowAndFollowsThePolicy) {
    EXPECT_EQ(retry_delay(1, 0.0), 5s);
    EXPECT_EQ(retry_delay(1, 0.5), 7500ms);
    EXPECT_EQ(retry_delay(3, 1.0), 40s);
    EXPECT_EQ(retry_delay(2, 7.0), 20s);  // clamped
    const RetryPolicy slow{10s, 3000};
    EXPECT_EQ(retry_window(2, slow).min, 30s);
    EXPECT_EQ(retry_window(2, slow).max, 90s);
}

// ---- the session machine, with a table codec: envelopes travel as "env#N" tokens ----

class TableCodec {
public:
    Codec codec() {
        return Codec{[this](const Envelope& e, CwmpVersion) -> common::Result<std::string> {
                         sent.push_back(e);
                         return "env#" + std::to_string(sent.size() - 1);
                     },
                     [this](std::string_view xml) -> common::Result<Envelope> {
                         auto it = inbound.find(std::string(xml));
                         if (it == inbound.end()) return common::fail(common::Errc::parse, "not XML");
                         return it->second;
                     }};
    }
    // An ACS envelope as an HTTP 200 response.
    transport::HttpResponse acs(Body body, std::optional<std::string> id, bool hold = false) {
        Envelope e{Header{}, std::move(body), CwmpVersion::v1_0};
        e.header.id = std::move(id);
        if (hold) e.header.hold_requests = true;
        const std::string token = "acs#" + std::to_string(inbound.size());
        inbound[token] = e;
        transport::HttpResponse r;
        r.status = 200;
        r.body = token;
        return r;
    }
    std::vector<Envelope> sent;
    std::map<std::string, Envelope> inbound;
};

class RecordingHost final : public SessionHost {
public:
    std::vector<ParameterValueStruct> inform_parameters(const std::vector<PendingEvent>&) override {
        return {{"Device.DeviceInfo.SoftwareVersion", "0.1", ValueType::string}};
    }
    void events_delivered(std::int64_t up_to) override { delivered.push_back(up_to); }
    Body dispatch(const Body& request) override {
        dispatched.emplace_back(method_name(request));
        if (std::holds_alternative<GetParameterValues>(request)) return GetParameterValuesResponse{};
        return make_fault(FaultCode::request_denied);
    }
    std::string current_time() override { return "2024-05-01T12:00:00Z"; }
    std::vector<std::int64_t> delivered;
    std::vector<std::string> dispatched;
};

transport::HttpResponse no_content() {
    transport::HttpResponse r;
    r.status = 204;
    return r;
}

PendingEvent ev(std::int64_t id, std::string code, std::string key = {}, std::string payload = {}) {
    return PendingEvent{id, std::move(code), std::move(key), std::move(payload)};
}

SessionConfig config() {
    SessionConfig c;
    c.acs_url = "http://acs.example/acs";
    c.username = "cpe";
    c.password = "pw";
    c.device_id = {"Example", "001122", "Gateway", "SN1"};
    return c;
}

class SessionTest : public ::testing::Test {
protected:
    TableCodec m_codec;
    RecordingHost m_host;
};

TEST_F(SessionTest, InformThenEmptyPostThenAcsRequestsUntilNoContent) {
    Session s(config(), m_codec.codec(), m_host, {ev(1, "0 BOOTSTRAP"), ev(2, "1 BOOT"), ev(3, "1 BOOT")}, 0);
    auto step = s.start();
    ASSERT_EQ(step.kind, Kind::send);
    EXPECT_EQ(step.request.username, "cpe");
    const auto& inform = std::get<Inform>(m_codec.sent.at(0).body);
    ASSERT_EQ(inform.events.size(), 2u);  // a single event appears once
    EXPECT_EQ(inform.events[0].event_code, "0 BOOTSTRAP");
    EXPECT_EQ(inform.max_envelopes, 1u);
    EXPECT_EQ(inform.device_id.serial_number, "SN1");
    EXPECT_EQ(inform.parameter_list.size(), 1u);
    const std::string inform_id = *m_codec.sent.at(0).header.id;

    step = s.on_response(m_codec.acs(InformResponse{}, inform_id));
    ASSERT_EQ(step.kind, Kind::send);
    EXPECT_TRUE(step.request.body.empty());  // the empty POST
    EXPECT_EQ(m_host.delivered, std::vector<std::int64_t>{3});

    step = s.on_response(m_codec.acs(GetParameterValues{{"Device."}}, "acs-7"));
    ASSERT_EQ(step.kind, Kind::send);
    EXPECT_EQ(m_codec.sent.back().header.id, "acs-7");  // cwmp:ID echoed
    EXPECT_TRUE(std::holds_alternative<GetParameterValuesResponse>(m_codec.sent.back().body));
    EXPECT_EQ(m_codec.sent.back().version, CwmpVersion::v1_0);  // the ACS's namespace

    EXPECT_EQ(s.on_response(no_content()).kind, Kind::done);
    EXPECT_EQ(m_host.dispatched, std::vector<std::string>{"GetParameterValues"});
}

TEST_F(SessionTest, InformResponseWithAnotherIdFailsAndAcknowledgesNothing) {
    Session s(config(), m_codec.codec(), m_host, {ev(5, "1 BOOT")}, 2);
    s.start();
    EXPECT_EQ(std::get<Inform>(m_codec.sent.at(0).body).retry_count, 2u);
    const auto step = s.on_response(m_codec.acs(InformResponse{}, "not-ours"));
    EXPECT_EQ(step.kind, Kind::failed);
    EXPECT_TRUE(step.error.retryable());
    EXPECT_TRUE(m_host.delivered.empty());
}

TEST_F(SessionTest, EventsStayPendingWhenTheInformFails) {
    for (auto failure : {common::Result<transport::HttpResponse>(common::fail(common::Errc::timeout, "stalled",
                                                                              common::Retry::yes)),
                         common::Result<transport::HttpResponse>(transport::HttpResponse{500, {}, "", ""}),
                         common::Result<transport::HttpResponse>(transport::HttpResponse{200, {}, "<broken", ""})}) {
        RecordingHost host;
        Session s(config(), m_codec.codec(), host, {ev(1, "0 BOOTSTRAP")}, 0);
        s.start();
        EXPECT_EQ(s.on_response(failure).kind, Kind::failed);
        EXPECT_TRUE(host.delivered.empty());
    }
}

TEST_F(SessionTest, AcsEndingTheSessionBeforeInformResponseFails) {
    Session s(config(), m_codec.codec(), m_host, {ev(1, "1 BOOT")}, 0);
    s.start();
    EXPECT_EQ(s.on_response(no_content()).kind, Kind::failed);
    EXPECT_TRUE(m_host.delivered.empty());
}

TEST_F(SessionTest, CookiesFromTheAcsAreSentBack) {
    Session s(config(), m_codec.codec(), m_host, {ev(1, "1 BOOT")}, 0);
    s.start();
    auto r = m_codec.acs(InformResponse{}, *m_codec.sent.at(0).header.id);
    r.headers.emplace_back("Set-Cookie", "session=abc123; Path=/; HttpOnly");
    r.headers.emplace_back("set-cookie", "lb=7");
    const auto step = s.on_response(r);
    ASSERT_EQ(step.kind, Kind::send);
    const auto cookie = std::find_if(step.request.headers.begin(), step.request.headers.end(),
                                     [](const auto& h) { return h.first == "Cookie"; });
    ASSERT_NE(cookie, step.request.headers.end());
    EXPECT_EQ(cookie->second, "lb=7; session=abc123");
}

TEST_F(SessionTest, UnknownMethodGetsFault9000AndMustUnderstandHeadersAFault) {
    Session s(config(), m_codec.codec(), m_host, {ev(1, "1 BOOT")}, 0);
    s.start();
    s.on_response(m_codec.acs(InformResponse{}, *m_codec.sent.at(0).header.id));
    auto step = s.on_response(m_codec.acs(UnknownMethod{"X_Frobnicate", "urn:dslforum-org:cwmp-1-0"}, "u1"));
    ASSERT_EQ(step.kind, Kind::send);
    const auto& fault = std::get<Fault>(m_codec.sent.back().body);
    ASSERT_TRUE(fault.detail);
    EXPECT_EQ(fault.detail->fault_code, 9000u);
    EXPECT_EQ(m_codec.sent.back().header.id, "u1");

    auto request = m_codec.acs(GetParameterValues{{"Device."}}, "u2");
    m_codec.inbound[request.body].header.not_understood = {"{urn:x}Extension"};
    step = s.on_response(request);
    EXPECT_EQ(std::get<Fault>(m_codec.sent.back().body).faultcode, SoapFaultCode::must_understand);
    EXPECT_TRUE(m_host.dispatched.empty());
}

TEST_F(SessionTest, TransferCompleteWaitsWhileTheAcsHoldsRequests) {
    TransferComplete tc{"dl-1", {9018, "File corrupted"}, "2024-05-01T12:00:00Z", "2024-05-01T12:00:01Z"};
    Session s(config(), m_codec.codec(), m_host,
              {ev(1, "M Download", "dl-1"), ev(2, "7 TRANSFER COMPLETE", "", encode_transfer_complete(tc))}, 0);
    s.start();
    auto step = s.on_response(m_codec.acs(InformResponse{}, *m_codec.sent.at(0).header.id, /*hold=*/true));
    ASSERT_EQ(step.kind, Kind::send);
    EXPECT_TRUE(step.request.body.empty());  // held: empty POST, not TransferComplete
    EXPECT_TRUE(m_host.delivered.empty());   // not before the TransferCompleteResponse

    step = s.on_response(m_codec.acs(GetParameterValues{{"Device."}}, "h1", /*hold=*/true));
    ASSERT_EQ(step.kind, Kind::send);
    EXPECT_TRUE(std::holds_alternative<GetParameterValuesResponse>(m_codec.sent.back().body));

    step = s.on_response(no_content());  // the ACS has no more requests: hold ends
    ASSERT_EQ(step.kind, Kind::send);
    const auto& sent = m_codec.sent.back();
    ASSERT_TRUE(std::holds_alternative<TransferComplete>(sent.body));
    EXPECT_EQ(std::get<TransferComplete>(sent.body), tc);

    step = s.on_response(m_codec.acs(TransferCompleteResponse{}, *sent.header.id));
    EXPECT_EQ(m_host.delivered, std::vector<std::int64_t>{2});
    ASSERT_EQ(step.kind, Kind::send);
    EXPECT_TRUE(step.request.body.empty());
    EXPECT_EQ(s.on_response(no_content()).kind, Kind::done);
}

TEST_F(SessionTest, AcsFaultEndsTheSession) {
    Session s(config(), m_codec.codec(), m_host, {ev(1, "1 BOOT")}, 0);
    s.start();
    Fault f;
    f.detail = CwmpFault{8005, "Retry request", {}};
    EXPECT_EQ(s.on_response(m_codec.acs(f, *m_codec.sent.at(0).header.id)).kind, Kind::failed);
}

TEST(TransferCompletePayload, RoundTrips) {
    TransferComplete tc{"key with\ttab", {9010, "two\nlines"}, "2024-05-01T12:00:00Z", std::string(unknown_time)};
    EXPECT_EQ(decode_transfer_complete(encode_transfer_complete(tc)), tc);
    EXPECT_FALSE(decode_transfer_complete("garbage"));
}

// ---- the scheduler: retry, RetryCount, acknowledgement, connection requests ----

class MemoryEvents final : public EventStore {
public:
    common::Result<std::int64_t> queue(std::string_view code, std::string_view key, std::string_view payload) override {
        events.push_back(PendingEvent{++last, std::string(code), std::string(key), std::string(payload)});
        return last;
    }
    common::Result<std::vector<PendingEvent>> pending() override { return events; }
    common::Result<void> acknowledge(std::int64_t up_to) override {
        std::erase_if(events, [up_to](const PendingEvent& e) { return e.id <= up_to; });
        return {};
    }
    std::vector<PendingEvent> events;
    std::int64_t last = 0;
};

class AckingHost final : public SessionHost {
public:
    explicit AckingHost(MemoryEvents& store) : m_store(store) {}
    std::vector<ParameterValueStruct> inform_parameters(const std::vector<PendingEvent>&) override { return {}; }
    void events_delivered(std::int64_t up_to) override { (void)m_store.acknowledge(up_to); }
    Body dispatch(const Body&) override { return make_fault(FaultCode::internal_error); }
    std::string current_time() override { return "2024-05-01T12:00:00Z"; }

private:
    MemoryEvents& m_store;
};

class SchedulerTest : public ::testing::Test {
protected:
    SchedulerTest() {
        SchedulerOptions o;
        o.session = config();
        m_scheduler = std::make_unique<SessionScheduler>(
            o, m_codec.codec(), m_host, m_store, m_timers,
            [this](transport::HttpRequest r, HttpCompletion done) {
                m_requests.push_back(std::move(r));
                m_completions.push_back(std::move(done));
            },
            [] { return 0.0; }, m_log);
    }
    // Answers the oldest outstanding request.
    void answer(common::Result<transport::HttpResponse> r) {
        ASSERT_FALSE(m_completions.empty());
        auto done = std::move(m_completions.front());
        m_completions.pop_front();
        done(std::move(r));
    }
    std::string last_inform_id() {
        for (auto it = m_codec.sent.rbegin(); it != m_codec.sent.rend(); ++it) {
            if (std::holds_alternative<Inform>(it->body)) return *it->header.id;
        }
        return {};
    }

    fakes::FakeClock m_clock;
    fakes::FakeTimers m_timers{m_clock};
    fakes::CaptureSink m_sink;
    common::Logger m_log{m_sink, "cwmp"};
    TableCodec m_codec;
    MemoryEvents m_store;
    AckingHost m_host{m_store};
    std::vector<transport::HttpRequest> m_requests;
    std::deque<HttpCompletion> m_completions;
    std::unique_ptr<SessionScheduler> m_scheduler;
};

TEST_F(SchedulerTest, FailedSessionsAreRetriedWithBackoffAndRetryCount) {
    m_scheduler->start(/*first_contact=*/true);
    m_timers.advance(0s);
    ASSERT_EQ(m_completions.size(), 1u);
    answer(common::fail(common::Errc::network, "refused", common::Retry::yes));
    EXPECT_EQ(m_scheduler->failures(), 1u);
    EXPECT_EQ(m_store.events.size(), 1u);  // BOOTSTRAP still pending

    m_timers.advance(4999ms);  // the first window starts at 5 s
    EXPECT_TRUE(m_completions.empty());
    m_timers.advance(1ms);
    ASSERT_EQ(m_completions.size(), 1u);
    EXPECT_EQ(std::get<Inform>(m_codec.sent.back().body).retry_count, 1u);
    answer(common::fail(common::Errc::timeout, "stalled", common::Retry::yes));

    m_timers.advance(9999ms);  // second window: 10-20 s
    EXPECT_TRUE(m_completions.empty());
    m_timers.advance(1ms);
    ASSERT_EQ(m_completions.size(), 1u);
    EXPECT_EQ(std::get<Inform>(m_codec.sent.back().body).retry_count, 2u);

    answer(m_codec.acs(InformResponse{}, last_inform_id()));
    EXPECT_TRUE(m_store.events.empty());  // acknowledged by the InformResponse
    EXPECT_FALSE(m_scheduler->idle());     // the empty POST is out
    answer(no_content());
    EXPECT_EQ(m_scheduler->failures(), 0u);
    EXPECT_TRUE(m_scheduler->idle());
}

TEST_F(SchedulerTest, EventQueuedDuringASessionOpensTheNextOneAndConnectionRequestSkipsBackoff) {
    m_scheduler->start(false);
    m_timers.advance(0s);
    m_scheduler->queue_event(event::value_change);
    answer(m_codec.acs(InformResponse{}, last_inform_id()));
    EXPECT_EQ(m_store.events.size(), 1u);  // VALUE CHANGE came after the Inform was built
    answer(no_content());
    m_timers.advance(0s);
    ASSERT_EQ(m_completions.size(), 1u);
    EXPECT_EQ(std::get<Inform>(m_codec.sent.back().body).events.at(0).event_code, "4 VALUE CHANGE");
    answer(common::fail(common::Errc::network, "dropped", common::Retry::yes));

    m_scheduler->connection_request();  // during the 5-10 s back-off
    m_timers.advance(0s);
    ASSERT_EQ(m_completions.size(), 1u);
    const auto& events = std::get<Inform>(m_codec.sent.back().body).events;
    ASSERT_EQ(events.size(), 2u);
    EXPECT_EQ(events[1].event_code, "6 CONNECTION REQUEST");
}

TEST_F(SchedulerTest, ScheduleInformQueuesScheduledAndItsCommandKey) {
    m_scheduler->schedule_inform(30s, "sched-1");
    m_timers.advance(29s);
    EXPECT_TRUE(m_store.events.empty());
    m_timers.advance(1s);
    ASSERT_EQ(m_store.events.size(), 2u);
    EXPECT_EQ(m_store.events[0].event_code, "3 SCHEDULED");
    EXPECT_EQ(m_store.events[1].event_code, "M ScheduleInform");
    EXPECT_EQ(m_store.events[1].command_key, "sched-1");
}

TEST(PeriodicAlignmentTest, NextMultipleOfTheIntervalFromTheReference) {
    const common::SystemTime reference = common::SystemTime{} + std::chrono::seconds(1'700'000'000);
    EXPECT_EQ(periodic_alignment(reference + 10s, 3600s, reference), 3590s);
    EXPECT_EQ(periodic_alignment(reference - 10s, 3600s, reference), 10s);     // reference ahead
    EXPECT_EQ(periodic_alignment(reference + 7210s, 3600s, reference), 3590s);  // intervals ago
    EXPECT_EQ(periodic_alignment(reference - 7190s, 3600s, reference), 3590s);  // two intervals ahead
    EXPECT_EQ(periodic_alignment(reference, 3600s, reference), 3600s);          // now: the next one
}

TEST_F(SchedulerTest, FirstPeriodicInformAtTheAlignedTimeThenEveryInterval) {
    SchedulerOptions o;
    o.session = config();
    o.periodic_interval = 100s;
    o.periodic_first = 30s;
    m_scheduler->reconfigure(o);
    m_timers.advance(29s);
    m_timers.advance(0s);
    EXPECT_TRUE(m_completions.empty());
    m_timers.advance(1s);
    m_timers.advance(0s);
    ASSERT_EQ(m_completions.size(), 1u);
    EXPECT_EQ(std::get<Inform>(m_codec.sent.back().body).events.at(0).event_code, "2 PERIODIC");
    answer(m_codec.acs(InformResponse{}, last_inform_id()));
    answer(no_content());
    m_timers.advance(99s);
    m_timers.advance(0s);
    EXPECT_TRUE(m_completions.empty());
    m_timers.advance(1s);
    m_timers.advance(0s);
    EXPECT_EQ(m_completions.size(), 1u);
}

TEST_F(SchedulerTest, ReconfigureMovesTheNextSessionAndRearmsThePeriodicInform) {
    m_scheduler->start(false);
    m_timers.advance(0s);
    answer(m_codec.acs(InformResponse{}, last_inform_id()));
    answer(no_content());
    ASSERT_TRUE(m_scheduler->idle());

    SchedulerOptions o;
    o.session = config();
    o.session.acs_url = "http://acs2.example/cwmp";
    o.periodic_interval = 60s;
    m_scheduler->reconfigure(o);
    m_timers.advance(59s);
    EXPECT_TRUE(m_completions.empty());
    m_timers.advance(1s);
    m_timers.advance(0s);
    ASSERT_EQ(m_completions.size(), 1u);
    EXPECT_EQ(m_requests.back().url, "http://acs2.example/cwmp");
    EXPECT_EQ(std::get<Inform>(m_codec.sent.back().body).events.at(0).event_code, "2 PERIODIC");
    answer(m_codec.acs(InformResponse{}, last_inform_id()));
    answer(no_content());

    o.periodic_interval = 0s;  // off
    m_scheduler->reconfigure(o);
    m_timers.advance(3600s);
    EXPECT_TRUE(m_completions.empty());
}

}  // namespace
}  // namespace cwmp

namespace cwmp {
namespace {

// The session's standard Codec is the gSOAP codec: an Inform survives encode + decode.
TEST(SessionCodec, StandardCodecRoundTripsAnInform) {
    const Codec codec = Codec::standard();
    Envelope sent;
    sent.header.id = "42";
    Inform inform;
    inform.device_id.manufacturer = "Example";
    inform.device_id.oui = "001122";
    inform.device_id.product_class = "Gateway";
    inform.device_id.serial_number = "SN-4711";
    inform.events.push_back(EventStruct{"0 BOOTSTRAP", ""});
    inform.current_time = "2026-01-01T00:00:00Z";
    sent.body = inform;
    auto xml = codec.encode(sent, CwmpVersion::v1_2);
    ASSERT_TRUE(xml) << xml.error().to_string();
    auto back = codec.decode(*xml);
    ASSERT_TRUE(back) << back.error().to_string();
    EXPECT_EQ(back->header.id, "42");
    ASSERT_TRUE(std::holds_alternative<Inform>(back->body));
    EXPECT_EQ(std::get<Inform>(back->body), inform);
    EXPECT_EQ(back->version, CwmpVersion::v1_2);
}

}  // namespace
}  // namespace cwmp
