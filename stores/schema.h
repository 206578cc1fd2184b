// stores::migrate: brings a database to the newest version of its schema, the one way every
// SQLite file of the project (the state database, the CA database) is versioned.
//
// A database belongs to a schema by PRAGMA application_id; PRAGMA user_version is its version.
// migrate() applies the steps above the current version and sets both pragmas inside one
// BEGIN IMMEDIATE transaction, so a kill -9 mid-way leaves the previous version intact and two
// processes opening the file at once migrate it once. Refused with Errc::unsupported: a newer
// version than the schema knows (an old program never writes a schema it does not understand),
// another application's database, or a non-empty database without an application_id.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "common/result.h"
#include "stores/sqlite.h"

namespace stores {

struct Migration {
    std::int32_t to_version;  // 1, 2, ...: the version this step produces
    std::string_view sql;     // ';'-separated statements
};

struct Schema {
    std::string_view name;  // for messages: "CA database", "state database"
    std::int32_t application_id;
    // In order, to_version 1..N without gaps; N is the version this program writes.
    std::span<const Migration> migrations;

    std::int32_t version() const { return static_cast<std::int32_t>(migrations.size()); }
};

common::Result<void> migrate(Database& db, const Schema& schema);

}  // namespace stores
