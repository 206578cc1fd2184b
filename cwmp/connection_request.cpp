#include "cwmp/connection_request.h"

#include <algorithm>
#include <vector>

#include "crypto/bytes.h"
#include "crypto/fingerprint.h"

namespace cwmp {
namespace {

std::string hex_digest(crypto::DigestAlgorithm alg, std::string_view text) {
    return crypto::to_hex(crypto::digest(alg, crypto::as_bytes(text)));
}

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return lower(x) == lower(y); });
}

// The auth-params of "Digest k=v, k="v", ..." (RFC 7235 §2.1); keys lower-cased.
std::map<std::string, std::string> parse_params(std::string_view text) {
    std::map<std::string, std::string> out;
    std::size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && (text[i] == ' ' || text[i] == ',' || text[i] == '\t')) ++i;
        const auto eq = text.find('=', i);
        if (eq == std::string_view::npos) break;
        std::string key(text.substr(i, eq - i));
        while (!key.empty() && key.back() == ' ') key.pop_back();
        std::transform(key.begin(), key.end(), key.begin(), lower);
        i = eq + 1;
        while (i < text.size() && text[i] == ' ') ++i;
        std::string value;
        if (i < text.size() && text[i] == '"') {
            ++i;
            while (i < text.size() && text[i] != '"') {
                if (text[i] == '\\' && i + 1 < text.size()) ++i;
                value += text[i++];
            }
            ++i;
        } else {
            const auto end = std::min(text.find(',', i), text.size());
            value = std::string(text.substr(i, end - i));
            while (!value.empty() && value.back() == ' ') value.pop_back();
            i = end;
        }
        out[key] = value;
    }
    return out;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    unsigned char diff = 0;
    for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    return diff == 0;
}

}  // namespace

std::string random_nonce() {
    auto bytes = crypto::random_bytes(16);
    return bytes ? crypto::to_hex(*bytes) : std::string();
}

ConnectionRequestHandler::ConnectionRequestHandler(ConnectionRequestOptions options, const common::Clock& clock,
                                                   std::function<void()> on_request,
                                                   std::function<std::string()> nonce_source)
    : m_options(std::move(options)),
      m_clock(clock),
      m_on_request(std::move(on_request)),
      m_nonce_source(std::move(nonce_source)) {}

transport::HttpServerResponse ConnectionRequestHandler::challenge(bool stale) {
    auto response = transport::HttpServerResponse::reply(401, "authentication required\n");
    const std::string extra = stale ? ", stale=true" : "";
    for (const char* alg : {"SHA-256", "MD5"}) {
        std::string nonce = m_nonce_source();
        const auto now = m_clock.steady_now();
        if (m_nonces.size() >= m_options.max_outstanding_nonces) {
            auto oldest = std::min_element(m_nonces.begin(), m_nonces.end(),
                                           [](const auto& a, const auto& b) { return a.second < b.second; });
            m_nonces.erase(oldest);
        }
        m_nonces[nonce] = now;
        response.headers.emplace_back("WWW-Authenticate", "Digest realm=\"" + m_options.realm + "\", qop=\"auth\", nonce=\"" +
                                                              nonce + "\", algorithm=" + alg + extra);
    }
    return response;
}

bool ConnectionRequestHandler::authenticated(const transport::HttpServerRequest& request, bool& stale) {
    const auto header = request.header("Authorization");
    if (!header || header->size() < 7 || !iequals(std::string_view(*header).substr(0, 7), "Digest ")) return false;
    auto p = parse_params(std::string_view(*header).substr(7));
    const std::string alg_name = p.count("algorithm") ? p["algorithm"] : "MD5";
    crypto::DigestAlgorithm alg{};
    if (iequals(alg_name, "MD5")) {
        alg = crypto::DigestAlgorithm::md5;
    } else if (iequals(alg_name, "SHA-256")) {
        alg = crypto::DigestAlgorithm::sha256;
    } else {
        return false;
    }
    if (p["qop"] != "auth" || p["nc"].empty() || p["cnonce"].empty() || p["username"] != m_options.username ||
        p["realm"] != m_options.realm || p["uri"] != request.target) {
        return false;
    }
    const auto it = m_nonces.find(p["nonce"]);
    if (it == m_nonces.end()) return false;  // not ours, or used before: each nonce serves once
    const bool expired = m_clock.steady_now() - it->second > m_options.nonce_lifetime;
    const std::string ha1 = hex_digest(alg, m_options.username + ":" + m_options.realm + ":" + m_options.password);
    const std::string ha2 = hex_digest(alg, request.method + ":" + p["uri"]);
    const std::string want =
        hex_digest(alg, ha1 + ":" + p["nonce"] + ":" + p["nc"] + ":" + p["cnonce"] + ":auth:" + ha2);
    if (!constant_time_equal(want, p["response"])) return false;
    m_nonces.erase(it);
    if (expired) {
        stale = true;
        return false;
    }
    return true;
}

transport::HttpServerResponse ConnectionRequestHandler::handle(const transport::HttpServerRequest& request) {
    if (request.path() != m_options.path) return transport::HttpServerResponse::reply(404, "not found\n");
    if (request.method != "GET") {
        auto r = transport::HttpServerResponse::reply(405, "GET only\n");
        r.headers.emplace_back("Allow", "GET");
        return r;
    }
    std::lock_guard lock(m_mutex);
    bool stale = false;
    if (m_options.password.empty() || !authenticated(request, stale)) return challenge(stale);
    const auto now = m_clock.steady_now();
    if (m_last_accepted && now - *m_last_accepted < m_options.min_interval) {
        const auto left = std::chrono::ceil<std::chrono::seconds>(m_options.min_interval - (now - *m_last_accepted));
        auto r = transport::HttpServerResponse::reply(503, "too many connection requests\n");
        r.headers.emplace_back("Retry-After", std::to_string(std::max<std::int64_t>(left.count(), 1)));
        return r;
    }
    m_last_accepted = now;
    m_on_request();
    return transport::HttpServerResponse::reply(200, "", "");
}

void ConnectionRequestHandler::set_credentials(std::string username, std::string password) {
    std::lock_guard lock(m_mutex);
    m_options.username = std::move(username);
    m_options.password = std::move(password);
}

common::Result<std::unique_ptr<ConnectionRequestServer>> ConnectionRequestServer::start(
    transport::HttpServerOptions http, ConnectionRequestOptions options, const common::Clock& clock,
    std::function<void()> on_request, common::Logger log) {
    if (options.username.empty()) {
        return common::fail(common::Errc::invalid_argument, "connection requests need a username");
    }
    std::unique_ptr<ConnectionRequestServer> self(new ConnectionRequestServer());
    self->m_handler = std::make_unique<ConnectionRequestHandler>(std::move(options), clock, std::move(on_request),
                                                                 random_nonce);
    http.max_request_body_bytes = std::min<std::size_t>(http.max_request_body_bytes, 4096);
    http.max_connections = std::min<std::size_t>(http.max_connections, 16);
    if (http.worker_threads == 0) http.worker_threads = 1;
    auto* handler = self->m_handler.get();
    auto server = transport::HttpServer::start(
        std::move(http), [handler](const transport::HttpServerRequest& r) { return handler->handle(r); },
        std::move(log));
    if (!server) return server.error();
    self->m_server = std::move(*server);
    return self;
}

}  // namespace cwmp
