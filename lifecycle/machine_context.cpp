// Machine: the context every state shares (machine.h); the states are in machine_states.h.
#include <algorithm>
#include <string>

#include "common/time_format.h"
#include "lifecycle/machine.h"
#include "lifecycle/policy.h"

namespace lifecycle::detail {

void Progress::reset_enrolment() {
    key_ref.clear();
    transaction_id.clear();
    poll_started.reset();
    poll_window_end.reset();
    next_poll.reset();
    poll_attempts = 0;
    retry_step.clear();
    retry_attempt = 0;
    retry_at.reset();
    new_certificate.reset();
    new_chain.clear();
    peer_collected.clear();
    peer_index = 0;
    install_after_anchors = false;
    check_installed = false;
}

StateData Progress::encode() const {
    StateData d;
    d.set("kind", std::string(to_string(kind)));
    d.set("key_ref", key_ref);
    d.set("transaction_id", transaction_id);
    d.set_time("poll_started", poll_started);
    d.set_time("poll_window_end", poll_window_end);
    d.set_time("next_poll", next_poll);
    d.set("poll_attempts", poll_attempts ? std::to_string(poll_attempts) : "");
    d.set("retry_step", retry_step);
    d.set("retry_attempt", retry_attempt ? std::to_string(retry_attempt) : "");
    d.set_time("retry_at", retry_at);
    if (new_certificate)
        d.set_certificates("new_certificate", {*new_certificate});
    d.set_certificates("new_chain", new_chain);
    d.set_certificates("peer_anchors", peer_anchors);
    d.set_certificates("peer_collected", peer_collected);
    d.set("peer_index", peer_index ? std::to_string(peer_index) : "");
    d.set("install_after_anchors", install_after_anchors ? "1" : "");
    d.set("check_installed", check_installed ? "1" : "");
    d.set_time("revocation_checked_at", revocation_checked_at);
    if (rollover_anchor)
        d.set_certificates("rollover_anchor", {*rollover_anchor});
    d.set("resume_state", resume_state);
    d.set_time("expiring_notified_at", expiring_notified_at);
    return d;
}

Progress Progress::decode(const StateData& d) {
    Progress p;
    const std::string kind = d.get("kind");
    p.kind = kind == "renewal"       ? EnrolmentKind::renewal
             : kind == "reenrolment" ? EnrolmentKind::reenrolment
                                     : EnrolmentKind::initial;
    p.key_ref = d.get("key_ref");
    p.transaction_id = d.get("transaction_id");
    p.poll_started = d.get_time("poll_started");
    p.poll_window_end = d.get_time("poll_window_end");
    p.next_poll = d.get_time("next_poll");
    p.poll_attempts = d.get_unsigned("poll_attempts");
    p.retry_step = d.get("retry_step");
    p.retry_attempt = d.get_unsigned("retry_attempt");
    p.retry_at = d.get_time("retry_at");
    if (auto certs = d.get_certificates("new_certificate"); !certs.empty()) {
        p.new_certificate = certs.front();
    }
    p.new_chain = d.get_certificates("new_chain");
    p.peer_anchors = d.get_certificates("peer_anchors");
    p.peer_collected = d.get_certificates("peer_collected");
    p.peer_index = d.get_unsigned("peer_index");
    p.install_after_anchors = d.get("install_after_anchors") == "1";
    p.check_installed = d.get("check_installed") == "1";
    p.revocation_checked_at = d.get_time("revocation_checked_at");
    if (auto certs = d.get_certificates("rollover_anchor"); !certs.empty()) {
        p.rollover_anchor = certs.front();
    }
    p.resume_state = d.get("resume_state");
    p.expiring_notified_at = d.get_time("expiring_notified_at");
    return p;
}

Machine::Machine(profiles::Profile p, Ports ports_, const common::Clock& clock_,
                 common::Timers& timers_, common::Logger log_, std::optional<Position> resume_)
    : profile(std::move(p)),
      ports(ports_),
      clock(clock_),
      timers(timers_),
      log(std::move(log_)),
      resume(std::move(resume_)) {
    if (resume && !resume->state.empty()) {
        progress = Progress::decode(StateData::parse(resume->state_data));
        last_error = resume->last_error;
    }
}

Machine::~Machine() {
    disarm();
    terminate();
}

void Machine::dispatch(const sc::event_base& event, std::string_view name) {
    event_name = std::string(name);
    process_event(event);
}

void Machine::timer_fired(std::uint64_t token) {
    if (!timer || token != timer_token)
        return;  // cancelled or superseded
    timer.reset();
    next_action.clear();
    next_action_at.reset();
    dispatch(TimerFired{}, "TimerFired");
}

Position Machine::position(std::optional<common::SystemTime> next_at) const {
    StateData data = progress.encode();
    // What the armed timer will do (Status::next_action), for `certkeeper status`; not read
    // back on resume (the resumed state arms its timer and names it again).
    data.set("next_action", next_at ? next_action : std::string());
    return Position{current, data.encode(), next_at, last_error};
}

void Machine::enter(std::string_view state, std::string detail,
                    std::optional<common::SystemTime> next_at, std::string next) {
    disarm();
    outstanding = 0;
    const std::string from = current;
    current = std::string(state);
    next_action = std::move(next);
    next_action_at = next_at;
    Transition t{profile.name(), from, event_name, position(next_at), detail, now()};
    if (auto r = ports.repository.record_transition(t); !r) {
        // Nothing better to do than say so: the next transition writes the whole position again.
        log.error("profile " + profile.name() + ": cannot persist " + current + ": " +
                  r.error().to_string());
    }
    log.info("profile " + profile.name() + ": " + (from.empty() ? "-" : from) + " -> " + current +
             " (" + event_name + ")" + (detail.empty() ? "" : ": " + detail));
}

void Machine::save(std::optional<common::SystemTime> next_at, std::string next) {
    next_action = std::move(next);
    next_action_at = next_at;
    if (auto r = ports.repository.save_position(profile.name(), position(next_at), now()); !r) {
        log.error("profile " + profile.name() + ": cannot persist progress in " + current + ": " +
                  r.error().to_string());
    }
}

void Machine::arm(common::SystemTime due) {
    disarm();
    const auto delay = std::max(due - now(), common::SystemTime::duration::zero());
    const std::uint64_t token = ++timer_token;
    timer = timers.start(std::chrono::duration_cast<std::chrono::steady_clock::duration>(delay),
                         [this, token] { timer_fired(token); });
}

void Machine::disarm() {
    if (timer)
        timers.cancel(*timer);
    timer.reset();
    ++timer_token;
}

RequestId Machine::new_request() {
    outstanding = ++last_id;
    return outstanding;
}

bool Machine::clock_ok() const {
    if (clock_forced)
        return true;
    std::optional<common::SystemTime> nb;
    if (installed)
        nb = installed->certificate.not_before();
    return policy::clock_trustworthy(now(), policy::clock_floor, nb);
}

void Machine::load_installed() {
    auto r = ports.repository.installed(profile.name());
    if (!r) {
        log.warning("profile " + profile.name() +
                    ": cannot read the installed certificate: " + r.error().to_string());
        return;
    }
    installed = std::move(r).value();
}

void Machine::notify(Notification::Kind kind, const std::optional<crypto::Certificate>& cert,
                     std::string message) {
    Notification n;
    n.kind = kind;
    n.profile = profile.name();
    if (cert) {
        n.subject = cert->subject();
        n.serial = cert->serial_hex();
        n.not_after = cert->not_after();
    }
    n.message = std::move(message);
    ports.notifier.notify(n);
}

std::string Machine::describe(const crypto::Certificate& cert) const {
    return cert.subject() + " serial " + cert.serial_hex() + " until " +
           common::format_rfc3339(cert.not_after());
}

}  // namespace lifecycle::detail
