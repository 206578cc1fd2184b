// A scriptable HTTP/1.1 server on 127.0.0.1 for tests (Boost.Beast). It listens on an ephemeral
// port from construction on, serves on its own thread and answers every request with what the
// handler returns; a response can be delayed, truncated or replaced by a dropped connection, so
// that clients' timeouts and error paths can be tested without sleeps in the test itself.
//
// Thread-safety: the handler runs on the server's thread, one request at a time; the other
// members may be called from any thread. The destructor stops the thread and closes every
// connection, abandoning delayed responses.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fakes {

class TestHttpServer {
public:
    using Header = std::pair<std::string, std::string>;

    struct Request {
        std::string method;           // "GET", "POST", ...
        std::string target;           // path and query as sent: "/pkiclient.exe?operation=..."
        std::vector<Header> headers;  // in order received
        std::string body;

        // Case-insensitive: the first value, or nullopt.
        std::optional<std::string> header(std::string_view name) const;
        // The target's path without the query.
        std::string path() const;
        // The raw (still percent-encoded) value of a query parameter, or nullopt.
        std::optional<std::string> query_parameter(std::string_view name) const;
    };

    struct Response {
        int status = 200;
        std::vector<Header> headers;  // e.g. {"Content-Type", "application/x-x509-ca-cert"}
        std::string body;
        // Waited (on a timer, not a sleep) before anything is sent.
        std::chrono::milliseconds delay{0};
        // After the delay, close the connection without sending anything.
        bool close_without_response = false;
        // Send the body chunked (no Content-Length).
        bool chunked = false;
        // Announce this Content-Length instead of the body's size, then close after the body:
        // a larger value makes a truncated response.
        std::optional<std::uint64_t> announced_length;
    };

    using Handler = std::function<Response(const Request&)>;

    // A response with a status, a body and (unless empty) a Content-Type.
    static Response reply(int status, std::string body, std::string content_type = "text/plain");

    // Binds 127.0.0.1:0 and starts serving. Throws std::system_error if the socket fails.
    explicit TestHttpServer(Handler handler);
    ~TestHttpServer();
    TestHttpServer(const TestHttpServer&) = delete;
    TestHttpServer& operator=(const TestHttpServer&) = delete;

    std::uint16_t port() const;
    // "http://127.0.0.1:PORT" + target.
    std::string url(std::string_view target = "/") const;

    // Replaces the handler for requests read from now on.
    void set_handler(Handler handler);

    // Requests read completely (whether or not they were answered).
    std::size_t request_count() const;
    // Copies of every request read, in order.
    std::vector<Request> requests() const;
    // Connections accepted.
    std::size_t connection_count() const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

}  // namespace fakes
