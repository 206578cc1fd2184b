#include "ocsp-crl/revocation_cache.h"

#include <algorithm>
#include <span>

#include "stores/sql_values.h"

namespace revocation {
namespace {

using namespace std::chrono_literals;

using stores::from_unix;
using stores::optional_time;
using stores::SqlValue;
using stores::to_unix;

// The instant after which an entry is of no use to anyone.
common::SystemTime useless_after(const CacheEntry& e) {
    return e.next_update.value_or(e.fetched_at);
}

constexpr std::string_view columns =
    "method, issuer_id, key, source_url, der, issuer_der, cert_der, this_update, next_update, "
    "fetched_at, refresh_at";

CacheEntry read_row(const stores::Statement& s) {
    CacheEntry e;
    e.id.method = s.column_text(0) == "ocsp" ? Method::ocsp : Method::crl;
    e.id.issuer_id = s.column_text(1);
    e.id.key = s.column_text(2);
    e.source_url = s.column_text(3);
    e.der = s.column_blob(4);
    e.issuer_der = s.column_blob(5);
    e.cert_der = s.column_blob(6);
    e.this_update = from_unix(s.column_int64(7));
    e.next_update = optional_time(s, 8);
    e.fetched_at = from_unix(s.column_int64(9));
    e.refresh_at = from_unix(s.column_int64(10));
    return e;
}

}  // namespace

common::SystemTime refresh_time(common::SystemTime this_update,
                                std::optional<common::SystemTime> next_update,
                                common::SystemTime fetched_at,
                                std::optional<std::chrono::seconds> max_age) {
    if (next_update && *next_update > this_update) {
        auto span = *next_update - this_update;
        common::SystemTime at = this_update + span * 4 / 5;
        return std::min(at, std::max(this_update, *next_update - 1h));
    }
    if (max_age) {
        return fetched_at + std::chrono::duration_cast<std::chrono::seconds>(*max_age * 4 / 5);
    }
    return fetched_at + 24h;
}

common::Result<std::optional<CacheEntry>> MemoryRevocationCache::find(const CacheKey& key) {
    auto it = m_entries.find(key);
    if (it == m_entries.end()) return std::optional<CacheEntry>();
    return std::optional<CacheEntry>(it->second);
}

common::Result<void> MemoryRevocationCache::store(const CacheEntry& entry) {
    m_entries.insert_or_assign(entry.id, entry);
    return {};
}

common::Result<std::vector<CacheEntry>> MemoryRevocationCache::due_for_refresh(
    common::SystemTime now, std::size_t limit) {
    std::vector<CacheEntry> due;
    for (const auto& [key, e] : m_entries) {
        if (e.refresh_at <= now) due.push_back(e);
    }
    std::sort(due.begin(), due.end(),
              [](const CacheEntry& a, const CacheEntry& b) { return a.refresh_at < b.refresh_at; });
    if (due.size() > limit) due.resize(limit);
    return due;
}

common::Result<std::size_t> MemoryRevocationCache::remove_expired(common::SystemTime now,
                                                                  std::chrono::seconds grace) {
    return std::erase_if(m_entries,
                         [&](const auto& kv) { return useless_after(kv.second) + grace < now; });
}

common::Result<std::optional<CacheEntry>> SqliteRevocationCache::find(const CacheKey& key) {
    return stores::read_first(
        stores::prepare_bound(*m_db,
                              "SELECT " + std::string(columns) +
                                  " FROM revocation_cache WHERE method = ?1 AND issuer_id = ?2 "
                                  "AND key = ?3",
                              {method_name(key.method), key.issuer_id, key.key}),
        read_row);
}

common::Result<void> SqliteRevocationCache::store(const CacheEntry& e) {
    const SqlValue cert_der =
        e.cert_der.empty() ? SqlValue(nullptr) : SqlValue(std::span<const std::uint8_t>(e.cert_der));
    auto done = stores::run(*m_db,
                            "INSERT OR REPLACE INTO revocation_cache (" + std::string(columns) +
                                ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                            {method_name(e.id.method), e.id.issuer_id, e.id.key, e.source_url,
                             std::span<const std::uint8_t>(e.der),
                             std::span<const std::uint8_t>(e.issuer_der), cert_der,
                             to_unix(e.this_update), stores::time_or_null(e.next_update),
                             to_unix(e.fetched_at), to_unix(e.refresh_at)});
    if (!done) return done.error();
    return {};
}

common::Result<std::vector<CacheEntry>> SqliteRevocationCache::due_for_refresh(
    common::SystemTime now, std::size_t limit) {
    return stores::read_all(
        stores::prepare_bound(*m_db,
                              "SELECT " + std::string(columns) +
                                  " FROM revocation_cache WHERE refresh_at <= ?1 ORDER BY "
                                  "refresh_at LIMIT ?2",
                              {to_unix(now), static_cast<std::int64_t>(limit)}),
        read_row);
}

common::Result<std::size_t> SqliteRevocationCache::remove_expired(common::SystemTime now,
                                                                  std::chrono::seconds grace) {
    auto removed = stores::run(
        *m_db, "DELETE FROM revocation_cache WHERE COALESCE(next_update, fetched_at) + ?1 < ?2",
        {static_cast<std::int64_t>(grace.count()), to_unix(now)});
    if (!removed) return removed.error();
    return static_cast<std::size_t>(*removed);
}

}  // namespace revocation
