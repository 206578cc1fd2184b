#include "stores/schema.h"

#include <string>

namespace stores {
namespace {

using common::Errc;

common::Result<std::int64_t> single_integer(Database& db, std::string_view sql) {
    auto stmt = db.prepare(sql);
    if (!stmt) return stmt.error();
    auto row = stmt->step();
    if (!row) return row.error();
    return *row ? stmt->column_int64(0) : 0;
}

// A database is the schema's if it carries its application_id, or is still entirely empty.
common::Result<void> check_ownership(Database& db, const Schema& schema, std::int32_t version) {
    auto app_id = single_integer(db, "PRAGMA application_id");
    if (!app_id) return app_id.error();
    if (*app_id == schema.application_id) return {};
    auto tables = single_integer(db, "SELECT count(*) FROM sqlite_schema");
    if (!tables) return tables.error();
    if (*app_id != 0 || version != 0 || *tables != 0) {
        return common::fail(Errc::unsupported, "not a certkeeper " + std::string(schema.name) +
                                                   " (application_id " +
                                                   std::to_string(*app_id) + ")");
    }
    return {};
}

common::Result<std::int32_t> checked_version(Database& db, const Schema& schema) {
    auto version = db.user_version();
    if (!version) return version.error();
    if (*version > schema.version() || *version < 0) {
        return common::fail(Errc::unsupported, std::string(schema.name) + " schema version " +
                                                   std::to_string(*version) +
                                                   " is newer than this program's (" +
                                                   std::to_string(schema.version()) + ")");
    }
    if (auto owned = check_ownership(db, schema, *version); !owned) return owned.error();
    return *version;
}

}  // namespace

common::Result<void> migrate(Database& db, const Schema& schema) {
    auto version = checked_version(db, schema);
    if (!version) return version.error();
    if (*version == schema.version()) return {};
    auto tx = Transaction::begin(db);
    if (!tx) return tx.error();
    version = checked_version(db, schema);  // another connection may have migrated meanwhile
    if (!version) return version.error();
    for (const Migration& m : schema.migrations) {
        if (m.to_version <= *version) continue;
        if (auto applied = db.exec(m.sql); !applied) {
            return applied.error().with_context(std::string(schema.name) + " schema version " +
                                                std::to_string(m.to_version));
        }
    }
    if (auto set = db.exec("PRAGMA application_id = " + std::to_string(schema.application_id));
        !set) {
        return set.error();
    }
    if (auto set = db.set_user_version(schema.version()); !set) return set.error();
    return tx->commit();
}

}  // namespace stores
