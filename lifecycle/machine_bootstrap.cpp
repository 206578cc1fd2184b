// The bootstrap states (machine_states.h): Active's reactions, Starting, WaitingForClock, and
// steps 1-4 (FetchingCaCertificates), CA rollover (CheckingRollover), steps 9-10
// (FetchingPeerAnchors).
#include <algorithm>
#include <string>

#include "crypto/chain_validator.h"
#include "lifecycle/machine_states.h"
#include "lifecycle/policy.h"

namespace lifecycle::detail {

namespace {

crypto::Fingerprint profile_pin(const profiles::Profile& profile) {
    const auto& fp = profile.ca_fingerprint();
    return crypto::Fingerprint(crypto::DigestAlgorithm::sha256,
                               crypto::Bytes(fp.begin(), fp.end()));
}

}  // namespace

// Step 2 (machine_states.h).
common::Result<void> pin_anchor(const Machine& m, const crypto::Certificate& anchor) {
    auto pinned = crypto::pin_trust_anchor(anchor, profile_pin(m.profile));
    if (pinned)
        return {};
    if (m.progress.rollover_anchor && anchor == *m.progress.rollover_anchor)
        return {};
    return pinned.error().with_context("step 2");
}

namespace {

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

}  // namespace lifecycle::detail
