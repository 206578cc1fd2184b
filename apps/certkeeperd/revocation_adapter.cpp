#include "revocation_adapter.h"

#include "profile_mapping.h"

namespace certkeeperd {

void RevocationAdapter::check(const lifecycle::CheckRevocation& request) {
    const auto profile = m_profile.current();
    m_workers.submit(profile->name(), [replies = m_replies, profile, request](WorkerContext& ctx) {
        const revocation::Policy policy = revocation_policy(*profile);
        lifecycle::RevocationChecked reply{request.id, {}, false};
        // Without checking, or without an issuer to check against: every certificate but the
        // anchor is Unknown, and the policy says whether that is acceptable.
        std::string why;
        if (!revocation::checking_enabled(policy)) why = "revocation checking is off";
        if (why.empty() && request.chain.size() < 2) why = "no issuer to check against";
        if (why.empty() && !ctx.revocation) why = "state database: " + ctx.db_error;
        if (!why.empty()) {
            const std::size_t checked = request.chain.size() < 2 ? request.chain.size() : request.chain.size() - 1;
            for (std::size_t i = 0; i < checked; ++i) {
                reply.certificates.push_back({request.chain[i].subject(), request.chain[i].serial_hex(),
                                              lifecycle::CertificateRevocation::Status::unknown,
                                              std::nullopt, why});
            }
            reply.acceptable = !revocation::checking_enabled(policy) ||
                               policy.on_unknown == revocation::Policy::OnUnknown::soft_fail;
            replies.revocation_checked(std::move(reply));
            return;
        }
        const revocation::ChainStatus status =
            ctx.revocation->check_chain(request.chain, policy, request.at);
        for (const revocation::CertificateStatus& s : status.certificates) {
            lifecycle::CertificateRevocation r;
            r.subject = s.certificate.subject();
            r.serial = s.certificate.serial_hex();
            if (s.status.is_good()) {
                r.status = lifecycle::CertificateRevocation::Status::good;
                r.detail = s.source;
            } else if (s.status.is_revoked()) {
                r.status = lifecycle::CertificateRevocation::Status::revoked;
                r.revoked_at = s.status.revoked_info().time;
                r.detail = s.status.describe();
            } else {
                r.status = lifecycle::CertificateRevocation::Status::unknown;
                r.detail = s.status.why();
            }
            reply.certificates.push_back(std::move(r));
        }
        reply.acceptable = revocation::acceptable(status.overall(), policy);
        replies.revocation_checked(std::move(reply));
    });
}

}  // namespace certkeeperd
