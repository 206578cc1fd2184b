#include "transport/http_server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>
#include <string>
#include <thread>

#include "fakes/capture_sink.h"
#include "fakes/raw_connection.h"
#include "transport/curl_http_client.h"

namespace transport {
namespace {

using fakes::RawConnection;
using namespace std::chrono_literals;

constexpr auto io_timeout = 5s;

bool starts_with(std::string_view text, std::string_view prefix) {
    return text.substr(0, prefix.size()) == prefix;
}

bool contains(std::string_view text, std::string_view needle) {
    return text.find(needle) != std::string_view::npos;
}

// The last request a handler saw, for the test's thread to look at.
class Recorder {
public:
    void record(const HttpServerRequest& request) {
        std::lock_guard lock(m_mutex);
        m_requests.push_back(request);
    }
    std::vector<HttpServerRequest> requests() const {
        std::lock_guard lock(m_mutex);
        return m_requests;
    }

private:
    mutable std::mutex m_mutex;
    std::vector<HttpServerRequest> m_requests;
};

// Two parties meet, or give up after a timeout: proves that two handlers run at once.
class Rendezvous {
public:
    bool arrive_and_wait(std::chrono::milliseconds timeout) {
        std::unique_lock lock(m_mutex);
        ++m_arrived;
        m_cv.notify_all();
        return m_cv.wait_for(lock, timeout, [this] { return m_arrived >= 2; });
    }

private:
    std::mutex m_mutex;
    std::condition_variable m_cv;
    int m_arrived = 0;
};

class HttpServerTest : public ::testing::Test {
protected:
    static HttpServerOptions options() {
        HttpServerOptions o;
        o.worker_threads = 2;
        o.read_timeout = 2s;
        o.keep_alive_timeout = 2s;
        o.stop_timeout = 5s;
        return o;
    }

    std::unique_ptr<HttpServer> start(HttpHandler handler, HttpServerOptions o = options()) {
        return HttpServer::start(std::move(o), std::move(handler), m_log).value();
    }

    CurlHttpClient client() {
        CurlOptions o;
        o.timeout = io_timeout;
        o.connect_timeout = 2s;
        return CurlHttpClient(std::move(o), common::Logger(m_client_sink, "client"));
    }

    static std::string url(const HttpServer& server, std::string_view target) {
        return "http://127.0.0.1:" + std::to_string(server.port()) + std::string(target);
    }

    static HttpRequest get(std::string u) {
        HttpRequest request;
        request.url = std::move(u);
        return request;
    }

    static HttpRequest post(std::string u, std::string body) {
        HttpRequest request;
        request.method = HttpRequest::Method::post;
        request.url = std::move(u);
        request.body = std::move(body);
        request.headers.emplace_back("Content-Type", "application/x-pki-message");
        return request;
    }

    static HttpServerResponse ok(const HttpServerRequest&) {
        return HttpServerResponse::reply(200, "ok");
    }

    common::NullSink m_client_sink;
    fakes::CaptureSink m_sink;
    common::Logger m_log{m_sink, "http"};
};

TEST(HttpServerRequestTest, QueryIsPercentDecodedWithPlusKept) {
    HttpServerRequest request;
    request.target =
        "/cgi-bin/pkiclient.exe?operation=PKIOperation&message=MII%2Bab+cd%3D%3D&euro=%E2%82%AC"
        "&flag&empty=&bad=%zz%4&op%65ration=second&&last=1";
    EXPECT_EQ(request.path(), "/cgi-bin/pkiclient.exe");
    EXPECT_EQ(request.query("operation"), "PKIOperation");
    EXPECT_EQ(request.query("message"), "MII+ab+cd==");
    EXPECT_EQ(request.query_raw("message"), "MII%2Bab+cd%3D%3D");
    EXPECT_EQ(request.query("euro"), "\xE2\x82\xAC");
    EXPECT_EQ(request.query("flag"), "");
    EXPECT_EQ(request.query("empty"), "");
    EXPECT_EQ(request.query("bad"), "%zz%4");
    EXPECT_EQ(request.query("last"), "1");
    EXPECT_EQ(request.query("missing"), std::nullopt);
    EXPECT_EQ(request.query(""), std::nullopt);

    request.target = "/scep";
    EXPECT_EQ(request.path(), "/scep");
    EXPECT_EQ(request.query("operation"), std::nullopt);
}

TEST(HttpServerRequestTest, HeaderLookupIsCaseInsensitive) {
    HttpServerRequest request;
    request.headers = {{"Content-Type", "application/x-pki-message"}, {"X-A", "1"}, {"x-a", "2"}};
    EXPECT_EQ(request.header("content-type"), "application/x-pki-message");
    EXPECT_EQ(request.header("X-A"), "1");
    EXPECT_EQ(request.header("Accept"), std::nullopt);
}

TEST_F(HttpServerTest, BadOptionsAndBusyPortAreErrors) {
    auto o = options();
    o.bind_address = "localhost";
    auto bad = HttpServer::start(o, ok, m_log);
    ASSERT_FALSE(bad.has_value());
    EXPECT_EQ(bad.error().code(), common::Errc::invalid_argument);

    const auto first = start(ok);
    EXPECT_NE(first->port(), 0);
    o = options();
    o.port = first->port();
    auto busy = HttpServer::start(o, ok, m_log);
    ASSERT_FALSE(busy.has_value());
    EXPECT_EQ(busy.error().code(), common::Errc::io) << busy.error().to_string();
}

TEST_F(HttpServerTest, GetReachesHandlerWithDecodedQuery) {
    Recorder recorder;
    const auto server = start([&](const HttpServerRequest& request) {
        recorder.record(request);
        auto response = HttpServerResponse::reply(200, "AES\nSHA-256\n");
        response.headers.emplace_back("X-Custom", "yes");
        return response;
    });
    auto http = client();
    const auto result =
        http.send(get(url(*server, "/scep?operation=GetCACaps&message=ab%2Bcd+ef%3D%3D")));
    ASSERT_TRUE(result.has_value()) << result.error().to_string();
    EXPECT_EQ(result->status, 200);
    EXPECT_EQ(result->body, "AES\nSHA-256\n");
    EXPECT_EQ(result->header("Content-Length"), "12");
    EXPECT_EQ(result->header("X-Custom"), "yes");
    EXPECT_EQ(result->header("Server"), "certkeeper");
    EXPECT_TRUE(result->header("Date").has_value());

    const auto seen = recorder.requests();
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].method, "GET");
    EXPECT_EQ(seen[0].version, 11);
    EXPECT_EQ(seen[0].path(), "/scep");
    EXPECT_EQ(seen[0].query("operation"), "GetCACaps");
    EXPECT_EQ(seen[0].query("message"), "ab+cd+ef==");
    EXPECT_EQ(seen[0].query_raw("message"), "ab%2Bcd+ef%3D%3D");
    EXPECT_EQ(seen[0].header("user-agent"), "certkeeper/0.1");
    EXPECT_EQ(seen[0].remote_address, "127.0.0.1");
    EXPECT_NE(seen[0].remote_port, 0);
}

TEST_F(HttpServerTest, PostBodyReachesHandler) {
    const auto server = start([](const HttpServerRequest& request) {
        return HttpServerResponse::reply(200, request.body + request.header("Content-Type").value(),
                                         "application/x-pki-message");
    });
    const std::string body("\x30\x82\x00\x01binary\0body", 15);
    auto http = client();
    const auto result = http.send(post(url(*server, "/scep?operation=PKIOperation"), body));
    ASSERT_TRUE(result.has_value()) << result.error().to_string();
    EXPECT_EQ(result->status, 200);
    EXPECT_EQ(result->body, body + "application/x-pki-message");
    EXPECT_EQ(result->content_type(), "application/x-pki-message");
}

TEST_F(HttpServerTest, BodyOverTheLimitGets413WithoutReachingTheHandler) {
    std::atomic<int> calls{0};
    auto o = options();
    o.max_request_body_bytes = 1024;
    const auto server = start(
        [&](const HttpServerRequest& request) {
            ++calls;
            return HttpServerResponse::reply(200, std::to_string(request.body.size()));
        },
        o);
    auto http = client();
    const auto exact = http.send(post(url(*server, "/scep"), std::string(1024, 'a')));
    ASSERT_TRUE(exact.has_value()) << exact.error().to_string();
    EXPECT_EQ(exact->status, 200);
    EXPECT_EQ(exact->body, "1024");

    const auto over = http.send(post(url(*server, "/scep"), std::string(64 * 1024, 'a')));
    ASSERT_TRUE(over.has_value()) << over.error().to_string();
    EXPECT_EQ(over->status, 413);
    EXPECT_EQ(calls.load(), 1);
}

TEST_F(HttpServerTest, ChunkedBodyIsAcceptedWithinTheLimitOnly) {
    auto o = options();
    o.max_request_body_bytes = 10;
    const auto server = start(
        [](const HttpServerRequest& request) {
            return HttpServerResponse::reply(200, request.body);
        },
        o);
    RawConnection small(server->port());
    small.send(
        "POST /scep HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        "4\r\nabcd\r\n6\r\nefghij\r\n0\r\n\r\n");
    const auto accepted = small.read_response(io_timeout);
    EXPECT_TRUE(starts_with(accepted, "HTTP/1.1 200")) << accepted;
    EXPECT_TRUE(contains(accepted, "\r\n\r\nabcdefghij")) << accepted;

    RawConnection large(server->port());
    large.send(
        "POST /scep HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        "8\r\nabcdefgh\r\n8\r\nijklmnop\r\n0\r\n\r\n");
    const auto refused = large.read_until_closed(io_timeout);
    EXPECT_TRUE(starts_with(refused, "HTTP/1.1 413")) << refused;
    EXPECT_TRUE(large.closed());
}

TEST_F(HttpServerTest, ConnectionsOverTheLimitGet503) {
    auto o = options();
    o.max_connections = 1;
    const auto server = start(ok, o);
    auto holder = std::make_unique<RawConnection>(server->port());
    holder->send("GET /held HTTP/1.1\r\nHost: x\r\n\r\n");
    ASSERT_TRUE(starts_with(holder->read_response(io_timeout), "HTTP/1.1 200"));

    auto http = client();
    const auto refused = http.send(get(url(*server, "/scep")));
    ASSERT_TRUE(refused.has_value()) << refused.error().to_string();
    EXPECT_EQ(refused->status, 503);
    EXPECT_EQ(refused->header("Connection"), "close");

    holder.reset();  // the slot frees once the server has seen the close
    int status = 0;
    for (int attempt = 0; attempt < 50 && status != 200; ++attempt) {
        std::this_thread::sleep_for(20ms);
        const auto again = http.send(get(url(*server, "/scep")));
        status = again.has_value() ? again->status : 0;
    }
    EXPECT_EQ(status, 200);
}

TEST_F(HttpServerTest, SlowClientGets408AndIsClosed) {
    std::atomic<int> calls{0};
    auto o = options();
    o.read_timeout = 300ms;
    const auto server = start(
        [&](const HttpServerRequest& request) {
            ++calls;
            return ok(request);
        },
        o);
    RawConnection slow(server->port());
    const auto began = std::chrono::steady_clock::now();
    slow.send("GET /scep HTTP/1.1\r\nHost: x\r\n");  // never finishes its headers
    const auto answer = slow.read_until_closed(io_timeout);
    const auto elapsed = std::chrono::steady_clock::now() - began;
    EXPECT_TRUE(starts_with(answer, "HTTP/1.1 408")) << answer;
    EXPECT_TRUE(contains(answer, "Connection: close")) << answer;
    EXPECT_TRUE(slow.closed());
    EXPECT_GE(elapsed, 250ms);
    EXPECT_LT(elapsed, 3s);
    EXPECT_EQ(calls.load(), 0);
}

TEST_F(HttpServerTest, MalformedRequestGets400AndIsClosed) {
    const auto server = start(ok);
    RawConnection garbage(server->port());
    garbage.send("THIS IS NOT HTTP\r\n\r\n");
    const auto answer = garbage.read_until_closed(io_timeout);
    EXPECT_TRUE(starts_with(answer, "HTTP/1.1 400")) << answer;
    EXPECT_TRUE(garbage.closed());

    RawConnection bad_header(server->port());
    bad_header.send("GET / HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n");
    EXPECT_TRUE(starts_with(bad_header.read_until_closed(io_timeout), "HTTP/1.1 400"));
}

TEST_F(HttpServerTest, HeadersOverTheLimitGet431) {
    auto o = options();
    o.max_header_bytes = 1024;
    const auto server = start(ok, o);
    RawConnection big(server->port());
    big.send("GET /scep?message=" + std::string(2048, 'A') + " HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_TRUE(starts_with(big.read_until_closed(io_timeout), "HTTP/1.1 431"));
}

TEST_F(HttpServerTest, HandlerExceptionGives500AndALogLine) {
    const auto server = start([](const HttpServerRequest& request) -> HttpServerResponse {
        if (request.path() == "/throw") {
            throw std::runtime_error("boom");
        }
        if (request.path() == "/bad-status") {
            return HttpServerResponse::reply(42, "");
        }
        if (request.path() == "/bad-header") {
            auto response = HttpServerResponse::reply(200, "");
            response.headers.emplace_back("X-Injected", "a\r\nSet-Cookie: b");
            return response;
        }
        return ok(request);
    });
    auto http = client();
    for (const char* target : {"/throw", "/bad-status", "/bad-header"}) {
        const auto result = http.send(get(url(*server, target)));
        ASSERT_TRUE(result.has_value()) << result.error().to_string();
        EXPECT_EQ(result->status, 500) << target;
        EXPECT_FALSE(result->header("Set-Cookie").has_value());
    }
    const auto after = http.send(get(url(*server, "/fine")));
    ASSERT_TRUE(after.has_value());
    EXPECT_EQ(after->status, 200);

    int errors = 0;
    for (const auto& line : m_sink.lines()) {
        errors += line.level == common::LogLevel::error ? 1 : 0;
    }
    EXPECT_EQ(errors, 3);
    EXPECT_TRUE(m_sink.contains("handler for GET /throw threw: boom"));
    EXPECT_TRUE(m_sink.contains("path=/throw status=500"));
}

TEST_F(HttpServerTest, KeepAliveReusesTheConnection) {
    Recorder recorder;
    const auto server = start([&](const HttpServerRequest& request) {
        recorder.record(request);
        return ok(request);
    });
    auto http = client();
    ASSERT_TRUE(http.send(get(url(*server, "/one"))).has_value());
    ASSERT_TRUE(http.send(post(url(*server, "/two"), "body")).has_value());
    const auto seen = recorder.requests();
    ASSERT_EQ(seen.size(), 2u);
    EXPECT_EQ(seen[0].remote_port, seen[1].remote_port);
}

TEST_F(HttpServerTest, Http10IsAnsweredInKindAndClosedUnlessKeepAliveIsAsked) {
    const auto server = start(ok);
    RawConnection plain(server->port());
    plain.send("GET /scep?operation=GetCACaps HTTP/1.0\r\n\r\n");
    const auto answer = plain.read_until_closed(io_timeout);
    EXPECT_TRUE(starts_with(answer, "HTTP/1.0 200")) << answer;
    EXPECT_TRUE(contains(answer, "Content-Length: 2\r\n")) << answer;
    EXPECT_TRUE(plain.closed());

    RawConnection kept(server->port());
    kept.send("GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    const auto first = kept.read_response(io_timeout);
    EXPECT_TRUE(starts_with(first, "HTTP/1.0 200")) << first;
    EXPECT_TRUE(contains(first, "Connection: keep-alive\r\n")) << first;
    kept.send("GET /b HTTP/1.0\r\n\r\n");
    EXPECT_TRUE(starts_with(kept.read_response(io_timeout), "HTTP/1.0 200"));
}

TEST_F(HttpServerTest, HeadGetsTheLengthButNoBody) {
    const auto server = start(ok);
    RawConnection conn(server->port());
    conn.send("HEAD /scep HTTP/1.0\r\n\r\n");
    const auto answer = conn.read_until_closed(io_timeout);
    EXPECT_TRUE(starts_with(answer, "HTTP/1.0 200")) << answer;
    EXPECT_TRUE(contains(answer, "Content-Length: 2\r\n")) << answer;
    EXPECT_EQ(answer.substr(answer.size() - 4), "\r\n\r\n") << answer;
}

TEST_F(HttpServerTest, ExpectContinueGetsAnInterimResponse) {
    const auto server = start([](const HttpServerRequest& request) {
        return HttpServerResponse::reply(200, request.body);
    });
    RawConnection conn(server->port());
    conn.send(
        "POST /scep HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
    EXPECT_EQ(conn.read_response(io_timeout), "HTTP/1.1 100 Continue\r\n\r\n");
    conn.send("hello");
    const auto answer = conn.read_response(io_timeout);
    EXPECT_TRUE(starts_with(answer, "HTTP/1.1 200")) << answer;
    EXPECT_TRUE(contains(answer, "\r\n\r\nhello")) << answer;
}

TEST_F(HttpServerTest, IdleKeptAliveConnectionIsClosed) {
    auto o = options();
    o.keep_alive_timeout = 200ms;
    const auto server = start(ok, o);
    RawConnection idle(server->port());
    idle.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_TRUE(starts_with(idle.read_response(io_timeout), "HTTP/1.1 200"));
    EXPECT_EQ(idle.read_until_closed(io_timeout), "");
    EXPECT_TRUE(idle.closed());
}

TEST_F(HttpServerTest, AccessLogLineHasNoQueryString) {
    const auto server = start(ok);
    auto http = client();
    ASSERT_TRUE(http.send(get(url(*server, "/scep?operation=PKIOperation&message=SECRETMESSAGE")))
                    .has_value());
    const auto lines = m_sink.lines();
    ASSERT_FALSE(lines.empty());
    std::string access;
    for (const auto& line : lines) {
        EXPECT_FALSE(contains(line.message, "SECRETMESSAGE")) << line.message;
        EXPECT_FALSE(contains(line.message, "operation")) << line.message;
        if (starts_with(line.message, "remote=")) {
            access = line.message;
        }
    }
    EXPECT_TRUE(starts_with(access,
                            "remote=127.0.0.1 method=GET path=/scep status=200 bytes=2 "
                            "duration_ms="))
        << access;
}

TEST_F(HttpServerTest, HandlersRunInParallelOnTwoWorkers) {
    Rendezvous rendezvous;
    const auto server = start([&](const HttpServerRequest&) {
        const bool met = rendezvous.arrive_and_wait(io_timeout);
        return HttpServerResponse::reply(met ? 200 : 500, met ? "together" : "alone");
    });
    const auto call = [&] {
        auto http = client();
        const auto result = http.send(get(url(*server, "/sign")));
        return result.has_value() ? result->status : 0;
    };
    auto first = std::async(std::launch::async, call);
    auto second = std::async(std::launch::async, call);
    EXPECT_EQ(first.get(), 200);
    EXPECT_EQ(second.get(), 200);
}

TEST_F(HttpServerTest, StopLetsTheRequestInProgressFinish) {
    std::promise<void> entered;
    const auto server = start([&](const HttpServerRequest&) {
        entered.set_value();
        std::this_thread::sleep_for(300ms);  // a slow handler, e.g. RSA signing
        return HttpServerResponse::reply(200, "signed");
    });
    const std::uint16_t port = server->port();
    auto in_flight = std::async(std::launch::async, [&] {
        auto http = client();
        return http.send(get(url(*server, "/scep")));
    });
    ASSERT_EQ(entered.get_future().wait_for(io_timeout), std::future_status::ready);
    server->stop();

    const auto result = in_flight.get();
    ASSERT_TRUE(result.has_value()) << result.error().to_string();
    EXPECT_EQ(result->status, 200);
    EXPECT_EQ(result->body, "signed");
    EXPECT_EQ(result->header("Connection"), "close");
    EXPECT_THROW(RawConnection{port}, std::runtime_error);
}

TEST_F(HttpServerTest, StopDeadlineClosesRequestsThatTakeTooLong) {
    auto o = options();
    o.stop_timeout = 100ms;
    std::promise<void> entered;
    const auto server = start(
        [&](const HttpServerRequest&) {
            entered.set_value();
            std::this_thread::sleep_for(600ms);
            return HttpServerResponse::reply(200, "late");
        },
        o);
    RawConnection idle(server->port());
    auto in_flight = std::async(std::launch::async, [&] {
        auto http = client();
        return http.send(get(url(*server, "/scep")));
    });
    ASSERT_EQ(entered.get_future().wait_for(io_timeout), std::future_status::ready);
    server->request_stop();
    EXPECT_EQ(idle.read_until_closed(io_timeout), "");  // idle connections go at once
    EXPECT_TRUE(idle.closed());
    server->wait();
    const auto result = in_flight.get();
    EXPECT_FALSE(result.has_value());
    EXPECT_TRUE(m_sink.contains("stop deadline passed"));
}

TEST_F(HttpServerTest, RequestStopIsIdempotentAndWaitReturns) {
    const auto server = start(ok);
    server->request_stop();
    server->request_stop();
    server->wait();
    server->stop();
    EXPECT_TRUE(m_sink.contains("stopped"));
}

}  // namespace
}  // namespace transport
