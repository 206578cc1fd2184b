// OnlineRevocationChecker with a FakeHttpClient standing in for the OCSP responder and the CRL
// distribution point; answers come from ca::Authority (the test CA of tests/unit/ca), so every
// CRL and OCSP response is real and signed. Time is explicit (ca_test::now()).
#include <gtest/gtest.h>

#include <fstream>
#include <map>

#include "fakes/capture_sink.h"
#include "fakes/fake_http_client.h"
#include "fakes/temp_dir.h"
#include "ocsp-crl/revocation_checker.h"
#include "stores/state_db.h"
#include "unit/ocsp-crl/ocsp_test_pki.h"
#include "unit/ca/ca_test_pki.h"

namespace {

using namespace std::chrono_literals;
using revocation::Method;
using revocation::Policy;

constexpr const char* ocsp_url = "http://ocsp.test/";
constexpr const char* crl_url = "http://crl.test/issuing.crl";

class RevocationCheckerTest : public ::testing::Test {
protected:
    RevocationCheckerTest() {
        statuses[revoked.serial_hex()] = {ca::CertificateStatus::Kind::revoked, now - 24h, 1};
        statuses[good.serial_hex()] = {ca::CertificateStatus::Kind::good, {}, {}};
        http.set_handler([this](const transport::HttpRequest& r) { return answer(r); });
    }

    static ca::CertificateProfile profile() {
        ca::CertificateProfile p = ca::default_device_profile();
        p.crl_url = crl_url;
        p.ocsp_url = ocsp_url;
        return p;
    }

    crypto::Certificate issue(std::string_view subject) const {
        auto key = ca_test::ec_key();
        auto serial = ca::random_serial().value();
        return ca_test::authority()
            .issue(ca_test::csr_for(key, subject), profile(), serial, now)
            .value();
    }

    common::Result<transport::HttpResponse> answer(const transport::HttpRequest& r) {
        if (r.url.starts_with("http://ocsp.test/")) {
            if (ocsp_down) return common::fail(common::Errc::network, "connection refused",
                                               common::Retry::yes);
            ++ocsp_requests;
            crypto::Bytes request;
            if (r.method == transport::HttpRequest::Method::post) {
                request.assign(r.body.begin(), r.body.end());
            } else {
                request = crypto::from_base64(ocsp_test::url_decode(r.url.substr(17))).value();
            }
            auto lookup = [this](std::string_view serial) -> common::Result<ca::CertificateStatus> {
                auto it = statuses.find(std::string(serial));
                if (it == statuses.end()) return ca::CertificateStatus{};
                return it->second;
            };
            auto a = ca_test::authority().ocsp_respond(request, lookup, responder_now, 24h);
            return fakes::FakeHttpClient::response(
                200, std::string(a.der.begin(), a.der.end()), "application/ocsp-response");
        }
        if (r.url == crl_url) {
            if (crl_down) return common::fail(common::Errc::timeout, "timed out",
                                              common::Retry::yes);
            ++crl_requests;
            std::vector<crypto::RevokedEntry> entries;
            for (const auto& [serial, s] : statuses) {
                if (s.kind == ca::CertificateStatus::Kind::revoked) {
                    entries.push_back({serial, s.revocation_time, s.reason});
                }
            }
            auto crl = ca_test::authority()
                           .make_crl(entries, ++crl_number, responder_now, responder_now + 7 * 24h)
                           .value();
            auto der = crl.to_der();
            return fakes::FakeHttpClient::response(200, std::string(der.begin(), der.end()));
        }
        return fakes::FakeHttpClient::response(404, "not found");
    }

    const crypto::Certificate& issuer() const { return ca_test::material().issuing().certificate; }

    common::SystemTime now = ca_test::now();
    common::SystemTime responder_now = ca_test::now();
    crypto::Certificate good = issue("CN=good");
    crypto::Certificate revoked = issue("CN=revoked");
    std::map<std::string, ca::CertificateStatus> statuses;
    fakes::FakeHttpClient http;
    fakes::CaptureSink sink;
    bool ocsp_down = false;
    bool crl_down = false;
    int ocsp_requests = 0;
    int crl_requests = 0;
    std::uint64_t crl_number = 0;
};

TEST_F(RevocationCheckerTest, GoodFromOcsp) {
    revocation::OnlineRevocationChecker checker(http, nullptr, common::Logger(sink, "t"));
    auto s = checker.check(good, issuer(), Policy{}, now);
    EXPECT_TRUE(s.status.is_good()) << s.status.describe();
    ASSERT_TRUE(s.method);
    EXPECT_EQ(*s.method, Method::ocsp);
    EXPECT_EQ(s.source, ocsp_url);
    EXPECT_EQ(crl_requests, 0);
    ASSERT_TRUE(s.this_update);
    EXPECT_EQ(*s.this_update, responder_now);
}

TEST_F(RevocationCheckerTest, RevokedFromOcspCarriesTimeAndReason) {
    revocation::OnlineRevocationChecker checker(http, nullptr, common::Logger(sink, "t"));
    auto s = checker.check(revoked, issuer(), Policy{}, now);
    ASSERT_TRUE(s.status.is_revoked()) << s.status.describe();
    EXPECT_EQ(s.status.revoked_info().time, now - 24h);
    EXPECT_EQ(s.status.revoked_info().reason, 1);
    EXPECT_FALSE(revocation::acceptable(s.status, Policy{}));
}

TEST_F(RevocationCheckerTest, FallsBackToCrlWhenOcspIsDown) {
    ocsp_down = true;
    revocation::OnlineRevocationChecker checker(http, nullptr, common::Logger(sink, "t"));
    auto g = checker.check(good, issuer(), Policy{}, now);
    EXPECT_TRUE(g.status.is_good()) << g.status.describe();
    ASSERT_TRUE(g.method);
    EXPECT_EQ(*g.method, Method::crl);
    ASSERT_EQ(g.attempts.size(), 1u);
    EXPECT_NE(g.attempts[0].find("connection refused"), std::string::npos);
    auto r = checker.check(revoked, issuer(), Policy{}, now);
    ASSERT_TRUE(r.status.is_revoked()) << r.status.describe();
    EXPECT_EQ(r.status.revoked_info().reason, 1);
}

TEST_F(RevocationCheckerTest, CrlOnlyPolicyNeverAsksOcsp) {
    Policy policy;
    policy.methods = {Method::crl};
    revocation::OnlineRevocationChecker checker(http, nullptr, common::Logger(sink, "t"));
    EXPECT_TRUE(checker.check(good, issuer(), policy, now).status.is_good());
    EXPECT_EQ(ocsp_requests, 0);
    EXPECT_EQ(crl_requests, 1);
}

TEST_F(RevocationCheckerTest, NothingAnswersIsUnknownAndPolicyDecides) {
    ocsp_down = crl_down = true;
    revocation::OnlineRevocationChecker checker(http, nullptr, common::Logger(sink, "t"));
    auto s = checker.check(good, issuer(), Policy{}, now);
    ASSERT_TRUE(s.status.is_unknown());
    EXPECT_NE(s.status.why().find("connection refused"), std::string::npos) << s.status.why();
    EXPECT_NE(s.status.why().find("timed out"), std::string::npos) << s.status.why();
    Policy soft;
    Policy hard;
    hard.on_unknown = Policy::OnUnknown::hard_fail;
    EXPECT_TRUE(revocation::acceptable(s.status, soft));
    EXPECT_FALSE(revocation::acceptable(s.status, hard));
}

TEST_F(RevocationCheckerTest, StaleAnswersAreNotGood) {
    responder_now = now - 30 * 24h;  // the responder's clock is a month behind: all stale
    revocation::OnlineRevocationChecker checker(http, nullptr, common::Logger(sink, "t"));
    auto s = checker.check(good, issuer(), Policy{}, now);
    EXPECT_TRUE(s.status.is_unknown()) << s.status.describe();
    EXPECT_EQ(ocsp_requests, 1);
    EXPECT_EQ(crl_requests, 1);
}

TEST_F(RevocationCheckerTest, CheckingOffIsUnknownButAcceptable) {
    Policy off;
    off.methods.clear();
    off.on_unknown = Policy::OnUnknown::hard_fail;
    revocation::OnlineRevocationChecker checker(http, nullptr, common::Logger(sink, "t"));
    auto s = checker.check(good, issuer(), off, now);
    EXPECT_TRUE(s.status.is_unknown());
    EXPECT_TRUE(revocation::acceptable(s.status, off));
    EXPECT_EQ(ocsp_requests + crl_requests, 0);
}

TEST_F(RevocationCheckerTest, CrlAtHandIsUsedBeforeFetching) {
    auto crl = ca_test::authority()
                   .make_crl({{revoked.serial_hex(), now - 1h, 4}}, 7, now - 1h, now + 24h)
                   .value();
    revocation::Sources sources;
    sources.crls.push_back(crl.to_der());
    Policy policy;
    policy.methods = {Method::crl};
    revocation::OnlineRevocationChecker checker(http, nullptr, common::Logger(sink, "t"));
    auto s = checker.check(revoked, issuer(), policy, now, sources);
    ASSERT_TRUE(s.status.is_revoked()) << s.status.describe();
    EXPECT_EQ(s.status.revoked_info().reason, 4);
    EXPECT_EQ(s.source, "file");
    EXPECT_EQ(crl_requests, 0);
}

TEST_F(RevocationCheckerTest, ACrlAtHandReplacesTheDistributionPoints) {
    auto expired = ca_test::authority().make_crl({}, 3, now - 48h, now - 24h).value();
    revocation::Sources sources;
    sources.crls.push_back(expired.to_der());
    Policy policy;
    policy.methods = {Method::crl};
    revocation::OnlineRevocationChecker checker(http, nullptr, common::Logger(sink, "t"));
    auto s = checker.check(good, issuer(), policy, now, sources);
    EXPECT_TRUE(s.status.is_unknown()) << s.status.describe();
    EXPECT_NE(s.status.why().find("expired"), std::string::npos) << s.status.why();
    EXPECT_EQ(crl_requests, 0);
}

TEST_F(RevocationCheckerTest, UrlOverridesReplaceTheCertificatesLocations) {
    revocation::Sources sources;
    sources.ocsp_urls = {"http://elsewhere.test/ocsp"};
    revocation::OnlineRevocationChecker checker(http, nullptr, common::Logger(sink, "t"));
    Policy policy;
    policy.methods = {Method::ocsp};
    auto s = checker.check(good, issuer(), policy, now, sources);
    EXPECT_TRUE(s.status.is_unknown());
    EXPECT_EQ(ocsp_requests, 0);
    ASSERT_FALSE(http.requests().empty());
    EXPECT_TRUE(http.requests().back().url.starts_with("http://elsewhere.test/ocsp"));
}

TEST_F(RevocationCheckerTest, CachedAnswersAreReusedUntilStale) {
    revocation::MemoryRevocationCache cache;
    revocation::OnlineRevocationChecker checker(http, &cache, common::Logger(sink, "t"));
    EXPECT_TRUE(checker.check(good, issuer(), Policy{}, now).status.is_good());
    ASSERT_EQ(ocsp_requests, 1);
    ocsp_down = crl_down = true;
    auto again = checker.check(good, issuer(), Policy{}, now + 1h);
    EXPECT_TRUE(again.status.is_good()) << again.status.describe();
    EXPECT_EQ(again.source, std::string("cache: ") + ocsp_url);
    // A day later the response (nextUpdate = thisUpdate + 24 h, skew 5 min) is stale.
    auto later = checker.check(good, issuer(), Policy{}, now + 24h + 10min);
    EXPECT_TRUE(later.status.is_unknown()) << later.status.describe();
}

TEST_F(RevocationCheckerTest, CrlCacheInTheStateDbSurvivesARestart) {
    fakes::TempDir dir;
    Policy policy;
    policy.methods = {Method::crl};
    {
        auto db = stores::open_state_db(dir.path() / "state.db").value();
        revocation::SqliteRevocationCache cache(db);
        revocation::OnlineRevocationChecker checker(http, &cache, common::Logger(sink, "t"));
        EXPECT_TRUE(checker.check(revoked, issuer(), policy, now).status.is_revoked());
    }
    crl_down = true;
    auto db = stores::open_state_db(dir.path() / "state.db").value();
    revocation::SqliteRevocationCache cache(db);
    revocation::OnlineRevocationChecker checker(http, &cache, common::Logger(sink, "t"));
    auto s = checker.check(revoked, issuer(), policy, now + 2h);
    ASSERT_TRUE(s.status.is_revoked()) << s.status.describe();
    EXPECT_EQ(s.source, std::string("cache: ") + crl_url);
    EXPECT_EQ(crl_requests, 1);
}

TEST_F(RevocationCheckerTest, RefreshFetchesANewerCopyBeforeNextUpdate) {
    revocation::MemoryRevocationCache cache;
    Policy policy;
    policy.methods = {Method::crl};
    revocation::OnlineRevocationChecker checker(http, &cache, common::Logger(sink, "t"));
    ASSERT_TRUE(checker.check(good, issuer(), policy, now).status.is_good());
    EXPECT_EQ(checker.refresh_due(policy, now + 1h), 0u);  // not due yet
    // 80 % of the CRL's 7 days.
    const auto due = now + 6 * 24h;
    responder_now = due;
    EXPECT_EQ(checker.refresh_due(policy, due), 1u);
    EXPECT_EQ(crl_requests, 2);
    auto entry = cache.find({Method::crl, revocation::issuer_id(issuer()), crl_url}).value();
    ASSERT_TRUE(entry);
    EXPECT_EQ(entry->this_update, due);
    // A refresh that fails keeps the old copy and tries again later.
    crl_down = true;
    EXPECT_EQ(checker.refresh_due(policy, due + 6 * 24h), 0u);
    EXPECT_EQ(cache.find(entry->id).value()->this_update, due);
}

TEST_F(RevocationCheckerTest, ChainChecksEveryCertificateBelowTheRoot) {
    revocation::OnlineRevocationChecker checker(http, nullptr, common::Logger(sink, "t"));
    std::vector<crypto::Certificate> chain{good, issuer(), ca_test::material().root.certificate};
    auto report = checker.check_chain(chain, Policy{}, now);
    ASSERT_EQ(report.certificates.size(), 2u);
    EXPECT_TRUE(report.certificates[0].status.is_good());
    // The test CA's intermediate names no CRL or OCSP location.
    EXPECT_TRUE(report.certificates[1].status.is_unknown());
    auto overall = report.overall();
    ASSERT_TRUE(overall.is_unknown());
    EXPECT_NE(overall.why().find("Test Issuing CA"), std::string::npos) << overall.why();

    std::vector<crypto::Certificate> with_revoked{revoked, issuer(),
                                                  ca_test::material().root.certificate};
    EXPECT_TRUE(checker.check_chain(with_revoked, Policy{}, now).overall().is_revoked());
}

TEST(RevocationCache, RefreshTimeIsEightyPercentButAnHourBeforeNextUpdate) {
    const common::SystemTime t0{std::chrono::seconds(1'700'000'000)};
    EXPECT_EQ(revocation::refresh_time(t0, t0 + 10 * 24h, t0, std::nullopt), t0 + 8 * 24h);
    EXPECT_EQ(revocation::refresh_time(t0, t0 + 2h, t0, std::nullopt), t0 + 1h);
    EXPECT_EQ(revocation::refresh_time(t0, std::nullopt, t0, 10h), t0 + 8h);
    EXPECT_EQ(revocation::refresh_time(t0, std::nullopt, t0, std::nullopt), t0 + 24h);
}

TEST(RevocationCache, SqliteStoresFindsAndExpires) {
    fakes::TempDir dir;
    auto db = stores::open_state_db(dir.path() / "state.db").value();
    revocation::SqliteRevocationCache cache(db);
    const common::SystemTime t0{std::chrono::seconds(1'700'000'000)};
    revocation::CacheEntry e;
    e.id = {Method::ocsp, "abcd", "01AF"};
    e.source_url = "http://ocsp.test/";
    e.der = {1, 2, 3};
    e.issuer_der = {4};
    e.this_update = t0;
    e.next_update = t0 + 24h;
    e.fetched_at = t0;
    e.refresh_at = t0 + 20h;
    ASSERT_TRUE(cache.store(e));
    auto found = cache.find(e.id).value();
    ASSERT_TRUE(found);
    EXPECT_EQ(found->der, e.der);
    EXPECT_TRUE(found->cert_der.empty());
    EXPECT_EQ(found->next_update, e.next_update);
    EXPECT_FALSE(cache.find({Method::crl, "abcd", "01AF"}).value());
    EXPECT_TRUE(cache.due_for_refresh(t0 + 19h, 10).value().empty());
    EXPECT_EQ(cache.due_for_refresh(t0 + 20h, 10).value().size(), 1u);
    EXPECT_EQ(cache.remove_expired(t0 + 25h, 2h).value(), 0u);
    EXPECT_EQ(cache.remove_expired(t0 + 27h, 2h).value(), 1u);
    EXPECT_FALSE(cache.find(e.id).value());
}

TEST(StateDb, MigratesOnceAndRefusesANewerSchema) {
    fakes::TempDir dir;
    {
        auto db = stores::open_state_db(dir.path() / "state.db").value();
        EXPECT_EQ(db.user_version().value(), stores::state_db_version);
    }
    auto again = stores::open_state_db(dir.path() / "state.db");
    ASSERT_TRUE(again) << again.error().to_string();
    ASSERT_TRUE(again->set_user_version(stores::state_db_version + 1));
    auto newer = stores::open_state_db(dir.path() / "state.db");
    ASSERT_FALSE(newer);
    EXPECT_EQ(newer.error().code(), common::Errc::unsupported);
}

TEST(StateDb, RefusesAnotherApplicationsDatabase) {
    fakes::TempDir dir;
    {
        auto db = stores::Database::open(dir.path() / "other.db").value();
        ASSERT_TRUE(db.exec("PRAGMA application_id = 42; CREATE TABLE t (a INTEGER)"));
    }
    auto opened = stores::open_state_db(dir.path() / "other.db");
    ASSERT_FALSE(opened);
    EXPECT_EQ(opened.error().code(), common::Errc::unsupported);
    EXPECT_NE(opened.error().message().find("not a certkeeper state database"), std::string::npos);
}

TEST(StateDb, PathCreatesAPrivateDirectory) {
    fakes::TempDir dir;
    auto path = stores::state_db_path(dir.path() / "state").value();
    EXPECT_EQ(path, dir.path() / "state" / "state.db");
    auto perms = std::filesystem::status(dir.path() / "state").permissions();
    EXPECT_EQ(perms & std::filesystem::perms::all, std::filesystem::perms::owner_all);
    std::ofstream(dir.path() / "file") << "x";
    auto not_a_dir = stores::state_db_path(dir.path() / "file");
    ASSERT_FALSE(not_a_dir);
    EXPECT_EQ(not_a_dir.error().code(), common::Errc::invalid_argument);
}

}  // namespace
