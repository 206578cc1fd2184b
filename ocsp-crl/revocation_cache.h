// revocation::RevocationCache: CRLs and OCSP responses kept between checks and across restarts,
// so that a device asks each CRL distribution point and OCSP responder once per validity period
// and can still answer while they are unreachable.
//
// The cache stores raw DER exactly as received plus the issuer it was checked against; every
// use re-runs the offline check (signature, scope, freshness at the caller's `now`), so a
// corrupted or outdated row can never yield a Good. Entries are keyed by issuer: a CRL by
// (issuer, distribution point URL), an OCSP response by (issuer, serial).
//
// SqliteRevocationCache keeps them in the state database (stores/state_db.h, table
// revocation_cache, docs/storage.md); MemoryRevocationCache is for tests and one-shot CLI runs.
//
// Thread-safety: one thread at a time.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "crypto/bytes.h"
#include "ocsp-crl/status.h"
#include "stores/sqlite.h"

namespace revocation {

struct CacheKey {
    Method method = Method::crl;
    std::string issuer_id;  // hex SHA-256 of the issuer certificate's SubjectPublicKeyInfo
    std::string key;        // CRL: the distribution point URL; OCSP: the serial (upper-case hex)

    auto operator<=>(const CacheKey&) const = default;
};

struct CacheEntry {
    CacheKey id;
    std::string source_url;
    crypto::Bytes der;         // the CRL or OCSPResponse as received
    crypto::Bytes issuer_der;  // the certificate it was checked against (for a refresh)
    crypto::Bytes cert_der;    // OCSP only: the certificate asked about (for a refresh)
    common::SystemTime this_update;
    std::optional<common::SystemTime> next_update;
    common::SystemTime fetched_at;
    common::SystemTime refresh_at;  // when a background refresh should fetch a newer one
};

class RevocationCache {
public:
    virtual ~RevocationCache() = default;
    virtual common::Result<std::optional<CacheEntry>> find(const CacheKey& key) = 0;
    // Inserts or replaces the entry with the same key.
    virtual common::Result<void> store(const CacheEntry& entry) = 0;
    // Entries whose refresh_at <= now, oldest first, at most limit.
    virtual common::Result<std::vector<CacheEntry>> due_for_refresh(common::SystemTime now,
                                                                    std::size_t limit) = 0;
    // Removes entries whose nextUpdate (or, without one, fetched_at) lies more than grace before
    // now; returns how many went.
    virtual common::Result<std::size_t> remove_expired(common::SystemTime now,
                                                       std::chrono::seconds grace) = 0;
};

// When to fetch a newer copy: 80 % of the way from thisUpdate to nextUpdate, but not later
// than one hour before nextUpdate; without nextUpdate, fetched_at + max_age * 0.8 or one day.
common::SystemTime refresh_time(common::SystemTime this_update,
                                std::optional<common::SystemTime> next_update,
                                common::SystemTime fetched_at,
                                std::optional<std::chrono::seconds> max_age);

class MemoryRevocationCache final : public RevocationCache {
public:
    common::Result<std::optional<CacheEntry>> find(const CacheKey& key) override;
    common::Result<void> store(const CacheEntry& entry) override;
    common::Result<std::vector<CacheEntry>> due_for_refresh(common::SystemTime now,
                                                            std::size_t limit) override;
    common::Result<std::size_t> remove_expired(common::SystemTime now,
                                               std::chrono::seconds grace) override;

private:
    std::map<CacheKey, CacheEntry> m_entries;
};

// REQUIRES: db was opened with stores::open_state_db and outlives the cache.
class SqliteRevocationCache final : public RevocationCache {
public:
    explicit SqliteRevocationCache(stores::Database& db) : m_db(&db) {}

    common::Result<std::optional<CacheEntry>> find(const CacheKey& key) override;
    common::Result<void> store(const CacheEntry& entry) override;
    common::Result<std::vector<CacheEntry>> due_for_refresh(common::SystemTime now,
                                                            std::size_t limit) override;
    common::Result<std::size_t> remove_expired(common::SystemTime now,
                                               std::chrono::seconds grace) override;

private:
    stores::Database* m_db;
};

}  // namespace revocation
