// HttpClient: the one way modules move bytes over HTTP(S) as a client. The libcurl
// implementation is curl_http_client.h; tests use tests/fakes/fake_http_client.h.
//
// Errors are common::Error values whose retryable() tells whether trying later may help:
// connection refused, timeouts, 5xx and 429 are retryable; TLS verification failures, pin
// mismatches, oversized responses, malformed URLs and 4xx are not. An HTTP status is an error
// only when the caller asks for it (HttpResponse carries every status).
//
// Thread-safety: an HttpClient may be used from one thread at a time unless the implementation
// says otherwise.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/result.h"

namespace transport {

using Header = std::pair<std::string, std::string>;

struct HttpRequest {
    enum class Method { get, post };
    Method method = Method::get;
    std::string url;
    std::vector<Header> headers;   // e.g. {"Content-Type", "application/x-pki-message"}
    std::string body;              // POST only
    // Whole exchange, connection included. 0 = the client's default.
    std::chrono::milliseconds timeout{0};
    // Larger responses are refused (Errc::protocol) without reading them whole. 0 = default.
    std::size_t max_response_bytes = 0;
    // HTTP authentication with these credentials when username is not empty: RFC 7617 Basic,
    // RFC 7616 Digest (MD5 or SHA-256, qop=auth) or whichever of the two the server's 401
    // challenge asks for (`any`: one round trip without credentials first). Credentials are
    // sent to the request's host only, never after a redirect to another one, and never logged.
    enum class Auth { any, basic, digest };
    Auth auth = Auth::any;
    std::string username;
    std::string password;
};

struct HttpResponse {
    int status = 0;
    std::vector<Header> headers;  // in order received; names as sent by the server
    std::string body;
    std::string effective_url;  // after redirects

    // Case-insensitive header lookup: the last value, or nullopt.
    std::optional<std::string> header(std::string_view name) const;
    // The media type of Content-Type without parameters, lower-case ("" if absent).
    std::string content_type() const;
};

class HttpClient {
public:
    virtual ~HttpClient() = default;
    virtual common::Result<HttpResponse> send(const HttpRequest& request) = 0;
};

// Maps a status that the caller did not expect to an Error (5xx/429/408 retryable).
common::Error http_status_error(const HttpResponse& response, std::string_view what);

// True if url starts with http:// or https://, in any case (the only schemes HttpClient fetches).
bool is_http_url(std::string_view url);

// RFC 3986 percent-encoding of everything but unreserved characters (for query values).
std::string url_escape(std::string_view text);

}  // namespace transport
