// The CPE's connection-request listener (TR-069 Amd 6 §3.2.2): the ACS makes an HTTP GET to
// Device.ManagementServer.ConnectionRequestURL, authenticated with HTTP Digest (RFC 7616,
// qop=auth, MD5 or SHA-256) against ConnectionRequestUsername/Password; a good one makes the CPE
// start a session with "6 CONNECTION REQUEST".
//
//   200  authenticated; the session is triggered (on_request, once per accepted request)
//   401  no, malformed or wrong credentials, a nonce we did not issue, a nonce used before or
//        older than nonce_lifetime (each nonce is good for one request): a fresh challenge
//   503  authenticated, but less than min_interval after the last accepted request
//        (Retry-After: the seconds left); no session is triggered
//   404  another path; 405 another method than GET
//
// ConnectionRequestHandler is the pure part (no sockets; tests call it directly);
// ConnectionRequestServer puts it behind transport::HttpServer.
//
// Thread-safety: handle() is thread-safe; on_request is called on a server thread and must
// only post to the daemon's loop.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "common/clock.h"
#include "common/log.h"
#include "common/result.h"
#include "transport/http_server.h"

namespace cwmp {

struct ConnectionRequestOptions {
    std::string username;  // ConnectionRequestUsername; must not be empty
    std::string password;  // ConnectionRequestPassword; secret, never logged
    std::string realm = "certkeeper";
    std::string path = "/";  // the path of ConnectionRequestURL
    std::chrono::seconds min_interval{5};
    std::chrono::seconds nonce_lifetime{60};
    std::size_t max_outstanding_nonces = 256;  // oldest forgotten first
};

class ConnectionRequestHandler {
public:
    // nonce_source: returns a fresh unpredictable nonce (hex) each call.
    // REQUIRES: clock outlives the handler.
    ConnectionRequestHandler(ConnectionRequestOptions options, const common::Clock& clock,
                             std::function<void()> on_request, std::function<std::string()> nonce_source);

    transport::HttpServerResponse handle(const transport::HttpServerRequest& request);
    // New ConnectionRequestUsername/Password (the ACS wrote them); nonces issued so far stay
    // good for one request each. An empty password refuses every request (401).
    void set_credentials(std::string username, std::string password);

private:
    transport::HttpServerResponse challenge(bool stale);
    bool authenticated(const transport::HttpServerRequest& request, bool& stale);

    ConnectionRequestOptions m_options;
    const common::Clock& m_clock;
    std::function<void()> m_on_request;
    std::function<std::string()> m_nonce_source;
    std::mutex m_mutex;
    std::map<std::string, common::SteadyTime> m_nonces;  // issued, not yet used
    std::optional<common::SteadyTime> m_last_accepted;
};

// Random nonces from the crypto module (32 hex digits).
std::string random_nonce();

class ConnectionRequestServer {
public:
    // Listens on bind_address:port (port 0: ephemeral). Errors as transport::HttpServer::start.
    static common::Result<std::unique_ptr<ConnectionRequestServer>> start(
        transport::HttpServerOptions http, ConnectionRequestOptions options, const common::Clock& clock,
        std::function<void()> on_request, common::Logger log);
    std::uint16_t port() const { return m_server->port(); }
    void set_credentials(std::string username, std::string password) {
        m_handler->set_credentials(std::move(username), std::move(password));
    }
    void stop() { m_server->stop(); }

private:
    std::unique_ptr<ConnectionRequestHandler> m_handler;
    std::unique_ptr<transport::HttpServer> m_server;  // last: stops before the handler goes
};

}  // namespace cwmp
