// HttpServer: the HTTP/1.1 server (Boost.Beast) behind the SCEP responder and, later, the CWMP
// connection-request listener. Plain HTTP only; put TLS in front of it if it is needed.
//
// Every request is read completely (within the limits of HttpServerOptions), handed to one
// HttpHandler on a worker thread and answered with a Content-Length framed response. The server
// answers by itself when a request never reaches the handler:
//   400 malformed request, 408 request not complete within read_timeout, 413 body over
//   max_request_body_bytes, 431 request line and headers over max_header_bytes, 503 connection
//   over max_connections (sent at once, the request is not read), 500 handler threw or returned
//   something unsendable (status outside 200-599, CR/LF in a header).
// Each of these closes the connection. Keep-alive follows the client (RFC 9112 §9.3): HTTP/1.1
// unless "Connection: close", HTTP/1.0 only with "Connection: keep-alive"; the response carries
// the request's HTTP version. "Expect: 100-continue" is honoured; chunked request bodies are
// accepted within the body limit.
//
// One info line per answered request goes to the logger when the response is ready to send:
//   remote=ADDR method=GET path=/scep status=200 bytes=1234 duration_ms=12
// (path still percent-encoded, "-" for what could not be parsed; bytes: the response body;
// duration: from the request's first byte). Never the query string (a SCEP GET carries its
// message there), headers or bodies. Handler exceptions are logged at error level.
//
// Thread-safety: the handler runs concurrently on the worker threads, one request per
// connection at a time; it must be thread-safe and should not block for long (a worker blocked
// in a handler serves nobody else). port(), request_stop(), wait() and stop() may be called
// from any thread except a worker (that is, not from inside the handler).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/log.h"
#include "common/result.h"
#include "transport/http_client.h"

namespace transport {

struct HttpServerOptions {
    // IPv4 or IPv6 literal; no host names.
    std::string bind_address = "127.0.0.1";
    // 0 = an ephemeral port (HttpServer::port() tells which).
    std::uint16_t port = 0;
    // Threads that run handlers and I/O. 0 = max(2, std::thread::hardware_concurrency()).
    std::size_t worker_threads = 0;
    // Open connections at most; one more gets 503 and is closed.
    std::size_t max_connections = 256;
    // Request body bytes at most (after de-chunking); more gets 413.
    std::size_t max_request_body_bytes = 1024u * 1024u;
    // Request line plus headers, bytes at most; more gets 431. A SCEP GET PKIOperation carries
    // its base64 message in the request line, several KB.
    std::size_t max_header_bytes = 64u * 1024u;
    // From the first byte of a request to its last; a request not complete by then gets 408.
    std::chrono::milliseconds read_timeout{10000};
    // How long a kept-alive connection may wait for the first byte of its next request; also
    // how long a new connection may wait for its first byte. Then it is closed without a word.
    std::chrono::milliseconds keep_alive_timeout{5000};
    // Writing one response; a client that reads slower is disconnected.
    std::chrono::milliseconds write_timeout{30000};
    // After a stop is requested, how long requests in progress may take before every
    // connection is closed.
    std::chrono::milliseconds stop_timeout{10000};
    // The Server header; empty = none.
    std::string server_name = "certkeeper";
};

struct HttpServerRequest {
    std::string method;           // "GET", "POST", ... as sent
    std::string target;           // path and query as sent: "/scep?operation=GetCACaps"
    int version = 11;             // 10 = HTTP/1.0, 11 = HTTP/1.1
    std::vector<Header> headers;  // in order received
    std::string body;
    std::string remote_address;  // "127.0.0.1", "::1"
    std::uint16_t remote_port = 0;

    // The target up to '?', still percent-encoded ("/cgi-bin/pkiclient.exe"), so that an
    // encoded '/' cannot change which route matches.
    std::string_view path() const;
    // The value of the first query parameter with this (decoded) name, as sent. nullopt if
    // absent; "" for "name" or "name=".
    std::optional<std::string> query_raw(std::string_view name) const;
    // As query_raw(), percent-decoded. '+' stays '+' (SCEP clients send base64 with unescaped
    // '+'); a '%' not followed by two hex digits stays as it is.
    std::optional<std::string> query(std::string_view name) const;
    // Case-insensitive: the first value, or nullopt.
    std::optional<std::string> header(std::string_view name) const;
};

struct HttpServerResponse {
    int status = 200;             // 200-599
    std::vector<Header> headers;  // Content-Length, Connection and Transfer-Encoding are the
                                  // server's: handler values for them are dropped
    std::string body;

    // A response with a status, a body and (unless empty) a Content-Type.
    static HttpServerResponse reply(int status, std::string body,
                                    std::string content_type = "text/plain");
};

using HttpHandler = std::function<HttpServerResponse(const HttpServerRequest&)>;

class HttpServer {
public:
    // Binds, listens and starts the worker threads. Errors: Errc::invalid_argument (address
    // not an IP literal, zero limits), Errc::io (socket, bind or listen failed, e.g. the port
    // is in use; not retryable). REQUIRES: the logger's sink outlives the server.
    static common::Result<std::unique_ptr<HttpServer>> start(HttpServerOptions options,
                                                             HttpHandler handler,
                                                             common::Logger logger);
    // stop().
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    // The port bound (the ephemeral one if options.port was 0).
    std::uint16_t port() const;

    // Begins a graceful stop and returns at once: stop accepting, close idle connections, let
    // requests in progress finish (answered with "Connection: close") for up to stop_timeout,
    // then close every connection (a handler still running then has its response dropped).
    // Async-signal-safe (one write(2) to a self-pipe), so it may be called from a signal handler;
    // also thread-safe and idempotent.
    void request_stop() noexcept;
    // Blocks until the server has stopped and its threads are joined. A handler that never
    // returns blocks this forever.
    void wait();
    // request_stop() and wait().
    void stop();

private:
    struct Impl;
    explicit HttpServer(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

}  // namespace transport
