#include "transport/curl_http_client.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <optional>
#include <string>

#include "fakes/capture_sink.h"
#include "fakes/test_http_server.h"

namespace transport {
namespace {

using common::Errc;
using fakes::TestHttpServer;
using namespace std::chrono_literals;

TestHttpServer::Response echo(const TestHttpServer::Request& request) {
    auto response = TestHttpServer::reply(200, request.body, "application/octet-stream");
    response.headers.emplace_back("X-Method", request.method);
    response.headers.emplace_back("X-Target", request.target);
    return response;
}

HttpRequest get(std::string url) {
    HttpRequest request;
    request.url = std::move(url);
    return request;
}

HttpRequest post(std::string url, std::string body) {
    HttpRequest request;
    request.method = HttpRequest::Method::post;
    request.url = std::move(url);
    request.body = std::move(body);
    return request;
}

class CurlHttpClientTest : public ::testing::Test {
protected:
    // A client with short limits, so that a bug fails the test instead of hanging it.
    static CurlOptions options() {
        CurlOptions o;
        o.timeout = 5s;
        o.connect_timeout = 2s;
        return o;
    }
    CurlHttpClient client(CurlOptions o = options()) { return CurlHttpClient(std::move(o), m_log); }

    std::vector<fakes::CaptureSink::Line> log_lines() const { return m_sink.lines(); }

    fakes::CaptureSink m_sink;
    common::Logger m_log{m_sink, "transport"};
};

TEST_F(CurlHttpClientTest, GetReturnsStatusHeadersAndBody) {
    TestHttpServer server([](const TestHttpServer::Request&) {
        auto response = TestHttpServer::reply(200, "hello", "Text/Plain; charset=utf-8");
        response.headers.emplace_back("X-Custom", "a value");
        return response;
    });
    auto http = client();
    const auto result = http.send(get(server.url("/hello")));
    ASSERT_TRUE(result.has_value()) << result.error().to_string();
    EXPECT_EQ(result->status, 200);
    EXPECT_EQ(result->body, "hello");
    EXPECT_EQ(result->content_type(), "text/plain");
    EXPECT_EQ(result->header("x-custom"), "a value");
    EXPECT_EQ(result->header("Content-Length"), "5");
    EXPECT_EQ(result->effective_url, server.url("/hello"));
    ASSERT_EQ(server.request_count(), 1u);
    const auto seen = server.requests()[0];
    EXPECT_EQ(seen.method, "GET");
    EXPECT_EQ(seen.target, "/hello");
    EXPECT_EQ(seen.header("User-Agent"), "certkeeper/0.1");
}

TEST_F(CurlHttpClientTest, PostSendsBinaryBodyAndContentType) {
    TestHttpServer server(echo);
    // Larger than libcurl's threshold for "Expect: 100-continue", which the client turns off.
    std::string body(2 * 1024 * 1024 + 1, '\0');
    for (std::size_t i = 0; i < body.size(); ++i) {
        body[i] = static_cast<char>(i * 7);
    }
    auto request = post(server.url("/cgi-bin/pkiclient.exe?operation=PKIOperation"), body);
    request.headers = {{"Content-Type", "application/x-pki-message"}, {"X-Empty", ""}};
    auto http = client();
    const auto result = http.send(request);
    ASSERT_TRUE(result.has_value()) << result.error().to_string();
    EXPECT_EQ(result->status, 200);
    EXPECT_EQ(result->body, body);
    EXPECT_EQ(result->header("X-Method"), "POST");
    const auto seen = server.requests().at(0);
    EXPECT_EQ(seen.body, body);
    EXPECT_EQ(seen.header("Content-Type"), "application/x-pki-message");
    EXPECT_EQ(seen.header("X-Empty"), "");
    EXPECT_EQ(seen.header("Expect"), std::nullopt);
    EXPECT_EQ(seen.query_parameter("operation"), "PKIOperation");
}

TEST_F(CurlHttpClientTest, PostWithoutContentTypeSendsNone) {
    TestHttpServer server(echo);
    auto http = client();
    const auto result = http.send(post(server.url("/"), "x=1"));
    ASSERT_TRUE(result.has_value()) << result.error().to_string();
    EXPECT_EQ(server.requests().at(0).header("Content-Type"), std::nullopt);
}

TEST_F(CurlHttpClientTest, OneClientReusesItsConnectionAcrossPostAndGet) {
    TestHttpServer server(echo);
    auto http = client();
    ASSERT_TRUE(http.send(post(server.url("/a"), "body")).has_value());
    const auto second = http.send(get(server.url("/b")));
    ASSERT_TRUE(second.has_value()) << second.error().to_string();
    EXPECT_EQ(second->header("X-Method"), "GET");
    EXPECT_EQ(second->body, "");
    EXPECT_EQ(server.request_count(), 2u);
    EXPECT_EQ(server.connection_count(), 1u);
}

TEST_F(CurlHttpClientTest, NotFoundIsAResponseNotAnError) {
    TestHttpServer server([](const auto&) { return TestHttpServer::reply(404, "no such CA"); });
    auto http = client();
    const auto result = http.send(get(server.url("/missing")));
    ASSERT_TRUE(result.has_value()) << result.error().to_string();
    EXPECT_EQ(result->status, 404);
    EXPECT_EQ(result->body, "no such CA");
    const auto error = http_status_error(*result, "GetCACert");
    EXPECT_EQ(error.code(), Errc::not_found);
    EXPECT_FALSE(error.retryable());
}

TEST_F(CurlHttpClientTest, ServiceUnavailableMapsToARetryableError) {
    TestHttpServer server([](const auto&) { return TestHttpServer::reply(503, "busy"); });
    auto http = client();
    const auto result = http.send(get(server.url("/")));
    ASSERT_TRUE(result.has_value()) << result.error().to_string();
    EXPECT_EQ(result->status, 503);
    EXPECT_TRUE(http_status_error(*result, "GetCACaps").retryable());
}

TEST_F(CurlHttpClientTest, ResponseOverTheLimitWithContentLengthIsRefused) {
    TestHttpServer server(
        [](const auto&) { return TestHttpServer::reply(200, std::string(2000, 'x')); });
    auto o = options();
    o.max_response_bytes = 1000;
    auto http = client(o);
    const auto result = http.send(get(server.url("/big")));
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().code(), Errc::protocol);
    EXPECT_FALSE(result.error().retryable());
    EXPECT_NE(result.error().message().find("response larger than 1000 bytes"), std::string::npos)
        << result.error().message();
}

TEST_F(CurlHttpClientTest, AnnouncedContentLengthOverTheLimitIsRefusedBeforeTheBody) {
    // Only the announcement is large: a client that waited for the body would see truncation.
    TestHttpServer server([](const auto&) {
        auto response = TestHttpServer::reply(200, "short");
        response.announced_length = 1ull << 40;
        return response;
    });
    auto http = client();
    const auto result = http.send(get(server.url("/")));
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().code(), Errc::protocol);
    EXPECT_NE(result.error().message().find("response larger than"), std::string::npos)
        << result.error().message();
}

TEST_F(CurlHttpClientTest, ChunkedResponseOverTheLimitIsRefusedWhileReceiving) {
    TestHttpServer server([](const auto&) {
        auto response = TestHttpServer::reply(200, std::string(5000, 'x'));
        response.chunked = true;
        return response;
    });
    auto http = client();
    auto request = get(server.url("/crl"));
    request.max_response_bytes = 1000;
    const auto result = http.send(request);
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().code(), Errc::protocol);
    EXPECT_FALSE(result.error().retryable());
    EXPECT_NE(result.error().message().find("response larger than 1000 bytes"), std::string::npos);
}

TEST_F(CurlHttpClientTest, ResponseOfExactlyTheLimitIsAccepted) {
    TestHttpServer server([](const TestHttpServer::Request& request) {
        auto response = TestHttpServer::reply(200, std::string(1000, 'x'));
        response.chunked = request.target == "/chunked";
        return response;
    });
    auto o = options();
    o.max_response_bytes = 10;  // the request's limit overrides it
    auto http = client(o);
    for (const char* target : {"/plain", "/chunked"}) {
        auto request = get(server.url(target));
        request.max_response_bytes = 1000;
        const auto result = http.send(request);
        ASSERT_TRUE(result.has_value()) << target << ": " << result.error().to_string();
        EXPECT_EQ(result->body.size(), 1000u);
    }
}

TEST_F(CurlHttpClientTest, StalledServerTimesOutRetryably) {
    TestHttpServer server([](const auto&) {
        auto response = TestHttpServer::reply(200, "too late");
        response.delay = 10s;  // abandoned when the server is destroyed
        return response;
    });
    auto http = client();
    auto request = get(server.url("/slow"));
    request.timeout = 300ms;
    const auto result = http.send(request);
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().code(), Errc::timeout) << result.error().to_string();
    EXPECT_TRUE(result.error().retryable());
    EXPECT_EQ(server.request_count(), 1u);
}

TEST_F(CurlHttpClientTest, ConnectionRefusedIsRetryable) {
    std::string url;
    {
        TestHttpServer closed([](const auto&) { return TestHttpServer::reply(200, ""); });
        url = closed.url("/");
    }
    auto http = client();
    const auto result = http.send(get(url));
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().code(), Errc::network) << result.error().to_string();
    EXPECT_TRUE(result.error().retryable());
}

TEST_F(CurlHttpClientTest, ConnectionClosedWithoutResponseIsRetryable) {
    TestHttpServer server([](const auto&) {
        TestHttpServer::Response response;
        response.close_without_response = true;
        return response;
    });
    auto http = client();
    const auto result = http.send(get(server.url("/")));
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().code(), Errc::network) << result.error().to_string();
    EXPECT_TRUE(result.error().retryable());
}

TEST_F(CurlHttpClientTest, TruncatedResponseIsRetryable) {
    TestHttpServer server([](const auto&) {
        auto response = TestHttpServer::reply(200, "only part");
        response.announced_length = 100;
        return response;
    });
    auto http = client();
    const auto result = http.send(get(server.url("/")));
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().code(), Errc::network) << result.error().to_string();
    EXPECT_TRUE(result.error().retryable());
}

TestHttpServer::Response redirect_to(std::string location) {
    auto response = TestHttpServer::reply(302, "moved");
    response.headers.emplace_back("Location", std::move(location));
    response.headers.emplace_back("X-Hop", "redirect");
    return response;
}

TEST_F(CurlHttpClientTest, RedirectsAreFollowedAndOnlyTheFinalHeadersKept) {
    TestHttpServer server([](const TestHttpServer::Request& request) {
        if (request.target == "/old") {
            return redirect_to("/new?x=1");
        }
        return TestHttpServer::reply(200, "final");
    });
    auto http = client();
    const auto result = http.send(get(server.url("/old")));
    ASSERT_TRUE(result.has_value()) << result.error().to_string();
    EXPECT_EQ(result->status, 200);
    EXPECT_EQ(result->body, "final");
    EXPECT_EQ(result->effective_url, server.url("/new?x=1"));
    EXPECT_EQ(result->header("X-Hop"), std::nullopt);
    EXPECT_EQ(result->header("Location"), std::nullopt);
    EXPECT_EQ(server.request_count(), 2u);
}

TEST_F(CurlHttpClientTest, RedirectLoopIsBounded) {
    TestHttpServer server([](const auto&) { return redirect_to("/loop"); });
    auto o = options();
    o.max_redirects = 3;
    auto http = client(o);
    const auto result = http.send(get(server.url("/loop")));
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().code(), Errc::protocol) << result.error().to_string();
    EXPECT_FALSE(result.error().retryable());
    EXPECT_EQ(server.request_count(), 4u);
}

TEST_F(CurlHttpClientTest, RedirectIsReturnedWhenFollowingIsOff) {
    TestHttpServer server([](const auto&) { return redirect_to("/elsewhere"); });
    auto o = options();
    o.max_redirects = 0;
    auto http = client(o);
    const auto result = http.send(get(server.url("/")));
    ASSERT_TRUE(result.has_value()) << result.error().to_string();
    EXPECT_EQ(result->status, 302);
    EXPECT_EQ(result->header("Location"), "/elsewhere");
    EXPECT_EQ(server.request_count(), 1u);
}

TEST_F(CurlHttpClientTest, RedirectToAnotherSchemeIsRefused) {
    TestHttpServer server([](const auto&) { return redirect_to("file:///etc/passwd"); });
    auto http = client();
    const auto result = http.send(get(server.url("/")));
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().code(), Errc::protocol) << result.error().to_string();
    EXPECT_FALSE(result.error().retryable());
}

TEST_F(CurlHttpClientTest, MalformedOrForeignUrlsAreInvalidArguments) {
    auto http = client();
    for (const char* url : {"http://[::1", "http://", "ftp://127.0.0.1/file", "file:///etc/passwd",
                            "127.0.0.1:1/no-scheme", ""}) {
        const auto result = http.send(get(url));
        ASSERT_FALSE(result.has_value()) << url;
        EXPECT_EQ(result.error().code(), Errc::invalid_argument)
            << url << ": " << result.error().to_string();
        EXPECT_FALSE(result.error().retryable()) << url;
    }
}

TEST_F(CurlHttpClientTest, HeaderWithLineBreakIsRefusedBeforeSending) {
    TestHttpServer server(echo);
    auto request = get(server.url("/"));
    request.headers = {{"X-Value", "a\r\nX-Injected: 1"}};
    auto http = client();
    const auto result = http.send(request);
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().code(), Errc::invalid_argument);
    EXPECT_EQ(server.request_count(), 0u);
}

TEST_F(CurlHttpClientTest, HttpsToAPlainHttpPortFails) {
    TestHttpServer server([](const auto&) { return TestHttpServer::reply(200, "plain"); });
    auto http = client();
    const auto result = http.send(get("https://127.0.0.1:" + std::to_string(server.port()) + "/"));
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().code(), Errc::verification) << result.error().to_string();
    EXPECT_FALSE(result.error().retryable());
}

TEST_F(CurlHttpClientTest, LogLineNamesTheExchangeWithoutQueryOrCredentials) {
    TestHttpServer server([](const auto&) { return TestHttpServer::reply(200, "1234"); });
    auto http = client();
    const std::string base = "127.0.0.1:" + std::to_string(server.port());
    const auto result =
        http.send(get("http://user:hunter2@" + base +
                      "/cgi-bin/pkiclient.exe?operation=PKIOperation&message=SECRET"));
    ASSERT_TRUE(result.has_value()) << result.error().to_string();
    const auto lines = log_lines();
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_EQ(lines[0].level, common::LogLevel::info);
    const std::string expected = "GET http://" + base + "/cgi-bin/pkiclient.exe -> 200, 4 bytes, ";
    EXPECT_EQ(lines[0].message.substr(0, expected.size()), expected) << lines[0].message;
    EXPECT_EQ(lines[0].message.substr(lines[0].message.size() - 3), " ms");
    for (const char* secret : {"?", "SECRET", "message", "operation", "hunter2", "user"}) {
        EXPECT_FALSE(m_sink.contains(secret)) << secret;
    }
}

TEST_F(CurlHttpClientTest, FailedExchangeIsLoggedAndReportedWithoutQuery) {
    TestHttpServer server([](const auto&) {
        auto response = TestHttpServer::reply(200, "");
        response.delay = 10s;
        return response;
    });
    auto http = client();
    auto request = get(server.url("/pkiclient.exe?message=SECRET"));
    request.timeout = 100ms;
    const auto result = http.send(request);
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().message().find("SECRET"), std::string::npos);
    ASSERT_EQ(log_lines().size(), 1u);
    EXPECT_NE(log_lines()[0].message.find("/pkiclient.exe -> failed (timeout)"), std::string::npos)
        << log_lines()[0].message;
    EXPECT_FALSE(m_sink.contains("SECRET"));
}

// Sets an environment variable for the scope of a test and restores it after. Create it before
// any thread starts (setenv is not thread-safe).
class ScopedEnv {
public:
    ScopedEnv(const char* name, const char* value) : m_name(name) {
        if (const char* old = std::getenv(name)) {
            m_previous = old;
        }
        ::setenv(name, value, 1);
    }
    ~ScopedEnv() {
        if (m_previous) {
            ::setenv(m_name.c_str(), m_previous->c_str(), 1);
        } else {
            ::unsetenv(m_name.c_str());
        }
    }
    ScopedEnv(const ScopedEnv&) = delete;
    ScopedEnv& operator=(const ScopedEnv&) = delete;

private:
    std::string m_name;
    std::optional<std::string> m_previous;
};

TEST_F(CurlHttpClientTest, ProxyEnvironmentIsIgnored) {
    const ScopedEnv http_proxy("http_proxy", "http://127.0.0.1:9");  // nothing listens there
    TestHttpServer server(echo);
    auto http = client();
    const auto result = http.send(get(server.url("/direct")));
    ASSERT_TRUE(result.has_value()) << result.error().to_string();
    EXPECT_EQ(result->header("X-Target"), "/direct");
}

TEST_F(CurlHttpClientTest, ConfiguredProxyIsUsed) {
    const ScopedEnv no_proxy("no_proxy", "ra.example.invalid");  // ignored too
    TestHttpServer proxy(echo);
    auto o = options();
    o.proxy = proxy.url("");
    auto http = client(o);
    const auto result =
        http.send(get("http://ra.example.invalid/pkiclient.exe?operation=GetCACaps"));
    ASSERT_TRUE(result.has_value()) << result.error().to_string();
    EXPECT_EQ(result->header("X-Target"),
              "http://ra.example.invalid/pkiclient.exe?operation=GetCACaps");
}

}  // namespace
}  // namespace transport

namespace transport {
namespace {

TEST_F(CurlHttpClientTest, BasicAuthIsSentWithTheRequest) {
    TestHttpServer server([](const TestHttpServer::Request& request) {
        return TestHttpServer::reply(200, request.header("Authorization").value_or("none"));
    });
    auto c = client();
    HttpRequest request = get(server.url("/acs"));
    request.auth = HttpRequest::Auth::basic;
    request.username = "cpe";
    request.password = "secret";
    auto response = c.send(request);
    ASSERT_TRUE(response) << response.error().to_string();
    EXPECT_EQ(response->body, "Basic Y3BlOnNlY3JldA==");  // base64("cpe:secret")
}

TEST_F(CurlHttpClientTest, DigestChallengeIsAnsweredAndPostBodyResent) {
    int challenges = 0;
    TestHttpServer server([&challenges](const TestHttpServer::Request& request) {
        const auto auth = request.header("Authorization");
        if (!auth || auth->rfind("Digest ", 0) != 0) {
            ++challenges;
            auto r = TestHttpServer::reply(401, "");
            r.headers.emplace_back("WWW-Authenticate",
                                   R"(Digest realm="acs", qop="auth", nonce="n0nce", algorithm=MD5)");
            return r;
        }
        const bool shaped = auth->find(R"(username="cpe")") != std::string::npos &&
                            auth->find(R"(nonce="n0nce")") != std::string::npos &&
                            auth->find("response=") != std::string::npos &&
                            auth->find("secret") == std::string::npos;
        return TestHttpServer::reply(shaped ? 200 : 403, request.body);
    });
    auto c = client();
    HttpRequest request = post(server.url("/acs"), "<Inform/>");
    request.username = "cpe";
    request.password = "secret";
    auto response = c.send(request);
    ASSERT_TRUE(response) << response.error().to_string();
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->body, "<Inform/>");
    EXPECT_EQ(challenges, 1);
}

}  // namespace
}  // namespace transport
