#include "stores/sqlite.h"

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <chrono>
#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include "fakes/temp_dir.h"

namespace stores {
namespace {

using common::Errc;

class SqliteTest : public ::testing::Test {
protected:
    Database open_db(const DatabaseOptions& options = {}) {
        auto db = Database::open(m_dir / "test.db", options);
        EXPECT_TRUE(db) << db.error().to_string();
        return std::move(db).value();
    }

    // The single value of a one-row query, as text.
    static std::string query_text(Database& db, std::string_view sql) {
        auto stmt = db.prepare(sql);
        EXPECT_TRUE(stmt) << stmt.error().to_string();
        auto row = stmt->step();
        EXPECT_TRUE(row && *row) << sql;
        return stmt->column_text(0);
    }

    static std::int64_t query_int(Database& db, std::string_view sql) {
        auto stmt = db.prepare(sql);
        EXPECT_TRUE(stmt) << stmt.error().to_string();
        auto row = stmt->step();
        EXPECT_TRUE(row && *row) << sql;
        return stmt->column_int64(0);
    }

    fakes::TempDir m_dir{"certkeeper-sqlite"};
};

TEST_F(SqliteTest, OpenCreatesAnOwnerOnlyFileWithWalFullSyncAndForeignKeys) {
    Database db = open_db();
    EXPECT_EQ(query_text(db, "PRAGMA journal_mode"), "wal");
    EXPECT_EQ(query_int(db, "PRAGMA synchronous"), 2);  // FULL
    EXPECT_EQ(query_int(db, "PRAGMA foreign_keys"), 1);
    EXPECT_EQ(query_int(db, "PRAGMA busy_timeout"), 5000);

    ASSERT_TRUE(db.exec("CREATE TABLE t (v INTEGER)"));
    for (const char* name : {"test.db", "test.db-wal", "test.db-shm"}) {
        struct stat st {};
        ASSERT_EQ(::stat((m_dir / name).c_str(), &st), 0) << name;
        EXPECT_EQ(st.st_mode & 0777, 0600u) << name;
    }
}

TEST_F(SqliteTest, AnEmptyStringViewBindsAsEmptyTextNotNull) {
    Database db = open_db();
    ASSERT_TRUE(db.exec("CREATE TABLE t (v TEXT NOT NULL)"));
    auto insert = db.prepare("INSERT INTO t (v) VALUES (?1)");
    ASSERT_TRUE(insert);
    ASSERT_TRUE(insert->bind_text(1, std::string_view()));
    auto done = insert->execute();
    ASSERT_TRUE(done) << done.error().to_string();
    EXPECT_EQ(query_int(db, "SELECT count(*) FROM t WHERE v = ''"), 1);
}

TEST_F(SqliteTest, OpenRefusesInMemoryDatabases) {
    for (const char* name : {"", ":memory:", "file:x.db?mode=memory"}) {
        auto db = Database::open(name);
        ASSERT_FALSE(db) << name;
        EXPECT_EQ(db.error().code(), Errc::invalid_argument);
    }
    EXPECT_FALSE(std::filesystem::exists(":memory:"));
}

TEST_F(SqliteTest, OpenWithoutCreateRefusesAMissingFile) {
    DatabaseOptions options;
    options.create_if_missing = false;
    auto db = Database::open(m_dir / "missing.db", options);
    ASSERT_FALSE(db);
    EXPECT_EQ(db.error().code(), Errc::not_found);
    EXPECT_FALSE(std::filesystem::exists(m_dir / "missing.db"));
}

TEST_F(SqliteTest, OpenRefusesAFileThatIsNotADatabase) {
    std::ofstream(m_dir / "test.db") << std::string(4096, 'x');
    auto db = Database::open(m_dir / "test.db");
    ASSERT_FALSE(db);
    EXPECT_EQ(db.error().code(), Errc::io) << db.error().to_string();
    EXPECT_NE(db.error().message().find("not a database"), std::string::npos)
        << db.error().to_string();
}

TEST_F(SqliteTest, OpenFailsInAMissingDirectory) {
    auto db = Database::open(m_dir / "no" / "such" / "dir.db");
    ASSERT_FALSE(db);
    EXPECT_EQ(db.error().code(), Errc::io);
}

TEST_F(SqliteTest, BindsAndReadsEveryType) {
    Database db = open_db();
    ASSERT_TRUE(db.exec("CREATE TABLE t (i INTEGER, s TEXT, b BLOB, n TEXT)"));
    auto insert = db.prepare("INSERT INTO t VALUES (?1, ?2, ?3, ?4)");
    ASSERT_TRUE(insert) << insert.error().to_string();
    const std::string text("a\0b\xc3\xa9", 5);
    const std::vector<std::uint8_t> blob = {0x00, 0xff, 0x10};
    ASSERT_TRUE(insert->bind_int64(1, INT64_MIN));
    ASSERT_TRUE(insert->bind_text(2, text));
    ASSERT_TRUE(insert->bind_blob(3, blob));
    ASSERT_TRUE(insert->bind_null(4));
    ASSERT_TRUE(insert->execute());
    EXPECT_EQ(db.changes(), 1);
    EXPECT_EQ(db.last_insert_rowid(), 1);

    auto select = db.prepare("SELECT i, s, b, n FROM t");
    ASSERT_TRUE(select);
    auto row = select->step();
    ASSERT_TRUE(row && *row);
    EXPECT_EQ(select->column_int64(0), INT64_MIN);
    EXPECT_EQ(select->column_text(1), text);
    EXPECT_EQ(select->column_blob(2), blob);
    EXPECT_TRUE(select->column_is_null(3));
    EXPECT_FALSE(select->column_is_null(0));
    EXPECT_EQ(select->column_text(3), "");
    row = select->step();
    ASSERT_TRUE(row);
    EXPECT_FALSE(*row);
}

TEST_F(SqliteTest, AnEmptyBlobIsNotNull) {
    Database db = open_db();
    auto stmt = db.prepare("SELECT typeof(?1), length(?1)");
    ASSERT_TRUE(stmt);
    ASSERT_TRUE(stmt->bind_blob(1, {}));
    ASSERT_TRUE(*stmt->step());
    EXPECT_EQ(stmt->column_text(0), "blob");
    EXPECT_EQ(stmt->column_int64(1), 0);
}

TEST_F(SqliteTest, ResetClearsBindingsAndRunsAgain) {
    Database db = open_db();
    ASSERT_TRUE(db.exec("CREATE TABLE t (v INTEGER)"));
    auto insert = db.prepare("INSERT INTO t VALUES (?1)");
    ASSERT_TRUE(insert);
    for (std::int64_t v = 1; v <= 3; ++v) {
        ASSERT_TRUE(insert->bind_int64(1, v));
        ASSERT_TRUE(insert->execute());
        insert->reset();
    }
    ASSERT_TRUE(insert->execute());  // bindings cleared: inserts NULL
    EXPECT_EQ(query_int(db, "SELECT count(*) FROM t"), 4);
    EXPECT_EQ(query_int(db, "SELECT sum(v) FROM t"), 6);
    EXPECT_EQ(query_int(db, "SELECT count(*) FROM t WHERE v IS NULL"), 1);
}

TEST_F(SqliteTest, ErrorsCarrySqlitesMessageAndAKind) {
    Database db = open_db();
    auto bad = db.prepare("SELEKT 1");
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code(), Errc::internal);
    EXPECT_NE(bad.error().message().find("syntax error"), std::string::npos)
        << bad.error().to_string();

    auto stmt = db.prepare("SELECT ?1");
    ASSERT_TRUE(stmt);
    auto out_of_range = stmt->bind_int64(2, 1);
    ASSERT_FALSE(out_of_range);
    EXPECT_EQ(out_of_range.error().code(), Errc::internal);

    auto empty = db.prepare("  -- nothing");
    ASSERT_FALSE(empty);
    EXPECT_EQ(empty.error().code(), Errc::internal);
}

TEST_F(SqliteTest, ConstraintViolationsMapToAlreadyExistsOrInvalidArgument) {
    Database db = open_db();
    ASSERT_TRUE(db.exec("CREATE TABLE t (k TEXT PRIMARY KEY NOT NULL, v INTEGER CHECK (v > 0))"));
    ASSERT_TRUE(db.exec("INSERT INTO t VALUES ('a', 1)"));
    auto duplicate = db.exec("INSERT INTO t VALUES ('a', 2)");
    ASSERT_FALSE(duplicate);
    EXPECT_EQ(duplicate.error().code(), Errc::already_exists);
    EXPECT_FALSE(duplicate.error().retryable());
    EXPECT_NE(duplicate.error().message().find("UNIQUE constraint failed"), std::string::npos)
        << duplicate.error().to_string();

    auto check = db.prepare("INSERT INTO t VALUES ('b', ?1)");
    ASSERT_TRUE(check);
    ASSERT_TRUE(check->bind_int64(1, -1));
    auto failed = check->execute();
    ASSERT_FALSE(failed);
    EXPECT_EQ(failed.error().code(), Errc::invalid_argument);
    EXPECT_NE(failed.error().message().find("INSERT INTO t"), std::string::npos)
        << failed.error().to_string();
}

TEST_F(SqliteTest, ForeignKeysAreEnforced) {
    Database db = open_db();
    ASSERT_TRUE(db.exec("CREATE TABLE p (id INTEGER PRIMARY KEY);"
                        "CREATE TABLE c (p INTEGER REFERENCES p (id))"));
    auto dangling = db.exec("INSERT INTO c VALUES (42)");
    ASSERT_FALSE(dangling);
    EXPECT_EQ(dangling.error().code(), Errc::invalid_argument);
}

TEST_F(SqliteTest, UserVersionSurvivesReopen) {
    {
        Database db = open_db();
        EXPECT_EQ(db.user_version().value(), 0);
        ASSERT_TRUE(db.set_user_version(7));
    }
    Database db = open_db();
    EXPECT_EQ(db.user_version().value(), 7);
}

TEST_F(SqliteTest, CheckIntegrityPassesOnAHealthyDatabaseAndReportsDanglingReferences) {
    Database db = open_db();
    ASSERT_TRUE(db.exec("CREATE TABLE p (id INTEGER PRIMARY KEY);"
                        "CREATE TABLE c (p INTEGER REFERENCES p (id));"
                        "INSERT INTO p VALUES (1); INSERT INTO c VALUES (1)"));
    EXPECT_TRUE(db.check_integrity());
    ASSERT_TRUE(db.exec("PRAGMA foreign_keys=OFF; INSERT INTO c VALUES (9)"));
    auto checked = db.check_integrity();
    ASSERT_FALSE(checked);
    EXPECT_EQ(checked.error().code(), Errc::io);
    EXPECT_NE(checked.error().message().find("dangling reference to p"), std::string::npos)
        << checked.error().to_string();
}

TEST_F(SqliteTest, TransactionCommitPersists) {
    {
        Database db = open_db();
        ASSERT_TRUE(db.exec("CREATE TABLE t (v INTEGER)"));
        auto tx = Transaction::begin(db);
        ASSERT_TRUE(tx) << tx.error().to_string();
        EXPECT_TRUE(db.in_transaction());
        ASSERT_TRUE(db.exec("INSERT INTO t VALUES (1)"));
        ASSERT_TRUE(tx->commit());
        EXPECT_FALSE(db.in_transaction());
        EXPECT_FALSE(tx->commit()) << "a second commit is a contract violation, not a crash";
    }
    Database db = open_db();
    EXPECT_EQ(query_int(db, "SELECT count(*) FROM t"), 1);
}

TEST_F(SqliteTest, TransactionRollsBackWhenDestroyedWithoutCommit) {
    Database db = open_db();
    ASSERT_TRUE(db.exec("CREATE TABLE t (v INTEGER)"));
    {
        auto tx = Transaction::begin(db);
        ASSERT_TRUE(tx);
        ASSERT_TRUE(db.exec("INSERT INTO t VALUES (1)"));
        EXPECT_EQ(query_int(db, "SELECT count(*) FROM t"), 1);
    }
    EXPECT_FALSE(db.in_transaction());
    EXPECT_EQ(query_int(db, "SELECT count(*) FROM t"), 0);
}

TEST_F(SqliteTest, AMovedTransactionRollsBackOnce) {
    Database db = open_db();
    ASSERT_TRUE(db.exec("CREATE TABLE t (v INTEGER)"));
    {
        auto tx = Transaction::begin(db);
        ASSERT_TRUE(tx);
        Transaction moved = std::move(*tx);
        ASSERT_TRUE(db.exec("INSERT INTO t VALUES (1)"));
    }
    EXPECT_FALSE(db.in_transaction());
    EXPECT_EQ(query_int(db, "SELECT count(*) FROM t"), 0);
}

TEST_F(SqliteTest, TransactionsDoNotNest) {
    Database db = open_db();
    auto outer = Transaction::begin(db);
    ASSERT_TRUE(outer);
    auto inner = Transaction::begin(db);
    ASSERT_FALSE(inner);
    EXPECT_EQ(inner.error().code(), Errc::internal);
    EXPECT_TRUE(db.in_transaction()) << "the failed inner begin must not end the outer one";
}

TEST_F(SqliteTest, ASecondWriterWaitsThenFailsRetryablyWhileReadersGoOn) {
    Database first = open_db();
    ASSERT_TRUE(first.exec("CREATE TABLE t (v INTEGER); INSERT INTO t VALUES (1)"));
    DatabaseOptions impatient;
    impatient.busy_timeout = std::chrono::milliseconds(50);
    Database second = open_db(impatient);

    auto writing = Transaction::begin(first);
    ASSERT_TRUE(writing);
    ASSERT_TRUE(first.exec("INSERT INTO t VALUES (2)"));

    const auto start = std::chrono::steady_clock::now();
    auto blocked = Transaction::begin(second);
    const auto waited = std::chrono::steady_clock::now() - start;
    ASSERT_FALSE(blocked);
    EXPECT_EQ(blocked.error().code(), Errc::timeout) << blocked.error().to_string();
    EXPECT_TRUE(blocked.error().retryable());
    EXPECT_GE(waited, std::chrono::milliseconds(40));
    auto single = second.exec("INSERT INTO t VALUES (3)");
    ASSERT_FALSE(single);
    EXPECT_TRUE(single.error().retryable());

    // WAL: the reader sees the last committed state while the writer is busy.
    EXPECT_EQ(query_int(second, "SELECT count(*) FROM t"), 1);

    ASSERT_TRUE(writing->commit());
    auto now_free = Transaction::begin(second);
    ASSERT_TRUE(now_free) << now_free.error().to_string();
    ASSERT_TRUE(second.exec("INSERT INTO t VALUES (3)"));
    ASSERT_TRUE(now_free->commit());
    EXPECT_EQ(query_int(first, "SELECT count(*) FROM t"), 3);
}

}  // namespace
}  // namespace stores
