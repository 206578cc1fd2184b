// The ports of lifecycle::ProfileMachine: the only ways a machine reaches the world (STYLE.md
// habits 2 and 4). apps/certkeeperd implements them with adapters over scep::Client,
// revocation::RevocationChecker and stores::StateStore; tests/fakes/fake_lifecycle_ports.h
// records every request for the unit tests.
//
// Asynchronous contract (Enroller, RevocationChecker, CertificateRepository::install/cleanup):
//  - a request method returns at once and never calls the machine from inside itself;
//  - exactly one reply comes back later as a call of the matching ProfileMachine entry point
//    (on_ca_certificates(), on_enrolment(), ...) carrying the request's `id`. A reply whose id
//    is not the machine's outstanding request (the profile changed, the operator asked for a
//    renewal, the machine was rebuilt) is logged and ignored, so an adapter never needs to
//    cancel anything;
//  - replies, timer callbacks and every other ProfileMachine call run on one thread (the
//    daemon's event loop): an adapter that works on a worker thread posts its reply there.
// Synchronous calls (CertificateRepository::installed, record_transition, save_position) are
// small local database operations.
//
// Every request carries the profile by name; the adapter looks the validated profile up itself
// (url, ca_identifier, challenge, key type, stores...) or keeps the one it was given. Secrets
// never travel through these structs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "crypto/certificate.h"
#include "lifecycle/events.h"

namespace lifecycle {

// ---- Enroller: SCEP today (RFC 8894), EST / CMPv2 later behind the same port ----

class Enroller {
  public:
    virtual ~Enroller() = default;
    // Steps 1 and 3: GetCACaps + GetCACert (with the chain: every certificate the server sends,
    // plus intermediates named by caIssuers URLs). Reply: ProfileMachine::on_ca_certificates.
    // The machine does steps 2 and 4 itself on the reply (pin + validate).
    virtual void fetch_ca_certificates(const FetchCaCertificates& request) = 0;
    // GetNextCACert (RFC 8894 §4.7), CA rollover. Reply: on_next_ca_certificates.
    virtual void fetch_next_ca_certificates(const FetchNextCaCertificates& request) = 0;
    // Steps 5-7: PKCSReq / RenewalReq. Reply: on_enrolment.
    virtual void enrol(const Enrol& request) = 0;
    // CertPoll for a PENDING transaction (RFC 8894 §3.3.3). Reply: on_enrolment.
    virtual void poll(const Poll& request) = 0;
    // Steps 9-10: a peer trust anchor and its intermediates from a URL. Reply: on_peer_anchor.
    virtual void fetch_peer_anchor(const FetchPeerAnchor& request) = 0;
};

// ---- RevocationChecker: step 8 ----

class RevocationChecker {
  public:
    virtual ~RevocationChecker() = default;
    // Checks every certificate of request.chain under the profile's `revocation` policy at
    // request.at. Reply: on_revocation_checked.
    virtual void check(const CheckRevocation& request) = 0;
};

// ---- CertificateRepository: the profile's certificates, stores and persisted position ----

// The certificate in service for a profile (stores: the 'installed' own certificate).
struct InstalledCertificate {
    crypto::Certificate certificate;         // our certificate
    std::vector<crypto::Certificate> chain;  // its issuer first, up to and including the anchor
    std::string key_ref;                     // the key store reference of its private key
};

// Where a machine stands; the CertificateRepository stores it as stores::LifecyclePosition.
struct Position {
    std::string state;       // a state name of docs/lifecycle.md ("Valid", "Polling", ...)
    // Opaque to the repository: the machine's own "key=value" lines (docs/lifecycle.md). One is
    // public: "next_action=renew" (Status::next_action: what the armed timer will do; absent
    // when no timer is armed), which `certkeeper status` prints with next_action_at.
    std::string state_data;
    std::optional<common::SystemTime> next_action_at;  // when the armed timer is due, if any
    std::string last_error;                            // "" when the last step succeeded
};

// One transition, persisted before the machine acts on its new state.
struct Transition {
    std::string profile;
    std::string from;       // state left ("" on the first transition)
    std::string event;      // what caused it: "Started", "EnrolmentPending", "TimerFired", ...
    Position to;            // the new position
    std::string detail;     // one line for `certkeeper history` (no secrets)
    common::SystemTime at;  // Clock::now() of the machine
};

class CertificateRepository {
  public:
    virtual ~CertificateRepository() = default;
    // Synchronous: the certificate in service, nullopt if none was ever installed.
    virtual common::Result<std::optional<InstalledCertificate>> installed(
        const std::string& profile) = 0;
    // Synchronous and durable on success (stores::StateStore::record_transition: the position
    // and one history row, in one transaction). The machine calls it before it acts.
    virtual common::Result<void> record_transition(const Transition& transition) = 0;
    // Synchronous and durable on success (stores::StateStore::save_position, no history row):
    // progress inside a state, e.g. one more CertPoll and its next time.
    virtual common::Result<void> save_position(const std::string& profile, const Position& position,
                                               common::SystemTime at) = 0;
    // Steps 12 (and 11's "old stays in service"): writes key + certificate + chain + anchors
    // into every store of the profile through the install journal, then runs post_install.
    // Re-running an install of the same certificate is allowed (resume after a crash).
    // Reply: on_installed.
    virtual void install(const Install& request) = 0;
    // Step 14: deletes expired and superseded certificates, keys and files of the profile
    // (stores::cleanup), keeping request.keep. Reply: on_cleaned_up.
    virtual void cleanup(const Cleanup& request) = 0;
};

// ---- Notifier: step 13, fire and forget (CWMP VALUE CHANGE / a local hook command) ----

class Notifier {
  public:
    virtual ~Notifier() = default;
    // Must not block and must not call the machine.
    virtual void notify(const Notification& notification) = 0;
};

// Everything a ProfileMachine talks to. REQUIRES: every referee outlives the machine.
struct Ports {
    Enroller& enroller;
    RevocationChecker& revocation;
    CertificateRepository& repository;
    Notifier& notifier;
};

}  // namespace lifecycle
