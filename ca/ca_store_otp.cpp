// CaStore: one-time enrolment passwords (NDES-style one-time username/password pairs).
//
// Only a salted PBKDF2 hash is stored. consume_otp() hashes outside any transaction (the hash is
// deliberately slow and must not hold the write lock) and then marks the row used with one
// conditional UPDATE, so that of two concurrent callers with the right password exactly one
// changes the row and sees `ok`.
#include <string>

#include "ca/ca_store.h"
#include "ca/ca_store_sql.h"
#include "crypto/password_hash.h"

namespace ca {

using common::Errc;
using detail::from_unix;
using detail::optional_time;
using detail::prepare_bound;
using detail::to_unix;

namespace {

constexpr std::size_t max_username_length = 256;
constexpr std::size_t max_password_length = 1024;

// The one row of a user that may still be consumed (unused, not revoked; maybe expired).
struct ActiveOtp {
    std::int64_t id = 0;
    crypto::Bytes salt;
    std::uint32_t iterations = 0;
    crypto::Bytes hash;
    common::SystemTime expires_at;
};

common::Result<std::optional<ActiveOtp>> find_active(stores::Database& db,
                                                     std::string_view username) {
    auto stmt = prepare_bound(db,
                              "SELECT id, salt, iterations, hash, expires_at FROM "
                              "one_time_passwords WHERE username = ?1 AND used_at IS NULL AND "
                              "revoked_at IS NULL",
                              {username});
    if (!stmt) {
        return stmt.error();
    }
    auto row = stmt->step();
    if (!row) {
        return row.error();
    }
    if (!*row) {
        return std::optional<ActiveOtp>();
    }
    ActiveOtp otp;
    otp.id = stmt->column_int64(0);
    otp.salt = stmt->column_blob(1);
    otp.iterations = static_cast<std::uint32_t>(stmt->column_int64(2));
    otp.hash = stmt->column_blob(3);
    otp.expires_at = from_unix(stmt->column_int64(4));
    return std::optional<ActiveOtp>(std::move(otp));
}

// Why a user has no active password: the latest one was used, or there is none (revoked ones
// count as none).
common::Result<OtpCheck> why_not_active(stores::Database& db, std::string_view username) {
    auto stmt = prepare_bound(db,
                              "SELECT used_at IS NOT NULL FROM one_time_passwords "
                              "WHERE username = ?1 ORDER BY id DESC LIMIT 1",
                              {username});
    if (!stmt) {
        return stmt.error();
    }
    auto row = stmt->step();
    if (!row) {
        return row.error();
    }
    return *row && stmt->column_int64(0) != 0 ? OtpCheck::already_used : OtpCheck::unknown_user;
}

common::Result<void> check_credentials(std::string_view username, std::string_view password) {
    if (username.empty() || username.size() > max_username_length) {
        return common::fail(Errc::invalid_argument,
                            "one-time password: username must have 1 to " +
                                std::to_string(max_username_length) + " bytes");
    }
    if (password.empty() || password.size() > max_password_length) {
        return common::fail(Errc::invalid_argument,
                            "one-time password: password must have 1 to " +
                                std::to_string(max_password_length) + " bytes");
    }
    return {};
}

OtpState state_at(const OtpInfo& info, common::SystemTime now) {
    if (info.used_at) {
        return OtpState::used;
    }
    if (info.revoked_at) {
        return OtpState::revoked;
    }
    return now >= info.expires_at ? OtpState::expired : OtpState::active;
}

}  // namespace

std::string_view to_string(OtpCheck check) {
    switch (check) {
        case OtpCheck::ok: return "ok";
        case OtpCheck::unknown_user: return "unknown user";
        case OtpCheck::wrong_password: return "wrong password";
        case OtpCheck::expired: return "expired";
        case OtpCheck::already_used: return "already used";
    }
    return "unknown";
}

std::string_view to_string(OtpState state) {
    switch (state) {
        case OtpState::active: return "active";
        case OtpState::expired: return "expired";
        case OtpState::used: return "used";
        case OtpState::revoked: return "revoked";
    }
    return "unknown";
}

common::Result<void> CaStore::add_otp(std::string_view username, std::string_view password,
                                      common::SystemTime expires_at, common::SystemTime now) {
    if (auto valid = check_credentials(username, password); !valid) {
        return valid;
    }
    if (to_unix(expires_at) <= to_unix(now)) {
        return common::fail(Errc::invalid_argument, "one-time password: expires before now");
    }
    auto salt = crypto::password_salt();
    if (!salt) {
        return salt.error();
    }
    auto hash = crypto::password_hash(password, *salt, m_options.otp_hash_iterations);
    if (!hash) {
        return hash.error();
    }
    auto tx = stores::Transaction::begin(m_db);
    if (!tx) {
        return tx.error();
    }
    auto retired = detail::run(m_db,
                               "UPDATE one_time_passwords SET revoked_at = ?1 WHERE username = ?2 "
                               "AND used_at IS NULL AND revoked_at IS NULL AND expires_at <= ?1",
                               {to_unix(now), username});
    if (!retired) {
        return retired.error();
    }
    auto inserted = detail::run(
        m_db,
        "INSERT INTO one_time_passwords (username, salt, iterations, hash, created_at, "
        "expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        {username, crypto::ByteView(*salt), std::int64_t{m_options.otp_hash_iterations},
         crypto::ByteView(*hash), to_unix(now), to_unix(expires_at)});
    if (!inserted) {
        if (inserted.error().code() == Errc::already_exists) {
            return common::fail(Errc::already_exists,
                                "an unused one-time password exists for " + std::string(username));
        }
        return inserted.error();
    }
    return tx->commit();
}

common::Result<OtpCheck> CaStore::consume_otp(std::string_view username,
                                              std::string_view password, common::SystemTime now) {
    auto active = find_active(m_db, username);
    if (!active) {
        return active.error();
    }
    if (!*active) {
        return why_not_active(m_db, username);
    }
    const ActiveOtp& otp = **active;
    if (now >= otp.expires_at) {
        return OtpCheck::expired;
    }
    auto hash = crypto::password_hash(password, otp.salt, otp.iterations);
    if (!hash) {
        return hash.error();
    }
    if (!crypto::constant_time_equal(*hash, otp.hash)) {
        return OtpCheck::wrong_password;
    }
    auto changed = detail::run(m_db,
                               "UPDATE one_time_passwords SET used_at = ?1 WHERE id = ?2 AND "
                               "used_at IS NULL AND revoked_at IS NULL AND expires_at > ?1",
                               {to_unix(now), otp.id});
    if (!changed) {
        return changed.error();
    }
    if (*changed == 1) {
        return OtpCheck::ok;
    }
    // Another caller consumed it, or an operator revoked it, after find_active().
    return why_not_active(m_db, username);
}

common::Result<std::vector<OtpInfo>> CaStore::list_otps(common::SystemTime now) {
    auto stmt = m_db.prepare(
        "SELECT username, created_at, expires_at, used_at, revoked_at FROM one_time_passwords "
        "ORDER BY id");
    return stores::read_all(std::move(stmt), [now](const stores::Statement& row) {
        OtpInfo info;
        info.username = row.column_text(0);
        info.created_at = from_unix(row.column_int64(1));
        info.expires_at = from_unix(row.column_int64(2));
        info.used_at = optional_time(row, 3);
        info.revoked_at = optional_time(row, 4);
        info.state = state_at(info, now);
        return info;
    });
}

common::Result<void> CaStore::revoke_otp(std::string_view username, common::SystemTime now) {
    auto changed = detail::run(m_db,
                               "UPDATE one_time_passwords SET revoked_at = ?1 WHERE username = ?2 "
                               "AND used_at IS NULL AND revoked_at IS NULL",
                               {to_unix(now), username});
    if (!changed) {
        return changed.error();
    }
    if (*changed == 0) {
        return common::fail(Errc::not_found,
                            "no unused one-time password for " + std::string(username));
    }
    return {};
}

}  // namespace ca
