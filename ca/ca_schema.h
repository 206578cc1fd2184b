// The CA database's schema and its migrations (docs/ca-database.md). Private to ca/.
#pragma once

#include <cstdint>

#include "common/result.h"
#include "stores/sqlite.h"

namespace ca::detail {

// PRAGMA application_id of a CA database: "CKCA".
inline constexpr std::int32_t ca_application_id = 0x434B4341;
// The PRAGMA user_version this program writes and reads.
inline constexpr std::int32_t ca_schema_version = 1;

// Brings an empty or older database to ca_schema_version in one transaction. Errc::unsupported
// for a newer schema, another application's database, or a non-empty database without our
// application_id.
common::Result<void> migrate(stores::Database& db);

}  // namespace ca::detail
