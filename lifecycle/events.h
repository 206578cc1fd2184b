// The requests a ProfileMachine sends through its ports (ports.h) and the replies that come back
// to it. Plain values: crypto value types, strings and std::chrono times. Every request has an
// `id` unique within its machine; the reply repeats it (`request`) so that the machine can drop
// a reply it no longer waits for.
//
// Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "crypto/certificate.h"

namespace lifecycle {

using RequestId = std::uint64_t;

// What the CA sent for GetCACert, with the roles the adapter chose (scep::CaCertificates).
struct CaCertificates {
    crypto::Certificate anchor;      // the root (or CA) the profile's ca_fingerprint pins
    crypto::Certificate issuing_ca;  // the CA that issues our certificate
    // Between issuing_ca and anchor, each followed by its issuer; empty when the issuing CA is
    // signed by the anchor directly (or is the anchor).
    std::vector<crypto::Certificate> intermediates;
    std::vector<crypto::Certificate> ra;    // RA certificates (signer / encryption), may be empty
    std::vector<std::string> capabilities;  // GetCACaps lines as sent: "Renewal", "AES", ...
};

// ---- Enroller ----

struct FetchCaCertificates {
    RequestId id = 0;
    std::string profile;
};
struct CaCertificatesFetched {
    RequestId request = 0;
    // Errc::verification means the server's certificates do not match the pin: not retried.
    common::Result<CaCertificates> result;
};

struct FetchNextCaCertificates {
    RequestId id = 0;
    std::string profile;
    CaCertificates current;  // the set validated by steps 1-4 (signs the GetNextCACert reply)
};
struct NextCaCertificatesFetched {
    RequestId request = 0;
    // nullopt: the CA announces no rollover (no "GetNextCACert" capability, or an empty reply).
    // A value: the next CA set, its signature verified with `current`'s signer by the adapter.
    common::Result<std::optional<CaCertificates>> result;
};

enum class EnrolmentKind {
    initial,      // PKCSReq with the challenge, new key (step 5)
    renewal,      // RenewalReq signed with the current certificate and key (steps 6, 7)
    reenrolment,  // PKCSReq with a new key after our certificate was revoked or expired
};
std::string_view to_string(EnrolmentKind kind);  // "initial", "renewal", "reenrolment"

struct Enrol {
    RequestId id = 0;
    std::string profile;
    EnrolmentKind kind = EnrolmentKind::initial;
    // "" = generate a new key of the profile's key type in the key store and return its ref.
    // Set = a re-send after a restart or a retry: use this key (the SCEP transactionID is
    // derived from it, so the CA sees the same transaction; RFC 8894 is idempotent there).
    std::string key_ref;
    // "" for a first send; set when re-sending: the adapter must send under this transactionID.
    std::string transaction_id;
    // renewal: the certificate in service and its key sign the RenewalReq.
    std::optional<crypto::Certificate> existing_certificate;
    std::string existing_key_ref;
    // The CA set to enrol against; nullopt after a restart (the adapter fetches or reuses one,
    // pinned by the profile's ca_fingerprint). After a rollover: the next CA set.
    std::optional<CaCertificates> ca;
};

struct Poll {
    RequestId id = 0;
    std::string profile;
    EnrolmentKind kind = EnrolmentKind::initial;
    std::string key_ref;         // the key of the pending request
    std::string transaction_id;  // the pending transaction, as persisted
    std::optional<crypto::Certificate> existing_certificate;  // renewal only
    std::string existing_key_ref;                             // renewal only
    std::optional<CaCertificates> ca;                         // as for Enrol
};

// A CA's answer to PKCSReq / RenewalReq / CertPoll (RFC 8894 §3.3.2).
struct EnrolmentOutcome {
    enum class Status { issued, pending, rejected };
    Status status = Status::pending;
    std::optional<crypto::Certificate> certificate;  // issued: our new certificate
    // issued: the issuing CA up to and including the anchor, issuer first.
    std::vector<crypto::Certificate> chain;
    std::string fail_info;  // rejected: "badRequest", "badMessageCheck", ... as RFC 8894 names it
};
struct EnrolmentReplied {
    RequestId request = 0;
    std::string key_ref;         // the key used (newly generated or as requested); "" if none
    std::string transaction_id;  // the transactionID sent; "" if nothing was sent
    // An Error: nothing usable came back (network, malformed reply). retryable() decides
    // between RetryWait and Failed.
    common::Result<EnrolmentOutcome> result;
};

struct FetchPeerAnchor {
    RequestId id = 0;
    std::string profile;
    std::string url;  // profiles::PeerTrustAnchor::url
};
struct PeerAnchorFetched {
    RequestId request = 0;
    std::string url;
    // Everything the URL served (DER, PEM or certs-only PKCS#7), as served. The machine picks
    // the certificate that matches the profile's fingerprint and validates the rest (step 10).
    common::Result<std::vector<crypto::Certificate>> result;
};

// ---- RevocationChecker ----

struct CheckRevocation {
    RequestId id = 0;
    std::string profile;
    // Leaf first, each certificate followed by its issuer, the anchor last (not checked).
    std::vector<crypto::Certificate> chain;
    common::SystemTime at;  // the validation time (the machine's Clock::now())
};
struct CertificateRevocation {
    enum class Status { good, revoked, unknown };
    std::string subject;  // RFC 4514
    std::string serial;   // upper-case hex
    Status status = Status::unknown;
    std::optional<common::SystemTime> revoked_at;  // revoked only
    std::string detail;  // unknown: why (for the operator); revoked: the reason name
};
struct RevocationChecked {
    RequestId request = 0;
    std::vector<CertificateRevocation> certificates;  // in chain order, the anchor left out
    // The profile's policy applied (revocation::acceptable): false when any certificate is
    // revoked, or unknown under hard-fail. true with checking off.
    bool acceptable = false;
};

// ---- CertificateRepository ----

struct Install {
    RequestId id = 0;
    std::string profile;
    std::string key_ref;                     // the private key, in the key store
    crypto::Certificate certificate;         // our certificate (validated by the machine, step 11)
    std::vector<crypto::Certificate> chain;  // issuer first, up to and including our anchor
    // Peer trust anchors pinned by steps 9-10, each followed by its intermediates, for the
    // application's CA bundle.
    std::vector<crypto::Certificate> peer_anchors;
};
struct Installed {
    RequestId request = 0;
    // Errors: a store could not be written (the previous version stays) or post_install failed.
    common::Result<void> result;
};

struct Cleanup {
    RequestId id = 0;
    std::string profile;
    std::string keep_serial;   // the certificate in service (never deleted)
    std::string keep_key_ref;  // its key
    common::SystemTime at;     // what "expired" is measured against
};
struct CleanedUp {
    RequestId request = 0;
    common::Result<std::size_t> result;  // how many artefacts were deleted
};

// ---- Notifier ----

struct Notification {
    enum class Kind { installed, renewed, failed, revoked, expiring };
    Kind kind = Kind::installed;
    std::string profile;
    std::string subject;  // of the certificate concerned, "" if none
    std::string serial;
    std::optional<common::SystemTime> not_after;
    std::string message;  // one line for the operator (no secrets)
};
std::string_view to_string(Notification::Kind kind);  // "installed", "renewed", ...

}  // namespace lifecycle
