// The steady-state states (machine_states.h): CheckingRevocation (step 8), Installing and
// CleaningUp (steps 12-14), Valid, RetryWait, Failed.
#include <algorithm>
#include <string>

#include "crypto/chain_validator.h"
#include "lifecycle/machine_states.h"
#include "lifecycle/policy.h"

namespace lifecycle::detail {

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
