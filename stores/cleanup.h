// stores::cleanup: step 14 of the lifecycle (ARCHITECTURE.md), "delete expired artefacts", over
// the state database. What it removes, and what it never removes, is docs/storage.md
// ("Cleanup"); every removal is one history row and one RemovedItem in the report.
//
// Never removed: a certificate in state 'installed' or named by an 'installed' or 'installing'
// row of the install journal, a key such a certificate or an 'issued' certificate or a pending
// SCEP transaction refers to, a pending SCEP transaction, an 'installed' or 'installing' journal
// row, or the journal row with the highest version of its (profile, store) (versions never
// repeat).
//
// Durability: each kind of artefact is removed in one transaction together with its history
// rows. A key file is deleted (through KeyFileRemover) before its row is marked 'deleted'; a
// crash in between deletes the file again on the next run, so the remover must be idempotent.
//
// Time: `now` is a parameter. Thread-safety: as StateStore.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "stores/state_store.h"

namespace stores {

// Deletes key material from whoever owns it (the key store; later a PKCS#11 token).
class KeyFileRemover {
public:
    virtual ~KeyFileRemover() = default;
    // Deletes the key `ref` (KeyRecord::ref) points at. REQUIRES: idempotent - a key that is
    // gone already is success. An error keeps the key row; the next cleanup tries again.
    virtual common::Result<void> remove_key(const std::string& ref) = 0;
};

struct CleanupOptions {
    // An expired certificate (not installed) stays this long after its notAfter, so an operator
    // can still see what expired.
    std::chrono::seconds certificate_grace = std::chrono::days(30);
    // A superseded key stays this long after it was superseded (a rollback to the previous
    // certificate stays possible); a 'pending' key no transaction or certificate refers to (a
    // failed enrolment) this long after it was created; a 'deleted' key's row this long after
    // its file went.
    std::chrono::seconds key_grace = std::chrono::days(7);
    // A finished (issued, failed, abandoned) SCEP transaction stays this long after it finished.
    std::chrono::seconds transaction_grace = std::chrono::days(30);
    // An abandoned or superseded install journal row stays this long after it ended.
    std::chrono::seconds install_grace = std::chrono::days(30);
    // A cached CRL or OCSP response stays this long past its nextUpdate (or, without one, its
    // fetch time): the same rule as revocation::RevocationCache::remove_expired.
    std::chrono::seconds revocation_cache_grace = std::chrono::days(1);
    // History rows older than this go, except the newest history_keep_per_profile of each
    // profile (the global rows count as profile "").
    std::chrono::seconds history_retention = std::chrono::days(365);
    std::size_t history_keep_per_profile = 100;
};

struct RemovedItem {
    // "certificate", "key_file", "key", "scep_transaction", "install", "revocation_cache",
    // "history"
    std::string kind;
    std::string profile;  // "" for the shared revocation cache and the history pruning
    std::string what;     // as in the history row's detail
};

struct CleanupReport {
    std::vector<RemovedItem> removed;
    // Key files the remover could not delete ("<ref>: <error>"); their rows stay.
    std::vector<std::string> errors;

    std::size_t count(std::string_view kind) const;
};

// Removes what has outlived its grace period (above) and returns what went. An error from the
// database stops the run; what earlier steps removed stays removed and recorded.
common::Result<CleanupReport> cleanup(StateStore& store, KeyFileRemover& remover,
                                      common::SystemTime now, const CleanupOptions& options = {});

}  // namespace stores
