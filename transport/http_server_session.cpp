#include "transport/http_server_session.h"

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <exception>
#include <limits>

namespace transport::detail {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

// How long a connection being closed after a final response keeps reading (and discarding)
// what the client still sends, so that the response is not lost to a TCP reset.
constexpr std::chrono::milliseconds max_linger{2000};
constexpr std::size_t first_read_size = 4096;
constexpr std::string_view continue_line = "HTTP/1.1 100 Continue\r\n\r\n";

std::string_view view(beast::string_view s) {
    return {s.data(), s.size()};
}

bool iequals(std::string_view a, std::string_view b) {
    return beast::iequals(beast::string_view(a.data(), a.size()),
                          beast::string_view(b.data(), b.size()));
}

// RFC 9110 §5.6.2 token characters.
bool is_token(std::string_view name) {
    static constexpr std::string_view specials = "!#$%&'*+-.^_`|~";
    return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
               specials.find(c) != std::string_view::npos;
    });
}

bool is_field_value(std::string_view value) {
    return value.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

// Spaces, controls and non-ASCII as %XX, so that a log line stays one line of fields.
std::string sanitize_for_log(std::string_view text) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(text.size());
    for (const char ch : text) {
        const auto byte = static_cast<unsigned char>(ch);
        if (byte <= 0x20 || byte >= 0x7f) {
            out += '%';
            out += hex[byte >> 4];
            out += hex[byte & 0x0f];
        } else {
            out += ch;
        }
    }
    return out;
}

// RFC 9110 §5.6.7 IMF-fixdate, independent of the process locale.
std::string http_date(std::chrono::system_clock::time_point now) {
    static constexpr const char* days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static constexpr const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                             "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    const std::time_t t = std::chrono::system_clock::to_time_t(now);
    std::tm tm{};
    if (gmtime_r(&t, &tm) == nullptr) {
        return {};
    }
    char out[96];
    std::snprintf(out, sizeof out, "%s, %02d %s %04d %02d:%02d:%02d GMT", days[tm.tm_wday % 7],
                  tm.tm_mday, months[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                  tm.tm_sec);
    return out;
}

// Why the response cannot be sent as it is, or "" if it can.
std::string unsendable(const HttpServerResponse& response) {
    if (response.status < 200 || response.status > 599) {
        return "status " + std::to_string(response.status);
    }
    for (const auto& [name, value] : response.headers) {
        if (!is_token(name) || !is_field_value(value)) {
            return "header " + sanitize_for_log(name);
        }
    }
    return {};
}

// The status to answer a failed read with, or 0 to close without answering.
unsigned status_for_read_error(const boost::system::error_code& ec, bool timed_out) {
    if (timed_out) {
        return 408;
    }
    if (ec == http::error::body_limit) {
        return 413;
    }
    if (ec == http::error::header_limit) {
        return 431;
    }
    if (ec.category() == http::make_error_code(http::error::bad_target).category() &&
        ec != http::error::end_of_stream && ec != http::error::partial_message) {
        return 400;
    }
    return 0;  // end of stream, reset, cancelled: nobody to answer
}

HttpServerRequest to_request(http::request<http::string_body>&& message,
                             const std::string& remote_address, std::uint16_t remote_port) {
    HttpServerRequest request;
    request.method = std::string(message.method_string());
    request.target = std::string(message.target());
    request.version = static_cast<int>(message.version());
    for (const auto& field : message) {
        request.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    request.body = std::move(message.body());
    request.remote_address = remote_address;
    request.remote_port = remote_port;
    return request;
}

// REQUIRES: unsendable(reply) is empty.
http::response<http::string_body> to_message(HttpServerResponse reply, unsigned version,
                                             bool keep_alive, bool head,
                                             const std::string& server_name) {
    http::response<http::string_body> message;
    message.version(version);
    message.result(static_cast<unsigned>(reply.status));
    for (const auto& [name, value] : reply.headers) {
        message.insert(name, value);
    }
    message.erase(http::field::content_length);
    message.erase(http::field::transfer_encoding);
    message.erase(http::field::connection);
    message.erase(http::field::keep_alive);
    if (!server_name.empty() && message.count(http::field::server) == 0) {
        message.set(http::field::server, server_name);
    }
    message.set(http::field::date, http_date(std::chrono::system_clock::now()));
    message.body() = std::move(reply.body);
    message.prepare_payload();
    if (head) {
        message.body().clear();  // Content-Length stays that of the GET response
    }
    message.keep_alive(keep_alive);
    return message;
}

}  // namespace

ServerCore::ServerCore(HttpServerOptions options, HttpHandler handler, common::Logger logger)
    : m_options(std::move(options)), m_handler(std::move(handler)), m_logger(std::move(logger)) {}

HttpServerResponse ServerCore::call_handler(const HttpServerRequest& request) const {
    const auto where = sanitize_for_log(request.method) + " " + sanitize_for_log(request.path());
    try {
        HttpServerResponse response = m_handler(request);
        const std::string problem = unsendable(response);
        if (problem.empty()) {
            return response;
        }
        m_logger.error("handler for " + where + " returned an unsendable response: " + problem);
    } catch (const std::exception& e) {
        m_logger.error("handler for " + where + " threw: " + e.what());
    } catch (...) {
        m_logger.error("handler for " + where + " threw a non-standard exception");
    }
    return HttpServerResponse::reply(500, "Internal Server Error\n");
}

std::pair<std::uint64_t, bool> ServerCore::add(std::weak_ptr<Session> session) {
    std::lock_guard lock(m_mutex);
    const bool counted = m_counted < m_options.max_connections;
    const std::uint64_t id = ++m_next_id;
    m_sessions.emplace(id, Entry{std::move(session), counted});
    if (counted) {
        ++m_counted;
    }
    return {id, counted};
}

void ServerCore::remove(std::uint64_t id) {
    std::function<void()> drained;
    {
        std::lock_guard lock(m_mutex);
        const auto it = m_sessions.find(id);
        if (it == m_sessions.end()) {
            return;
        }
        if (it->second.counted) {
            --m_counted;
        }
        m_sessions.erase(it);
        if (m_sessions.empty() && stopping()) {
            drained = m_drained;
        }
    }
    if (drained) {
        drained();
    }
}

std::vector<std::shared_ptr<Session>> ServerCore::sessions() const {
    std::vector<std::shared_ptr<Session>> out;
    std::lock_guard lock(m_mutex);
    for (const auto& [id, entry] : m_sessions) {
        if (auto session = entry.session.lock()) {
            out.push_back(std::move(session));
        }
    }
    return out;
}

void ServerCore::set_drained_callback(std::function<void()> callback) {
    std::lock_guard lock(m_mutex);
    m_drained = std::move(callback);
}

Session::Session(tcp::socket socket, ServerCore& core)
    : m_socket(std::move(socket)), m_timer(m_socket.get_executor()), m_core(core) {
    boost::system::error_code ec;
    const auto remote = m_socket.remote_endpoint(ec);
    if (!ec) {
        m_remote_address = remote.address().to_string();
        m_remote_port = remote.port();
    } else {
        m_remote_address = "-";
    }
    m_socket.set_option(tcp::no_delay(true), ec);
}

Session::~Session() {
    if (m_registered) {
        m_core.remove(m_id);
    }
}

void Session::start() {
    asio::dispatch(m_socket.get_executor(), [self = shared_from_this()] { self->begin(); });
}

void Session::stop() {
    asio::dispatch(m_socket.get_executor(), [self = shared_from_this()] {
        if (self->m_phase == Phase::idle) {
            self->close();
        }
    });
}

void Session::force_close() {
    m_force_closed.store(true);  // at once: a handler running now must not get its answer out
    asio::dispatch(m_socket.get_executor(), [self = shared_from_this()] { self->close(); });
}

void Session::begin() {
    const auto [id, counted] = m_core.add(weak_from_this());
    m_id = id;
    m_registered = true;
    if (m_core.stopping()) {
        close();
        return;
    }
    if (!counted) {
        m_started = std::chrono::steady_clock::now();
        answer_error(503);
        return;
    }
    wait_for_request();
}

// Waits for the first byte of a request with the idle timeout; a request already (partly) in
// the buffer, pipelined behind the previous one, is read at once.
void Session::wait_for_request() {
    if (m_core.stopping()) {
        linger();
        return;
    }
    m_parser.emplace();
    const auto& options = m_core.options();
    m_parser->header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(
        options.max_header_bytes, std::numeric_limits<std::uint32_t>::max())));
    m_parser->body_limit(static_cast<std::uint64_t>(options.max_request_body_bytes));
    m_log_method = "-";
    m_log_path = "-";
    if (m_buffer.size() > 0) {
        m_started = std::chrono::steady_clock::now();
        read_header();
        return;
    }
    m_phase = Phase::idle;
    arm_timer(options.keep_alive_timeout);
    m_socket.async_read_some(m_buffer.prepare(first_read_size),
                             [self = shared_from_this()](const ErrorCode& ec, std::size_t bytes) {
                                 self->on_first_bytes(ec, bytes);
                             });
}

void Session::on_first_bytes(const ErrorCode& ec, std::size_t bytes) {
    if (ec) {
        close();  // idle timeout, the client closed, or the server is stopping
        return;
    }
    m_buffer.commit(bytes);
    m_started = std::chrono::steady_clock::now();
    read_header();
}

void Session::read_header() {
    m_phase = Phase::reading;
    arm_timer(m_core.options().read_timeout);
    http::async_read_header(
        m_socket, m_buffer, *m_parser,
        [self = shared_from_this()](const ErrorCode& ec, std::size_t) { self->on_header(ec); });
}

void Session::on_header(const ErrorCode& ec) {
    if (m_parser->is_header_done()) {
        m_log_method = sanitize_for_log(view(m_parser->get().method_string()));
        const auto target = view(m_parser->get().target());
        m_log_path = sanitize_for_log(target.substr(0, target.find('?')));
    }
    if (ec) {
        answer_error(status_for_read_error(ec, m_timed_out));
        return;
    }
    const auto& header = m_parser->get();
    const auto expect = header[http::field::expect];
    if (header.version() >= 11 && iequals(view(expect), "100-continue")) {
        asio::async_write(m_socket, asio::buffer(continue_line.data(), continue_line.size()),
                          [self = shared_from_this()](const ErrorCode& write_ec, std::size_t) {
                              if (write_ec) {
                                  self->close();
                              } else {
                                  self->read_body();
                              }
                          });
        return;
    }
    read_body();
}

void Session::read_body() {
    http::async_read(
        m_socket, m_buffer, *m_parser,
        [self = shared_from_this()](const ErrorCode& ec, std::size_t) { self->on_body(ec); });
}

void Session::on_body(const ErrorCode& ec) {
    if (ec) {
        answer_error(status_for_read_error(ec, m_timed_out));
        return;
    }
    disarm_timer();
    answer();
}

// Runs the handler here, on this worker thread, and sends what it returns.
void Session::answer() {
    m_phase = Phase::handling;
    Request message = m_parser->release();
    const unsigned version = message.version() == 10 ? 10 : 11;
    const bool keep_alive = message.keep_alive();
    const bool head = message.method() == http::verb::head;
    const HttpServerRequest request =
        to_request(std::move(message), m_remote_address, m_remote_port);
    HttpServerResponse reply = m_core.call_handler(request);
    send(to_message(std::move(reply), version, keep_alive && !m_core.stopping(), head,
                    m_core.options().server_name));
}

// Answers a request that never reached the handler, then closes; 0 = close at once.
void Session::answer_error(unsigned status) {
    if (status == 0) {
        close();
        return;
    }
    const auto reason = view(http::obsolete_reason(http::int_to_status(status)));
    auto reply = HttpServerResponse::reply(static_cast<int>(status), std::string(reason) + "\n");
    send(to_message(std::move(reply), 11, false, false, m_core.options().server_name));
}

// Logs the exchange and writes the response.
void Session::send(Response response) {
    if (m_force_closed.load()) {
        m_core.logger().warning("remote=" + m_remote_address + " method=" + m_log_method +
                                " path=" + m_log_path + ": response dropped, server stopped");
        close();
        return;
    }
    m_phase = Phase::writing;
    m_response = std::move(response);
    log_access(m_response.result_int(), m_response.body().size());
    arm_timer(m_core.options().write_timeout);
    http::async_write(
        m_socket, m_response,
        [self = shared_from_this()](const ErrorCode& ec, std::size_t) { self->on_written(ec); });
}

void Session::on_written(const ErrorCode& ec) {
    disarm_timer();
    if (ec) {
        close();
    } else if (m_response.keep_alive()) {
        wait_for_request();
    } else {
        linger();
    }
}

// Half-closes, then reads and discards until the client closes too or max_linger passes.
void Session::linger() {
    m_phase = Phase::closing;
    ErrorCode ignored;
    m_socket.shutdown(tcp::socket::shutdown_send, ignored);
    arm_timer(std::min(max_linger, m_core.options().read_timeout));
    drain();
}

void Session::drain() {
    m_socket.async_read_some(asio::buffer(m_drain_buffer),
                             [self = shared_from_this()](const ErrorCode& ec, std::size_t) {
                                 if (ec) {
                                     self->close();
                                 } else {
                                     self->drain();
                                 }
                             });
}

void Session::close() {
    m_phase = Phase::closing;
    disarm_timer();
    ErrorCode ignored;
    m_socket.close(ignored);
}

// Each arming supersedes the previous one: a wait that completes for an older arming (one
// already expired when it was disarmed) is ignored.
void Session::arm_timer(std::chrono::milliseconds after) {
    const std::uint64_t generation = ++m_timer_generation;
    m_timed_out = false;
    m_timer.expires_after(after);
    m_timer.async_wait([self = shared_from_this(), generation](const ErrorCode& ec) {
        if (!ec && generation == self->m_timer_generation) {
            self->on_timeout();
        }
    });
}

void Session::disarm_timer() {
    ++m_timer_generation;
    m_timer.cancel();
}

void Session::on_timeout() {
    if (m_phase == Phase::reading) {
        m_timed_out = true;  // the read completes with operation_aborted and gets a 408
        ErrorCode ignored;
        m_socket.cancel(ignored);
    } else {
        close();
    }
}

void Session::log_access(unsigned status, std::size_t bytes) const {
    const auto elapsed = std::chrono::steady_clock::now() - m_started;
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count();
    m_core.logger().info("remote=" + m_remote_address + " method=" + m_log_method +
                         " path=" + m_log_path + " status=" + std::to_string(status) +
                         " bytes=" + std::to_string(bytes) + " duration_ms=" + std::to_string(ms));
}

}  // namespace transport::detail
