// The enrolment states (machine_states.h): Requesting (steps 5-7) and Polling (PENDING), with
// step 11 on the way out.
#include <algorithm>
#include <string>

#include "crypto/chain_validator.h"
#include "lifecycle/machine_states.h"
#include "lifecycle/policy.h"

namespace lifecycle::detail {

namespace {

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

}  // namespace lifecycle::detail
