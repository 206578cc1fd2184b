// The states of the lifecycle machine (docs/lifecycle.md has the diagram and the table of the
// 14 steps). Each state persists itself and logs one line in its constructor (Machine::enter),
// then acts: sends one request or arms the one timer. Replies that are not awaited never get
// here (ProfileMachine filters them by request id); anything else a state does not expect ends
// in Active's catch-all, which logs it.
#include <boost/mpl/list.hpp>
#include <boost/statechart/custom_reaction.hpp>
#include <boost/statechart/simple_state.hpp>
#include <boost/statechart/state.hpp>

#include <algorithm>
#include <string>

#include "common/time_format.h"
#include "crypto/chain_validator.h"
#include "lifecycle/machine.h"
#include "lifecycle/policy.h"

namespace lifecycle::detail {

namespace mpl = boost::mpl;

namespace {

std::string when(common::SystemTime t) {
    return common::format_rfc3339(t);
}

crypto::Fingerprint profile_pin(const profiles::Profile& profile) {
    const auto& fp = profile.ca_fingerprint();
    return crypto::Fingerprint(crypto::DigestAlgorithm::sha256,
                               crypto::Bytes(fp.begin(), fp.end()));
}

// Step 2: the anchor is the root the profile pins (or the one a rollover brought, authenticated
// by the previous CA).
common::Result<void> pin_anchor(const Machine& m, const crypto::Certificate& anchor) {
    auto pinned = crypto::pin_trust_anchor(anchor, profile_pin(m.profile));
    if (pinned)
        return {};
    if (m.progress.rollover_anchor && anchor == *m.progress.rollover_anchor)
        return {};
    return pinned.error().with_context("step 2");
}

// Step 4: each CA certificate signed by its superior and valid now, then the path as a whole.
common::Result<void> validate_ca_chain(const Machine& m, const CaCertificates& ca) {
    std::vector<crypto::Certificate> path{ca.issuing_ca};
    path.insert(path.end(), ca.intermediates.begin(), ca.intermediates.end());
    if (!(ca.issuing_ca == ca.anchor))
        path.push_back(ca.anchor);
    for (std::size_t i = 0; i < path.size(); ++i) {
        if (!path[i].is_valid_at(m.now())) {
            return common::fail(
                common::Errc::verification,
                "step 4: " + path[i].subject() + " is not valid at " + when(m.now()));
        }
        if (i + 1 < path.size() && !path[i].is_signed_by(path[i + 1])) {
            return common::fail(
                common::Errc::verification,
                "step 4: " + path[i].subject() + " is not signed by " + path[i + 1].subject());
        }
    }
    if (path.size() > 1) {
        crypto::ValidationOptions options;
        options.time = m.now();
        auto r =
            crypto::ChainValidator({ca.anchor}).validate(ca.issuing_ca, ca.intermediates, options);
        if (!r)
            return r.error().with_context("step 4");
    }
    return {};
}

// Step 11: the new certificate chains to a pinned anchor and is valid now.
common::Result<void> validate_new_chain(const Machine& m, const crypto::Certificate& leaf,
                                        const std::vector<crypto::Certificate>& chain) {
    if (chain.empty()) {
        return common::fail(common::Errc::verification, "step 11: the CA sent no chain");
    }
    if (auto pinned = pin_anchor(m, chain.back()); !pinned) {
        return pinned.error().with_context("step 11");
    }
    crypto::ValidationOptions options;
    options.time = m.now();
    const std::vector<crypto::Certificate> untrusted(chain.begin(), chain.end() - 1);
    auto r = crypto::ChainValidator({chain.back()}).validate(leaf, untrusted, options);
    if (!r)
        return r.error().with_context("step 11");
    return {};
}

bool revocation_enabled(const profiles::Profile& p) {
    return !p.revocation().methods.empty();
}

// Fields that make the certificate in service (or the request in flight) the wrong one.
bool enrolment_fields_changed(const profiles::Profile& a, const profiles::Profile& b) {
    return a.protocol() != b.protocol() || a.url() != b.url() ||
           a.ca_identifier() != b.ca_identifier() || a.ca_fingerprint() != b.ca_fingerprint() ||
           a.subject() != b.subject() || a.subject_alt_names() != b.subject_alt_names() ||
           a.key_type() != b.key_type() || a.challenge() != b.challenge() ||
           a.username() != b.username() || a.password() != b.password();
}

bool install_fields_changed(const profiles::Profile& a, const profiles::Profile& b) {
    return a.peer_trust_anchors() != b.peer_trust_anchors() || a.stores() != b.stores() ||
           a.post_install() != b.post_install();
}

}  // namespace

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

// ---- shared moves ----

namespace {

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

template <class S>
sc::result after_ca_certificates(S& s) {
    Machine& m = s.template context<Machine>();
    if (!m.profile.peer_trust_anchors().empty()) {
        m.progress.peer_index = 0;
        m.progress.peer_collected.clear();
        return s.template transit<FetchingPeerAnchors>();
    }
    m.progress.peer_anchors.clear();
    return s.template transit<Requesting>();
}

// Steps 11 and 8 for an issued certificate.
template <class S>
sc::result issued(S& s, const EnrolmentOutcome& outcome) {
    Machine& m = s.template context<Machine>();
    if (!outcome.certificate)
        return fail(s, "the CA reported success without a certificate");
    if (auto ok = validate_new_chain(m, *outcome.certificate, outcome.chain); !ok) {
        return fail(
            s, "new certificate refused, the old one stays in service: " + ok.error().to_string());
    }
    m.log.info("profile " + m.profile.name() +
               ": step 11: new chain validated: " + m.describe(*outcome.certificate));
    m.progress.new_certificate = outcome.certificate;
    m.progress.new_chain = outcome.chain;
    m.progress.check_installed = false;
    m.last_error.clear();
    return revocation_enabled(m.profile) ? s.template transit<CheckingRevocation>()
                                         : s.template transit<Installing>();
}

template <class S>
sc::result enrolment_answer(S& s, const EnrolmentReplied& reply) {
    Machine& m = s.template context<Machine>();
    if (!reply.key_ref.empty())
        m.progress.key_ref = reply.key_ref;
    if (!reply.transaction_id.empty())
        m.progress.transaction_id = reply.transaction_id;
    if (!reply.result)
        return failed_step(s, reply.result.error(), "enrolment");
    const EnrolmentOutcome& outcome = *reply.result;
    switch (outcome.status) {
        case EnrolmentOutcome::Status::issued:
            return issued(s, outcome);
        case EnrolmentOutcome::Status::rejected:
            return fail(s, "the CA rejected the request (transactionID " +
                               m.progress.transaction_id + ", failInfo " +
                               (outcome.fail_info.empty() ? "none" : outcome.fail_info) + ")");
        case EnrolmentOutcome::Status::pending:
            break;
    }
    return s.template transit<Polling>();
}

}  // namespace

// ---- Active ----

sc::result Active::react(const ProfileChanged& event) {
    Machine& m = context<Machine>();
    if (m.current == "Starting")
        return discard_event();  // start() will read the new one
    if (enrolment_fields_changed(event.previous, m.profile)) {
        m.last_error.clear();
        if (event.previous.ca_fingerprint() != m.profile.ca_fingerprint()) {
            m.progress.rollover_anchor.reset();
        }
        m.load_installed();
        return enrol_again(*this,
                           m.installed ? EnrolmentKind::reenrolment : EnrolmentKind::initial);
    }
    if (m.current == "Failed") {
        m.last_error.clear();
        return begin(*this);
    }
    const bool idle = m.current == "Valid" || m.current == "CleaningUp" ||
                      (m.current == "CheckingRevocation" && m.progress.check_installed) ||
                      (m.current == "RetryWait" && m.progress.retry_step == "CheckingRevocation" &&
                       m.progress.check_installed);
    if (install_fields_changed(event.previous, m.profile) && m.installed && idle) {
        m.progress.reset_enrolment();
        m.progress.install_after_anchors = true;
        m.progress.peer_collected.clear();
        if (m.profile.peer_trust_anchors().empty()) {
            m.progress.peer_anchors.clear();
            return transit<Installing>();
        }
        return transit<FetchingPeerAnchors>();
    }
    if (m.current == "Valid")
        return transit<Valid>();  // renew_at_percent etc. re-planned
    return discard_event();       // the step in flight continues; the new values apply to the next
}

sc::result Active::react(const RenewRequested&) {
    Machine& m = context<Machine>();
    m.last_error.clear();
    m.load_installed();
    return enrol_again(*this, m.installed ? EnrolmentKind::renewal : EnrolmentKind::initial);
}

sc::result Active::react(const ClockTrusted&) {
    context<Machine>().clock_forced = true;
    return discard_event();
}

sc::result Active::react(const sc::event_base&) {
    Machine& m = context<Machine>();
    m.log.warning("profile " + m.profile.name() + ": unexpected " + m.event_name + " in " +
                  m.current + ", ignored");
    return discard_event();
}

// ---- Starting, WaitingForClock ----

sc::result Starting::react(const Started&) {
    Machine& m = context<Machine>();
    if (!m.resume || m.resume->state.empty() || m.resume->state == "Starting")
        return begin(*this);
    const std::string target = m.resume->state;
    m.resume.reset();
    m.load_installed();
    if (target == "Failed")
        return transit<Failed>();
    if (!m.clock_ok()) {
        if (target != "WaitingForClock")
            m.progress.resume_state = target;
        return transit<WaitingForClock>();
    }
    if (target == "WaitingForClock") {
        return m.progress.resume_state.empty() ? begin(*this) : go(*this, m.progress.resume_state);
    }
    if (target == "Valid" && !m.installed)
        return begin(*this);
    return go(*this, target);
}

WaitingForClock::WaitingForClock(my_context ctx) : my_base(ctx) {
    Machine& m = context<Machine>();
    const auto due = m.now() + recheck;
    m.enter("WaitingForClock", "wall clock " + when(m.now()) + " not trustworthy", due,
            "recheck clock");
    m.arm(due);
}

sc::result WaitingForClock::proceed() {
    Machine& m = context<Machine>();
    const std::string target = m.progress.resume_state;
    m.progress.resume_state.clear();
    return target.empty() ? begin(*this) : go(*this, target);
}

sc::result WaitingForClock::react(const ClockTrusted&) {
    context<Machine>().clock_forced = true;
    return proceed();
}

sc::result WaitingForClock::react(const TimerFired&) {
    Machine& m = context<Machine>();
    if (m.clock_ok())
        return proceed();
    const auto due = m.now() + recheck;
    m.save(due, "recheck clock");
    m.arm(due);
    return discard_event();
}

// ---- steps 1-4, rollover, 9-10 ----

FetchingCaCertificates::FetchingCaCertificates(my_context ctx) : my_base(ctx) {
    Machine& m = context<Machine>();
    m.enter("FetchingCaCertificates", "steps 1-4: GetCACaps/GetCACert for a " +
                                          std::string(to_string(m.progress.kind)) + " enrolment");
    m.ports.enroller.fetch_ca_certificates({m.new_request(), m.profile.name()});
}

sc::result FetchingCaCertificates::react(const CaFetched& event) {
    Machine& m = context<Machine>();
    if (!event.reply.result)
        return failed_step(*this, event.reply.result.error(), "step 1");
    const CaCertificates& ca = *event.reply.result;
    if (auto pinned = pin_anchor(m, ca.anchor); !pinned) {
        return fail(*this, "root fingerprint mismatch, stopped: " + pinned.error().to_string());
    }
    m.log.info("profile " + m.profile.name() + ": step 2: root pinned: " + ca.anchor.subject() +
               " " + ca.anchor.fingerprint().to_string());
    if (auto valid = validate_ca_chain(m, ca); !valid) {
        return fail(*this, "CA chain refused: " + valid.error().to_string());
    }
    m.log.info("profile " + m.profile.name() + ": step 4: issuing CA " + ca.issuing_ca.subject() +
               " validated through " + std::to_string(ca.intermediates.size()) +
               " intermediate(s)");
    m.ca = ca;
    const bool can_roll = std::find(ca.capabilities.begin(), ca.capabilities.end(),
                                    "GetNextCACert") != ca.capabilities.end();
    if (m.progress.kind != EnrolmentKind::initial && can_roll)
        return transit<CheckingRollover>();
    return after_ca_certificates(*this);
}

CheckingRollover::CheckingRollover(my_context ctx) : my_base(ctx) {
    Machine& m = context<Machine>();
    m.enter("CheckingRollover", "GetNextCACert");
    if (!m.ca) {  // resumed: the CA set of steps 1-4 is not persisted
        m.ports.enroller.fetch_ca_certificates({m.new_request(), m.profile.name()});
        return;
    }
    m.ports.enroller.fetch_next_ca_certificates({m.new_request(), m.profile.name(), *m.ca});
}

sc::result CheckingRollover::react(const NextCaFetched& event) {
    Machine& m = context<Machine>();
    if (!event.reply.result) {
        m.log.warning("profile " + m.profile.name() + ": GetNextCACert failed, renewing with " +
                      "the current CA: " + event.reply.result.error().to_string());
        return after_ca_certificates(*this);
    }
    const auto& next = *event.reply.result;
    if (!next)
        return after_ca_certificates(*this);
    // Authenticated by the current CA's signature (the adapter verified it): the new root is
    // trusted from here on, alongside the profile's pin.
    if (!next->anchor.is_self_issued() || !next->anchor.is_signed_by(next->anchor)) {
        return fail(*this, "GetNextCACert: the next root " + next->anchor.subject() +
                               " is not self-signed");
    }
    m.progress.rollover_anchor = next->anchor;
    if (auto valid = validate_ca_chain(m, *next); !valid) {
        if (next->issuing_ca.not_before() > m.now()) {
            m.log.info("profile " + m.profile.name() + ": next CA " + next->issuing_ca.subject() +
                       " not valid before " + when(next->issuing_ca.not_before()) +
                       ", current CA kept for now");
            return after_ca_certificates(*this);
        }
        return fail(*this, "next CA chain refused: " + valid.error().to_string());
    }
    m.log.info("profile " + m.profile.name() + ": CA rollover: enrolling with " +
               next->issuing_ca.subject() + " under root " + next->anchor.subject() + " " +
               next->anchor.fingerprint().to_string());
    m.ca = *next;
    return after_ca_certificates(*this);
}

FetchingPeerAnchors::FetchingPeerAnchors(my_context ctx) : my_base(ctx) {
    Machine& m = context<Machine>();
    const auto& anchors = m.profile.peer_trust_anchors();
    const unsigned i =
        std::min<unsigned>(m.progress.peer_index, static_cast<unsigned>(anchors.size() - 1));
    m.enter("FetchingPeerAnchors", "steps 9-10: peer trust anchor " + std::to_string(i + 1) + "/" +
                                       std::to_string(anchors.size()) + " " + anchors[i].url);
    m.ports.enroller.fetch_peer_anchor({m.new_request(), m.profile.name(), anchors[i].url});
}

sc::result FetchingPeerAnchors::react(const PeerFetched& event) {
    Machine& m = context<Machine>();
    if (!event.reply.result)
        return failed_step(*this, event.reply.result.error(), "step 9");
    const auto& wanted = m.profile.peer_trust_anchors().at(m.progress.peer_index);
    const crypto::Fingerprint pin(
        crypto::DigestAlgorithm::sha256,
        crypto::Bytes(wanted.fingerprint.begin(), wanted.fingerprint.end()));
    const auto& certs = *event.reply.result;
    std::optional<crypto::Certificate> anchor;
    std::vector<crypto::Certificate> others;
    for (const auto& cert : certs) {
        if (!anchor && crypto::pin_trust_anchor(cert, pin)) {
            anchor = cert;
        } else {
            others.push_back(cert);
        }
    }
    if (!anchor) {
        return fail(*this, "step 9: nothing at " + wanted.url + " matches the pinned " +
                               pin.to_string() + ", stopped");
    }
    crypto::ValidationOptions options;
    options.time = m.now();
    for (const auto& cert : others) {
        if (auto r = crypto::ChainValidator({*anchor}).validate(cert, others, options); !r) {
            return fail(*this, "step 10: peer intermediate " + cert.subject() +
                                   " refused: " + r.error().to_string());
        }
    }
    m.log.info("profile " + m.profile.name() + ": steps 9-10: peer anchor pinned: " +
               anchor->subject() + " with " + std::to_string(others.size()) + " intermediate(s)");
    m.progress.peer_collected.push_back(*anchor);
    m.progress.peer_collected.insert(m.progress.peer_collected.end(), others.begin(), others.end());
    ++m.progress.peer_index;
    if (m.progress.peer_index < m.profile.peer_trust_anchors().size()) {
        return transit<FetchingPeerAnchors>();
    }
    m.progress.peer_anchors = m.progress.peer_collected;
    m.progress.peer_collected.clear();
    m.progress.peer_index = 0;
    return m.progress.install_after_anchors ? transit<Installing>() : transit<Requesting>();
}

// ---- steps 5-7 and PENDING ----

Requesting::Requesting(my_context ctx) : my_base(ctx) {
    Machine& m = context<Machine>();
    const bool renewal = m.progress.kind == EnrolmentKind::renewal && m.installed;
    const std::string what = renewal ? "step 7: RenewalReq" : "step 5: PKCSReq";
    m.enter("Requesting", what + " (" + std::string(to_string(m.progress.kind)) + ")" +
                              (m.progress.transaction_id.empty()
                                   ? std::string()
                                   : ", re-sent as transactionID " + m.progress.transaction_id));
    Enrol request;
    request.id = m.new_request();
    request.profile = m.profile.name();
    request.kind = renewal ? EnrolmentKind::renewal
                           : (m.progress.kind == EnrolmentKind::renewal ? EnrolmentKind::initial
                                                                        : m.progress.kind);
    request.key_ref = m.progress.key_ref;
    request.transaction_id = m.progress.transaction_id;
    if (renewal) {
        request.existing_certificate = m.installed->certificate;
        request.existing_key_ref = m.installed->key_ref;
    }
    request.ca = m.ca;
    m.ports.enroller.enrol(request);
}

sc::result Requesting::react(const EnrolmentAnswered& event) {
    return enrolment_answer(*this, event.reply);
}

Polling::Polling(my_context ctx) : my_base(ctx) {
    Machine& m = context<Machine>();
    auto& p = m.progress;
    if (!p.poll_window_end) {
        p.poll_started = m.now();
        p.poll_window_end = policy::poll_window_end(m.now(), m.profile.poll_window());
    }
    if (!p.next_poll) {
        p.next_poll = policy::next_poll_at(m.now(), m.profile.poll_interval(), *p.poll_window_end);
    }
    m.enter(
        "Polling",
        "PENDING, transactionID " + p.transaction_id + ", window ends " + when(*p.poll_window_end),
        p.next_poll, "poll");
    m.arm(*p.next_poll);
}

void Polling::plan(common::SystemTime next) {
    Machine& m = context<Machine>();
    m.progress.next_poll = next;
    m.save(next, "poll");
    m.arm(next);
}

sc::result Polling::react(const TimerFired&) {
    Machine& m = context<Machine>();
    ++m.progress.poll_attempts;
    m.progress.next_poll.reset();
    m.save(std::nullopt, "");
    Poll request;
    request.id = m.new_request();
    request.profile = m.profile.name();
    request.kind = m.progress.kind;
    request.key_ref = m.progress.key_ref;
    request.transaction_id = m.progress.transaction_id;
    if (m.progress.kind == EnrolmentKind::renewal && m.installed) {
        request.existing_certificate = m.installed->certificate;
        request.existing_key_ref = m.installed->key_ref;
    }
    request.ca = m.ca;
    m.log.info("profile " + m.profile.name() + ": CertPoll " +
               std::to_string(m.progress.poll_attempts) + " for transactionID " +
               m.progress.transaction_id);
    m.ports.enroller.poll(request);
    return discard_event();
}

sc::result Polling::react(const EnrolmentAnswered& event) {
    Machine& m = context<Machine>();
    const auto& reply = event.reply;
    const bool still_pending = reply.result
                                   ? reply.result->status == EnrolmentOutcome::Status::pending
                                   : reply.result.error().retryable();
    if (!still_pending)
        return enrolment_answer(*this, reply);
    if (!reply.result)
        m.last_error = "CertPoll: " + reply.result.error().to_string();
    const auto end = *m.progress.poll_window_end;
    if (policy::poll_window_expired(m.now(), end)) {
        return fail(*this, "polling window exceeded: transactionID " + m.progress.transaction_id +
                               " still PENDING after " + std::to_string(m.progress.poll_attempts) +
                               " poll(s), window ended " + when(end));
    }
    plan(policy::next_poll_at(m.now(), m.profile.poll_interval(), end));
    return discard_event();
}

// ---- step 8 ----

CheckingRevocation::CheckingRevocation(my_context ctx) : my_base(ctx) {
    Machine& m = context<Machine>();
    CheckRevocation request;
    const bool installed = m.progress.check_installed && m.installed;
    if (installed) {
        request.chain.push_back(m.installed->certificate);
        request.chain.insert(request.chain.end(), m.installed->chain.begin(),
                             m.installed->chain.end());
    } else if (m.progress.new_certificate) {
        request.chain.push_back(*m.progress.new_certificate);
        request.chain.insert(request.chain.end(), m.progress.new_chain.begin(),
                             m.progress.new_chain.end());
    }
    m.enter("CheckingRevocation", std::string("step 8: CRL/OCSP for the ") +
                                      (installed ? "chain in service" : "new chain"));
    if (request.chain.size() < 2) {  // nothing to check: an impossible position, say so
        post_event(RevocationAnswered(RevocationChecked{0, {}, false}));
        return;
    }
    request.id = m.new_request();
    request.profile = m.profile.name();
    request.at = m.now();
    m.ports.revocation.check(request);
}

sc::result CheckingRevocation::react(const RevocationAnswered& event) {
    Machine& m = context<Machine>();
    const auto& reply = event.reply;
    if (reply.certificates.empty() && !reply.acceptable && reply.request == 0) {
        return begin(*this);
    }
    const bool installed = m.progress.check_installed && m.installed;
    std::string revoked, unknown;
    for (const auto& c : reply.certificates) {
        if (c.status == CertificateRevocation::Status::revoked) {
            revoked += (revoked.empty() ? "" : "; ") + c.subject + " serial " + c.serial;
        } else if (c.status == CertificateRevocation::Status::unknown) {
            unknown += (unknown.empty() ? "" : "; ") + c.subject + ": " + c.detail;
        }
    }
    if (installed)
        m.progress.revocation_checked_at = m.now();
    if (!revoked.empty()) {
        if (!installed)
            return fail(*this, "new chain revoked: " + revoked);
        m.last_error = "revoked: " + revoked;
        m.notify(Notification::Kind::revoked, m.installed->certificate, "revoked: " + revoked);
        return enrol_again(*this, EnrolmentKind::reenrolment);
    }
    if (!reply.acceptable) {
        m.last_error = "step 8: revocation status unknown (hard-fail): " + unknown;
        m.progress.retry_step = "CheckingRevocation";
        return transit<RetryWait>();
    }
    if (!unknown.empty()) {
        m.log.warning("profile " + m.profile.name() +
                      ": step 8: revocation status unknown, accepted (soft-fail): " + unknown);
    }
    m.last_error.clear();
    m.progress.retry_attempt = 0;
    return installed ? transit<Valid>() : transit<Installing>();
}

// ---- steps 12-14 ----

Installing::Installing(my_context ctx) : my_base(ctx) {
    Machine& m = context<Machine>();
    const bool fresh = m.progress.new_certificate.has_value();
    if (!fresh && !m.installed) {
        m.enter("Installing", "nothing to install");
        post_event(InstallFinished(
            Installed{0, common::fail(common::Errc::internal, "nothing to install")}));
        return;
    }
    const crypto::Certificate cert = fresh ? *m.progress.new_certificate : m.installed->certificate;
    m.enter("Installing", std::string("step 12: ") + (fresh ? "" : "re-") + "installing " +
                              m.describe(cert) + " into " +
                              std::to_string(m.profile.stores().size()) + " store(s)");
    Install request{m.new_request(),
                    m.profile.name(),
                    fresh ? m.progress.key_ref : m.installed->key_ref,
                    cert,
                    fresh ? m.progress.new_chain : m.installed->chain,
                    m.progress.peer_anchors};
    m.ports.repository.install(request);
}

sc::result Installing::react(const InstallFinished& event) {
    Machine& m = context<Machine>();
    if (!event.reply.result) {
        if (event.reply.request == 0)
            return begin(*this);
        return failed_step(*this, event.reply.result.error(), "step 12");
    }
    if (m.progress.new_certificate) {
        const bool renewed = m.installed.has_value();
        m.installed = InstalledCertificate{*m.progress.new_certificate, m.progress.new_chain,
                                           m.progress.key_ref};
        m.notify(renewed ? Notification::Kind::renewed : Notification::Kind::installed,
                 m.installed->certificate,
                 std::string(renewed ? "renewed" : "installed") + ": " +
                     m.describe(m.installed->certificate));
        m.progress.revocation_checked_at = m.now();
        m.progress.expiring_notified_at.reset();
    } else {
        m.notify(Notification::Kind::installed, m.installed->certificate,
                 "re-installed with " + std::to_string(m.progress.peer_anchors.size()) +
                     " peer anchor certificate(s)");
    }
    m.log.info("profile " + m.profile.name() + ": step 13: provisioning authority notified");
    m.progress.reset_enrolment();
    m.last_error.clear();
    return transit<CleaningUp>();
}

CleaningUp::CleaningUp(my_context ctx) : my_base(ctx) {
    Machine& m = context<Machine>();
    m.enter("CleaningUp", "step 14: deleting expired and superseded artefacts");
    if (!m.installed) {
        post_event(CleanupFinished(CleanedUp{0, std::size_t{0}}));
        return;
    }
    m.ports.repository.cleanup({m.new_request(), m.profile.name(),
                                m.installed->certificate.serial_hex(), m.installed->key_ref,
                                m.now()});
}

sc::result CleaningUp::react(const CleanupFinished& event) {
    Machine& m = context<Machine>();
    if (!event.reply.result) {
        m.log.warning("profile " + m.profile.name() + ": step 14: cleanup failed (retried " +
                      "after the next install): " + event.reply.result.error().to_string());
    }
    return m.installed ? transit<Valid>() : begin(*this);
}

// ---- Valid, RetryWait, Failed ----

Valid::Valid(my_context ctx) : my_base(ctx) {
    plan(true);
}

common::SystemTime Valid::renew_at() const {
    const Machine& m = context<Machine>();
    const auto& cert = m.installed->certificate;
    return policy::renewal_due(cert.not_before(), cert.not_after(), m.profile.renew_at_percent(),
                               m.profile.name() + "/" + cert.serial_hex());
}

std::optional<common::SystemTime> Valid::recheck_at() const {
    const Machine& m = context<Machine>();
    if (!revocation_enabled(m.profile))
        return std::nullopt;
    return m.progress.revocation_checked_at.value_or(m.now()) + policy::revocation_recheck_interval;
}

void Valid::plan(bool persist) {
    Machine& m = context<Machine>();
    const auto renew = renew_at();
    const auto recheck = recheck_at();
    const bool renew_first = !recheck || renew <= *recheck;
    const auto due = renew_first ? renew : *recheck;
    const std::string what = renew_first ? "renew" : "check revocation";
    m.progress.retry_attempt = 0;
    if (persist) {
        m.enter("Valid", m.describe(m.installed->certificate) + "; " + what + " at " + when(due),
                due, what);
    } else {
        m.save(due, what);
    }
    m.arm(due);
}

sc::result Valid::react(const TimerFired&) {
    Machine& m = context<Machine>();
    if (m.now() >= renew_at()) {
        const bool expired = m.now() > m.installed->certificate.not_after();
        return enrol_again(*this, expired ? EnrolmentKind::reenrolment : EnrolmentKind::renewal);
    }
    m.progress.check_installed = true;
    return transit<CheckingRevocation>();
}

sc::result Valid::react(const ClockTrusted&) {
    context<Machine>().clock_forced = true;
    plan(false);  // an NTP step may have moved the wall clock: re-arm against it
    return discard_event();
}

RetryWait::RetryWait(my_context ctx) : my_base(ctx) {
    Machine& m = context<Machine>();
    auto& p = m.progress;
    if (!p.retry_at) {  // a fresh failure (a resumed RetryWait keeps its time)
        ++p.retry_attempt;
        p.retry_at =
            m.now() + policy::retry_delay(m.profile.retry(), p.retry_attempt, m.profile.name());
    }
    m.enter("RetryWait",
            "retry " + p.retry_step + " (attempt " + std::to_string(p.retry_attempt) +
                ") after: " + m.last_error,
            p.retry_at, "retry " + p.retry_step);
    // Renewal (or re-enrolment) keeps failing and the certificate in service is close to its
    // end: tell the provisioning authority, once a day.
    if (m.installed && !p.check_installed && p.kind != EnrolmentKind::initial) {
        const auto& cert = m.installed->certificate;
        const bool close = m.now() >= policy::expiry_warning_from(cert.not_before(), cert.not_after());
        const bool told_today = p.expiring_notified_at &&
                                m.now() - *p.expiring_notified_at < policy::expiry_warning_interval;
        if (close && !told_today) {
            p.expiring_notified_at = m.now();
            m.save(p.retry_at, "retry " + p.retry_step);
            m.notify(Notification::Kind::expiring, cert,
                     "renewal keeps failing (attempt " + std::to_string(p.retry_attempt) +
                         "); the certificate expires at " + when(cert.not_after()) + ": " +
                         m.last_error);
        }
    }
    m.arm(*p.retry_at);
}

sc::result RetryWait::react(const TimerFired&) {
    Machine& m = context<Machine>();
    m.progress.retry_at.reset();
    const std::string target = m.progress.retry_step;
    return go(*this, target.empty() ? std::string("FetchingCaCertificates") : target);
}

Failed::Failed(my_context ctx) : my_base(ctx) {
    Machine& m = context<Machine>();
    m.enter("Failed", m.last_error);
    if (m.event_name == "Started")
        return;  // resumed: reported before the restart
    std::optional<crypto::Certificate> cert;
    if (m.installed)
        cert = m.installed->certificate;
    m.notify(Notification::Kind::failed, cert, m.last_error);
}

void Machine::initiate_machine() {
    initiate();
}

}  // namespace lifecycle::detail
