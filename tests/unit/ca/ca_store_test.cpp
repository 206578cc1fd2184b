#include "ca/ca_store.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "stores/sqlite.h"
#include "unit/ca/ca_store_fixture.h"

namespace ca {
namespace {

using common::Errc;
using std::chrono::hours;
using std::chrono::seconds;

using CaStoreTest = testing::CaStoreFixture;

TEST_F(CaStoreTest, CreatesTheSchemaAndKeepsDataAcrossReopen) {
    const crypto::Certificate cert = leaf(0x1234);
    {
        CaStore store = open_store();
        ASSERT_TRUE(store.record_issued(cert, "tid-1", "otp:device", now()));
        EXPECT_TRUE(store.check_integrity());
    }
    {
        auto db = stores::Database::open(db_path());
        ASSERT_TRUE(db);
        EXPECT_EQ(db->user_version().value(), CaStore::schema_version);
    }
    CaStore store = open_store();
    EXPECT_EQ(store.count().value(), 1);
    auto found = store.find("1234");
    ASSERT_TRUE(found && *found);
    EXPECT_EQ((*found)->der, cert.to_der());
}

TEST_F(CaStoreTest, RefusesANewerSchema) {
    { CaStore store = open_store(); }
    {
        auto db = stores::Database::open(db_path());
        ASSERT_TRUE(db);
        ASSERT_TRUE(db->set_user_version(CaStore::schema_version + 1));
    }
    auto store = CaStore::open(db_path(), testing::fast_options());
    ASSERT_FALSE(store);
    EXPECT_EQ(store.error().code(), Errc::unsupported);
    EXPECT_NE(store.error().message().find("newer"), std::string::npos)
        << store.error().to_string();
}

TEST_F(CaStoreTest, RefusesAnotherProgramsDatabase) {
    {
        auto db = stores::Database::open(db_path());
        ASSERT_TRUE(db);
        ASSERT_TRUE(db->exec("CREATE TABLE something_else (x INTEGER)"));
    }
    auto store = CaStore::open(db_path(), testing::fast_options());
    ASSERT_FALSE(store);
    EXPECT_EQ(store.error().code(), Errc::unsupported) << store.error().to_string();
}

TEST_F(CaStoreTest, OpenWithoutCreateRefusesAMissingFile) {
    CaStoreOptions options = testing::fast_options();
    options.create_if_missing = false;
    auto store = CaStore::open(db_path(), options);
    ASSERT_FALSE(store);
    EXPECT_EQ(store.error().code(), Errc::not_found);
}

TEST_F(CaStoreTest, RecordsEveryFieldOfAnIssuedCertificate) {
    CaStore store = open_store();
    const crypto::Certificate cert = leaf(0xABCDEF, "printer-7");
    ASSERT_TRUE(store.record_issued(cert, "tid-7", "otp:printer-7", now()));

    auto found = store.find(cert.serial_hex());
    ASSERT_TRUE(found) << found.error().to_string();
    ASSERT_TRUE(*found);
    const IssuedCertificate& c = **found;
    EXPECT_EQ(c.serial, "ABCDEF");
    EXPECT_EQ(c.subject, cert.subject());
    EXPECT_EQ(c.issuer, m_ca.cert.subject());
    EXPECT_EQ(c.not_before, cert.not_before());
    EXPECT_EQ(c.not_after, cert.not_after());
    EXPECT_EQ(c.der, cert.to_der());
    EXPECT_EQ(c.status, IssuedCertificate::Status::valid);
    EXPECT_FALSE(c.revoked_at);
    EXPECT_FALSE(c.revocation_reason);
    EXPECT_EQ(c.transaction_id, "tid-7");
    EXPECT_EQ(c.requester, "otp:printer-7");
    EXPECT_EQ(c.issued_at, now());
}

TEST_F(CaStoreTest, ADuplicateSerialIsRefusedAndTheFirstRecordStays) {
    CaStore store = open_store();
    ASSERT_TRUE(store.record_issued(leaf(0x77, "first"), "tid-a", "otp:first", now()));
    auto again = store.record_issued(leaf(0x77, "second"), "tid-b", "otp:second", now());
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code(), Errc::already_exists);
    EXPECT_NE(again.error().message().find("duplicate serial 77"), std::string::npos)
        << again.error().to_string();
    EXPECT_EQ(store.count().value(), 1);
    EXPECT_EQ(store.find("77").value()->requester, "otp:first");
    EXPECT_FALSE(store.find_by_transaction_id("tid-b").value());
}

TEST_F(CaStoreTest, RecordIssuedRequiresARequester) {
    CaStore store = open_store();
    auto recorded = store.record_issued(leaf(0x78), "", "", now());
    ASSERT_FALSE(recorded);
    EXPECT_EQ(recorded.error().code(), Errc::invalid_argument);
}

TEST_F(CaStoreTest, FindAcceptsAnySpellingOfASerial) {
    CaStore store = open_store();
    ASSERT_TRUE(store.record_issued(leaf(0x0ABC01), "", "admin:test", now()));
    for (const char* spelling : {"ABC01", "abc01", "000abc01", "0A:BC:01", "0a bc 01"}) {
        auto found = store.find(spelling);
        ASSERT_TRUE(found) << spelling << ": " << found.error().to_string();
        EXPECT_TRUE(*found) << spelling;
    }
    EXPECT_FALSE(store.find("ABC02").value());
    const std::string too_long(41, 'F');
    for (const std::string& bad : {std::string(), std::string("xyz"), std::string("12-34"), too_long}) {
        auto found = store.find(bad);
        ASSERT_FALSE(found) << bad;
        EXPECT_EQ(found.error().code(), Errc::invalid_argument);
    }
}

TEST_F(CaStoreTest, FindByTransactionIdReturnsTheLatestCertificate) {
    CaStore store = open_store();
    ASSERT_TRUE(store.record_issued(leaf(0x10), "tid-x", "otp:a", now()));
    ASSERT_TRUE(store.record_issued(leaf(0x11), "tid-x", "renewal:10", now() + hours(1)));
    ASSERT_TRUE(store.record_issued(leaf(0x12), "tid-y", "otp:b", now() + hours(2)));
    auto found = store.find_by_transaction_id("tid-x");
    ASSERT_TRUE(found && *found);
    EXPECT_EQ((*found)->serial, "11");
    EXPECT_FALSE(store.find_by_transaction_id("tid-z").value());
    EXPECT_FALSE(store.find_by_transaction_id("").value()) << "no transaction ID matches nothing";
}

TEST_F(CaStoreTest, ListFiltersAndOrdersNewestFirst) {
    CaStore store = open_store();
    test_pki::CertSpec short_lived = test_pki::leaf_spec("short");
    short_lived.serial = 0x23;
    short_lived.not_after = now() + hours(24);
    ASSERT_TRUE(store.record_issued(leaf(0x21, "a"), "", "otp:a", now()));
    ASSERT_TRUE(store.record_issued(leaf(0x22, "b"), "", "otp:b", now() + seconds(1)));
    ASSERT_TRUE(store.record_issued(test_pki::issue(short_lived, &m_ca, m_key).cert, "",
                                    "otp:a", now() + seconds(2)));
    ASSERT_EQ(store.revoke("22", 1, now() + seconds(3)).value(), RevokeOutcome::revoked);

    // The serials list() returns for a filter that `narrow` sets up.
    auto serials = [&](auto narrow) {
        CertificateFilter filter;
        narrow(filter);
        auto listed = store.list(filter);
        EXPECT_TRUE(listed) << listed.error().to_string();
        std::vector<std::string> out;
        for (const auto& c : *listed) out.push_back(c.serial);
        return out;
    };
    using V = std::vector<std::string>;
    using Status = IssuedCertificate::Status;
    EXPECT_EQ(serials([](CertificateFilter&) {}), (V{"23", "22", "21"}));
    EXPECT_EQ(serials([](CertificateFilter& f) { f.status = Status::revoked; }), V{"22"});
    EXPECT_EQ(serials([](CertificateFilter& f) { f.status = Status::valid; }), (V{"23", "21"}));
    EXPECT_EQ(serials([](CertificateFilter& f) { f.requester = "otp:a"; }), (V{"23", "21"}));
    EXPECT_EQ(serials([](CertificateFilter& f) { f.subject = "CN=b"; }), V{"22"});
    EXPECT_EQ(serials([&](CertificateFilter& f) { f.expires_before = now() + hours(48); }),
              V{"23"});
    EXPECT_EQ(serials([](CertificateFilter& f) { f.limit = 1; }), V{"23"});
}

TEST_F(CaStoreTest, RevokeRecordsTimeAndReasonOnce) {
    CaStore store = open_store();
    ASSERT_TRUE(store.record_issued(leaf(0x31), "", "otp:a", now()));
    ASSERT_TRUE(store.record_issued(leaf(0x32), "", "otp:b", now()));
    ASSERT_TRUE(store.record_issued(leaf(0x1000), "", "otp:c", now()));

    EXPECT_EQ(store.revoke("31", 1, now() + hours(1)).value(), RevokeOutcome::revoked);
    EXPECT_EQ(store.revoke("1000", std::nullopt, now() + hours(2)).value(),
              RevokeOutcome::revoked);
    EXPECT_EQ(store.revoke("31", 4, now() + hours(3)).value(), RevokeOutcome::already_revoked);
    EXPECT_EQ(store.revoke("99", 0, now()).value(), RevokeOutcome::unknown_serial);
    for (int bad : {-1, 7, 8, 11}) {
        auto refused = store.revoke("32", bad, now());
        ASSERT_FALSE(refused) << bad;
        EXPECT_EQ(refused.error().code(), Errc::invalid_argument);
    }

    auto revoked = store.find("31").value();
    ASSERT_TRUE(revoked);
    EXPECT_EQ(revoked->status, IssuedCertificate::Status::revoked);
    EXPECT_EQ(revoked->revoked_at, now() + hours(1));
    EXPECT_EQ(revoked->revocation_reason, 1);
    EXPECT_EQ(store.find("32").value()->status, IssuedCertificate::Status::valid);

    auto entries = store.revoked_entries();
    ASSERT_TRUE(entries) << entries.error().to_string();
    ASSERT_EQ(entries->size(), 2u);
    EXPECT_EQ((*entries)[0].serial_hex, "31");  // numeric order: 31 < 1000
    EXPECT_EQ((*entries)[0].revocation_time, now() + hours(1));
    EXPECT_EQ((*entries)[0].reason, 1);
    EXPECT_EQ((*entries)[1].serial_hex, "1000");
    EXPECT_EQ((*entries)[1].revocation_time, now() + hours(2));
    EXPECT_FALSE((*entries)[1].reason);
}

TEST_F(CaStoreTest, OneTimePasswordLifecycle) {
    CaStore store = open_store();
    ASSERT_TRUE(store.add_otp("alice", "s3cret-A", now() + hours(1), now()));
    ASSERT_TRUE(store.add_otp("bob", "s3cret-B", now() + hours(1), now()));
    ASSERT_TRUE(store.add_otp("carol", "s3cret-C", now() + hours(1), now()));
    ASSERT_TRUE(store.revoke_otp("carol", now() + seconds(1)));

    EXPECT_EQ(store.consume_otp("alice", "wrong", now()).value(), OtpCheck::wrong_password);
    EXPECT_EQ(store.consume_otp("alice", "s3cret-a", now()).value(), OtpCheck::wrong_password);
    EXPECT_EQ(store.consume_otp("alice", "s3cret-A", now()).value(), OtpCheck::ok);
    EXPECT_EQ(store.consume_otp("alice", "s3cret-A", now()).value(), OtpCheck::already_used);
    EXPECT_EQ(store.consume_otp("alice", "wrong", now()).value(), OtpCheck::already_used);
    EXPECT_EQ(store.consume_otp("bob", "s3cret-B", now() + hours(1)).value(), OtpCheck::expired);
    EXPECT_EQ(store.consume_otp("bob", "s3cret-B", now() + hours(1) - seconds(1)).value(),
              OtpCheck::ok);
    EXPECT_EQ(store.consume_otp("carol", "s3cret-C", now()).value(), OtpCheck::unknown_user);
    EXPECT_EQ(store.consume_otp("dave", "anything", now()).value(), OtpCheck::unknown_user);

    auto revoked_again = store.revoke_otp("carol", now());
    ASSERT_FALSE(revoked_again);
    EXPECT_EQ(revoked_again.error().code(), Errc::not_found);

    ASSERT_TRUE(store.add_otp("erin", "s3cret-E", now() + hours(1), now()));
    auto list = store.list_otps(now() + hours(2));
    ASSERT_TRUE(list) << list.error().to_string();
    std::map<std::string, OtpInfo> by_name;
    for (const auto& info : *list) by_name[info.username] = info;
    ASSERT_EQ(by_name.size(), 4u);
    EXPECT_EQ(by_name["alice"].state, OtpState::used);
    EXPECT_EQ(by_name["alice"].used_at, now());
    EXPECT_EQ(by_name["bob"].state, OtpState::used);
    EXPECT_EQ(by_name["carol"].state, OtpState::revoked);
    EXPECT_EQ(by_name["carol"].revoked_at, now() + seconds(1));
    EXPECT_EQ(by_name["erin"].state, OtpState::expired);
    EXPECT_EQ(by_name["erin"].created_at, now());
    EXPECT_EQ(by_name["erin"].expires_at, now() + hours(1));
    EXPECT_EQ(store.list_otps(now()).value().back().state, OtpState::active);
}

TEST_F(CaStoreTest, AUsernameHasAtMostOneUnusedPassword) {
    CaStore store = open_store();
    ASSERT_TRUE(store.add_otp("alice", "one", now() + hours(1), now()));
    auto second = store.add_otp("alice", "two", now() + hours(2), now());
    ASSERT_FALSE(second);
    EXPECT_EQ(second.error().code(), Errc::already_exists);
    EXPECT_EQ(store.consume_otp("alice", "two", now()).value(), OtpCheck::wrong_password);

    // Expired: a new one replaces it.
    ASSERT_TRUE(store.add_otp("alice", "three", now() + hours(3), now() + hours(1)));
    EXPECT_EQ(store.consume_otp("alice", "one", now() + hours(1)).value(),
              OtpCheck::wrong_password);
    EXPECT_EQ(store.consume_otp("alice", "three", now() + hours(1)).value(), OtpCheck::ok);

    // Used: a new one may be added.
    ASSERT_TRUE(store.add_otp("alice", "four", now() + hours(3), now() + hours(1)));
    EXPECT_EQ(store.consume_otp("alice", "four", now() + hours(1)).value(), OtpCheck::ok);
    EXPECT_EQ(store.list_otps(now()).value().size(), 3u);
}

TEST_F(CaStoreTest, AddOtpRefusesBadInput) {
    CaStore store = open_store();
    EXPECT_EQ(store.add_otp("", "pw", now() + hours(1), now()).error().code(),
              Errc::invalid_argument);
    EXPECT_EQ(store.add_otp("u", "", now() + hours(1), now()).error().code(),
              Errc::invalid_argument);
    EXPECT_EQ(store.add_otp("u", "pw", now(), now()).error().code(), Errc::invalid_argument);
    EXPECT_EQ(store.add_otp(std::string(257, 'u'), "pw", now() + hours(1), now()).error().code(),
              Errc::invalid_argument);
    EXPECT_TRUE(store.list_otps(now()).value().empty());
}

TEST_F(CaStoreTest, ThePasswordNeverReachesTheDisk) {
    const std::string password = "Pa55-unique-marker-9f2c";
    {
        CaStore store = open_store();
        ASSERT_TRUE(store.add_otp("alice", password, now() + hours(1), now()));
        EXPECT_EQ(store.consume_otp("alice", password, now()).value(), OtpCheck::ok);
    }
    for (const char* suffix : {"", "-wal", "-shm"}) {
        std::ifstream in(db_path().string() + suffix, std::ios::binary);
        const std::string bytes((std::istreambuf_iterator<char>(in)),
                                std::istreambuf_iterator<char>());
        EXPECT_EQ(bytes.find(password), std::string::npos) << suffix;
        if (std::string_view(suffix).empty()) {
            EXPECT_NE(bytes.find("alice"), std::string::npos) << "the search itself works";
        }
    }
}

TEST_F(CaStoreTest, ConcurrentConsumersSeeOkExactlyOnce) {
    constexpr int users = 20;
    {
        CaStore store = open_store();
        for (int i = 0; i < users; ++i) {
            ASSERT_TRUE(store.add_otp("u" + std::to_string(i), "pw", now() + hours(1), now()));
        }
    }
    std::atomic<int> oks{0};
    std::atomic<int> errors{0};
    auto consumer = [&] {
        auto store = CaStore::open(db_path(), testing::fast_options());
        if (!store) {
            ++errors;
            return;
        }
        for (int i = 0; i < users; ++i) {
            auto check = store->consume_otp("u" + std::to_string(i), "pw", now());
            if (!check) {
                ++errors;
            } else if (*check == OtpCheck::ok) {
                ++oks;
            } else if (*check != OtpCheck::already_used) {
                ++errors;
            }
        }
    };
    std::thread a(consumer);
    std::thread b(consumer);
    std::thread c(consumer);
    a.join();
    b.join();
    c.join();
    EXPECT_EQ(errors.load(), 0);
    EXPECT_EQ(oks.load(), users);
}

TEST_F(CaStoreTest, PendingRequestIsApprovedAndThenIssued) {
    CaStore store = open_store();
    const crypto::Csr request = csr("CN=waiting-device");
    ASSERT_TRUE(store.add_pending("tid-p", request, "otp:waiting-device", now()));
    auto duplicate = store.add_pending("tid-p", request, "otp:waiting-device", now());
    ASSERT_FALSE(duplicate);
    EXPECT_EQ(duplicate.error().code(), Errc::already_exists);

    auto found = store.find_pending("tid-p");
    ASSERT_TRUE(found && *found);
    EXPECT_EQ((*found)->csr_der, request.to_der());
    EXPECT_EQ((*found)->subject, "CN=waiting-device");
    EXPECT_EQ((*found)->requester, "otp:waiting-device");
    EXPECT_EQ((*found)->requested_at, now());
    EXPECT_EQ((*found)->status, PendingStatus::pending);
    EXPECT_FALSE((*found)->decided_at);
    EXPECT_EQ(store.list_pending().value().size(), 1u);

    ASSERT_TRUE(store.approve("tid-p", now() + hours(1)));
    EXPECT_EQ(store.approve("tid-p", now()).error().code(), Errc::invalid_argument);
    EXPECT_EQ(store.reject("tid-p", now()).error().code(), Errc::invalid_argument);
    EXPECT_TRUE(store.list_pending().value().empty());
    EXPECT_EQ(store.list_pending(PendingStatus::approved).value().size(), 1u);

    // Recording the certificate under the transaction ID marks the request issued.
    ASSERT_TRUE(store.record_issued(leaf(0x41), "tid-p", "otp:waiting-device", now() + hours(2)));
    auto issued = store.find_pending("tid-p").value();
    ASSERT_TRUE(issued);
    EXPECT_EQ(issued->status, PendingStatus::issued);
    EXPECT_EQ(issued->serial, "41");
    EXPECT_EQ(issued->decided_at, now() + hours(1));
    EXPECT_TRUE(store.mark_issued("tid-p", "41")) << "idempotent for the same serial";
    EXPECT_EQ(store.mark_issued("tid-p", "42").error().code(), Errc::invalid_argument);
    EXPECT_EQ(store.list_pending(std::nullopt).value().size(), 1u);
    EXPECT_TRUE(store.check_integrity());
}

TEST_F(CaStoreTest, MarkIssuedNeedsAnApprovedRequestAndARecordedSerial) {
    CaStore store = open_store();
    ASSERT_TRUE(store.add_pending("tid-m", csr("CN=m"), "otp:m", now()));
    EXPECT_EQ(store.mark_issued("tid-m", "51").error().code(), Errc::invalid_argument)
        << "still pending";
    ASSERT_TRUE(store.approve("tid-m", now()));
    EXPECT_EQ(store.mark_issued("tid-m", "51").error().code(), Errc::invalid_argument)
        << "serial 51 was never recorded";
    ASSERT_TRUE(store.record_issued(leaf(0x51), "", "otp:m", now()));
    ASSERT_TRUE(store.mark_issued("tid-m", "51"));
    EXPECT_EQ(store.find_pending("tid-m").value()->status, PendingStatus::issued);
    EXPECT_EQ(store.mark_issued("tid-unknown", "51").error().code(), Errc::not_found);
}

TEST_F(CaStoreTest, RejectedRequestStaysRejected) {
    CaStore store = open_store();
    ASSERT_TRUE(store.add_pending("tid-r", csr("CN=r"), "otp:r", now()));
    ASSERT_TRUE(store.reject("tid-r", now() + hours(1)));
    auto rejected = store.find_pending("tid-r").value();
    ASSERT_TRUE(rejected);
    EXPECT_EQ(rejected->status, PendingStatus::rejected);
    EXPECT_EQ(rejected->decided_at, now() + hours(1));
    EXPECT_EQ(store.approve("tid-r", now()).error().code(), Errc::invalid_argument);
    ASSERT_TRUE(store.record_issued(leaf(0x61), "tid-r", "admin:x", now()));
    EXPECT_EQ(store.find_pending("tid-r").value()->status, PendingStatus::rejected)
        << "only an approved request becomes issued";
    EXPECT_EQ(store.approve("tid-none", now()).error().code(), Errc::not_found);
    EXPECT_FALSE(store.find_pending("tid-none").value());
}

TEST_F(CaStoreTest, SeenNonceDetectsReplaysWithinTheWindow) {
    CaStore store = open_store();
    EXPECT_FALSE(store.seen_nonce("00112233445566778899aabbccddeeff", now()).value());
    EXPECT_TRUE(store.seen_nonce("00112233445566778899aabbccddeeff", now()).value());
    EXPECT_TRUE(store.seen_nonce("00112233445566778899AABBCCDDEEFF", now() + hours(23)).value())
        << "hex case does not make a new nonce";
    EXPECT_FALSE(store.seen_nonce("ffeeddccbbaa99887766554433221100", now() + hours(1)).value());
    // 24 h after it was first seen, the first nonce is forgotten; the second is not yet.
    EXPECT_FALSE(store.seen_nonce("00112233445566778899aabbccddeeff", now() + hours(24) + seconds(1))
                     .value());
    EXPECT_TRUE(store.seen_nonce("ffeeddccbbaa99887766554433221100", now() + hours(24)).value());
    for (const char* bad : {"", "abc", "zz", "0g"}) {
        auto checked = store.seen_nonce(bad, now());
        ASSERT_FALSE(checked) << bad;
        EXPECT_EQ(checked.error().code(), Errc::invalid_argument);
    }
}

TEST_F(CaStoreTest, CrlNumbersIncreaseAcrossReopenAndConnections) {
    {
        CaStore store = open_store();
        EXPECT_EQ(store.next_crl_number().value(), 1);
        EXPECT_EQ(store.next_crl_number().value(), 2);
    }
    CaStore first = open_store();
    CaStore second = open_store();
    EXPECT_EQ(first.next_crl_number().value(), 3);
    EXPECT_EQ(second.next_crl_number().value(), 4);
    EXPECT_EQ(first.next_crl_number().value(), 5);
}

TEST_F(CaStoreTest, AHeldWriteLockMakesOperationsFailRetryably) {
    CaStore setup = open_store();
    ASSERT_TRUE(setup.add_otp("alice", "pw", now() + hours(1), now()));
    CaStoreOptions impatient = testing::fast_options();
    impatient.busy_timeout = std::chrono::milliseconds(50);
    CaStore store = open_store(impatient);

    auto other = stores::Database::open(db_path());
    ASSERT_TRUE(other);
    {
        auto lock = stores::Transaction::begin(*other);
        ASSERT_TRUE(lock);
        auto recorded = store.record_issued(leaf(0x71), "", "otp:x", now());
        ASSERT_FALSE(recorded);
        EXPECT_EQ(recorded.error().code(), Errc::timeout) << recorded.error().to_string();
        EXPECT_TRUE(recorded.error().retryable());
        auto consumed = store.consume_otp("alice", "pw", now());
        ASSERT_FALSE(consumed);
        EXPECT_TRUE(consumed.error().retryable());
        auto number = store.next_crl_number();
        ASSERT_FALSE(number);
        EXPECT_TRUE(number.error().retryable());
        // Reads go on.
        EXPECT_EQ(store.count().value(), 0);
    }
    ASSERT_TRUE(store.record_issued(leaf(0x71), "", "otp:x", now()));
    EXPECT_EQ(store.consume_otp("alice", "pw", now()).value(), OtpCheck::ok);
    EXPECT_EQ(store.next_crl_number().value(), 1);
}

TEST(CaStoreNames, ToStringCoversEveryValue) {
    EXPECT_EQ(to_string(IssuedCertificate::Status::valid), "valid");
    EXPECT_EQ(to_string(IssuedCertificate::Status::revoked), "revoked");
    EXPECT_EQ(to_string(OtpCheck::already_used), "already used");
    EXPECT_EQ(to_string(OtpCheck::unknown_user), "unknown user");
    EXPECT_EQ(to_string(OtpState::expired), "expired");
    EXPECT_EQ(to_string(PendingStatus::approved), "approved");
}

}  // namespace
}  // namespace ca
