// stores::Database, Statement, Transaction: a small RAII binding to SQLite 3, the only place
// that includes sqlite3.h (modelled on Botan's src/lib/utils/sqlite3).
//
// Every database is opened with journal_mode=WAL, synchronous=FULL and foreign_keys=ON, so a
// committed transaction survives a kill -9 or a power cut and a reader never blocks the writer.
//
// Errors: every failure is a common::Error carrying SQLite's message. SQLITE_BUSY and
// SQLITE_LOCKED (another connection held the lock for longer than busy_timeout) map to
// Errc::timeout and are retryable; a UNIQUE or PRIMARY KEY violation maps to
// Errc::already_exists; other constraint failures to Errc::invalid_argument; I/O, permission,
// full-disk and corrupt-file errors to Errc::io; anything else (a bad SQL text, a bind index out of
// range) to Errc::internal.
//
// Thread-safety: a Database and its Statements are used by one thread at a time. Open one
// Database per thread (SQLite arbitrates between connections, also across processes), or guard
// a shared one with a mutex.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

struct sqlite3;
struct sqlite3_stmt;

namespace stores {

struct DatabaseOptions {
    // Create the file (and nothing above it) if it does not exist; otherwise Errc::not_found.
    bool create_if_missing = true;
    // Permission bits of a file this call creates; SQLite gives its -wal and -shm files the same.
    // The default keeps secrets (even hashed ones) from other users.
    std::filesystem::perms create_mode =
        std::filesystem::perms::owner_read | std::filesystem::perms::owner_write;
    // How long a statement waits for a lock held by another connection before it fails with a
    // retryable Errc::timeout.
    std::chrono::milliseconds busy_timeout{5000};
};

class Statement;

class Database {
public:
    // Opens (or creates) the database file at path and applies the pragmas above. A file path
    // only: ":memory:" and "file:" URIs are Errc::invalid_argument (WAL needs a real file).
    static common::Result<Database> open(const std::filesystem::path& path,
                                         const DatabaseOptions& options = {});

    Database(Database&&) noexcept = default;
    Database& operator=(Database&&) noexcept = default;
    ~Database() = default;

    // Runs one or more ';'-separated statements that return no rows (DDL, PRAGMA, ...).
    common::Result<void> exec(std::string_view sql);

    // Compiles the first statement of sql. The Statement must not outlive this Database.
    common::Result<Statement> prepare(std::string_view sql);

    // The rowid of the most recent successful INSERT on this connection (0 if none).
    std::int64_t last_insert_rowid() const;
    // Rows changed by the most recent INSERT, UPDATE or DELETE on this connection.
    std::int64_t changes() const;

    // PRAGMA user_version: the schema version a migration step reads and sets (inside its
    // transaction, so that the version moves together with the schema).
    common::Result<std::int32_t> user_version();
    common::Result<void> set_user_version(std::int32_t version);

    // PRAGMA integrity_check and foreign_key_check; the error lists the first problems found.
    common::Result<void> check_integrity();

    // True while a transaction is open on this connection.
    bool in_transaction() const;

private:
    struct Close {
        void operator()(sqlite3* db) const noexcept;
    };
    explicit Database(sqlite3* db) : m_db(db) {}

    std::unique_ptr<sqlite3, Close> m_db;
};

// A compiled statement. Parameters are numbered from 1 (SQLite's "?NNN"), result columns from 0.
// Text is UTF-8 and may contain NUL bytes; a bound value is copied, so the argument need not
// outlive the call.
class Statement {
public:
    Statement(Statement&&) noexcept = default;
    Statement& operator=(Statement&&) noexcept = default;
    ~Statement() = default;

    common::Result<void> bind_int64(int index, std::int64_t value);
    common::Result<void> bind_text(int index, std::string_view value);
    common::Result<void> bind_blob(int index, std::span<const std::uint8_t> value);
    common::Result<void> bind_null(int index);

    // Runs the statement up to the next row: true if a row is available through column_*(),
    // false once the statement is done. After false or an error, call reset() before stepping
    // again.
    common::Result<bool> step();
    // Steps to the end, discarding any rows (INSERT, UPDATE, DELETE).
    common::Result<void> execute();

    // REQUIRES: the last step() returned true and 0 <= column < column count.
    // A NULL reads as 0, "" or an empty blob; column_is_null() tells them apart.
    std::int64_t column_int64(int column) const;
    std::string column_text(int column) const;
    std::vector<std::uint8_t> column_blob(int column) const;
    bool column_is_null(int column) const;

    // Makes the statement ready to run again and clears every binding.
    void reset();

private:
    friend class Database;
    struct Finalize {
        void operator()(sqlite3_stmt* stmt) const noexcept;
    };
    explicit Statement(sqlite3_stmt* stmt) : m_stmt(stmt) {}

    common::Result<void> check_bind(int rc, int index);

    std::unique_ptr<sqlite3_stmt, Finalize> m_stmt;
};

// BEGIN IMMEDIATE ... COMMIT. Taking the write lock at the start means a transaction never
// fails half-way with SQLITE_BUSY because another connection wrote first; begin() waits up to
// busy_timeout and then fails with a retryable error. The destructor rolls back unless commit()
// succeeded. Not nestable. REQUIRES: the Database outlives the Transaction.
class Transaction {
public:
    static common::Result<Transaction> begin(Database& db);

    Transaction(Transaction&& other) noexcept;
    Transaction& operator=(Transaction&&) = delete;
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    ~Transaction();

    // After an error the transaction is rolled back by the destructor (or already was by SQLite).
    common::Result<void> commit();

private:
    explicit Transaction(Database& db) : m_db(&db) {}

    Database* m_db;  // null once committed or moved from
};

}  // namespace stores
