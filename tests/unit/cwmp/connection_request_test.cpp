#include "cwmp/connection_request.h"

#include <gtest/gtest.h>

#include <map>

#include "crypto/bytes.h"
#include "crypto/fingerprint.h"
#include "fakes/fake_clock.h"

namespace cwmp {
namespace {

using namespace std::chrono_literals;

std::string hex(crypto::DigestAlgorithm alg, const std::string& s) {
    return crypto::to_hex(crypto::digest(alg, crypto::as_bytes(s)));
}

// The challenge parameters of the WWW-Authenticate header offering `algorithm`.
std::map<std::string, std::string> challenge_of(const transport::HttpServerResponse& r, const std::string& algorithm) {
    for (const auto& [name, value] : r.headers) {
        if (name != "WWW-Authenticate" || value.find("algorithm=" + algorithm) == std::string::npos) continue;
        std::map<std::string, std::string> out;
        for (const char* key : {"realm", "nonce", "qop"}) {
            const auto at = value.find(std::string(key) + "=\"");
            if (at == std::string::npos) continue;
            const auto begin = at + std::string(key).size() + 2;
            out[key] = value.substr(begin, value.find('"', begin) - begin);
        }
        return out;
    }
    return {};
}

// What an ACS sends (RFC 7616 §3.4, qop=auth).
std::string authorization(const std::map<std::string, std::string>& c, const std::string& user, const std::string& password,
                          const std::string& uri, const std::string& algorithm = "MD5") {
    const auto alg = algorithm == "MD5" ? crypto::DigestAlgorithm::md5 : crypto::DigestAlgorithm::sha256;
    const std::string nc = "00000001", cnonce = "0a4f113b";
    const std::string ha1 = hex(alg, user + ":" + c.at("realm") + ":" + password);
    const std::string ha2 = hex(alg, "GET:" + uri);
    const std::string response = hex(alg, ha1 + ":" + c.at("nonce") + ":" + nc + ":" + cnonce + ":auth:" + ha2);
    return "Digest username=\"" + user + "\", realm=\"" + c.at("realm") + "\", nonce=\"" + c.at("nonce") +
           "\", uri=\"" + uri + "\", algorithm=" + algorithm + ", qop=auth, nc=" + nc + ", cnonce=\"" + cnonce +
           "\", response=\"" + response + "\"";
}

transport::HttpServerRequest get(const std::string& target, std::optional<std::string> auth = std::nullopt) {
    transport::HttpServerRequest r;
    r.method = "GET";
    r.target = target;
    if (auth) r.headers.emplace_back("Authorization", *auth);
    return r;
}

std::optional<std::string> header(const transport::HttpServerResponse& r, const std::string& name) {
    for (const auto& [n, v] : r.headers) {
        if (n == name) return v;
    }
    return std::nullopt;
}

class ConnectionRequestTest : public ::testing::Test {
protected:
    ConnectionRequestTest()
        : m_handler(ConnectionRequestOptions{"acs", "s3cret", "certkeeper", "/cr", 5s, 60s, 256}, m_clock,
                    [this] { ++m_sessions; }, [this] { return "nonce" + std::to_string(++m_nonces); }) {}

    // A fresh challenge, answered with these credentials.
    transport::HttpServerResponse attempt(const std::string& password, const std::string& algorithm = "MD5",
                                          std::string* sent = nullptr) {
        const auto c = challenge_of(m_handler.handle(get("/cr")), algorithm);
        const std::string auth = authorization(c, "acs", password, "/cr", algorithm);
        if (sent) *sent = auth;
        return m_handler.handle(get("/cr", auth));
    }

    fakes::FakeClock m_clock;
    int m_sessions = 0;
    int m_nonces = 0;
    ConnectionRequestHandler m_handler;
};

TEST_F(ConnectionRequestTest, WithoutCredentialsTheAnswerIsADigestChallenge) {
    const auto r = m_handler.handle(get("/cr"));
    EXPECT_EQ(r.status, 401);
    const auto md5 = challenge_of(r, "MD5");
    const auto sha = challenge_of(r, "SHA-256");
    EXPECT_EQ(md5.at("qop"), "auth");
    EXPECT_EQ(sha.at("realm"), "certkeeper");
    EXPECT_NE(md5.at("nonce"), sha.at("nonce"));
    EXPECT_EQ(m_sessions, 0);
}

TEST_F(ConnectionRequestTest, GoodDigestTriggersOneSessionWithMd5AndSha256) {
    EXPECT_EQ(attempt("s3cret").status, 200);
    EXPECT_EQ(m_sessions, 1);
    m_clock.advance(5s);
    EXPECT_EQ(attempt("s3cret", "SHA-256").status, 200);
    EXPECT_EQ(m_sessions, 2);
}

TEST_F(ConnectionRequestTest, NewCredentialsFromTheAcsReplaceTheOldOnes) {
    m_handler.set_credentials("acs", "n3w");
    EXPECT_EQ(attempt("s3cret").status, 401);
    EXPECT_EQ(attempt("n3w").status, 200);
    EXPECT_EQ(m_sessions, 1);
}

TEST_F(ConnectionRequestTest, WithoutAPasswordEveryRequestIsRefused) {
    m_handler.set_credentials("acs", "");
    EXPECT_EQ(attempt("").status, 401);
    EXPECT_EQ(m_sessions, 0);
}

TEST_F(ConnectionRequestTest, WrongPasswordIsRefused) {
    EXPECT_EQ(attempt("guess").status, 401);
    EXPECT_EQ(m_sessions, 0);
}

TEST_F(ConnectionRequestTest, ReplayedNonceIsRefused) {
    std::string sent;
    ASSERT_EQ(attempt("s3cret", "MD5", &sent).status, 200);
    m_clock.advance(10s);
    const auto replay = m_handler.handle(get("/cr", sent));
    EXPECT_EQ(replay.status, 401);
    EXPECT_EQ(m_sessions, 1);
}

TEST_F(ConnectionRequestTest, NonceWeNeverIssuedOrForAnotherUriIsRefused) {
    std::map<std::string, std::string> forged{{"realm", "certkeeper"}, {"nonce", "made-up"}, {"qop", "auth"}};
    EXPECT_EQ(m_handler.handle(get("/cr", authorization(forged, "acs", "s3cret", "/cr"))).status, 401);
    const auto c = challenge_of(m_handler.handle(get("/cr")), "MD5");
    EXPECT_EQ(m_handler.handle(get("/cr", authorization(c, "acs", "s3cret", "/other"))).status, 401);
    EXPECT_EQ(m_sessions, 0);
}

TEST_F(ConnectionRequestTest, ExpiredNonceIsStale) {
    const auto c = challenge_of(m_handler.handle(get("/cr")), "MD5");
    m_clock.advance(61s);
    const auto r = m_handler.handle(get("/cr", authorization(c, "acs", "s3cret", "/cr")));
    EXPECT_EQ(r.status, 401);
    EXPECT_NE(header(r, "WWW-Authenticate")->find("stale=true"), std::string::npos);
    EXPECT_EQ(m_sessions, 0);
}

TEST_F(ConnectionRequestTest, RequestsFasterThanTheMinimumIntervalGet503WithRetryAfter) {
    ASSERT_EQ(attempt("s3cret").status, 200);
    m_clock.advance(2s);
    const auto r = attempt("s3cret");
    EXPECT_EQ(r.status, 503);
    EXPECT_EQ(header(r, "Retry-After"), "3");
    EXPECT_EQ(m_sessions, 1);
    m_clock.advance(3s);
    EXPECT_EQ(attempt("s3cret").status, 200);
    EXPECT_EQ(m_sessions, 2);
}

TEST_F(ConnectionRequestTest, OtherPathsAndMethods) {
    EXPECT_EQ(m_handler.handle(get("/elsewhere")).status, 404);
    auto post = get("/cr");
    post.method = "POST";
    EXPECT_EQ(m_handler.handle(post).status, 405);
}

}  // namespace
}  // namespace cwmp
