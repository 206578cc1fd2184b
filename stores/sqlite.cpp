#include "stores/sqlite.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <iterator>
#include <utility>

namespace stores {
namespace {

using common::Errc;
using common::Error;
using common::Retry;

// How many problems check_integrity() quotes.
constexpr int max_integrity_problems = 10;

Error sqlite_error(int rc, std::string_view what, sqlite3* db) {
    const std::string detail = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    std::string message = "sqlite: " + std::string(what) + ": " + detail;
    switch (rc & 0xff) {
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
            return Error(Errc::timeout, std::move(message), Retry::yes);
        case SQLITE_CONSTRAINT:
            if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
                return Error(Errc::already_exists, std::move(message));
            }
            return Error(Errc::invalid_argument, std::move(message));
        case SQLITE_TOOBIG:
        case SQLITE_MISMATCH:
            return Error(Errc::invalid_argument, std::move(message));
        case SQLITE_CANTOPEN:
        case SQLITE_CORRUPT:
        case SQLITE_FULL:
        case SQLITE_IOERR:
        case SQLITE_NOTADB:
        case SQLITE_PERM:
        case SQLITE_READONLY:
        case SQLITE_AUTH:
        case SQLITE_PROTOCOL:
            return Error(Errc::io, std::move(message));
        default:
            return Error(Errc::internal, std::move(message));
    }
}

// The start of a statement's SQL, to say which statement failed.
std::string sql_excerpt(sqlite3_stmt* stmt) {
    constexpr std::size_t max_length = 60;
    const char* sql = sqlite3_sql(stmt);
    std::string text = sql != nullptr ? sql : "";
    std::replace(text.begin(), text.end(), '\n', ' ');
    if (text.size() > max_length) {
        text = text.substr(0, max_length) + "...";
    }
    return text;
}

Error errno_error(std::string_view what, const std::filesystem::path& path) {
    return Error(Errc::io, "sqlite: " + std::string(what) + " " + path.string() + ": " +
                               std::strerror(errno));
}

// Creates an empty file with the given mode (unless one appeared meanwhile) and syncs the
// directory, so that the new name survives a power cut like the data SQLite will sync later.
common::Result<void> create_file(const std::filesystem::path& path,
                                 std::filesystem::perms mode) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
                          static_cast<mode_t>(mode));
    if (fd < 0) {
        if (errno == EEXIST) {
            return {};
        }
        return common::fail(errno_error("cannot create", path));
    }
    ::close(fd);
    const std::filesystem::path dir = path.has_parent_path() ? path.parent_path() : ".";
    const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd < 0) {
        return common::fail(errno_error("cannot open directory", dir));
    }
    const int rc = ::fsync(dir_fd);
    ::close(dir_fd);
    if (rc != 0) {
        return common::fail(errno_error("cannot sync directory", dir));
    }
    return {};
}

int clamp_to_int(std::int64_t value) {
    return static_cast<int>(std::clamp<std::int64_t>(value, 0, INT_MAX));
}

// PRAGMA journal_mode answers with the mode in force, which stays "memory" or "delete" where WAL
// is impossible (an in-memory database, a file system without shared memory).
common::Result<void> use_write_ahead_log(Database& db) {
    auto journal = db.prepare("PRAGMA journal_mode=WAL");
    if (!journal) {
        return journal.error();
    }
    auto row = journal->step();
    if (!row) {
        return row.error();
    }
    if (!*row || journal->column_text(0) != "wal") {
        return common::fail(Errc::unsupported, "sqlite: cannot use write-ahead logging");
    }
    return {};
}

}  // namespace

void Database::Close::operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }

void Statement::Finalize::operator()(sqlite3_stmt* stmt) const noexcept { sqlite3_finalize(stmt); }

common::Result<Database> Database::open(const std::filesystem::path& path,
                                        const DatabaseOptions& options) {
    const std::string name = path.string();
    if (name.empty() || name == ":memory:" || name.rfind("file:", 0) == 0) {
        return common::fail(Errc::invalid_argument,
                            "sqlite: a database needs a file path, not \"" + name + "\"");
    }
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) {
        if (!options.create_if_missing) {
            return common::fail(Errc::not_found, "sqlite: no database at " + path.string());
        }
        if (auto created = create_file(path, options.create_mode); !created) {
            return created.error();
        }
    }
    sqlite3* raw = nullptr;
    const int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE, nullptr);
    Database db(raw);  // owns the handle even when opening failed
    if (rc != SQLITE_OK) {
        return sqlite_error(rc, "cannot open " + path.string(), raw);
    }
    sqlite3_extended_result_codes(raw, 1);
    sqlite3_busy_timeout(raw, clamp_to_int(options.busy_timeout.count()));
    if (auto wal = use_write_ahead_log(db); !wal) {
        return wal.error().with_context(path.string());
    }
    if (auto pragmas = db.exec("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON"); !pragmas) {
        return pragmas.error().with_context(path.string());
    }
    return db;
}

common::Result<void> Database::exec(std::string_view sql) {
    const std::string text(sql);
    const int rc = sqlite3_exec(m_db.get(), text.c_str(), nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) {
        return sqlite_error(rc, "exec", m_db.get());
    }
    return {};
}

common::Result<Statement> Database::prepare(std::string_view sql) {
    sqlite3_stmt* raw = nullptr;
    const int rc = sqlite3_prepare_v2(m_db.get(), sql.data(), clamp_to_int(std::ssize(sql)), &raw,
                                      nullptr);
    Statement stmt(raw);
    if (rc != SQLITE_OK) {
        return sqlite_error(rc, "prepare", m_db.get());
    }
    if (raw == nullptr) {
        return common::fail(Errc::internal, "sqlite: prepare: no statement in the SQL text");
    }
    return stmt;
}

std::int64_t Database::last_insert_rowid() const { return sqlite3_last_insert_rowid(m_db.get()); }

std::int64_t Database::changes() const { return sqlite3_changes64(m_db.get()); }

common::Result<std::int32_t> Database::user_version() {
    auto stmt = prepare("PRAGMA user_version");
    if (!stmt) {
        return stmt.error();
    }
    auto row = stmt->step();
    if (!row) {
        return row.error();
    }
    if (!*row) {
        return common::fail(Errc::internal, "sqlite: PRAGMA user_version returned no row");
    }
    return static_cast<std::int32_t>(stmt->column_int64(0));
}

common::Result<void> Database::set_user_version(std::int32_t version) {
    return exec("PRAGMA user_version = " + std::to_string(version));
}

common::Result<void> Database::check_integrity() {
    std::string problems;
    int count = 0;
    for (const char* pragma : {"PRAGMA integrity_check", "PRAGMA foreign_key_check"}) {
        auto stmt = prepare(pragma);
        if (!stmt) {
            return stmt.error();
        }
        for (;;) {
            auto row = stmt->step();
            if (!row) {
                return row.error();
            }
            if (!*row) {
                break;
            }
            // integrity_check says "ok" once; foreign_key_check lists (table, rowid, parent).
            const std::string text = stmt->column_text(0);
            if (text == "ok" && std::string_view(pragma) == "PRAGMA integrity_check") {
                continue;
            }
            if (++count <= max_integrity_problems) {
                problems += (problems.empty() ? "" : "; ") + text;
                if (std::string_view(pragma) == "PRAGMA foreign_key_check") {
                    problems += " row " + std::to_string(stmt->column_int64(1)) +
                                ": dangling reference to " + stmt->column_text(2);
                }
            }
        }
    }
    if (count > 0) {
        return common::fail(Errc::io, "sqlite: integrity check failed (" +
                                          std::to_string(count) + " problems): " + problems);
    }
    return {};
}

bool Database::in_transaction() const { return sqlite3_get_autocommit(m_db.get()) == 0; }

common::Result<void> Statement::check_bind(int rc, int index) {
    if (rc != SQLITE_OK) {
        return sqlite_error(rc, "bind ?" + std::to_string(index) + " of " + sql_excerpt(m_stmt.get()),
                            sqlite3_db_handle(m_stmt.get()));
    }
    return {};
}

common::Result<void> Statement::bind_int64(int index, std::int64_t value) {
    return check_bind(sqlite3_bind_int64(m_stmt.get(), index, value), index);
}

common::Result<void> Statement::bind_text(int index, std::string_view value) {
    // An empty string_view may have a null data(), which SQLite would bind as NULL, not ''.
    const char* data = value.data() != nullptr ? value.data() : "";
    return check_bind(sqlite3_bind_text64(m_stmt.get(), index, data, value.size(),
                                          SQLITE_TRANSIENT, SQLITE_UTF8),
                      index);
}

common::Result<void> Statement::bind_blob(int index, std::span<const std::uint8_t> value) {
    // A zero-length blob still binds as a blob, not as NULL: never pass a null pointer.
    static const std::uint8_t empty = 0;
    const void* data = value.empty() ? &empty : value.data();
    return check_bind(
        sqlite3_bind_blob64(m_stmt.get(), index, data, value.size(), SQLITE_TRANSIENT), index);
}

common::Result<void> Statement::bind_null(int index) {
    return check_bind(sqlite3_bind_null(m_stmt.get(), index), index);
}

common::Result<bool> Statement::step() {
    const int rc = sqlite3_step(m_stmt.get());
    if (rc == SQLITE_ROW) {
        return true;
    }
    if (rc == SQLITE_DONE) {
        return false;
    }
    return sqlite_error(rc, "step " + sql_excerpt(m_stmt.get()), sqlite3_db_handle(m_stmt.get()));
}

common::Result<void> Statement::execute() {
    for (;;) {
        auto row = step();
        if (!row) {
            return row.error();
        }
        if (!*row) {
            return {};
        }
    }
}

std::int64_t Statement::column_int64(int column) const {
    return sqlite3_column_int64(m_stmt.get(), column);
}

std::string Statement::column_text(int column) const {
    const unsigned char* text = sqlite3_column_text(m_stmt.get(), column);
    const int size = sqlite3_column_bytes(m_stmt.get(), column);
    if (text == nullptr || size <= 0) {
        return {};
    }
    return std::string(reinterpret_cast<const char*>(text), static_cast<std::size_t>(size));
}

std::vector<std::uint8_t> Statement::column_blob(int column) const {
    const auto* data = static_cast<const std::uint8_t*>(sqlite3_column_blob(m_stmt.get(), column));
    const int size = sqlite3_column_bytes(m_stmt.get(), column);
    if (data == nullptr || size <= 0) {
        return {};
    }
    return std::vector<std::uint8_t>(data, data + size);
}

bool Statement::column_is_null(int column) const {
    return sqlite3_column_type(m_stmt.get(), column) == SQLITE_NULL;
}

void Statement::reset() {
    sqlite3_reset(m_stmt.get());
    sqlite3_clear_bindings(m_stmt.get());
}

common::Result<Transaction> Transaction::begin(Database& db) {
    if (auto begun = db.exec("BEGIN IMMEDIATE"); !begun) {
        return begun.error().with_context("begin transaction");
    }
    return Transaction(db);
}

Transaction::Transaction(Transaction&& other) noexcept : m_db(std::exchange(other.m_db, nullptr)) {}

Transaction::~Transaction() {
    if (m_db != nullptr && m_db->in_transaction()) {
        (void)m_db->exec("ROLLBACK");
    }
}

common::Result<void> Transaction::commit() {
    if (m_db == nullptr) {
        return common::fail(Errc::internal, "sqlite: commit of a finished transaction");
    }
    auto committed = m_db->exec("COMMIT");
    if (committed || !m_db->in_transaction()) {
        m_db = nullptr;  // done, or SQLite rolled back by itself
    }
    if (!committed) {
        return committed.error().with_context("commit");
    }
    return {};
}

}  // namespace stores
