// Private to lifecycle/: the Boost.Statechart machine behind ProfileMachine - its events, the
// context every state shares (the world, the certificate in service, the persisted progress)
// and the helpers states use to persist, log, arm the one timer and send requests. The states
// themselves are declared in machine_states.h and defined in machine_{bootstrap,enrolment,
// steady}.cpp.
#pragma once

#include <boost/statechart/event.hpp>
#include <boost/statechart/state_machine.hpp>

#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/log.h"
#include "common/timers.h"
#include "lifecycle/events.h"
#include "lifecycle/ports.h"
#include "lifecycle/profile_machine.h"
#include "lifecycle/state_data.h"
#include "profiles/profile.h"

namespace lifecycle::detail {

namespace sc = boost::statechart;

// ---- events: past-tense facts ----
struct Started : sc::event<Started> {};
struct ClockTrusted : sc::event<ClockTrusted> {};
struct TimerFired : sc::event<TimerFired> {};
struct ProfileChanged : sc::event<ProfileChanged> {
    explicit ProfileChanged(profiles::Profile p) : previous(std::move(p)) {}
    profiles::Profile previous;  // the machine's profile is the new one already
};
struct RenewRequested : sc::event<RenewRequested> {};
template <class Reply, class Tag>
struct ReplyEvent : sc::event<Tag> {
    explicit ReplyEvent(Reply r) : reply(std::move(r)) {}
    Reply reply;
};
struct CaFetched : ReplyEvent<CaCertificatesFetched, CaFetched> {
    using ReplyEvent::ReplyEvent;
};
struct NextCaFetched : ReplyEvent<NextCaCertificatesFetched, NextCaFetched> {
    using ReplyEvent::ReplyEvent;
};
struct EnrolmentAnswered : ReplyEvent<EnrolmentReplied, EnrolmentAnswered> {
    using ReplyEvent::ReplyEvent;
};
struct PeerFetched : ReplyEvent<PeerAnchorFetched, PeerFetched> {
    using ReplyEvent::ReplyEvent;
};
struct RevocationAnswered : ReplyEvent<RevocationChecked, RevocationAnswered> {
    using ReplyEvent::ReplyEvent;
};
struct InstallFinished : ReplyEvent<Installed, InstallFinished> {
    using ReplyEvent::ReplyEvent;
};
struct CleanupFinished : ReplyEvent<CleanedUp, CleanupFinished> {
    using ReplyEvent::ReplyEvent;
};

// What survives a restart besides the state name (encoded in Position::state_data).
struct Progress {
    EnrolmentKind kind = EnrolmentKind::initial;
    std::string key_ref;         // the key of the request in flight
    std::string transaction_id;  // its SCEP transactionID
    std::optional<common::SystemTime> poll_started, poll_window_end, next_poll;
    unsigned poll_attempts = 0;
    std::string retry_step;  // the state RetryWait goes back to
    unsigned retry_attempt = 0;
    std::optional<common::SystemTime> retry_at;
    std::optional<crypto::Certificate> new_certificate;  // issued, validated, not installed yet
    std::vector<crypto::Certificate> new_chain;
    std::vector<crypto::Certificate> peer_anchors;    // pinned (steps 9-10), for installs
    std::vector<crypto::Certificate> peer_collected;  // being fetched
    unsigned peer_index = 0;
    bool install_after_anchors = false;  // anchors changed: re-install the certificate in service
    bool check_installed = false;        // CheckingRevocation: the installed chain, not the new
    std::optional<common::SystemTime> revocation_checked_at;
    std::optional<crypto::Certificate> rollover_anchor;  // GetNextCACert's root, trusted too
    std::string resume_state;  // WaitingForClock: where to go once the clock is trusted
    // The last `expiring` notification for the certificate in service (kept across retries and
    // restarts, cleared when a new certificate is installed): at most one a day.
    std::optional<common::SystemTime> expiring_notified_at;

    void reset_enrolment();
    StateData encode() const;
    static Progress decode(const StateData& data);
};

struct Active;

struct Machine : sc::state_machine<Machine, Active> {
    Machine(profiles::Profile p, Ports ports_, const common::Clock& clock_, common::Timers& timers_,
            common::Logger log_, std::optional<Position> resume_);
    ~Machine();

    // Enters the initial state (Starting); machine_steady.cpp, where the states are complete.
    void initiate_machine();
    // Runs one event to completion (the ProfileMachine entry points).
    void dispatch(const sc::event_base& event, std::string_view name);
    void timer_fired(std::uint64_t token);

    // Persists the new state (record_transition) and logs one line; call first in a state's
    // constructor, before it acts. Disarms the timer and forgets the outstanding request.
    void enter(std::string_view state, std::string detail,
               std::optional<common::SystemTime> next_at = std::nullopt, std::string next = {});
    // Persists progress inside a state (save_position, no history).
    void save(std::optional<common::SystemTime> next_at, std::string next);
    void arm(common::SystemTime due);
    void disarm();
    RequestId new_request();
    common::SystemTime now() const { return clock.now(); }
    bool clock_ok() const;
    void load_installed();
    void notify(Notification::Kind kind, const std::optional<crypto::Certificate>& cert,
                std::string message);
    std::string describe(const crypto::Certificate& cert) const;
    Position position(std::optional<common::SystemTime> next_at) const;

    profiles::Profile profile;
    Ports ports;
    const common::Clock& clock;
    common::Timers& timers;
    common::Logger log;
    std::optional<Position> resume;  // consumed by Started

    std::string current = "Starting";
    std::string event_name = "Started";
    std::string last_error;
    std::string next_action;
    std::optional<common::SystemTime> next_action_at;
    bool clock_forced = false;  // clock_trusted() was called

    RequestId last_id = 0;
    RequestId outstanding = 0;
    std::optional<common::TimerId> timer;
    std::uint64_t timer_token = 0;

    std::optional<InstalledCertificate> installed;
    std::optional<CaCertificates> ca;  // steps 1-4 (or the rollover set) of this run
    Progress progress;
};

}  // namespace lifecycle::detail
