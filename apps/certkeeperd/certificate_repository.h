// lifecycle::CertificateRepository over the state database and the application stores.
//
//  - installed() and record_transition() run on the loop thread, on the loop's own database
//    connection (one small transaction each: stores::StateStore).
//  - install() runs on a worker: for each `store` of the profile a journal row (begin_install),
//    stores::install() of key + certificate + chain at the journal's version, then the profile's
//    post_install command (stores::run_command, no shell, the profile's timeout) and
//    finish_install with its exit status; then the database learns what is in service (the new
//    certificate 'installed', the one before 'superseded', keys 'active' / 'superseded', the
//    anchors recorded). A store that fails leaves its journal row 'abandoned' and the previous
//    version in service.
//  - cleanup() runs stores::cleanup() on a worker, deleting key files through the key store.
//
// Thread-safety: as the ports say; one adapter per machine.
#pragma once

#include "lifecycle/ports.h"
#include "services.h"

namespace certkeeperd {

class CertificateRepositoryAdapter final : public lifecycle::CertificateRepository {
public:
    // loop_state: the loop thread's StateStore. REQUIRES: everything outlives the adapter.
    CertificateRepositoryAdapter(Workers& workers, const Services& services,
                                 stores::StateStore& loop_state, const ProfileHolder& profile,
                                 Replies replies)
        : m_workers(workers), m_services(services), m_loop_state(loop_state), m_profile(profile),
          m_replies(std::move(replies)) {}

    common::Result<std::optional<lifecycle::InstalledCertificate>> installed(
        const std::string& profile) override;
    common::Result<void> record_transition(const lifecycle::Transition& transition) override;
    // The position without a history row (progress inside a state: a poll attempt, a retry).
    common::Result<void> save_position(const std::string& profile, const lifecycle::Position& position,
                                       common::SystemTime now) override;
    void install(const lifecycle::Install& request) override;
    void cleanup(const lifecycle::Cleanup& request) override;

private:
    Workers& m_workers;
    const Services& m_services;
    stores::StateStore& m_loop_state;
    const ProfileHolder& m_profile;
    Replies m_replies;
};

// The state-database row of a profile's own certificate, state 'issued': its fields from the
// certificate, the chain without the self-issued anchor (which is recorded on its own), the key
// it belongs to. Used where it is issued (scep_enroller.cpp) and where it is installed.
stores::CertificateRecord own_certificate_record(const std::string& profile, const crypto::Certificate& cert,
                                                 const std::vector<crypto::Certificate>& chain,
                                                 std::optional<std::int64_t> key_id);

// The certificate in service for profile according to the database (also for the CLI).
common::Result<std::optional<lifecycle::InstalledCertificate>> load_installed(
    stores::StateStore& state, const std::string& profile);

}  // namespace certkeeperd
