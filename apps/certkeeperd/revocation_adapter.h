// lifecycle::RevocationChecker over revocation::OnlineRevocationChecker: the worker's checker
// (CRL/OCSP over its CurlHttpClient, evidence kept in the state database's revocation cache,
// SqliteRevocationCache) under the profile's policy (profile_mapping.h revocation_policy()).
//
// Thread-safety: requests on the loop thread; one adapter per machine.
#pragma once

#include "lifecycle/ports.h"
#include "services.h"

namespace certkeeperd {

class RevocationAdapter final : public lifecycle::RevocationChecker {
public:
    RevocationAdapter(Workers& workers, const ProfileHolder& profile, Replies replies)
        : m_workers(workers), m_profile(profile), m_replies(std::move(replies)) {}

    void check(const lifecycle::CheckRevocation& request) override;

private:
    Workers& m_workers;
    const ProfileHolder& m_profile;
    Replies m_replies;
};

}  // namespace certkeeperd
