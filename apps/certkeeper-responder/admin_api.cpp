#include "admin_api.h"

#include <limits>
#include <map>

#include "common/time_format.h"
#include "crypto/bytes.h"
#include "crypto/password_hash.h"
#include "json_writer.h"

namespace responder {
namespace {

using transport::HttpServerRequest;
using transport::HttpServerResponse;

std::string percent_decode(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '+') {
            out += ' ';
        } else if (s[i] == '%' && i + 2 < s.size()) {
            auto hex = crypto::from_hex(s.substr(i + 1, 2));
            if (hex && hex->size() == 1) {
                out += static_cast<char>((*hex)[0]);
                i += 2;
            } else {
                out += s[i];
            }
        } else {
            out += s[i];
        }
    }
    return out;
}

std::map<std::string, std::string> form(std::string_view body) {
    std::map<std::string, std::string> out;
    while (!body.empty()) {
        const auto amp = body.find('&');
        const std::string_view pair = body.substr(0, amp);
        const auto eq = pair.find('=');
        if (eq != std::string_view::npos) {
            out[percent_decode(pair.substr(0, eq))] = percent_decode(pair.substr(eq + 1));
        }
        if (amp == std::string_view::npos) break;
        body.remove_prefix(amp + 1);
    }
    return out;
}

HttpServerResponse json(int status, const cli::JsonWriter& w) {
    return HttpServerResponse::reply(status, w.str() + "\n", "application/json");
}

HttpServerResponse error(int status, const std::string& message) {
    cli::JsonWriter w;
    w.begin_object().key("error").value(message).end_object();
    return json(status, w);
}

bool authorized(const HttpServerRequest& request, const std::string& token) {
    const auto header = request.header("Authorization");
    const std::string expected = "Bearer " + token;
    return header && crypto::constant_time_equal(crypto::as_bytes(*header), crypto::as_bytes(expected));
}

HttpServerResponse add_otp(ca::CaStore& store, const HttpServerRequest& request,
                           common::SystemTime now) {
    auto fields = form(request.body);
    const std::string username = fields["username"];
    if (username.empty()) return error(400, "username is required");
    std::string password = fields["password"];
    if (password.empty()) {
        auto random = crypto::random_bytes(12);
        if (!random) return error(500, "no randomness");
        password = crypto::to_hex(*random);
    }
    long ttl = 3600;
    if (!fields["ttl"].empty()) {
        try {
            ttl = std::stol(fields["ttl"]);
        } catch (const std::exception&) {
            return error(400, "ttl must be a number of seconds");
        }
    }
    if (ttl <= 0) return error(400, "ttl must be positive");
    const auto expires = now + std::chrono::seconds(ttl);
    auto added = store.add_otp(username, password, expires, now);
    if (!added) {
        return error(added.error().code() == common::Errc::already_exists ? 409 : 400,
                     added.error().message());
    }
    cli::JsonWriter w;
    w.begin_object().key("username").value(username).key("password").value(password)
        .key("expires").value(common::format_rfc3339(expires)).end_object();
    return json(201, w);
}

HttpServerResponse list_otps(ca::CaStore& store, common::SystemTime now) {
    auto otps = store.list_otps(now);
    if (!otps) return error(500, otps.error().message());
    cli::JsonWriter w;
    w.begin_array();
    for (const auto& o : *otps) {
        w.begin_object().key("username").value(o.username).key("state").value(ca::to_string(o.state))
            .key("created").value(common::format_rfc3339(o.created_at))
            .key("expires").value(common::format_rfc3339(o.expires_at)).end_object();
    }
    w.end_array();
    return json(200, w);
}

HttpServerResponse list_pending(ca::CaStore& store) {
    auto pending = store.list_pending();
    if (!pending) return error(500, pending.error().message());
    cli::JsonWriter w;
    w.begin_array();
    for (const auto& p : *pending) {
        w.begin_object().key("transaction_id").value(p.transaction_id).key("subject").value(p.subject)
            .key("requester").value(p.requester)
            .key("requested").value(common::format_rfc3339(p.requested_at)).end_object();
    }
    w.end_array();
    return json(200, w);
}

HttpServerResponse list_certificates(ca::CaStore& store) {
    ca::CertificateFilter filter;
    filter.limit = std::numeric_limits<std::int64_t>::max();
    auto certs = store.list(filter);
    if (!certs) return error(500, certs.error().message());
    cli::JsonWriter w;
    w.begin_array();
    for (const auto& c : *certs) {
        w.begin_object().key("serial").value(c.serial).key("subject").value(c.subject)
            .key("status").value(ca::to_string(c.status))
            .key("not_after").value(common::format_rfc3339(c.not_after)).end_object();
    }
    w.end_array();
    return json(200, w);
}

HttpServerResponse route(ca::CaStore& store, const HttpServerRequest& request, common::SystemTime now) {
    const std::string path(request.path());
    const std::string& method = request.method;
    auto done = [](common::Result<void> r) {
        if (r) return HttpServerResponse::reply(204, "");
        const auto code = r.error().code();
        return error(code == common::Errc::not_found ? 404 : 400, r.error().message());
    };
    if (path == "/otp" && method == "POST") return add_otp(store, request, now);
    if (path == "/otp" && method == "GET") return list_otps(store, now);
    if (path.rfind("/otp/", 0) == 0 && method == "DELETE") return done(store.revoke_otp(percent_decode(path.substr(5)), now));
    if (path == "/pending" && method == "GET") return list_pending(store);
    if (path == "/certificates" && method == "GET") return list_certificates(store);
    if (path.rfind("/pending/", 0) == 0 && method == "POST") {
        const auto slash = path.rfind('/');
        const std::string tid = path.substr(9, slash - 9);
        const std::string action = path.substr(slash + 1);
        if (action == "approve") return done(store.approve(tid, now));
        if (action == "reject") return done(store.reject(tid, now));
    }
    if (path.rfind("/certificates/", 0) == 0 && method == "POST" && path.size() > 21 &&
        path.compare(path.size() - 7, 7, "/revoke") == 0) {
        const std::string serial = path.substr(14, path.size() - 14 - 7);
        auto fields = form(request.body);
        std::optional<int> reason;
        if (!fields["reason"].empty()) {
            try {
                reason = std::stoi(fields["reason"]);
            } catch (const std::exception&) {
                return error(400, "reason must be a CRLReason number");
            }
        }
        auto outcome = store.revoke(serial, reason, now);
        if (!outcome) return error(400, outcome.error().message());
        if (*outcome == ca::RevokeOutcome::unknown_serial) return error(404, "unknown serial");
        return HttpServerResponse::reply(204, "");
    }
    return error(404, "no such admin resource");
}

}  // namespace

transport::HttpHandler make_admin_handler(ca::CaStore& store, std::mutex& store_mutex,
                                          std::string token, const common::Clock& clock) {
    return [&store, &store_mutex, token = std::move(token), &clock](const HttpServerRequest& request) {
        if (token.empty() || !authorized(request, token)) {
            auto r = error(401, "missing or wrong bearer token");
            r.headers.push_back({"WWW-Authenticate", "Bearer"});
            return r;
        }
        std::lock_guard lock(store_mutex);
        return route(store, request, clock.now());
    };
}

}  // namespace responder
