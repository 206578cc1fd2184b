// stores::reconcile_installs: settles the install journal after a crash (or at every start-up),
// before any lifecycle resumes. For each row still 'installing' the application store is
// recovered (app_store.h recover()) and the version in service decides: a row whose version is
// the store's current one is finished (its install got through the switch), every other one is
// abandoned (the store kept the previous version, which stays in service).
//
// A row's store is resolved to an AppStoreSpec by the caller (the daemon knows the profiles);
// a row the resolver cannot resolve, or whose store cannot be recovered, is left 'installing'
// (the next start tries again) and reported. store_id() is the string
// the journal's `store` column holds for a spec: "<format>:<path>" (docs/storage.md), never a
// passphrase.
//
// Time: `now` is a parameter. Thread-safety: as StateStore; no install() may run on the
// stores concerned at the same time.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "stores/app_store.h"
#include "stores/state_store.h"

namespace stores {

// "pem:/etc/certs/8021x", "der:/var/lib/x", "pkcs12:/var/lib/mgmt/client.p12": the format and
// the path as given (a trailing '/' is dropped so that "/a/" and "/a" name one store).
std::string store_id(const AppStoreSpec& spec);
std::string store_id(StoreFormat format, const std::filesystem::path& path);

// The spec of a journal row: (profile, store column) -> spec, or nullopt when unknown.
using StoreResolver =
    std::function<std::optional<AppStoreSpec>(const std::string& profile, const std::string& store)>;

struct ReconciledInstall {
    InstallRecord row{};  // as it was before reconciliation (state 'installing')
    enum class Outcome {
        finished,    // the version is in service: the row is 'installed' now
        abandoned,   // it is not: the row is 'abandoned', the store kept what it had
        unresolved,  // the resolver knew no such store: row untouched
        failed,      // recover() failed (error says why): row untouched
    } outcome = Outcome::unresolved;
    std::optional<std::uint64_t> current;  // the store's version in service, if recovered
    std::string error;                     // failed: recover()'s error
};

struct ReconcileReport {
    std::vector<ReconciledInstall> installs;  // oldest first
    std::size_t count(ReconciledInstall::Outcome outcome) const;
};

// Errors: database errors only (what was settled before stays settled); a store that cannot be
// recovered is an outcome, not an error.
common::Result<ReconcileReport> reconcile_installs(StateStore& state, const StoreResolver& resolve,
                                                   common::SystemTime now);

}  // namespace stores
