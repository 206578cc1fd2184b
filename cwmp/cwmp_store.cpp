#include "cwmp/cwmp_store.h"

#include <tuple>
#include <utility>

#include "stores/sql_values.h"

namespace cwmp {
namespace {

using common::Errc;
using stores::Database;
using stores::SqlValue;
using stores::Statement;

constexpr std::string_view parameter_key_name = "Device.ManagementServer.ParameterKey";
constexpr std::string_view bootstrapped_url_name = "Device.ManagementServer.X_CERTKEEPER_BootstrappedURL";

using stores::read_all;

common::Result<std::optional<std::int64_t>> query_int(Database& db, std::string_view sql,
                                                      std::initializer_list<SqlValue> values) {
    auto stmt = stores::prepare_bound(db, sql, values);
    if (!stmt) return stmt.error();
    auto row = stmt->step();
    if (!row) return row.error();
    if (!*row || stmt->column_is_null(0)) return std::optional<std::int64_t>();
    return std::optional<std::int64_t>(stmt->column_int64(0));
}

std::string join_list(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& item : items) {
        if (!out.empty()) out += ',';
        out += item;
    }
    return out;
}

std::vector<std::string> split_list(const std::string& text) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= text.size() && !text.empty()) {
        const auto comma = text.find(',', start);
        const auto end = comma == std::string::npos ? text.size() : comma;
        if (end > start) out.push_back(text.substr(start, end - start));
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    return out;
}

SqlValue key_value(const std::optional<std::string_view>& key) {
    if (!key) return nullptr;
    return *key;
}

common::Result<std::map<std::string, std::string>> read_map(Database& db, std::string_view sql) {
    auto rows = read_all(db.prepare(sql), [](const Statement& row) {
        return std::pair{row.column_text(0), row.column_text(1)};
    });
    if (!rows) return rows.error();
    return std::map<std::string, std::string>(rows->begin(), rows->end());
}

}  // namespace

bool is_multiple_event(std::string_view code) {
    return code.starts_with("M ") || code == "7 TRANSFER COMPLETE" ||
           code == "10 AUTONOMOUS TRANSFER COMPLETE" || code == "11 DU STATE CHANGE COMPLETE" ||
           code == "12 AUTONOMOUS DU STATE CHANGE COMPLETE";
}

common::Result<std::int64_t> CwmpStore::queue_event(std::string_view event_code,
                                                    std::string_view command_key,
                                                    common::SystemTime now,
                                                    std::string_view payload) {
    if (event_code.empty()) return common::fail(Errc::invalid_argument, "empty event code");
    auto tx = stores::Transaction::begin(*m_db);
    if (!tx) return tx.error();
    if (!is_multiple_event(event_code)) {
        auto existing = query_int(*m_db,
                                  "SELECT min(id) FROM cwmp_events WHERE event_code = ?1 AND "
                                  "command_key = ?2",
                                  {event_code, command_key});
        if (!existing) return existing.error();
        if (*existing) return **existing;
    }
    auto inserted = stores::run(*m_db,
                                "INSERT INTO cwmp_events (event_code, command_key, payload, "
                                "queued_at) VALUES (?1, ?2, ?3, ?4)",
                                {event_code, command_key, payload, stores::to_unix(now)});
    if (!inserted) return inserted.error();
    const auto id = m_db->last_insert_rowid();
    if (auto c = tx->commit(); !c) return c.error();
    return id;
}

common::Result<std::int64_t> CwmpStore::add_download(const Download& d, common::SystemTime due_at) {
    auto r = stores::run(*m_db,
                         "INSERT INTO cwmp_downloads (command_key, file_type, url, username, password, "
                         "file_size, due_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                         {d.command_key, d.file_type, d.url, d.username, d.password,
                          static_cast<std::int64_t>(d.file_size), stores::to_unix(due_at)});
    if (!r) return r.error();
    return m_db->last_insert_rowid();
}

common::Result<std::vector<PendingDownload>> CwmpStore::pending_downloads() {
    return read_all(m_db->prepare("SELECT id, command_key, file_type, url, username, password, file_size, "
                                  "due_at FROM cwmp_downloads ORDER BY id"),
                    [](const Statement& row) {
                        PendingDownload p;
                        p.id = row.column_int64(0);
                        p.download.command_key = row.column_text(1);
                        p.download.file_type = row.column_text(2);
                        p.download.url = row.column_text(3);
                        p.download.username = row.column_text(4);
                        p.download.password = row.column_text(5);
                        p.download.file_size = static_cast<std::uint32_t>(row.column_int64(6));
                        p.due_at = stores::from_unix(row.column_int64(7));
                        return p;
                    });
}

common::Result<void> CwmpStore::finish_download(std::int64_t id, std::string_view command_key,
                                                std::string_view transfer_complete_payload,
                                                common::SystemTime now) {
    auto tx = stores::Transaction::begin(*m_db);
    if (!tx) return tx.error();
    auto removed = stores::run(*m_db, "DELETE FROM cwmp_downloads WHERE id = ?1", {id});
    if (!removed) return removed.error();
    if (*removed == 0) return common::fail(Errc::not_found, "no Download " + std::to_string(id));
    for (const auto& [code, key, payload] :
         {std::tuple{event::m_download, command_key, std::string_view()},
          std::tuple{event::transfer_complete, std::string_view(), transfer_complete_payload}}) {
        auto inserted = stores::run(*m_db,
                                    "INSERT INTO cwmp_events (event_code, command_key, payload, queued_at) "
                                    "VALUES (?1, ?2, ?3, ?4)",
                                    {code, key, payload, stores::to_unix(now)});
        if (!inserted) return inserted.error();
    }
    return tx->commit();
}

common::Result<std::vector<QueuedEvent>> CwmpStore::pending_events() {
    return read_all(m_db->prepare("SELECT id, event_code, command_key, payload, queued_at FROM "
                                  "cwmp_events ORDER BY id"),
                    [](const Statement& row) {
                        return QueuedEvent{row.column_int64(0), row.column_text(1),
                                           row.column_text(2), row.column_text(3),
                                           stores::from_unix(row.column_int64(4))};
                    });
}

common::Result<void> CwmpStore::acknowledge_events(std::int64_t up_to_id) {
    auto r = stores::run(*m_db, "DELETE FROM cwmp_events WHERE id <= ?1", {up_to_id});
    if (!r) return r.error();
    return {};
}

common::Result<void> CwmpStore::remove_events(std::string_view event_code) {
    auto r = stores::run(*m_db, "DELETE FROM cwmp_events WHERE event_code = ?1", {event_code});
    if (!r) return r.error();
    return {};
}

common::Result<std::vector<StoredAttributes>> CwmpStore::attributes() {
    return read_all(
        m_db->prepare("SELECT name, notification, access_list FROM cwmp_attributes ORDER BY name"),
        [](const Statement& row) {
            return StoredAttributes{row.column_text(0), static_cast<int>(row.column_int64(1)),
                                    split_list(row.column_text(2))};
        });
}

common::Result<void> CwmpStore::set_attributes(const std::vector<StoredAttributes>& rows) {
    auto tx = stores::Transaction::begin(*m_db);
    if (!tx) return tx.error();
    for (const auto& a : rows) {
        if (a.name.ends_with('.')) {
            auto r = stores::run(*m_db,
                                 "DELETE FROM cwmp_attributes WHERE substr(name, 1, length(?1)) = ?1",
                                 {a.name});
            if (!r) return r.error();
        }
        const std::string list = join_list(a.access_list);
        auto r = stores::run(*m_db,
                             "INSERT INTO cwmp_attributes (name, notification, access_list) "
                             "VALUES (?1, ?2, ?3) ON CONFLICT (name) DO UPDATE SET "
                             "notification = excluded.notification, access_list = excluded.access_list",
                             {a.name, std::int64_t{a.notification}, std::string_view(list)});
        if (!r) return r.error();
    }
    return tx->commit();
}

common::Result<void> CwmpStore::remove_attributes_under(std::string_view prefix) {
    auto r = stores::run(*m_db,
                         "DELETE FROM cwmp_attributes WHERE substr(name, 1, length(?1)) = ?1",
                         {prefix});
    if (!r) return r.error();
    return {};
}

common::Result<std::vector<InstanceRecord>> CwmpStore::instances(std::string_view object) {
    return read_all(stores::prepare_bound(*m_db,
                                          "SELECT instance, key FROM cwmp_instances WHERE object "
                                          "= ?1 ORDER BY instance",
                                          {object}),
                    [](const Statement& row) {
                        InstanceRecord r;
                        r.instance = static_cast<std::size_t>(row.column_int64(0));
                        if (!row.column_is_null(1)) r.key = row.column_text(1);
                        return r;
                    });
}

common::Result<std::size_t> CwmpStore::assign_instance(std::string_view object,
                                                       std::optional<std::string_view> key) {
    auto tx = stores::Transaction::begin(*m_db);
    if (!tx) return tx.error();
    if (key) {
        auto existing = query_int(*m_db,
                                  "SELECT instance FROM cwmp_instances WHERE object = ?1 AND key = ?2",
                                  {object, *key});
        if (!existing) return existing.error();
        if (*existing) return static_cast<std::size_t>(**existing);
    }
    auto last = query_int(*m_db,
                          "SELECT max(n) FROM (SELECT last_instance AS n FROM "
                          "cwmp_instance_counters WHERE object = ?1 UNION ALL SELECT "
                          "max(instance) FROM cwmp_instances WHERE object = ?1)",
                          {object});
    if (!last) return last.error();
    const std::int64_t next = last->value_or(0) + 1;
    auto inserted = stores::run(*m_db,
                                "INSERT INTO cwmp_instances (object, instance, key) VALUES (?1, ?2, ?3)",
                                {object, next, key_value(key)});
    if (!inserted) return inserted.error();
    auto counted = stores::run(*m_db,
                               "INSERT INTO cwmp_instance_counters (object, last_instance) VALUES "
                               "(?1, ?2) ON CONFLICT (object) DO UPDATE SET last_instance = "
                               "excluded.last_instance",
                               {object, next});
    if (!counted) return counted.error();
    if (auto c = tx->commit(); !c) return c.error();
    return static_cast<std::size_t>(next);
}

common::Result<void> CwmpStore::set_instance_key(std::string_view object, std::size_t instance,
                                                 std::optional<std::string_view> key) {
    auto r = stores::run(*m_db, "UPDATE cwmp_instances SET key = ?3 WHERE object = ?1 AND instance = ?2",
                         {object, static_cast<std::int64_t>(instance), key_value(key)});
    if (!r) return r.error();
    if (*r == 0) return common::fail(Errc::not_found, "no instance " + std::to_string(instance) + " of " +
                                                          std::string(object));
    return {};
}

common::Result<void> CwmpStore::remove_instance(std::string_view object, std::size_t instance) {
    auto r = stores::run(*m_db, "DELETE FROM cwmp_instances WHERE object = ?1 AND instance = ?2",
                         {object, static_cast<std::int64_t>(instance)});
    if (!r) return r.error();
    if (*r == 0) return common::fail(Errc::not_found, "no instance " + std::to_string(instance) + " of " +
                                                          std::string(object));
    return {};
}

common::Result<std::string> CwmpStore::parameter_key() {
    auto stmt = stores::prepare_bound(*m_db, "SELECT value FROM cwmp_values WHERE name = ?1",
                                      {parameter_key_name});
    if (!stmt) return stmt.error();
    auto row = stmt->step();
    if (!row) return row.error();
    return *row ? stmt->column_text(0) : std::string();
}

common::Result<void> CwmpStore::set_parameter_key(std::string_view key) { return set_values({}, key); }

common::Result<std::map<std::string, std::string>> CwmpStore::values() {
    return read_map(*m_db, "SELECT name, value FROM cwmp_values ORDER BY name");
}

common::Result<void> CwmpStore::set_values(const std::map<std::string, std::string>& values,
                                           std::optional<std::string_view> parameter_key) {
    auto tx = stores::Transaction::begin(*m_db);
    if (!tx) return tx.error();
    auto put = [&](std::string_view name, std::string_view value) -> common::Result<void> {
        auto r = stores::run(*m_db,
                             "INSERT INTO cwmp_values (name, value) VALUES (?1, ?2) ON CONFLICT "
                             "(name) DO UPDATE SET value = excluded.value",
                             {name, value});
        if (!r) return r.error();
        return {};
    };
    for (const auto& [name, value] : values) {
        if (auto r = put(name, value); !r) return r;
    }
    if (parameter_key) {
        if (auto r = put(parameter_key_name, *parameter_key); !r) return r;
    }
    return tx->commit();
}

common::Result<std::string> CwmpStore::bootstrapped_url() {
    auto all = values();
    if (!all) return all.error();
    const auto it = all->find(std::string(bootstrapped_url_name));
    return it == all->end() ? std::string() : it->second;
}

common::Result<void> CwmpStore::set_bootstrapped_url(std::string_view url) {
    return set_values({{std::string(bootstrapped_url_name), std::string(url)}});
}

common::Result<std::map<std::string, std::string>> CwmpStore::reported_values() {
    return read_map(*m_db, "SELECT name, value FROM cwmp_reported_values ORDER BY name");
}

common::Result<void> CwmpStore::set_reported_values(const std::map<std::string, std::string>& values) {
    auto tx = stores::Transaction::begin(*m_db);
    if (!tx) return tx.error();
    if (auto r = m_db->exec("DELETE FROM cwmp_reported_values"); !r) return r;
    for (const auto& [name, value] : values) {
        auto r = stores::run(*m_db, "INSERT INTO cwmp_reported_values (name, value) VALUES (?1, ?2)",
                             {std::string_view(name), std::string_view(value)});
        if (!r) return r.error();
    }
    return tx->commit();
}

}  // namespace cwmp
