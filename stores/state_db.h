// stores::open_state_db: the device's state database (`<state-dir>/state.db`), opened with the
// pragmas of sqlite.h and migrated forward to the schema this build knows (docs/storage.md).
//
// Versioned and migrated as stores/schema.h describes: a newer schema, another application's
// file or a non-empty file without our application_id is refused with Errc::unsupported.
#pragma once

#include <cstdint>
#include <filesystem>

#include "common/result.h"
#include "stores/sqlite.h"

namespace stores {

// PRAGMA application_id of a state database: "CKST".
inline constexpr std::int32_t state_db_application_id = 0x434B5354;
// The schema version (PRAGMA user_version) this build writes.
inline constexpr std::int32_t state_db_version = 4;

// Opens (creating if needed, mode 0600) and migrates the state database at path.
common::Result<Database> open_state_db(const std::filesystem::path& path);

// Migrates an already open database (tests use a file in a TempDir).
common::Result<void> migrate_state_db(Database& db);

// The state database's file inside a state directory; creates the directory (mode 0700) if
// missing.
common::Result<std::filesystem::path> state_db_path(const std::filesystem::path& state_dir);

}  // namespace stores
