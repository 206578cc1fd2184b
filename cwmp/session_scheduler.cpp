#include "cwmp/session_scheduler.h"

namespace cwmp {

SessionScheduler::SessionScheduler(SchedulerOptions options, Codec codec, SessionHost& host, EventStore& store,
                                   common::Timers& timers, SendAsync send, std::function<double()> uniform01,
                                   common::Logger log)
    : m_options(std::move(options)),
      m_codec(std::move(codec)),
      m_host(host),
      m_store(store),
      m_timers(timers),
      m_send(std::move(send)),
      m_uniform01(std::move(uniform01)),
      m_log(std::move(log)) {}

SessionScheduler::~SessionScheduler() {
    *m_alive = false;
    stop();
}

void SessionScheduler::stop() {
    m_stopped = true;
    if (m_retry_timer) m_timers.cancel(*m_retry_timer);
    if (m_periodic_timer) m_timers.cancel(*m_periodic_timer);
    for (auto id : m_scheduled) m_timers.cancel(id);
    m_retry_timer.reset();
    m_periodic_timer.reset();
    m_scheduled.clear();
    m_session.reset();
    ++m_generation;
}

std::chrono::seconds periodic_alignment(common::SystemTime now, std::chrono::seconds interval,
                                        common::SystemTime reference) {
    const auto offset = std::chrono::duration_cast<std::chrono::seconds>(reference - now).count() % interval.count();
    const auto delay = offset > 0 ? offset : offset + interval.count();  // (0, interval]
    return std::chrono::seconds(delay);
}

void SessionScheduler::reconfigure(SchedulerOptions options) {
    const bool periodic_changed =
        options.periodic_interval != m_options.periodic_interval || options.periodic_first.has_value();
    m_options = std::move(options);
    if (periodic_changed) {
        if (m_periodic_timer) m_timers.cancel(*m_periodic_timer);
        m_periodic_timer.reset();
        arm_periodic();
    }
}

void SessionScheduler::start(bool first_contact) {
    m_stopped = false;
    queue_event(first_contact ? event::bootstrap : event::boot);
    arm_periodic();
}

void SessionScheduler::arm_periodic() {
    if (m_options.periodic_interval.count() <= 0 || m_stopped) return;
    auto delay = m_options.periodic_interval;
    if (m_options.periodic_first) {
        delay = *m_options.periodic_first;
        m_options.periodic_first.reset();
    }
    m_periodic_timer = m_timers.start(delay, [this] {
        m_periodic_timer.reset();
        queue_event(event::periodic);
        arm_periodic();
    });
}

void SessionScheduler::queue_event(std::string_view code, std::string_view command_key, std::string_view payload) {
    if (auto id = m_store.queue(code, command_key, payload); !id) {
        m_log.error("cwmp: event " + std::string(code) + " not queued: " + id.error().to_string());
    }
    request_session(false);
}

void SessionScheduler::connection_request() {
    m_log.info("cwmp: connection request");
    if (auto id = m_store.queue(event::connection_request, "", ""); !id) {
        m_log.error("cwmp: " + id.error().to_string());
    }
    request_session(true);
}

void SessionScheduler::schedule_inform(std::chrono::seconds delay, std::string command_key) {
    m_scheduled.push_back(m_timers.start(delay, [this, key = std::move(command_key)] {
        (void)m_store.queue(event::scheduled, "", "");
        queue_event(event::m_schedule_inform, key);
    }));
}

bool SessionScheduler::idle() {
    if (m_session || m_wanted) return false;
    auto pending = m_store.pending();
    return pending && pending->empty();
}

void SessionScheduler::request_session(bool now) {
    if (m_stopped) return;
    m_wanted = true;
    if (m_session) return;  // the next one starts when this one ends
    if (m_retry_timer) {
        if (!now) return;  // wait out the back-off
        m_timers.cancel(*m_retry_timer);
        m_retry_timer.reset();
    }
    // Opened from the loop, never from inside the caller (which may be a session's host call).
    m_retry_timer = m_timers.start(std::chrono::milliseconds(0), [this] {
        m_retry_timer.reset();
        open_session();
    });
}

void SessionScheduler::open_session() {
    if (m_session || m_stopped || !m_wanted) return;
    auto pending = m_store.pending();
    if (!pending) {
        m_log.error("cwmp: pending events: " + pending.error().to_string());
        end_session(false, "event queue unreadable");
        return;
    }
    m_wanted = false;
    std::string codes;
    for (const auto& e : *pending) codes += (codes.empty() ? "" : ", ") + e.event_code;
    m_log.info("cwmp: session to " + m_options.session.acs_url + " (events: " + (codes.empty() ? "none" : codes) +
               ", retry " + std::to_string(m_failures) + ")");
    m_session = std::make_unique<Session>(m_options.session, m_codec, m_host, std::move(*pending), m_failures);
    ++m_generation;
    carry(m_session->start());
}

void SessionScheduler::carry(Session::Step step) {
    switch (step.kind) {
        case Session::Step::Kind::done: end_session(true, "done"); return;
        case Session::Step::Kind::failed: end_session(false, step.error.to_string()); return;
        case Session::Step::Kind::send: break;
    }
    const std::uint64_t generation = m_generation;
    m_send(std::move(step.request), [this, alive = m_alive, generation](common::Result<transport::HttpResponse> r) {
        if (!*alive || generation != m_generation || !m_session) return;
        carry(m_session->on_response(r));
    });
}

void SessionScheduler::end_session(bool ok, const std::string& why) {
    m_session.reset();
    ++m_generation;
    if (ok) {
        m_failures = 0;
        m_log.info("cwmp: session ended");
        auto pending = m_store.pending();
        if (pending && !pending->empty()) m_wanted = true;
    } else {
        ++m_failures;
        const auto delay = retry_delay(m_failures, m_uniform01(), m_options.retry);
        m_log.warning("cwmp: session failed (" + why + "); retry " + std::to_string(m_failures) + " in " +
                      std::to_string(delay.count()) + " ms");
        m_wanted = true;
        if (!m_stopped) {
            m_retry_timer = m_timers.start(delay, [this] {
                m_retry_timer.reset();
                open_session();
            });
        }
    }
    if (m_on_end) m_on_end(ok);
    if (ok && m_wanted && !m_stopped && !m_retry_timer) request_session(false);
}

}  // namespace cwmp
