#include "fakes/test_http_server.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <exception>
#include <mutex>
#include <thread>

namespace fakes {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

constexpr std::uint64_t max_request_body = 64u * 1024u * 1024u;

bool iequals(std::string_view a, std::string_view b) {
    return beast::iequals(beast::string_view(a.data(), a.size()),
                          beast::string_view(b.data(), b.size()));
}

// What the server's thread shares with the test's thread.
class ServerState {
public:
    explicit ServerState(TestHttpServer::Handler handler)
        : m_handler(std::make_shared<TestHttpServer::Handler>(std::move(handler))) {}

    void set_handler(TestHttpServer::Handler handler) {
        auto shared = std::make_shared<TestHttpServer::Handler>(std::move(handler));
        std::lock_guard lock(m_mutex);
        m_handler = std::move(shared);
    }

    // Records the request and asks the handler (outside the lock, so that it may call back).
    TestHttpServer::Response answer(const TestHttpServer::Request& request) {
        std::shared_ptr<TestHttpServer::Handler> handler;
        {
            std::lock_guard lock(m_mutex);
            m_requests.push_back(request);
            handler = m_handler;
        }
        try {
            return (*handler)(request);
        } catch (const std::exception& e) {
            return TestHttpServer::reply(500, std::string("handler threw: ") + e.what());
        }
    }

    void count_connection() {
        std::lock_guard lock(m_mutex);
        ++m_connections;
    }
    std::size_t connections() const {
        std::lock_guard lock(m_mutex);
        return m_connections;
    }
    std::vector<TestHttpServer::Request> requests() const {
        std::lock_guard lock(m_mutex);
        return m_requests;
    }
    std::size_t request_count() const {
        std::lock_guard lock(m_mutex);
        return m_requests.size();
    }

private:
    mutable std::mutex m_mutex;
    std::shared_ptr<TestHttpServer::Handler> m_handler;
    std::vector<TestHttpServer::Request> m_requests;
    std::size_t m_connections = 0;
};

TestHttpServer::Request to_request(const http::request<http::string_body>& message) {
    TestHttpServer::Request request;
    request.method = std::string(message.method_string());
    request.target = std::string(message.target());
    for (const auto& field : message) {
        request.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    request.body = message.body();
    return request;
}

// One connection: read a request, answer it (maybe after a delay), repeat while kept alive.
// Owned by the handlers of its pending operations; the io_context frees it when it stops.
class Session : public std::enable_shared_from_this<Session> {
public:
    Session(tcp::socket socket, ServerState& state)
        : m_stream(std::move(socket)), m_timer(m_stream.get_executor()), m_state(state) {}

    void read() {
        m_parser.emplace();
        m_parser->body_limit(max_request_body);
        http::async_read(m_stream, m_buffer, *m_parser,
                         [self = shared_from_this()](beast::error_code ec, std::size_t) {
                             self->on_read(ec);
                         });
    }

private:
    void on_read(beast::error_code ec) {
        if (ec) {
            close();
            return;
        }
        const bool keep_alive = m_parser->get().keep_alive();
        TestHttpServer::Response response = m_state.answer(to_request(m_parser->get()));
        if (response.delay.count() <= 0) {
            respond(std::move(response), keep_alive);
            return;
        }
        m_timer.expires_after(response.delay);
        m_timer.async_wait([self = shared_from_this(), response = std::move(response),
                            keep_alive](beast::error_code wait_ec) mutable {
            if (!wait_ec) {
                self->respond(std::move(response), keep_alive);
            }
        });
    }

    void respond(TestHttpServer::Response response, bool keep_alive) {
        if (response.close_without_response) {
            close();
            return;
        }
        m_response = {};
        m_response.version(11);
        m_response.result(static_cast<unsigned>(response.status));
        for (const auto& [name, value] : response.headers) {
            m_response.insert(name, value);
        }
        m_response.body() = std::move(response.body);
        if (response.chunked) {
            m_response.chunked(true);
        } else if (response.announced_length) {
            m_response.content_length(*response.announced_length);
        } else {
            m_response.prepare_payload();
        }
        m_response.keep_alive(keep_alive && !response.announced_length);
        http::async_write(m_stream, m_response,
                          [self = shared_from_this()](beast::error_code ec, std::size_t) {
                              if (ec || !self->m_response.keep_alive()) {
                                  self->close();
                              } else {
                                  self->read();
                              }
                          });
    }

    void close() {
        beast::error_code ignored;
        m_stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
        m_stream.socket().close(ignored);
    }

    beast::tcp_stream m_stream;
    beast::flat_buffer m_buffer;
    std::optional<http::request_parser<http::string_body>> m_parser;
    asio::steady_timer m_timer;
    http::response<http::string_body> m_response;
    ServerState& m_state;
};

}  // namespace

struct TestHttpServer::Impl {
    explicit Impl(Handler handler)
        : state(std::move(handler)),
          acceptor(io, tcp::endpoint(asio::ip::make_address_v4("127.0.0.1"), 0)),
          port(acceptor.local_endpoint().port()) {
        accept();
        thread = std::thread([this] { io.run(); });
    }

    ~Impl() {
        io.stop();
        thread.join();
    }

    void accept() {
        acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
            if (ec) {
                return;
            }
            state.count_connection();
            std::make_shared<Session>(std::move(socket), state)->read();
            accept();
        });
    }

    // Declaration order is destruction order reversed: the io_context, which owns the sessions,
    // goes before the state they refer to.
    ServerState state;
    asio::io_context io;
    tcp::acceptor acceptor;
    std::uint16_t port;
    std::thread thread;
};

TestHttpServer::Response TestHttpServer::reply(int status, std::string body,
                                               std::string content_type) {
    Response response;
    response.status = status;
    response.body = std::move(body);
    if (!content_type.empty()) {
        response.headers.emplace_back("Content-Type", std::move(content_type));
    }
    return response;
}

TestHttpServer::TestHttpServer(Handler handler)
    : m_impl(std::make_unique<Impl>(std::move(handler))) {}

TestHttpServer::~TestHttpServer() = default;

std::uint16_t TestHttpServer::port() const {
    return m_impl->port;
}

std::string TestHttpServer::url(std::string_view target) const {
    return "http://127.0.0.1:" + std::to_string(port()) + std::string(target);
}

void TestHttpServer::set_handler(Handler handler) {
    m_impl->state.set_handler(std::move(handler));
}

std::size_t TestHttpServer::request_count() const {
    return m_impl->state.request_count();
}

std::vector<TestHttpServer::Request> TestHttpServer::requests() const {
    return m_impl->state.requests();
}

std::size_t TestHttpServer::connection_count() const {
    return m_impl->state.connections();
}

std::optional<std::string> TestHttpServer::Request::header(std::string_view name) const {
    const auto it = std::find_if(headers.begin(), headers.end(),
                                 [name](const Header& h) { return iequals(h.first, name); });
    return it == headers.end() ? std::nullopt : std::optional<std::string>(it->second);
}

std::string TestHttpServer::Request::path() const {
    return target.substr(0, target.find('?'));
}

std::optional<std::string> TestHttpServer::Request::query_parameter(std::string_view name) const {
    const auto question = target.find('?');
    if (question == std::string::npos) {
        return std::nullopt;
    }
    std::string_view query(target);
    query.remove_prefix(question + 1);
    while (!query.empty()) {
        const auto amp = query.find('&');
        const auto pair = query.substr(0, amp);
        const auto eq = pair.find('=');
        if (pair.substr(0, eq) == name) {
            return eq == std::string_view::npos ? std::string() : std::string(pair.substr(eq + 1));
        }
        query.remove_prefix(amp == std::string_view::npos ? query.size() : amp + 1);
    }
    return std::nullopt;
}

}  // namespace fakes
