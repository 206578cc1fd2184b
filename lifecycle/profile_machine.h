// lifecycle::ProfileMachine: the certificate lifecycle of one profile (the 14 steps of oneM2M
// TS-0003 §8.3.6.2.3, docs/lifecycle.md), a hierarchical Boost.Statechart machine hidden behind
// this class (the machine and its states are private to lifecycle/: machine.h, machine_states.h).
//
// Events in: start(), profile_changed(), renew_requested(), clock_trusted(), the replies of the
// ports (on_*) and the machine's own timers. Requests out: through Ports only (ports.h).
// Every transition is persisted through CertificateRepository::record_transition before the new
// state acts, and logged as one line. A machine built with a persisted Position resumes there
// on start() (docs/lifecycle.md, "Resume").
//
// Thread-safety: none. Every call, every reply and every timer callback must run on the one
// thread that owns the machine (the daemon's event loop; a test's thread).
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "common/clock.h"
#include "common/log.h"
#include "common/timers.h"
#include "lifecycle/events.h"
#include "lifecycle/ports.h"
#include "profiles/profile.h"

namespace lifecycle {

namespace detail {
struct Machine;
}

// What `certkeeper status` shows for a profile.
struct Status {
    // Where the machine stands, for callers that must not parse state names or next_action
    // (certkeeperd --once):
    enum class Kind {
        working,            // a request is out (or about to be): a reply will move it on
        valid,              // Valid: a certificate in service, the timer is the renewal/re-check
        pending_poll,       // Polling: PENDING at the CA, the next CertPoll on a timer
        retry_wait,         // RetryWait: a step failed, retried when the timer fires
        waiting_for_clock,  // WaitingForClock: the wall clock is not trustworthy yet
        failed,             // Failed: stopped until a profile change or a renewal request
    };
    std::string profile;
    std::string state;  // "Valid", "Polling", "Failed", ...
    Kind kind = Kind::working;
    // The certificate in service; empty / nullopt when there is none.
    std::string subject;
    std::string serial;
    std::optional<common::SystemTime> not_after;
    // The next thing the machine will do on its own and when (the one armed timer): "renew",
    // "check revocation", "poll", "retry <State>", "recheck clock"; "" while waiting for a reply
    // or stopped. Persisted with the position (state_data "next_action", Position's
    // next_action_at), which is what `certkeeper status` prints.
    std::string next_action;
    std::optional<common::SystemTime> next_action_at;
    std::string last_error;  // "" when the last step succeeded
};

std::string_view to_string(Status::Kind kind);  // "working", "valid", "pending_poll", ...

class ProfileMachine {
  public:
    // REQUIRES: ports' referees, clock, timers and the logger's sink outlive the machine.
    // resume: the Position last persisted for this profile (nullopt or an empty state: start
    // from scratch).
    ProfileMachine(profiles::Profile profile, Ports ports, const common::Clock& clock,
                   common::Timers& timers, common::Logger log,
                   std::optional<Position> resume = std::nullopt);
    ~ProfileMachine();  // cancels the armed timer; outstanding replies must not be delivered
    ProfileMachine(const ProfileMachine&) = delete;
    ProfileMachine& operator=(const ProfileMachine&) = delete;

    // Enters the first state (or the resumed one). Call once.
    void start();

    // The profile was edited (file re-read, ACS SetParameterValues). Enrolment fields (url, CA,
    // fingerprint, subject, key, credentials) restart enrolment with a new key; peer anchors or
    // stores re-install the certificate in service; timing fields re-plan. Leaves Failed.
    void profile_changed(profiles::Profile profile);
    // The operator or the ACS asks for a renewal now (step 6). Leaves Failed.
    void renew_requested();
    // The system clock is synchronised (NTP): validity can be judged.
    void clock_trusted();

    // Replies (ports.h). A reply whose request is not the outstanding one is logged and ignored.
    void on_ca_certificates(CaCertificatesFetched reply);
    void on_next_ca_certificates(NextCaCertificatesFetched reply);
    void on_enrolment(EnrolmentReplied reply);
    void on_peer_anchor(PeerAnchorFetched reply);
    void on_revocation_checked(RevocationChecked reply);
    void on_installed(Installed reply);
    void on_cleaned_up(CleanedUp reply);

    const std::string& profile_name() const;
    std::string state_name() const;
    Status status() const;
    // Valid or Failed: nothing will happen until a timer, the operator or a profile change.
    bool stable() const;
    bool failed() const;

  private:
    std::unique_ptr<detail::Machine> m_machine;
};

}  // namespace lifecycle
