// cwmp::SessionScheduler: when the CPE opens a session (TR-069 Amd 6 §3.7.1.5, §3.2.1.1) and
// how a Session's HTTP exchanges are carried. Runs on the daemon's loop thread; the blocking
// HTTP exchange is the SendAsync's (a worker in certkeeperd, a fake in tests).
//
// - Events are queued in the EventStore (the state database) first; a session carries every
//   pending event and they are removed only when the ACS acknowledged them (Session).
// - One session at a time; events queued during a session start the next one when it ends.
// - A failed session is retried after retry_delay(failures) (cwmp/retry.h); the Inform's
//   RetryCount is the number of consecutive failures. A connection request does not wait out
//   the back-off.
// - Periodic inform: "2 PERIODIC" every periodic_interval (0: off). ScheduleInform: after the
//   delay, "3 SCHEDULED" plus "M ScheduleInform" with the command key.
//
// Thread-safety: loop thread only. SendAsync's completion must come back on the loop thread and
// never from inside the SendAsync call.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/log.h"
#include "common/result.h"
#include "common/timers.h"
#include "cwmp/retry.h"
#include "cwmp/session.h"

namespace cwmp {

// The pending-event queue (CwmpStore in production).
class EventStore {
public:
    virtual ~EventStore() = default;
    virtual common::Result<std::int64_t> queue(std::string_view code, std::string_view command_key,
                                               std::string_view payload) = 0;
    virtual common::Result<std::vector<PendingEvent>> pending() = 0;
    virtual common::Result<void> acknowledge(std::int64_t up_to_id) = 0;
};

using HttpCompletion = std::function<void(common::Result<transport::HttpResponse>)>;
using SendAsync = std::function<void(transport::HttpRequest, HttpCompletion)>;

struct SchedulerOptions {
    SessionConfig session;
    RetryPolicy retry;
    std::chrono::seconds periodic_interval{0};  // PeriodicInformInterval when enabled; 0 = off
    // The first periodic inform after start()/reconfigure() comes after this delay instead of one
    // interval (PeriodicInformTime alignment: periodic_alignment()); later ones every interval.
    std::optional<std::chrono::seconds> periodic_first;
};

// TR-181 Device.ManagementServer.PeriodicInformTime: periodic informs happen at reference plus
// or minus a whole number of PeriodicInformIntervals. The delay from now to the next such moment, in
// (0, interval]. REQUIRES: interval > 0.
std::chrono::seconds periodic_alignment(common::SystemTime now, std::chrono::seconds interval,
                                        common::SystemTime reference);

class SessionScheduler {
public:
    // uniform01: randomness in [0, 1) for the back-off. REQUIRES: host, store and timers outlive
    // the scheduler.
    SessionScheduler(SchedulerOptions options, Codec codec, SessionHost& host, EventStore& store,
                     common::Timers& timers, SendAsync send, std::function<double()> uniform01,
                     common::Logger log);
    ~SessionScheduler();
    SessionScheduler(const SessionScheduler&) = delete;
    SessionScheduler& operator=(const SessionScheduler&) = delete;

    // Queues "0 BOOTSTRAP" (first_contact) or "1 BOOT" and opens the first session; arms the
    // periodic timer.
    void start(bool first_contact);
    // Queues an event and opens a session as soon as allowed.
    void queue_event(std::string_view code, std::string_view command_key = {}, std::string_view payload = {});
    // Events were queued in the EventStore directly (e.g. together with other state in one
    // transaction): opens a session as soon as allowed.
    void events_queued() { request_session(false); }
    // "6 CONNECTION REQUEST", now (no back-off wait).
    void connection_request();
    // ScheduleInform (§A.4.1.2).
    void schedule_inform(std::chrono::seconds delay, std::string command_key);
    // Cancels timers; a session in progress is abandoned (its events stay queued).
    void stop();
    // New settings (the ACS wrote Device.ManagementServer.): used from the next session; the
    // periodic timer is re-armed when its interval changed.
    void reconfigure(SchedulerOptions options);

    bool in_session() const { return m_session != nullptr; }
    std::uint32_t failures() const { return m_failures; }
    // No session running, none waiting to start and no event pending in the store.
    bool idle();
    // Called after every session end (ok or not), e.g. for --once and for Downloads.
    void set_on_session_end(std::function<void(bool ok)> f) { m_on_end = std::move(f); }

private:
    void request_session(bool now);
    void open_session();
    void carry(Session::Step step);
    void end_session(bool ok, const std::string& why);
    void arm_periodic();

    SchedulerOptions m_options;
    Codec m_codec;
    SessionHost& m_host;
    EventStore& m_store;
    common::Timers& m_timers;
    SendAsync m_send;
    std::function<double()> m_uniform01;
    common::Logger m_log;
    std::unique_ptr<Session> m_session;
    std::shared_ptr<bool> m_alive = std::make_shared<bool>(true);
    std::uint64_t m_generation = 0;  // of the running session; stale completions are dropped
    std::uint32_t m_failures = 0;
    bool m_wanted = false;  // a session should start when the current one ends / back-off passes
    std::optional<common::TimerId> m_retry_timer;
    std::optional<common::TimerId> m_periodic_timer;
    std::vector<common::TimerId> m_scheduled;
    std::function<void(bool)> m_on_end;
    bool m_stopped = false;
};

}  // namespace cwmp
