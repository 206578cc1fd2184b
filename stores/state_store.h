// stores::StateStore: the lifecycle's memory in the state database - profiles as applied and
// each profile's position in its machine, key references, managed certificates, SCEP
// transactions in flight, the install journal and the history an operator reads. The tables
// are docs/storage.md ("Version 2"); this API is crypto-free: DER is bytes, times are
// SystemTime (stored as whole Unix seconds, rounded down).
//
// Durability: every method is one SQLite transaction (BEGIN IMMEDIATE when it runs more than
// one statement). When it returns success its effect survives a kill -9 or a power cut; when
// the process dies inside it, the database holds all of its effect or none. Nothing is cached.
//
// Time: every method that writes a time takes `now`; the store never reads a clock.
//
// Errors: Errc::not_found for an unknown profile, row id or transaction; Errc::invalid_argument
// for a malformed value or a state change the row's state does not allow; Errc::already_exists
// for a duplicate (key ref, certificate, pending transaction of a profile, install version);
// retryable Errc::timeout when another connection held the write lock for longer than the
// busy timeout; Errc::io for a damaged file.
//
// Thread-safety: one thread at a time per StateStore (and per Database). Open one Database per
// thread; SQLite serialises their writes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "stores/sqlite.h"

namespace stores {

// --- the values StateStore takes and returns (plain data; thread-safety: values) ---

enum class KeyState { pending, active, superseded, deleted };
enum class CertificateRole { own, trust_anchor, intermediate, peer_anchor };
enum class CertificateState { issued, installed, superseded, expired, revoked };
enum class ScepKind { enrol, renew };
enum class ScepState { pending, issued, failed, abandoned };

// The names stored in the database ("pending", "trust_anchor", ...).
std::string_view to_string(KeyState state);
std::string_view to_string(CertificateRole role);
std::string_view to_string(CertificateState state);
std::string_view to_string(ScepKind kind);
std::string_view to_string(ScepState state);

// A profile as the daemon or the ACS applies it.
struct AppliedProfile {
    std::string name;
    std::string source;   // the file path, or "cwmp" for SetParameterValues/Download
    std::string content;  // the profile text exactly as applied
    bool enabled = true;
};

enum class ProfileChange { created, revised, unchanged };  // unchanged: same content

struct ProfileUpsert {
    std::int64_t revision = 0;
    ProfileChange change = ProfileChange::unchanged;
};

// Where a profile's machine stands; the lifecycle owns the meaning of state and state_data.
struct LifecyclePosition {
    std::string state;       // state name; "" before the first transition
    std::string state_data;  // opaque text
    std::optional<common::SystemTime> next_action_at;
    std::string last_error;  // "" when the last step succeeded
};

struct ProfileRecord {
    std::string name;
    std::int64_t revision = 0;
    std::string source;
    std::string content;
    common::SystemTime applied_at;  // when this revision was applied
    bool enabled = true;
    LifecyclePosition position;
    common::SystemTime updated_at;  // last change of the row
};

struct KeyRecord {
    std::int64_t id = 0;
    std::string ref;  // into the key store: "file:<id>", ...
    std::string profile;
    std::string key_type;  // as the profile says: "rsa:2048", "ec:P-256", ...
    common::SystemTime created_at;
    KeyState state = KeyState::pending;
    common::SystemTime state_changed_at;
};

struct CertificateRecord {
    std::int64_t id = 0;
    std::string profile;
    CertificateRole role = CertificateRole::own;
    std::string serial;   // upper-case hex without leading zeros (crypto::Certificate::serial_hex)
    std::string issuer;   // RFC 4514
    std::string subject;  // RFC 4514
    common::SystemTime not_before;
    common::SystemTime not_after;
    std::vector<std::uint8_t> der;
    // The certificates above this one up to (not including) the trust anchor, issuer first, as
    // DER certificates concatenated; empty for none.
    std::vector<std::uint8_t> chain;
    std::string sha256_fingerprint;  // lower-case hex of the DER's SHA-256; "" if not recorded
    std::optional<std::int64_t> key_id;  // KeyRecord::id of the private key (own certificates)
    CertificateState state = CertificateState::issued;
    common::SystemTime recorded_at;
    common::SystemTime state_changed_at;
};

// RFC 8894 §3.3.2 (PENDING) and §3.3.3 (CertPoll): a request the CA has not answered yet.
struct ScepTransaction {
    std::int64_t id = 0;
    std::string profile;
    std::string transaction_id;  // the transactionID attribute, as sent
    ScepKind kind = ScepKind::enrol;
    std::vector<std::uint8_t> csr_der;
    std::optional<std::int64_t> key_id;
    std::int64_t attempts = 0;
    common::SystemTime started_at;
    std::optional<common::SystemTime> next_poll_at;
    std::optional<common::SystemTime> poll_window_ends_at;
    ScepState state = ScepState::pending;
    std::optional<common::SystemTime> finished_at;  // set exactly when not pending
    std::string last_error;
};

// One row of the install journal. state: "installing", "installed", "superseded", "abandoned".
struct InstallRecord {
    std::int64_t id;
    std::string profile, store;
    std::int64_t version;
    std::string cert_serial;
    std::string state;
    common::SystemTime started_at;
    std::optional<common::SystemTime> finished_at;
    std::optional<int> post_install_status;
    std::string post_install_detail;
};

// One line of the audit trail. profile "" for global actions (cleanup of shared caches).
struct HistoryEntry {
    std::int64_t id = 0;
    std::string profile;
    common::SystemTime at;
    std::string from_state;  // "" when not a transition
    std::string to_state;
    std::string event;  // "profile_applied", a machine event name, "cleanup", ...
    std::string detail;
};

class StateStore {
public:
    // REQUIRES: db was opened with open_state_db (schema version 2 or later) and outlives this.
    explicit StateStore(Database& db) : m_db(&db) {}

    // --- profiles (table `profiles`) ---

    // Inserts or updates the profile `profile.name`. The revision starts at 1 and goes up by one
    // only when the content differs from the stored one (then applied_at = now); source and
    // enabled are updated either way. A created or revised profile appends a history row
    // (event "profile_applied") in the same transaction. The lifecycle position is kept.
    common::Result<ProfileUpsert> upsert_profile(const AppliedProfile& profile,
                                                 common::SystemTime now);
    common::Result<std::optional<ProfileRecord>> get_profile(const std::string& name);
    // Ordered by name.
    common::Result<std::vector<ProfileRecord>> list_profiles();
    // Deletes the row and appends history ("profile_removed"). Keys, certificates, transactions
    // and installs of the profile stay until the lifecycle retires them and cleanup removes them.
    // Errc::not_found if there is no such profile.
    common::Result<void> remove_profile(const std::string& name, common::SystemTime now);

    // The lifecycle's persisted position (updated_at = now). Errc::not_found for an unknown
    // profile. save_position appends no history; record_transition does.
    common::Result<void> save_position(const std::string& profile,
                                       const LifecyclePosition& position, common::SystemTime now);
    common::Result<LifecyclePosition> load_position(const std::string& profile);
    // One transaction: the profile's position becomes `to` and a history row is appended with
    // from_state = the stored state, to_state = to.state, the event and detail.
    common::Result<void> record_transition(const std::string& profile, std::string_view event,
                                           const LifecyclePosition& to, std::string_view detail,
                                           common::SystemTime now);

    // --- key references (table `keys`) ---

    // ref: the key store's reference ("file:<id>", later "pkcs11:..."), unique.
    common::Result<std::int64_t> add_key(const std::string& ref, const std::string& profile,
                                         const std::string& key_type, KeyState state,
                                         common::SystemTime now);
    common::Result<std::optional<KeyRecord>> get_key(std::int64_t id);
    common::Result<std::optional<KeyRecord>> find_key(const std::string& ref);
    // Oldest first; every state.
    common::Result<std::vector<KeyRecord>> list_keys(const std::string& profile);
    common::Result<void> set_key_state(std::int64_t id, KeyState state, common::SystemTime now);

    // --- certificates and chains (table `certificates`) ---

    // Records cert (its id, recorded_at and state_changed_at are ignored; both times = now).
    // sha256_fingerprint: 64 hex digits, any case, ':' separators allowed, stored lower-case;
    // required for trust_anchor and peer_anchor, optional otherwise.
    // Errc::already_exists if (profile, role, issuer, serial) is recorded already.
    common::Result<std::int64_t> record_certificate(const CertificateRecord& cert,
                                                    common::SystemTime now);
    common::Result<std::optional<CertificateRecord>> get_certificate(std::int64_t id);
    // The newest row of the profile with this serial (any role).
    common::Result<std::optional<CertificateRecord>> find_certificate(const std::string& profile,
                                                                      const std::string& serial);
    // Oldest first; nullopt role lists every role.
    common::Result<std::vector<CertificateRecord>> list_certificates(
        const std::string& profile, std::optional<CertificateRole> role = std::nullopt);
    common::Result<void> set_certificate_state(std::int64_t id, CertificateState state,
                                               common::SystemTime now);

    // --- SCEP transactions in flight (table `scep_transactions`) ---

    // Starts a transaction in state pending with attempts = 0 and started_at = now; uses
    // profile, transaction_id, kind, csr_der, key_id, next_poll_at and poll_window_ends_at of t.
    // Errc::already_exists if the profile or the transactionID has a pending one already.
    common::Result<std::int64_t> begin_scep_transaction(const ScepTransaction& t,
                                                        common::SystemTime now);
    // One more attempt (a CertPoll sent, answered PENDING or failed in a retryable way):
    // attempts + 1, the next poll time and the last error ("" clears it).
    // Errc::invalid_argument if the transaction is no longer pending.
    common::Result<void> record_scep_attempt(std::int64_t id,
                                             std::optional<common::SystemTime> next_poll_at,
                                             std::string_view last_error);
    // pending -> issued / failed / abandoned, finished_at = now. Finishing again with the same
    // outcome is a no-op; any other change of a finished transaction is Errc::invalid_argument.
    common::Result<void> finish_scep_transaction(std::int64_t id, ScepState outcome,
                                                 common::SystemTime now,
                                                 std::string_view last_error = {});
    common::Result<std::optional<ScepTransaction>> get_scep_transaction(std::int64_t id);
    // The newest transaction with this transactionID (RFC 8894 §3.2.1.4.1).
    common::Result<std::optional<ScepTransaction>> find_scep_transaction(
        const std::string& transaction_id);
    // Every pending transaction, soonest next poll first (NULL last).
    common::Result<std::vector<ScepTransaction>> pending_scep_transactions();

    // --- the install journal (table `installs`) ---

    // A row in state 'installing' before the first byte reaches the application store.
    // REQUIRES: version > every version recorded for (profile, store) (next_install_version),
    // else Errc::invalid_argument; Errc::already_exists if the version is taken.
    common::Result<std::int64_t> begin_install(const std::string& profile,
                                               const std::string& store, std::int64_t version,
                                               const std::string& cert_serial,
                                               common::SystemTime now);
    // installing -> installed, and the previous 'installed' row of the same (profile, store) ->
    // 'superseded', in one transaction. post_install_status: the command's exit code, nullopt
    // if there was none or it timed out (say which in the detail). Finishing an installed row
    // again is a no-op; an abandoned or superseded one is Errc::invalid_argument.
    common::Result<void> finish_install(std::int64_t install_id, common::SystemTime now,
                                        std::optional<int> post_install_status = std::nullopt,
                                        std::string post_install_detail = {});
    // installing -> abandoned (the store still holds the previous version). Abandoning an
    // abandoned row again is a no-op; an installed or superseded one is Errc::invalid_argument.
    common::Result<void> abandon_install(std::int64_t install_id, common::SystemTime now);
    // The 'installed' row of (profile, store), if any.
    common::Result<std::optional<InstallRecord>> current_install(const std::string& profile,
                                                                 const std::string& store);
    // Every row still 'installing' (a crash interrupted it), oldest first.
    common::Result<std::vector<InstallRecord>> unfinished_installs();
    // 1 + the highest version ever recorded for (profile, store); 1 for none.
    common::Result<std::int64_t> next_install_version(const std::string& profile,
                                                      const std::string& store);
    common::Result<std::optional<InstallRecord>> get_install(std::int64_t install_id);
    // Every row of the profile, oldest first.
    common::Result<std::vector<InstallRecord>> list_installs(const std::string& profile);

    // --- history (table `history`) ---

    // Appends entry (its id is ignored) and returns the new id. REQUIRES: entry.event not empty.
    common::Result<std::int64_t> append_history(const HistoryEntry& entry);
    // Newest first, at most limit rows. profile "" lists the global rows (cleanup).
    common::Result<std::vector<HistoryEntry>> list_history(const std::string& profile,
                                                           std::size_t limit = 100);

    // For stores::cleanup and tests: the database underneath.
    Database& database() { return *m_db; }

private:
    Database* m_db;
};

}  // namespace stores
