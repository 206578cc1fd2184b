#include "ocsp-crl/revocation_cache.h"

#include <algorithm>

namespace revocation {
namespace {

using namespace std::chrono_literals;

std::int64_t to_seconds(common::SystemTime t) {
    return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}
common::SystemTime from_seconds(std::int64_t s) {
    return common::SystemTime(std::chrono::seconds(s));
}

// The instant after which an entry is of no use to anyone.
common::SystemTime useless_after(const CacheEntry& e) {
    return e.next_update.value_or(e.fetched_at);
}

constexpr std::string_view columns =
    "method, issuer_id, key, source_url, der, issuer_der, cert_der, this_update, next_update, "
    "fetched_at, refresh_at";

common::Result<CacheEntry> read_row(const stores::Statement& s) {
    CacheEntry e;
    e.id.method = s.column_text(0) == "ocsp" ? Method::ocsp : Method::crl;
    e.id.issuer_id = s.column_text(1);
    e.id.key = s.column_text(2);
    e.source_url = s.column_text(3);
    e.der = s.column_blob(4);
    e.issuer_der = s.column_blob(5);
    e.cert_der = s.column_blob(6);
    e.this_update = from_seconds(s.column_int64(7));
    if (!s.column_is_null(8)) e.next_update = from_seconds(s.column_int64(8));
    e.fetched_at = from_seconds(s.column_int64(9));
    e.refresh_at = from_seconds(s.column_int64(10));
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
    auto s = m_db->prepare("SELECT " + std::string(columns) +
                           " FROM revocation_cache WHERE method = ?1 AND issuer_id = ?2 AND "
                           "key = ?3");
    if (!s) return s.error();
    if (auto r = s->bind_text(1, method_name(key.method)); !r) return r.error();
    if (auto r = s->bind_text(2, key.issuer_id); !r) return r.error();
    if (auto r = s->bind_text(3, key.key); !r) return r.error();
    auto row = s->step();
    if (!row) return row.error();
    if (!*row) return std::optional<CacheEntry>();
    auto e = read_row(*s);
    if (!e) return e.error();
    return std::optional<CacheEntry>(std::move(*e));
}

common::Result<void> SqliteRevocationCache::store(const CacheEntry& e) {
    auto s = m_db->prepare("INSERT OR REPLACE INTO revocation_cache (" + std::string(columns) +
                           ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
    if (!s) return s.error();
    common::Result<void> r;
    if (r = s->bind_text(1, method_name(e.id.method)); !r) return r;
    if (r = s->bind_text(2, e.id.issuer_id); !r) return r;
    if (r = s->bind_text(3, e.id.key); !r) return r;
    if (r = s->bind_text(4, e.source_url); !r) return r;
    if (r = s->bind_blob(5, e.der); !r) return r;
    if (r = s->bind_blob(6, e.issuer_der); !r) return r;
    if (r = e.cert_der.empty() ? s->bind_null(7) : s->bind_blob(7, e.cert_der); !r) return r;
    if (r = s->bind_int64(8, to_seconds(e.this_update)); !r) return r;
    if (r = e.next_update ? s->bind_int64(9, to_seconds(*e.next_update)) : s->bind_null(9); !r) {
        return r;
    }
    if (r = s->bind_int64(10, to_seconds(e.fetched_at)); !r) return r;
    if (r = s->bind_int64(11, to_seconds(e.refresh_at)); !r) return r;
    return s->execute();
}

common::Result<std::vector<CacheEntry>> SqliteRevocationCache::due_for_refresh(
    common::SystemTime now, std::size_t limit) {
    auto s = m_db->prepare("SELECT " + std::string(columns) +
                           " FROM revocation_cache WHERE refresh_at <= ?1 ORDER BY refresh_at "
                           "LIMIT ?2");
    if (!s) return s.error();
    if (auto r = s->bind_int64(1, to_seconds(now)); !r) return r.error();
    if (auto r = s->bind_int64(2, static_cast<std::int64_t>(limit)); !r) return r.error();
    std::vector<CacheEntry> due;
    for (;;) {
        auto row = s->step();
        if (!row) return row.error();
        if (!*row) break;
        auto e = read_row(*s);
        if (!e) return e.error();
        due.push_back(std::move(*e));
    }
    return due;
}

common::Result<std::size_t> SqliteRevocationCache::remove_expired(common::SystemTime now,
                                                                  std::chrono::seconds grace) {
    auto s = m_db->prepare(
        "DELETE FROM revocation_cache WHERE COALESCE(next_update, fetched_at) + ?1 < ?2");
    if (!s) return s.error();
    if (auto r = s->bind_int64(1, grace.count()); !r) return r.error();
    if (auto r = s->bind_int64(2, to_seconds(now)); !r) return r.error();
    if (auto r = s->execute(); !r) return r.error();
    return static_cast<std::size_t>(m_db->changes());
}

}  // namespace revocation
