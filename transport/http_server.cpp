#include "transport/http_server.h"

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <exception>
#include <mutex>
#include <thread>

#include "transport/http_server_session.h"

namespace transport {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using ErrorCode = boost::system::error_code;

// After an accept error other than cancellation (e.g. EMFILE), wait this long before the next.
constexpr std::chrono::milliseconds accept_retry_delay{100};

char lower(char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                              [](char x, char y) { return lower(x) == lower(y); });
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

// RFC 3986 §2.1; '+' is not a space here, and a malformed escape is kept as it is.
std::string percent_decode(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 &&
            hex_value(text[i + 2]) >= 0) {
            out += static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2]));
            i += 2;
        } else {
            out += text[i];
        }
    }
    return out;
}

// The raw value of the first parameter whose decoded name is name.
std::optional<std::string_view> find_query_parameter(std::string_view target,
                                                     std::string_view name) {
    const auto question = target.find('?');
    if (question == std::string_view::npos) {
        return std::nullopt;
    }
    std::string_view query = target.substr(question + 1);
    for (;;) {
        const auto amp = query.find('&');
        const auto pair = query.substr(0, amp);
        const auto eq = pair.find('=');
        const auto key = pair.substr(0, eq);
        if (!pair.empty() && (key == name || percent_decode(key) == name)) {
            return eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
        }
        if (amp == std::string_view::npos) {
            return std::nullopt;
        }
        query.remove_prefix(amp + 1);
    }
}

// Why the options cannot be used, or "" if they can.
std::string check_options(const HttpServerOptions& options) {
    using std::chrono::milliseconds;
    if (options.max_connections == 0) {
        return "max_connections is 0";
    }
    if (options.max_header_bytes == 0) {
        return "max_header_bytes is 0";
    }
    if (options.read_timeout <= milliseconds(0) || options.keep_alive_timeout <= milliseconds(0) ||
        options.write_timeout <= milliseconds(0) || options.stop_timeout < milliseconds(0)) {
        return "a timeout is not positive";
    }
    return {};
}

std::string endpoint_text(const tcp::endpoint& endpoint) {
    const auto address = endpoint.address().to_string();
    const auto port = std::to_string(endpoint.port());
    return endpoint.address().is_v6() ? "[" + address + "]:" + port : address + ":" + port;
}

}  // namespace

std::string_view HttpServerRequest::path() const {
    const std::string_view whole(target);
    return whole.substr(0, whole.find('?'));
}

std::optional<std::string> HttpServerRequest::query_raw(std::string_view name) const {
    const auto value = find_query_parameter(target, name);
    return value ? std::optional<std::string>(std::string(*value)) : std::nullopt;
}

std::optional<std::string> HttpServerRequest::query(std::string_view name) const {
    const auto value = find_query_parameter(target, name);
    return value ? std::optional<std::string>(percent_decode(*value)) : std::nullopt;
}

std::optional<std::string> HttpServerRequest::header(std::string_view name) const {
    const auto it = std::find_if(headers.begin(), headers.end(),
                                 [name](const Header& h) { return iequals(h.first, name); });
    return it == headers.end() ? std::nullopt : std::optional<std::string>(it->second);
}

HttpServerResponse HttpServerResponse::reply(int status, std::string body,
                                             std::string content_type) {
    HttpServerResponse response;
    response.status = status;
    response.body = std::move(body);
    if (!content_type.empty()) {
        response.headers.emplace_back("Content-Type", std::move(content_type));
    }
    return response;
}

// Everything runs on the worker threads; the acceptor, the stop pipe and the timers on one
// strand. Declaration order matters: the io_context, which owns the sessions, is destroyed
// before the core they refer to and after the I/O objects registered with it.
struct HttpServer::Impl {
    Impl(HttpServerOptions options, HttpHandler handler, common::Logger logger,
         int concurrency_hint)
        : core(std::move(options), std::move(handler), std::move(logger)),
          io(concurrency_hint),
          strand(asio::make_strand(io)),
          acceptor(strand),
          retry_timer(strand),
          deadline(strand),
          stop_reader(strand) {}

    ~Impl() {
        core.set_drained_callback({});
        if (stop_writer >= 0) {
            ::close(stop_writer);
        }
    }

    common::Result<void> listen();
    common::Result<void> open_stop_pipe();
    void run(std::size_t thread_count);
    void accept();
    void on_accept(const ErrorCode& ec, tcp::socket socket);
    void wait_for_stop_request();
    void begin_stop();
    void join();

    detail::ServerCore core;
    asio::io_context io;
    asio::strand<asio::io_context::executor_type> strand;
    tcp::acceptor acceptor;
    asio::steady_timer retry_timer;
    asio::steady_timer deadline;
    asio::posix::stream_descriptor stop_reader;
    int stop_writer = -1;
    char stop_byte = 0;
    std::uint16_t port = 0;
    std::vector<std::thread> threads;
    std::mutex join_mutex;
};

common::Result<void> HttpServer::Impl::listen() {
    const auto& options = core.options();
    ErrorCode ec;
    const auto address = asio::ip::make_address(options.bind_address, ec);
    if (ec) {
        return common::fail(common::Errc::invalid_argument,
                            "HTTP server: '" + options.bind_address + "' is not an IP address");
    }
    const tcp::endpoint endpoint(address, options.port);
    const auto failed = [&](std::string_view step) {
        return common::fail(common::Errc::io, "HTTP server: " + std::string(step) + " " +
                                                  endpoint_text(endpoint) + ": " + ec.message());
    };
    if (acceptor.open(endpoint.protocol(), ec); ec) {
        return failed("socket");
    }
    if (acceptor.set_option(tcp::acceptor::reuse_address(true), ec); ec) {
        return failed("SO_REUSEADDR");
    }
    if (acceptor.bind(endpoint, ec); ec) {
        return failed("bind");
    }
    if (acceptor.listen(tcp::acceptor::max_listen_connections, ec); ec) {
        return failed("listen");
    }
    const auto local = acceptor.local_endpoint(ec);
    if (ec) {
        return failed("getsockname");
    }
    port = local.port();
    return {};
}

// request_stop() writes a byte to this pipe; reading it begins the stop on the strand. The read
// end stays open until the destructor, so that a late request_stop() never raises SIGPIPE.
common::Result<void> HttpServer::Impl::open_stop_pipe() {
    int fds[2] = {-1, -1};
    if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) {
        return common::fail(common::Errc::io,
                            std::string("HTTP server: pipe: ") + std::strerror(errno));
    }
    stop_writer = fds[1];
    ErrorCode ec;
    stop_reader.assign(fds[0], ec);
    if (ec) {
        ::close(fds[0]);
        return common::fail(common::Errc::io, "HTTP server: stop pipe: " + ec.message());
    }
    return {};
}

void HttpServer::Impl::run(std::size_t thread_count) {
    core.set_drained_callback([this] { asio::post(strand, [this] { deadline.cancel(); }); });
    accept();
    wait_for_stop_request();
    for (std::size_t i = 0; i < thread_count; ++i) {
        threads.emplace_back([this] {
            for (;;) {
                try {
                    io.run();
                    return;
                } catch (const std::exception& e) {
                    core.logger().error(std::string("HTTP server worker: ") + e.what());
                }
            }
        });
    }
}

void HttpServer::Impl::accept() {
    acceptor.async_accept(
        asio::make_strand(io),
        asio::bind_executor(strand, [this](const ErrorCode& ec, tcp::socket socket) {
            on_accept(ec, std::move(socket));
        }));
}

void HttpServer::Impl::on_accept(const ErrorCode& ec, tcp::socket socket) {
    if (core.stopping() || ec == asio::error::operation_aborted) {
        return;
    }
    if (ec) {
        core.logger().warning("HTTP server: accept: " + ec.message());
        retry_timer.expires_after(accept_retry_delay);
        retry_timer.async_wait([this](const ErrorCode& wait_ec) {
            if (!wait_ec && !core.stopping()) {
                accept();
            }
        });
        return;
    }
    std::make_shared<detail::Session>(std::move(socket), core)->start();
    accept();
}

void HttpServer::Impl::wait_for_stop_request() {
    stop_reader.async_read_some(asio::buffer(&stop_byte, 1),
                                [this](const ErrorCode& ec, std::size_t) {
                                    if (!ec) {
                                        begin_stop();
                                    }
                                });
}

// On the strand. The threads return from io.run() once the last connection is gone.
void HttpServer::Impl::begin_stop() {
    core.set_stopping();
    ErrorCode ignored;
    acceptor.close(ignored);
    retry_timer.cancel();
    const auto sessions = core.sessions();
    core.logger().info("HTTP server on port " + std::to_string(port) + " stopping, " +
                       std::to_string(sessions.size()) + " connections open");
    if (sessions.empty()) {
        return;
    }
    deadline.expires_after(core.options().stop_timeout);
    deadline.async_wait([this](const ErrorCode& ec) {
        if (ec) {
            return;  // every connection closed in time
        }
        const auto left = core.sessions();
        core.logger().warning("HTTP server stop deadline passed, closing " +
                              std::to_string(left.size()) + " connections");
        for (const auto& session : left) {
            session->force_close();
        }
    });
    for (const auto& session : sessions) {
        session->stop();
    }
}

void HttpServer::Impl::join() {
    std::lock_guard lock(join_mutex);
    if (threads.empty()) {
        return;
    }
    for (auto& thread : threads) {
        thread.join();
    }
    threads.clear();
    core.logger().info("HTTP server on port " + std::to_string(port) + " stopped");
}

common::Result<std::unique_ptr<HttpServer>> HttpServer::start(HttpServerOptions options,
                                                              HttpHandler handler,
                                                              common::Logger logger) {
    if (const auto problem = check_options(options); !problem.empty()) {
        return common::fail(common::Errc::invalid_argument, "HTTP server: " + problem);
    }
    if (!handler) {
        return common::fail(common::Errc::invalid_argument, "HTTP server: no handler");
    }
    const std::size_t threads = options.worker_threads != 0
                                    ? options.worker_threads
                                    : std::max<std::size_t>(2, std::thread::hardware_concurrency());
    auto impl = std::make_unique<Impl>(std::move(options), std::move(handler), std::move(logger),
                                       static_cast<int>(std::min<std::size_t>(threads, 1024)));
    if (auto listening = impl->listen(); !listening) {
        return listening.error();
    }
    if (auto piped = impl->open_stop_pipe(); !piped) {
        return piped.error();
    }
    ErrorCode ec;
    impl->core.logger().info("HTTP server listening on " +
                             endpoint_text(impl->acceptor.local_endpoint(ec)) + " with " +
                             std::to_string(threads) + " worker threads");
    impl->run(threads);
    return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}

HttpServer::~HttpServer() {
    stop();
}

std::uint16_t HttpServer::port() const {
    return m_impl->port;
}

void HttpServer::request_stop() noexcept {
    const int saved_errno = errno;
    const char byte = 1;
    [[maybe_unused]] const auto written = ::write(m_impl->stop_writer, &byte, 1);
    errno = saved_errno;
}

void HttpServer::wait() {
    m_impl->join();
}

void HttpServer::stop() {
    request_stop();
    wait();
}

}  // namespace transport
