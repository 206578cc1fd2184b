// Internal to HttpServer (http_server.cpp): one connection, and what connections share with the
// server. Not installed, not included outside transport/.
//
// A Session lives on its own strand: every operation on its socket and timer, and every call
// the server makes into it (stop(), force_close()), runs there. It is owned by the handlers of
// its pending operations and disappears when the last one completes.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/log.h"
#include "transport/http_server.h"

namespace transport::detail {

class Session;

// What the sessions share with the server. Outlives every session (the server destroys its
// io_context, which owns the sessions, first). Thread-safe.
class ServerCore {
public:
    ServerCore(HttpServerOptions options, HttpHandler handler, common::Logger logger);

    const HttpServerOptions& options() const { return m_options; }
    const common::Logger& logger() const { return m_logger; }

    // The handler's response, or a 500 if it threw or returned something unsendable (logged).
    HttpServerResponse call_handler(const HttpServerRequest& request) const;

    bool stopping() const { return m_stopping.load(); }
    void set_stopping() { m_stopping.store(true); }

    // Registers a session; false if it is over max_connections (it is then registered as one
    // that does not count, to be answered 503 and closed). Returns the id to remove it by.
    std::pair<std::uint64_t, bool> add(std::weak_ptr<Session> session);
    // Unregisters; calls the drained callback when the last session goes while stopping.
    void remove(std::uint64_t id);
    std::vector<std::shared_ptr<Session>> sessions() const;
    // Called from any thread, outside the registry's lock; empty = none.
    void set_drained_callback(std::function<void()> callback);

private:
    struct Entry {
        std::weak_ptr<Session> session;
        bool counted = false;
    };

    const HttpServerOptions m_options;
    const HttpHandler m_handler;
    const common::Logger m_logger;
    std::atomic<bool> m_stopping{false};

    mutable std::mutex m_mutex;
    std::unordered_map<std::uint64_t, Entry> m_sessions;
    std::uint64_t m_next_id = 0;
    std::size_t m_counted = 0;
    std::function<void()> m_drained;
};

class Session final : public std::enable_shared_from_this<Session> {
public:
    // REQUIRES: socket's executor is a strand of its own.
    Session(boost::asio::ip::tcp::socket socket, ServerCore& core);
    ~Session();
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    // Registers with the core and starts serving (or answers 503). Any thread.
    void start();
    // The server is stopping: close now if waiting for a request, else after this response.
    void stop();
    // Close now, whatever is in progress; a handler running now has its response dropped.
    void force_close();

private:
    using Request = boost::beast::http::request<boost::beast::http::string_body>;
    using Response = boost::beast::http::response<boost::beast::http::string_body>;
    using Parser = boost::beast::http::request_parser<boost::beast::http::string_body>;
    using ErrorCode = boost::system::error_code;
    enum class Phase { idle, reading, handling, writing, closing };

    void begin();
    void wait_for_request();
    void on_first_bytes(const ErrorCode& ec, std::size_t bytes);
    void read_header();
    void on_header(const ErrorCode& ec);
    void read_body();
    void on_body(const ErrorCode& ec);
    void answer();
    void answer_error(unsigned status);
    void send(Response response);
    void on_written(const ErrorCode& ec);
    void linger();
    void drain();
    void close();
    void arm_timer(std::chrono::milliseconds after);
    void disarm_timer();
    void on_timeout();
    void log_access(unsigned status, std::size_t bytes) const;

    boost::asio::ip::tcp::socket m_socket;
    boost::asio::steady_timer m_timer;
    ServerCore& m_core;
    std::uint64_t m_id = 0;
    bool m_registered = false;
    std::string m_remote_address;
    std::uint16_t m_remote_port = 0;

    boost::beast::flat_buffer m_buffer;
    std::optional<Parser> m_parser;
    Response m_response;
    Phase m_phase = Phase::idle;
    bool m_timed_out = false;
    std::atomic<bool> m_force_closed{false};
    std::uint64_t m_timer_generation = 0;
    std::array<char, 4096> m_drain_buffer{};

    // For the access log line of the exchange in progress.
    std::string m_log_method = "-";
    std::string m_log_path = "-";
    std::chrono::steady_clock::time_point m_started;
};

}  // namespace transport::detail
