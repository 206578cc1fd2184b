// Private to lifecycle/: the states of the lifecycle machine (docs/lifecycle.md has the diagram
// and the table of the 14 steps) and the moves they share. The states are defined in three
// files along their groups:
//   machine_bootstrap.cpp  Active, Starting, WaitingForClock, FetchingCaCertificates,
//                          CheckingRollover, FetchingPeerAnchors (steps 1-4, 9-10)
//   machine_enrolment.cpp  Requesting, Polling (steps 5-7, 11, PENDING)
//   machine_steady.cpp     CheckingRevocation, Installing, CleaningUp, Valid, RetryWait, Failed
//                          (steps 8, 12-14, timers)
// Each state persists itself and logs one line in its constructor (Machine::enter), then acts:
// sends one request or arms the one timer. Replies that are not awaited never get here
// (ProfileMachine filters them by request id); anything else a state does not expect ends in
// Active's catch-all, which logs it.
#pragma once

#include <boost/mpl/list.hpp>
#include <boost/statechart/custom_reaction.hpp>
#include <boost/statechart/simple_state.hpp>
#include <boost/statechart/state.hpp>

#include <string>

#include "common/time_format.h"
#include "lifecycle/machine.h"

namespace lifecycle::detail {

namespace mpl = boost::mpl;

inline std::string when(common::SystemTime t) {
    return common::format_rfc3339(t);
}

inline bool revocation_enabled(const profiles::Profile& p) {
    return !p.revocation().methods.empty();
}

// Step 2 (machine_bootstrap.cpp): the anchor is the root the profile pins (or the one a
// rollover brought, authenticated by the previous CA).
common::Result<void> pin_anchor(const Machine& m, const crypto::Certificate& anchor);

// ---- the states ----

struct Starting;
struct WaitingForClock;
struct FetchingCaCertificates;
struct CheckingRollover;
struct FetchingPeerAnchors;
struct Requesting;
struct Polling;
struct CheckingRevocation;
struct Installing;
struct CleaningUp;
struct Valid;
struct RetryWait;
struct Failed;

// Every state: profile changes, operator renewals, the clock, and the catch-all.
struct Active : sc::simple_state<Active, Machine, Starting> {
    using reactions =
        mpl::list<sc::custom_reaction<ProfileChanged>, sc::custom_reaction<RenewRequested>,
                  sc::custom_reaction<ClockTrusted>, sc::custom_reaction<sc::event_base>>;
    sc::result react(const ProfileChanged& event);
    sc::result react(const RenewRequested&);
    sc::result react(const ClockTrusted&);
    sc::result react(const sc::event_base&);
};

// Before the first transition: decides where to begin (fresh, or the persisted position).
struct Starting : sc::state<Starting, Active> {
    using reactions = sc::custom_reaction<Started>;
    explicit Starting(my_context ctx) : my_base(ctx) {}
    sc::result react(const Started&);
};

// The wall clock is not believable yet (before the release floor, or before the notBefore of
// the certificate in service): nothing is judged until clock_trusted() or a re-check passes.
struct WaitingForClock : sc::state<WaitingForClock, Active> {
    using reactions = mpl::list<sc::custom_reaction<ClockTrusted>, sc::custom_reaction<TimerFired>>;
    static constexpr std::chrono::minutes recheck{5};
    explicit WaitingForClock(my_context ctx);
    sc::result react(const ClockTrusted&);
    sc::result react(const TimerFired&);
    sc::result proceed();
};

// Steps 1-4: GetCACaps + GetCACert; the root pinned by fingerprint (2), each intermediate
// validated against its superior (4).
struct FetchingCaCertificates : sc::state<FetchingCaCertificates, Active> {
    using reactions = sc::custom_reaction<CaFetched>;
    explicit FetchingCaCertificates(my_context ctx);
    sc::result react(const CaFetched& event);
};

// GetNextCACert before a renewal or re-enrolment: CA rollover.
struct CheckingRollover : sc::state<CheckingRollover, Active> {
    using reactions = sc::custom_reaction<NextCaFetched>;
    explicit CheckingRollover(my_context ctx);
    sc::result react(const NextCaFetched& event);
};

// Steps 9-10: each peer trust anchor fetched, pinned by its fingerprint, its intermediates
// validated against it. One anchor per visit (progress.peer_index).
struct FetchingPeerAnchors : sc::state<FetchingPeerAnchors, Active> {
    using reactions = sc::custom_reaction<PeerFetched>;
    explicit FetchingPeerAnchors(my_context ctx);
    sc::result react(const PeerFetched& event);
};

// Steps 5-7: PKCSReq or RenewalReq sent (re-sent with the same key and transactionID on resume).
struct Requesting : sc::state<Requesting, Active> {
    using reactions = sc::custom_reaction<EnrolmentAnswered>;
    explicit Requesting(my_context ctx);
    sc::result react(const EnrolmentAnswered& event);
};

// The CA answered PENDING: CertPoll every poll_interval until issued, rejected or the window ends.
struct Polling : sc::state<Polling, Active> {
    using reactions =
        mpl::list<sc::custom_reaction<TimerFired>, sc::custom_reaction<EnrolmentAnswered>>;
    explicit Polling(my_context ctx);
    sc::result react(const TimerFired&);
    sc::result react(const EnrolmentAnswered& event);
    void plan(common::SystemTime next);
};

// Step 8: CRL/OCSP for every certificate of the new chain (before install) or of the chain in
// service (periodic re-check).
struct CheckingRevocation : sc::state<CheckingRevocation, Active> {
    using reactions = sc::custom_reaction<RevocationAnswered>;
    explicit CheckingRevocation(my_context ctx);
    sc::result react(const RevocationAnswered& event);
};

// Step 12 (then 13): key, certificate, chain and peer anchors into the application stores; the
// old certificate stays in service until this succeeds.
struct Installing : sc::state<Installing, Active> {
    using reactions = sc::custom_reaction<InstallFinished>;
    explicit Installing(my_context ctx);
    sc::result react(const InstallFinished& event);
};

// Step 14: expired and superseded artefacts deleted.
struct CleaningUp : sc::state<CleaningUp, Active> {
    using reactions = sc::custom_reaction<CleanupFinished>;
    explicit CleaningUp(my_context ctx);
    sc::result react(const CleanupFinished& event);
};

// Idle with exactly one timer: the renewal (step 7) or the next revocation re-check (step 8).
struct Valid : sc::state<Valid, Active> {
    using reactions = mpl::list<sc::custom_reaction<TimerFired>, sc::custom_reaction<ClockTrusted>>;
    explicit Valid(my_context ctx);
    sc::result react(const TimerFired&);
    sc::result react(const ClockTrusted&);
    common::SystemTime renew_at() const;
    std::optional<common::SystemTime> recheck_at() const;
    void plan(bool persist);
};

// A retryable failure: wait retry_delay() then go back to progress.retry_step.
struct RetryWait : sc::state<RetryWait, Active> {
    using reactions = sc::custom_reaction<TimerFired>;
    explicit RetryWait(my_context ctx);
    sc::result react(const TimerFired&);
};

// Stopped and reported (fingerprint mismatch, rejection, polling window exceeded, an invalid
// chain): nothing happens until the profile changes or the operator asks for a renewal.
struct Failed : sc::state<Failed, Active> {
    explicit Failed(my_context ctx);
};

// ---- moves shared by the state groups ----

template <class S>
sc::result go(S& s, const std::string& name) {
    if (name == "WaitingForClock")
        return s.template transit<WaitingForClock>();
    if (name == "FetchingCaCertificates")
        return s.template transit<FetchingCaCertificates>();
    if (name == "CheckingRollover")
        return s.template transit<CheckingRollover>();
    if (name == "FetchingPeerAnchors")
        return s.template transit<FetchingPeerAnchors>();
    if (name == "Requesting")
        return s.template transit<Requesting>();
    if (name == "Polling")
        return s.template transit<Polling>();
    if (name == "CheckingRevocation")
        return s.template transit<CheckingRevocation>();
    if (name == "Installing")
        return s.template transit<Installing>();
    if (name == "CleaningUp")
        return s.template transit<CleaningUp>();
    if (name == "Valid")
        return s.template transit<Valid>();
    if (name == "RetryWait")
        return s.template transit<RetryWait>();
    if (name == "Failed")
        return s.template transit<Failed>();
    return s.template transit<FetchingCaCertificates>();
}

// From scratch: the clock first, then the certificate in service (re-checked) or enrolment.
template <class S>
sc::result begin(S& s) {
    Machine& m = s.template context<Machine>();
    m.load_installed();
    if (!m.clock_ok())
        return s.template transit<WaitingForClock>();
    if (m.installed) {
        m.progress.check_installed = true;
        return revocation_enabled(m.profile) ? s.template transit<CheckingRevocation>()
                                             : s.template transit<Valid>();
    }
    m.progress.reset_enrolment();
    m.progress.kind = EnrolmentKind::initial;
    return s.template transit<FetchingCaCertificates>();
}

// A fresh enrolment of `kind` (new key, new transaction).
template <class S>
sc::result enrol_again(S& s, EnrolmentKind kind) {
    Machine& m = s.template context<Machine>();
    m.progress.reset_enrolment();
    m.progress.kind = kind;
    m.ca.reset();
    return s.template transit<FetchingCaCertificates>();
}

template <class S>
sc::result fail(S& s, const std::string& why) {
    Machine& m = s.template context<Machine>();
    m.last_error = why;
    return s.template transit<Failed>();
}

// An Error from a port: retry later when it says so, else stop and report.
template <class S>
sc::result failed_step(S& s, const common::Error& error, std::string_view step) {
    Machine& m = s.template context<Machine>();
    if (!error.retryable())
        return fail(s, std::string(step) + ": " + error.to_string());
    m.last_error = std::string(step) + ": " + error.to_string();
    m.progress.retry_step = m.current;
    return s.template transit<RetryWait>();
}

}  // namespace lifecycle::detail
