#include "stores/state_store.h"

#include <cctype>
#include <chrono>
#include <initializer_list>
#include <utility>

#include "stores/sql_values.h"

namespace stores {

using common::Errc;

namespace {

SqlValue id_or_null(const std::optional<std::int64_t>& id) {
    if (!id) return nullptr;
    return *id;
}

// The single text value of a one-column query; nullopt when there is no row.
common::Result<std::optional<std::string>> query_text(Database& db, std::string_view sql,
                                                      std::initializer_list<SqlValue> values) {
    return read_first(prepare_bound(db, sql, values),
                      [](const Statement& row) { return row.column_text(0); });
}

template <typename Enum, std::size_t N>
Enum parse_enum(const std::string& text, const std::string_view (&names)[N]) {
    for (std::size_t i = 0; i < N; ++i) {
        if (names[i] == text) return static_cast<Enum>(i);
    }
    return static_cast<Enum>(0);  // unreachable: CHECK constraints keep the names valid
}

constexpr std::string_view key_state_names[] = {"pending", "active", "superseded", "deleted"};
constexpr std::string_view role_names[] = {"own", "trust_anchor", "intermediate", "peer_anchor"};
constexpr std::string_view certificate_state_names[] = {"issued", "installed", "superseded",
                                                        "expired", "revoked"};
constexpr std::string_view scep_kind_names[] = {"enrol", "renew"};
constexpr std::string_view scep_state_names[] = {"pending", "issued", "failed", "abandoned"};

common::Result<void> insert_history(Database& db, std::string_view profile, common::SystemTime at,
                                    std::string_view from_state, std::string_view to_state,
                                    std::string_view event, std::string_view detail) {
    auto inserted = run(db,
                        "INSERT INTO history (profile, at, from_state, to_state, event, detail) "
                        "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                        {profile, to_unix(at), from_state, to_state, event, detail});
    if (!inserted) return inserted.error();
    return {};
}

common::Result<void> require_not_empty(std::string_view value, std::string_view what) {
    if (value.empty()) return common::fail(Errc::invalid_argument, std::string(what) + " is empty");
    return {};
}

// 64 hex digits, any case, optional "sha256:" prefix and ':' or ' ' separators -> lower case.
common::Result<std::string> canonical_fingerprint(std::string_view text) {
    if (text.starts_with("sha256:") || text.starts_with("SHA256:")) text.remove_prefix(7);
    std::string out;
    for (char c : text) {
        if (c == ':' || c == ' ') continue;
        if (!std::isxdigit(static_cast<unsigned char>(c))) {
            return common::fail(Errc::invalid_argument, "SHA-256 fingerprint: not hex");
        }
        out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    }
    if (out.size() != 64) {
        return common::fail(Errc::invalid_argument, "SHA-256 fingerprint: not 32 bytes");
    }
    return out;
}

constexpr std::string_view profile_columns =
    "name, revision, source, content, applied_at, enabled, state, state_data, next_action_at, "
    "last_error, updated_at";

ProfileRecord read_profile(const Statement& row) {
    ProfileRecord p;
    p.name = row.column_text(0);
    p.revision = row.column_int64(1);
    p.source = row.column_text(2);
    p.content = row.column_text(3);
    p.applied_at = from_unix(row.column_int64(4));
    p.enabled = row.column_int64(5) != 0;
    p.position.state = row.column_text(6);
    p.position.state_data = row.column_text(7);
    p.position.next_action_at = optional_time(row, 8);
    p.position.last_error = row.column_text(9);
    p.updated_at = from_unix(row.column_int64(10));
    return p;
}

constexpr std::string_view key_columns =
    "id, ref, profile, key_type, created_at, state, state_changed_at";

KeyRecord read_key(const Statement& row) {
    KeyRecord k;
    k.id = row.column_int64(0);
    k.ref = row.column_text(1);
    k.profile = row.column_text(2);
    k.key_type = row.column_text(3);
    k.created_at = from_unix(row.column_int64(4));
    k.state = parse_enum<KeyState>(row.column_text(5), key_state_names);
    k.state_changed_at = from_unix(row.column_int64(6));
    return k;
}

constexpr std::string_view certificate_columns =
    "id, profile, role, serial, issuer, subject, not_before, not_after, der, chain, "
    "sha256_fingerprint, key_id, state, recorded_at, state_changed_at";

CertificateRecord read_certificate(const Statement& row) {
    CertificateRecord c;
    c.id = row.column_int64(0);
    c.profile = row.column_text(1);
    c.role = parse_enum<CertificateRole>(row.column_text(2), role_names);
    c.serial = row.column_text(3);
    c.issuer = row.column_text(4);
    c.subject = row.column_text(5);
    c.not_before = from_unix(row.column_int64(6));
    c.not_after = from_unix(row.column_int64(7));
    c.der = row.column_blob(8);
    c.chain = row.column_blob(9);
    c.sha256_fingerprint = row.column_text(10);
    c.key_id = optional_int(row, 11);
    c.state = parse_enum<CertificateState>(row.column_text(12), certificate_state_names);
    c.recorded_at = from_unix(row.column_int64(13));
    c.state_changed_at = from_unix(row.column_int64(14));
    return c;
}

constexpr std::string_view scep_columns =
    "id, profile, transaction_id, kind, csr_der, key_id, attempts, started_at, next_poll_at, "
    "poll_window_ends_at, state, finished_at, last_error";

ScepTransaction read_scep(const Statement& row) {
    ScepTransaction t;
    t.id = row.column_int64(0);
    t.profile = row.column_text(1);
    t.transaction_id = row.column_text(2);
    t.kind = parse_enum<ScepKind>(row.column_text(3), scep_kind_names);
    t.csr_der = row.column_blob(4);
    t.key_id = optional_int(row, 5);
    t.attempts = row.column_int64(6);
    t.started_at = from_unix(row.column_int64(7));
    t.next_poll_at = optional_time(row, 8);
    t.poll_window_ends_at = optional_time(row, 9);
    t.state = parse_enum<ScepState>(row.column_text(10), scep_state_names);
    t.finished_at = optional_time(row, 11);
    t.last_error = row.column_text(12);
    return t;
}

constexpr std::string_view install_columns =
    "id, profile, store, version, cert_serial, state, started_at, finished_at, "
    "post_install_status, post_install_detail";

InstallRecord read_install(const Statement& row) {
    InstallRecord r{};
    r.id = row.column_int64(0);
    r.profile = row.column_text(1);
    r.store = row.column_text(2);
    r.version = row.column_int64(3);
    r.cert_serial = row.column_text(4);
    r.state = row.column_text(5);
    r.started_at = from_unix(row.column_int64(6));
    r.finished_at = optional_time(row, 7);
    if (!row.column_is_null(8)) r.post_install_status = static_cast<int>(row.column_int64(8));
    r.post_install_detail = row.column_text(9);
    return r;
}

constexpr std::string_view history_columns =
    "id, profile, at, from_state, to_state, event, detail";

HistoryEntry read_history(const Statement& row) {
    HistoryEntry h;
    h.id = row.column_int64(0);
    h.profile = row.column_text(1);
    h.at = from_unix(row.column_int64(2));
    h.from_state = row.column_text(3);
    h.to_state = row.column_text(4);
    h.event = row.column_text(5);
    h.detail = row.column_text(6);
    return h;
}

std::string select_from(std::string_view columns, std::string_view rest) {
    std::string sql = "SELECT ";
    sql += columns;
    sql += ' ';
    sql += rest;
    return sql;
}

common::Error unknown(std::string_view what, std::int64_t id) {
    return common::Error(Errc::not_found, std::string(what) + " " + std::to_string(id) +
                                              " does not exist");
}

}  // namespace

std::string_view to_string(KeyState state) { return key_state_names[static_cast<int>(state)]; }
std::string_view to_string(CertificateRole role) { return role_names[static_cast<int>(role)]; }
std::string_view to_string(CertificateState state) {
    return certificate_state_names[static_cast<int>(state)];
}
std::string_view to_string(ScepKind kind) { return scep_kind_names[static_cast<int>(kind)]; }
std::string_view to_string(ScepState state) { return scep_state_names[static_cast<int>(state)]; }

// --- profiles ---

common::Result<ProfileUpsert> StateStore::upsert_profile(const AppliedProfile& profile,
                                                         common::SystemTime now) {
    if (auto ok = require_not_empty(profile.name, "profile name"); !ok) return ok.error();
    auto tx = Transaction::begin(*m_db);
    if (!tx) return tx.error();
    auto stored = read_first(
        prepare_bound(*m_db, "SELECT revision, content FROM profiles WHERE name = ?1",
                      {profile.name}),
        [](const Statement& row) { return std::make_pair(row.column_int64(0), row.column_text(1)); });
    if (!stored) return stored.error();
    const std::int64_t enabled = profile.enabled ? 1 : 0;
    ProfileUpsert result;
    if (!*stored) {
        auto inserted = run(*m_db,
                            "INSERT INTO profiles (name, revision, source, content, applied_at, "
                            "enabled, updated_at) VALUES (?1, 1, ?2, ?3, ?4, ?5, ?4)",
                            {profile.name, profile.source, profile.content, to_unix(now), enabled});
        if (!inserted) return inserted.error();
        result = {1, ProfileChange::created};
    } else if ((*stored)->second == profile.content) {
        auto updated = run(*m_db,
                           "UPDATE profiles SET source = ?2, enabled = ?3, updated_at = ?4 "
                           "WHERE name = ?1",
                           {profile.name, profile.source, enabled, to_unix(now)});
        if (!updated) return updated.error();
        result = {(*stored)->first, ProfileChange::unchanged};
    } else {
        auto updated = run(*m_db,
                           "UPDATE profiles SET revision = revision + 1, source = ?2, content = ?3, "
                           "enabled = ?4, applied_at = ?5, updated_at = ?5 WHERE name = ?1",
                           {profile.name, profile.source, profile.content, enabled, to_unix(now)});
        if (!updated) return updated.error();
        result = {(*stored)->first + 1, ProfileChange::revised};
    }
    if (result.change != ProfileChange::unchanged) {
        auto logged = insert_history(
            *m_db, profile.name, now, "", "", "profile_applied",
            "revision " + std::to_string(result.revision) + " from " + profile.source);
        if (!logged) return logged.error();
    }
    if (auto committed = tx->commit(); !committed) return committed.error();
    return result;
}

common::Result<std::optional<ProfileRecord>> StateStore::get_profile(const std::string& name) {
    return read_first(
        prepare_bound(*m_db, select_from(profile_columns, "FROM profiles WHERE name = ?1"), {name}),
        read_profile);
}

common::Result<std::vector<ProfileRecord>> StateStore::list_profiles() {
    return read_all(prepare_bound(*m_db, select_from(profile_columns, "FROM profiles ORDER BY name"),
                                  {}),
                    read_profile);
}

common::Result<void> StateStore::remove_profile(const std::string& name, common::SystemTime now) {
    auto tx = Transaction::begin(*m_db);
    if (!tx) return tx.error();
    auto state = query_text(*m_db, "SELECT state FROM profiles WHERE name = ?1", {name});
    if (!state) return state.error();
    if (!*state) return common::fail(Errc::not_found, "no profile " + name);
    auto removed = run(*m_db, "DELETE FROM profiles WHERE name = ?1", {name});
    if (!removed) return removed.error();
    if (auto logged = insert_history(*m_db, name, now, **state, "", "profile_removed", "");
        !logged) {
        return logged.error();
    }
    return tx->commit();
}

common::Result<void> StateStore::save_position(const std::string& profile,
                                               const LifecyclePosition& position,
                                               common::SystemTime now) {
    auto updated = run(*m_db,
                       "UPDATE profiles SET state = ?2, state_data = ?3, next_action_at = ?4, "
                       "last_error = ?5, updated_at = ?6 WHERE name = ?1",
                       {profile, position.state, position.state_data,
                        time_or_null(position.next_action_at), position.last_error, to_unix(now)});
    if (!updated) return updated.error();
    if (*updated == 0) return common::fail(Errc::not_found, "no profile " + profile);
    return {};
}

common::Result<LifecyclePosition> StateStore::load_position(const std::string& profile) {
    auto record = get_profile(profile);
    if (!record) return record.error();
    if (!*record) return common::fail(Errc::not_found, "no profile " + profile);
    return std::move((*record)->position);
}

common::Result<void> StateStore::record_transition(const std::string& profile,
                                                   std::string_view event,
                                                   const LifecyclePosition& to,
                                                   std::string_view detail,
                                                   common::SystemTime now) {
    if (auto ok = require_not_empty(event, "event"); !ok) return ok.error();
    auto tx = Transaction::begin(*m_db);
    if (!tx) return tx.error();
    auto from = query_text(*m_db, "SELECT state FROM profiles WHERE name = ?1", {profile});
    if (!from) return from.error();
    if (!*from) return common::fail(Errc::not_found, "no profile " + profile);
    if (auto saved = save_position(profile, to, now); !saved) return saved.error();
    if (auto logged = insert_history(*m_db, profile, now, **from, to.state, event, detail);
        !logged) {
        return logged.error();
    }
    return tx->commit();
}

// --- keys ---

common::Result<std::int64_t> StateStore::add_key(const std::string& ref, const std::string& profile,
                                                 const std::string& key_type, KeyState state,
                                                 common::SystemTime now) {
    if (auto ok = require_not_empty(ref, "key ref"); !ok) return ok.error();
    auto inserted = run(*m_db,
                        "INSERT INTO keys (ref, profile, key_type, created_at, state, "
                        "state_changed_at) VALUES (?1, ?2, ?3, ?4, ?5, ?4)",
                        {ref, profile, key_type, to_unix(now), to_string(state)});
    if (!inserted) {
        if (inserted.error().code() == Errc::already_exists) {
            return common::fail(Errc::already_exists, "key ref " + ref + " is recorded already");
        }
        return inserted.error();
    }
    return m_db->last_insert_rowid();
}

common::Result<std::optional<KeyRecord>> StateStore::get_key(std::int64_t id) {
    return read_first(prepare_bound(*m_db, select_from(key_columns, "FROM keys WHERE id = ?1"), {id}),
                      read_key);
}

common::Result<std::optional<KeyRecord>> StateStore::find_key(const std::string& ref) {
    return read_first(
        prepare_bound(*m_db, select_from(key_columns, "FROM keys WHERE ref = ?1"), {ref}), read_key);
}

common::Result<std::vector<KeyRecord>> StateStore::list_keys(const std::string& profile) {
    return read_all(
        prepare_bound(*m_db, select_from(key_columns, "FROM keys WHERE profile = ?1 ORDER BY id"),
                      {profile}),
        read_key);
}

common::Result<void> StateStore::set_key_state(std::int64_t id, KeyState state,
                                               common::SystemTime now) {
    auto tx = Transaction::begin(*m_db);
    if (!tx) return tx.error();
    auto current = query_text(*m_db, "SELECT state FROM keys WHERE id = ?1", {id});
    if (!current) return current.error();
    if (!*current) return unknown("key", id);
    if (**current == to_string(state)) return tx->commit();
    if (**current == to_string(KeyState::deleted)) {
        return common::fail(Errc::invalid_argument,
                            "key " + std::to_string(id) + " is deleted; it cannot become " +
                                std::string(to_string(state)));
    }
    auto updated = run(*m_db, "UPDATE keys SET state = ?2, state_changed_at = ?3 WHERE id = ?1",
                       {id, to_string(state), to_unix(now)});
    if (!updated) return updated.error();
    return tx->commit();
}

// --- certificates ---

common::Result<std::int64_t> StateStore::record_certificate(const CertificateRecord& cert,
                                                            common::SystemTime now) {
    if (auto ok = require_not_empty(cert.serial, "certificate serial"); !ok) return ok.error();
    if (cert.der.empty()) return common::fail(Errc::invalid_argument, "certificate DER is empty");
    SqlValue fingerprint = nullptr;
    std::string canonical;
    if (!cert.sha256_fingerprint.empty()) {
        auto fp = canonical_fingerprint(cert.sha256_fingerprint);
        if (!fp) return fp.error();
        canonical = std::move(*fp);
        fingerprint = std::string_view(canonical);
    } else if (cert.role == CertificateRole::trust_anchor ||
               cert.role == CertificateRole::peer_anchor) {
        return common::fail(Errc::invalid_argument,
                            std::string(to_string(cert.role)) + " needs a SHA-256 fingerprint");
    }
    auto inserted =
        run(*m_db,
            "INSERT INTO certificates (profile, role, serial, issuer, subject, not_before, "
            "not_after, der, chain, sha256_fingerprint, key_id, state, recorded_at, "
            "state_changed_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13)",
            {cert.profile, to_string(cert.role), cert.serial, cert.issuer, cert.subject,
             to_unix(cert.not_before), to_unix(cert.not_after), std::span(cert.der),
             std::span(cert.chain), fingerprint, id_or_null(cert.key_id), to_string(cert.state),
             to_unix(now)});
    if (!inserted) {
        if (inserted.error().code() == Errc::already_exists) {
            return common::fail(Errc::already_exists, "certificate " + cert.serial + " of " +
                                                          cert.issuer + " is recorded already");
        }
        return inserted.error().with_context("record certificate " + cert.serial);
    }
    return m_db->last_insert_rowid();
}

common::Result<std::optional<CertificateRecord>> StateStore::get_certificate(std::int64_t id) {
    return read_first(
        prepare_bound(*m_db, select_from(certificate_columns, "FROM certificates WHERE id = ?1"),
                      {id}),
        read_certificate);
}

common::Result<std::optional<CertificateRecord>> StateStore::find_certificate(
    const std::string& profile, const std::string& serial) {
    return read_first(
        prepare_bound(*m_db,
                      select_from(certificate_columns,
                                  "FROM certificates WHERE profile = ?1 AND serial = ?2 "
                                  "ORDER BY id DESC LIMIT 1"),
                      {profile, serial}),
        read_certificate);
}

common::Result<std::vector<CertificateRecord>> StateStore::list_certificates(
    const std::string& profile, std::optional<CertificateRole> role) {
    if (!role) {
        return read_all(prepare_bound(*m_db,
                                      select_from(certificate_columns,
                                                  "FROM certificates WHERE profile = ?1 "
                                                  "ORDER BY id"),
                                      {profile}),
                        read_certificate);
    }
    return read_all(prepare_bound(*m_db,
                                  select_from(certificate_columns,
                                              "FROM certificates WHERE profile = ?1 AND role = ?2 "
                                              "ORDER BY id"),
                                  {profile, to_string(*role)}),
                    read_certificate);
}

common::Result<void> StateStore::set_certificate_state(std::int64_t id, CertificateState state,
                                                       common::SystemTime now) {
    auto updated = run(*m_db,
                       "UPDATE certificates SET state = ?2, state_changed_at = "
                       "CASE WHEN state = ?2 THEN state_changed_at ELSE ?3 END WHERE id = ?1",
                       {id, to_string(state), to_unix(now)});
    if (!updated) return updated.error();
    if (*updated == 0) return unknown("certificate", id);
    return {};
}

// --- SCEP transactions ---

common::Result<std::int64_t> StateStore::begin_scep_transaction(const ScepTransaction& t,
                                                                common::SystemTime now) {
    if (auto ok = require_not_empty(t.transaction_id, "transactionID"); !ok) return ok.error();
    auto inserted = run(*m_db,
                        "INSERT INTO scep_transactions (profile, transaction_id, kind, csr_der, "
                        "key_id, started_at, next_poll_at, poll_window_ends_at, state) "
                        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'pending')",
                        {t.profile, t.transaction_id, to_string(t.kind), std::span(t.csr_der),
                         id_or_null(t.key_id), to_unix(now), time_or_null(t.next_poll_at),
                         time_or_null(t.poll_window_ends_at)});
    if (!inserted) {
        if (inserted.error().code() == Errc::already_exists) {
            return common::fail(Errc::already_exists,
                                "profile " + t.profile + " or transactionID " + t.transaction_id +
                                    " has a pending SCEP transaction already");
        }
        return inserted.error();
    }
    return m_db->last_insert_rowid();
}

common::Result<void> StateStore::record_scep_attempt(std::int64_t id,
                                                     std::optional<common::SystemTime> next_poll_at,
                                                     std::string_view last_error) {
    auto tx = Transaction::begin(*m_db);
    if (!tx) return tx.error();
    auto state = query_text(*m_db, "SELECT state FROM scep_transactions WHERE id = ?1", {id});
    if (!state) return state.error();
    if (!*state) return unknown("SCEP transaction", id);
    if (**state != to_string(ScepState::pending)) {
        return common::fail(Errc::invalid_argument,
                            "SCEP transaction " + std::to_string(id) + " is " + **state);
    }
    auto updated = run(*m_db,
                       "UPDATE scep_transactions SET attempts = attempts + 1, next_poll_at = ?2, "
                       "last_error = ?3 WHERE id = ?1",
                       {id, time_or_null(next_poll_at), last_error});
    if (!updated) return updated.error();
    return tx->commit();
}

common::Result<void> StateStore::finish_scep_transaction(std::int64_t id, ScepState outcome,
                                                         common::SystemTime now,
                                                         std::string_view last_error) {
    if (outcome == ScepState::pending) {
        return common::fail(Errc::invalid_argument, "finish a SCEP transaction as pending");
    }
    auto tx = Transaction::begin(*m_db);
    if (!tx) return tx.error();
    auto state = query_text(*m_db, "SELECT state FROM scep_transactions WHERE id = ?1", {id});
    if (!state) return state.error();
    if (!*state) return unknown("SCEP transaction", id);
    if (**state == to_string(outcome)) return tx->commit();
    if (**state != to_string(ScepState::pending)) {
        return common::fail(Errc::invalid_argument,
                            "SCEP transaction " + std::to_string(id) + " is " + **state);
    }
    auto updated = run(*m_db,
                       "UPDATE scep_transactions SET state = ?2, finished_at = ?3, "
                       "next_poll_at = NULL, last_error = ?4 WHERE id = ?1",
                       {id, to_string(outcome), to_unix(now), last_error});
    if (!updated) return updated.error();
    return tx->commit();
}

common::Result<std::optional<ScepTransaction>> StateStore::get_scep_transaction(std::int64_t id) {
    return read_first(
        prepare_bound(*m_db, select_from(scep_columns, "FROM scep_transactions WHERE id = ?1"),
                      {id}),
        read_scep);
}

common::Result<std::optional<ScepTransaction>> StateStore::find_scep_transaction(
    const std::string& transaction_id) {
    return read_first(prepare_bound(*m_db,
                                    select_from(scep_columns,
                                                "FROM scep_transactions WHERE transaction_id = ?1 "
                                                "ORDER BY id DESC LIMIT 1"),
                                    {transaction_id}),
                      read_scep);
}

common::Result<std::vector<ScepTransaction>> StateStore::pending_scep_transactions() {
    return read_all(prepare_bound(*m_db,
                                  select_from(scep_columns,
                                              "FROM scep_transactions WHERE state = 'pending' "
                                              "ORDER BY next_poll_at IS NULL, next_poll_at, id"),
                                  {}),
                    read_scep);
}

// --- the install journal ---

common::Result<std::int64_t> StateStore::begin_install(const std::string& profile,
                                                       const std::string& store,
                                                       std::int64_t version,
                                                       const std::string& cert_serial,
                                                       common::SystemTime now) {
    if (auto ok = require_not_empty(store, "store"); !ok) return ok.error();
    if (version < 1) return common::fail(Errc::invalid_argument, "install version below 1");
    auto tx = Transaction::begin(*m_db);
    if (!tx) return tx.error();
    auto latest = read_first(
        prepare_bound(*m_db,
                      "SELECT COALESCE(MAX(version), 0), COALESCE(MAX(version = ?3), 0) "
                      "FROM installs WHERE profile = ?1 AND store = ?2",
                      {profile, store, version}),
        [](const Statement& row) { return std::make_pair(row.column_int64(0), row.column_int64(1)); });
    if (!latest) return latest.error();
    const auto [max_version, taken] = latest->value_or(std::make_pair(std::int64_t{0}, std::int64_t{0}));
    if (taken != 0) {
        return common::fail(Errc::already_exists, "install version " + std::to_string(version) +
                                                      " of " + profile + " in " + store +
                                                      " exists already");
    }
    if (version <= max_version) {
        return common::fail(Errc::invalid_argument,
                            "install version " + std::to_string(version) + " of " + profile +
                                " in " + store + " is not above " + std::to_string(max_version));
    }
    auto inserted = run(*m_db,
                        "INSERT INTO installs (profile, store, version, cert_serial, state, "
                        "started_at) VALUES (?1, ?2, ?3, ?4, 'installing', ?5)",
                        {profile, store, version, cert_serial, to_unix(now)});
    if (!inserted) return inserted.error();
    const std::int64_t id = m_db->last_insert_rowid();
    if (auto committed = tx->commit(); !committed) return committed.error();
    return id;
}

common::Result<void> StateStore::finish_install(std::int64_t install_id, common::SystemTime now,
                                                std::optional<int> post_install_status,
                                                std::string post_install_detail) {
    auto tx = Transaction::begin(*m_db);
    if (!tx) return tx.error();
    auto row = get_install(install_id);
    if (!row) return row.error();
    if (!*row) return unknown("install", install_id);
    const InstallRecord& install = **row;
    if (install.state == "installed") return tx->commit();
    if (install.state != "installing") {
        return common::fail(Errc::invalid_argument, "install " + std::to_string(install_id) +
                                                        " is " + install.state);
    }
    // Supersede first: at most one row per (profile, store) is 'installed' (a unique index).
    auto superseded = run(*m_db,
                          "UPDATE installs SET state = 'superseded', superseded_at = ?3 "
                          "WHERE profile = ?1 AND store = ?2 AND state = 'installed'",
                          {install.profile, install.store, to_unix(now)});
    if (!superseded) return superseded.error();
    SqlValue status = nullptr;
    if (post_install_status) status = std::int64_t{*post_install_status};
    auto installed = run(*m_db,
                         "UPDATE installs SET state = 'installed', finished_at = ?2, "
                         "post_install_status = ?3, post_install_detail = ?4 WHERE id = ?1",
                         {install_id, to_unix(now), status, post_install_detail});
    if (!installed) return installed.error();
    return tx->commit();
}

common::Result<void> StateStore::abandon_install(std::int64_t install_id, common::SystemTime now) {
    auto tx = Transaction::begin(*m_db);
    if (!tx) return tx.error();
    auto state = query_text(*m_db, "SELECT state FROM installs WHERE id = ?1", {install_id});
    if (!state) return state.error();
    if (!*state) return unknown("install", install_id);
    if (**state == "abandoned") return tx->commit();
    if (**state != "installing") {
        return common::fail(Errc::invalid_argument,
                            "install " + std::to_string(install_id) + " is " + **state);
    }
    auto updated = run(*m_db,
                       "UPDATE installs SET state = 'abandoned', finished_at = ?2 WHERE id = ?1",
                       {install_id, to_unix(now)});
    if (!updated) return updated.error();
    return tx->commit();
}

common::Result<std::optional<InstallRecord>> StateStore::current_install(const std::string& profile,
                                                                         const std::string& store) {
    return read_first(prepare_bound(*m_db,
                                    select_from(install_columns,
                                                "FROM installs WHERE profile = ?1 AND store = ?2 "
                                                "AND state = 'installed'"),
                                    {profile, store}),
                      read_install);
}

common::Result<std::vector<InstallRecord>> StateStore::unfinished_installs() {
    return read_all(
        prepare_bound(*m_db,
                      select_from(install_columns,
                                  "FROM installs WHERE state = 'installing' ORDER BY started_at, id"),
                      {}),
        read_install);
}

common::Result<std::int64_t> StateStore::next_install_version(const std::string& profile,
                                                              const std::string& store) {
    auto next = read_first(
        prepare_bound(*m_db,
                      "SELECT COALESCE(MAX(version), 0) + 1 FROM installs "
                      "WHERE profile = ?1 AND store = ?2",
                      {profile, store}),
        [](const Statement& row) { return row.column_int64(0); });
    if (!next) return next.error();
    return next->value_or(1);
}

common::Result<std::optional<InstallRecord>> StateStore::get_install(std::int64_t install_id) {
    return read_first(
        prepare_bound(*m_db, select_from(install_columns, "FROM installs WHERE id = ?1"),
                      {install_id}),
        read_install);
}

common::Result<std::vector<InstallRecord>> StateStore::list_installs(const std::string& profile) {
    return read_all(prepare_bound(*m_db,
                                  select_from(install_columns,
                                              "FROM installs WHERE profile = ?1 ORDER BY id"),
                                  {profile}),
                    read_install);
}

// --- history ---

common::Result<std::int64_t> StateStore::append_history(const HistoryEntry& entry) {
    if (auto ok = require_not_empty(entry.event, "history event"); !ok) return ok.error();
    if (auto inserted = insert_history(*m_db, entry.profile, entry.at, entry.from_state,
                                       entry.to_state, entry.event, entry.detail);
        !inserted) {
        return inserted.error();
    }
    return m_db->last_insert_rowid();
}

common::Result<std::vector<HistoryEntry>> StateStore::list_history(const std::string& profile,
                                                                   std::size_t limit) {
    return read_all(prepare_bound(*m_db,
                                  select_from(history_columns,
                                              "FROM history WHERE profile = ?1 "
                                              "ORDER BY at DESC, id DESC LIMIT ?2"),
                                  {profile, static_cast<std::int64_t>(limit)}),
                    read_history);
}

}  // namespace stores
