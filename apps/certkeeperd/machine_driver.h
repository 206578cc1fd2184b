// What the daemon needs from one profile's lifecycle machine, and how it makes one. The daemon
// loop and its tests see only this; lifecycle_machine.cpp implements it over
// lifecycle::ProfileMachine (one place to touch when the machine's API moves).
//
// Thread-safety: loop thread only.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "common/clock.h"
#include "common/log.h"
#include "common/timers.h"
#include "lifecycle/events.h"
#include "lifecycle/ports.h"
#include "profiles/profile.h"

namespace certkeeperd {

// Where a machine stands, as --once judges it (from lifecycle::Status::Kind and whether its
// timer is due; lifecycle_machine.cpp).
enum class Stability {
    busy,         // a request is out, or a timer is due soon: keep running
    valid,        // a certificate is in service and nothing is due but the next renewal/re-check
    waiting,      // PENDING at the CA, polling on a timer
    failed,       // stopped on an error the operator must see (or waiting to retry one, or
                  // waiting for a trustworthy clock)
    disabled,     // the profile is disabled
};
std::string_view to_string(Stability s);

class MachineDriver {
public:
    virtual ~MachineDriver() = default;
    // Resumes from the persisted position (CertificateRepository) or starts fresh.
    virtual void start() = 0;
    virtual void profile_changed(const profiles::Profile& profile) = 0;
    virtual void renew_requested() = 0;
    // Cancels its timers; replies arriving later are dropped by the daemon.
    virtual void stop() = 0;
    virtual Stability stability() const = 0;
    virtual std::string state_name() const = 0;

    virtual void on_ca_certificates(const lifecycle::CaCertificatesFetched& reply) = 0;
    virtual void on_next_ca_certificates(const lifecycle::NextCaCertificatesFetched& reply) = 0;
    virtual void on_enrolment(const lifecycle::EnrolmentReplied& reply) = 0;
    virtual void on_peer_anchor(const lifecycle::PeerAnchorFetched& reply) = 0;
    virtual void on_revocation_checked(const lifecycle::RevocationChecked& reply) = 0;
    virtual void on_installed(const lifecycle::Installed& reply) = 0;
    virtual void on_cleaned_up(const lifecycle::CleanedUp& reply) = 0;
};

struct MachineContext {
    lifecycle::Ports ports;
    common::Timers& timers;
    const common::Clock& clock;
    common::Logger log;
    std::optional<lifecycle::Position> resume;  // as last persisted; nullopt = from scratch
};

// Makes the machine of one profile. REQUIRES: everything in context outlives the machine.
using MachineFactory =
    std::function<std::unique_ptr<MachineDriver>(const profiles::Profile&, MachineContext)>;

// The factory over lifecycle::ProfileMachine.
MachineFactory lifecycle_machine_factory();

}  // namespace certkeeperd
