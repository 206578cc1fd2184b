#include "transport/curl_http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

namespace transport {
namespace {

using common::Errc;
using common::Error;
using common::Retry;

struct EasyDeleter {
    void operator()(CURL* easy) const noexcept { curl_easy_cleanup(easy); }
};
struct SlistDeleter {
    void operator()(curl_slist* list) const noexcept { curl_slist_free_all(list); }
};
using EasyPtr = std::unique_ptr<CURL, EasyDeleter>;
using SlistPtr = std::unique_ptr<curl_slist, SlistDeleter>;

// libcurl's process-wide initialisation: once, on first use, thread-safe (a function-local
// static). Never undone: libcurl and OpenSSL release their global state at exit.
CURLcode global_init() {
    static const CURLcode rc = curl_global_init(CURL_GLOBAL_DEFAULT);
    return rc;
}

char ascii_lower(char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return ascii_lower(x) == ascii_lower(y);
           });
}

bool istarts_with(std::string_view text, std::string_view prefix) {
    return text.size() >= prefix.size() && iequals(text.substr(0, prefix.size()), prefix);
}

std::string_view trim(std::string_view s) {
    const auto first = s.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) {
        return {};
    }
    return s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1);
}

// "scheme://host:port/path" of url: no userinfo, query or fragment (SCEP puts the whole request
// in the query, and userinfo is a credential).
std::string url_for_log(std::string_view url) {
    url = url.substr(0, url.find_first_of("?#"));
    const auto scheme_end = url.find("://");
    const std::size_t authority_begin = scheme_end == std::string_view::npos ? 0 : scheme_end + 3;
    const auto authority_end = std::min(url.find('/', authority_begin), url.size());
    const auto at = url.substr(0, authority_end).rfind('@');
    if (at == std::string_view::npos || at < authority_begin) {
        return std::string(url);
    }
    std::string out(url.substr(0, authority_begin));
    out += url.substr(at + 1);
    return out;
}

std::string_view method_name(HttpRequest::Method method) {
    return method == HttpRequest::Method::post ? "POST" : "GET";
}

// "GET http://host:port/path": how an exchange is named in logs and error messages.
std::string describe(const HttpRequest& request) {
    std::string out(method_name(request.method));
    out += ' ';
    out += url_for_log(request.url);
    return out;
}

common::Result<void> check_request(const HttpRequest& request) {
    if (!is_http_url(request.url)) {
        return common::fail(Errc::invalid_argument, "not an http:// or https:// URL");
    }
    if (request.method == HttpRequest::Method::get && !request.body.empty()) {
        return common::fail(Errc::invalid_argument, "a GET request has no body");
    }
    return {};
}

long to_curl_ms(std::chrono::milliseconds d) {
    return static_cast<long>(std::max<std::chrono::milliseconds::rep>(d.count(), 0));
}

// What one exchange collects; the callbacks reach it through their userdata pointer.
struct Transfer {
    std::size_t limit = 0;
    bool too_large = false;
    std::vector<Header> headers;
    std::string body;
};

bool announces_too_much(std::string_view name, std::string_view value, std::size_t limit) {
    if (!iequals(name, "Content-Length")) {
        return false;
    }
    std::uint64_t length = 0;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), length);
    return ec == std::errc::result_out_of_range || (ec == std::errc{} && length > limit);
}

// CURLOPT_WRITEFUNCTION. Returning less than given makes libcurl abort with CURLE_WRITE_ERROR.
std::size_t on_body(char* data, std::size_t size, std::size_t count, void* userdata) noexcept {
    auto* transfer = static_cast<Transfer*>(userdata);
    const std::size_t n = size * count;
    if (n > transfer->limit - transfer->body.size()) {
        transfer->too_large = true;
        return 0;
    }
    try {
        transfer->body.append(data, n);
    } catch (...) {
        return 0;
    }
    return n;
}

// CURLOPT_HEADERFUNCTION: one header line per call, the status line of every response included
// (1xx, each redirect hop), so a status line starts the collection afresh.
std::size_t on_header(char* data, std::size_t size, std::size_t count, void* userdata) noexcept {
    auto* transfer = static_cast<Transfer*>(userdata);
    const std::size_t n = size * count;
    const std::string_view line(data, n);
    try {
        if (line.starts_with("HTTP/")) {
            transfer->headers.clear();
            transfer->body.clear();
            return n;
        }
        const auto colon = line.find(':');
        if (colon == std::string_view::npos || colon == 0 || line[0] == ' ' || line[0] == '\t') {
            return n;  // the blank line that ends the block, or an obsolete folded line
        }
        const auto name = line.substr(0, colon);
        const auto value = trim(line.substr(colon + 1));
        if (announces_too_much(name, value, transfer->limit)) {
            transfer->too_large = true;
            return 0;
        }
        transfer->headers.emplace_back(std::string(name), std::string(value));
    } catch (...) {
        return 0;
    }
    return n;
}

// Typed front ends for the variadic curl_easy_setopt; the first failure is kept.
class Setter {
public:
    explicit Setter(CURL* easy) : m_easy(easy) {}

    void set_long(CURLoption option, long value) { keep(curl_easy_setopt(m_easy, option, value)); }
    void set_large(CURLoption option, curl_off_t value) {
        keep(curl_easy_setopt(m_easy, option, value));
    }
    void set_string(CURLoption option, const std::string& value) {
        keep(curl_easy_setopt(m_easy, option, value.c_str()));
    }
    void set_data(CURLoption option, const char* value) {
        keep(curl_easy_setopt(m_easy, option, value));
    }
    void set_pointer(CURLoption option, void* value) {
        keep(curl_easy_setopt(m_easy, option, value));
    }
    void set_callback(CURLoption option, curl_write_callback fn) {
        keep(curl_easy_setopt(m_easy, option, fn));
    }
    void set_list(CURLoption option, curl_slist* list) {
        keep(curl_easy_setopt(m_easy, option, list));
    }
    CURLcode result() const { return m_first; }

private:
    void keep(CURLcode rc) {
        if (m_first == CURLE_OK) {
            m_first = rc;
        }
    }

    CURL* m_easy;
    CURLcode m_first = CURLE_OK;
};

long info_long(CURL* easy, CURLINFO info) {
    long value = 0;
    return curl_easy_getinfo(easy, info, &value) == CURLE_OK ? value : 0;
}

curl_off_t info_large(CURL* easy, CURLINFO info) {
    curl_off_t value = 0;
    return curl_easy_getinfo(easy, info, &value) == CURLE_OK ? value : 0;
}

std::string info_string(CURL* easy, CURLINFO info) {
    char* value = nullptr;
    return curl_easy_getinfo(easy, info, &value) == CURLE_OK && value != nullptr ? value : "";
}

bool valid_header(const Header& header) {
    const auto& [name, value] = header;
    const bool name_ok = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
        return c > ' ' && c < 127 && c != ':';
    });
    return name_ok && value.find_first_of(std::string_view("\r\n\0", 3)) == std::string::npos;
}

common::Result<SlistPtr> build_header_list(const HttpRequest& request) {
    SlistPtr list;
    bool has_content_type = false;
    auto append = [&list](const std::string& line) {
        curl_slist* head = curl_slist_append(list.get(), line.c_str());
        if (head != nullptr) {
            static_cast<void>(list.release());  // head is the same list, one entry longer
            list.reset(head);
        }
        return head != nullptr;
    };
    bool ok = true;
    for (const auto& header : request.headers) {
        if (!valid_header(header)) {
            return common::fail(Errc::invalid_argument,
                                "HTTP header with an invalid name or a line break in its value");
        }
        has_content_type = has_content_type || iequals(header.first, "Content-Type");
        // "Name;" is libcurl's way to send a header with an empty value.
        ok = ok && append(header.first + (header.second.empty() ? ";" : ": " + header.second));
    }
    if (request.method == HttpRequest::Method::post) {
        ok = ok && append("Expect:");  // no 100-continue round trip for large bodies
        if (!has_content_type) {
            ok = ok && append("Content-Type:");  // not libcurl's default form encoding
        }
    }
    if (!ok) {
        return common::fail(Errc::internal, "out of memory building HTTP headers");
    }
    return list;
}

// Options that come from CurlOptions: limits, proxy, TLS. Verification is never switched off.
void set_client_options(Setter& set, const CurlOptions& options, bool https) {
    set.set_long(CURLOPT_NOSIGNAL, 1L);
    set.set_string(CURLOPT_PROTOCOLS_STR, "http,https");
    // A redirect never downgrades an HTTPS exchange to plain HTTP.
    set.set_string(CURLOPT_REDIR_PROTOCOLS_STR, https ? "https" : "http,https");
    set.set_long(CURLOPT_FOLLOWLOCATION, options.max_redirects > 0 ? 1L : 0L);
    set.set_long(CURLOPT_MAXREDIRS, std::max(options.max_redirects, 0));
    set.set_long(CURLOPT_CONNECTTIMEOUT_MS, to_curl_ms(options.connect_timeout));
    if (options.proxy.empty()) {
        set.set_string(CURLOPT_NOPROXY, "*");  // ignore http_proxy and friends
    } else {
        set.set_string(CURLOPT_PROXY, options.proxy);
        set.set_string(CURLOPT_NOPROXY, "");  // ignore no_proxy as well
    }
    set.set_long(CURLOPT_SSL_VERIFYPEER, 1L);
    set.set_long(CURLOPT_SSL_VERIFYHOST, 2L);
    set.set_long(CURLOPT_SSLVERSION, CURL_SSLVERSION_TLSv1_2);
    if (!options.ca_file.empty()) {
        set.set_string(CURLOPT_CAINFO, options.ca_file);
    }
    if (!options.pinned_public_key.empty()) {
        set.set_string(CURLOPT_PINNEDPUBLICKEY, options.pinned_public_key);
    }
    if (!options.client_cert_file.empty()) {
        set.set_string(CURLOPT_SSLCERT, options.client_cert_file);
    }
    if (!options.client_key_file.empty()) {
        set.set_string(CURLOPT_SSLKEY, options.client_key_file);
    }
    set.set_string(CURLOPT_USERAGENT, options.user_agent);
}

// Options that come from the request. REQUIRES: request, headers and transfer outlive the
// transfer (libcurl does not copy the POST body).
void set_request_options(Setter& set, const HttpRequest& request, std::chrono::milliseconds timeout,
                         curl_slist* headers, Transfer& transfer) {
    set.set_string(CURLOPT_URL, request.url);
    set.set_long(CURLOPT_TIMEOUT_MS, to_curl_ms(timeout));
    set.set_list(CURLOPT_HTTPHEADER, headers);
    set.set_callback(CURLOPT_WRITEFUNCTION, on_body);
    set.set_pointer(CURLOPT_WRITEDATA, &transfer);
    set.set_callback(CURLOPT_HEADERFUNCTION, on_header);
    set.set_pointer(CURLOPT_HEADERDATA, &transfer);
    if (!request.username.empty()) {
        set.set_string(CURLOPT_USERNAME, request.username);
        set.set_string(CURLOPT_PASSWORD, request.password);
        const unsigned long schemes = request.auth == HttpRequest::Auth::basic    ? CURLAUTH_BASIC
                                      : request.auth == HttpRequest::Auth::digest ? CURLAUTH_DIGEST
                                                                                  : CURLAUTH_BASIC | CURLAUTH_DIGEST;
        set.set_long(CURLOPT_HTTPAUTH, static_cast<long>(schemes));
    }
    if (request.method == HttpRequest::Method::post) {
        set.set_long(CURLOPT_POST, 1L);
        set.set_large(CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
        set.set_data(CURLOPT_POSTFIELDS, request.body.data());
    } else {
        set.set_long(CURLOPT_HTTPGET, 1L);
    }
}

struct Kind {
    Errc code;
    Retry retry;
};

Kind classify(CURLcode rc) {
    switch (rc) {
        case CURLE_OPERATION_TIMEDOUT: return {Errc::timeout, Retry::yes};
        case CURLE_COULDNT_CONNECT:
        case CURLE_COULDNT_RESOLVE_HOST:
        case CURLE_COULDNT_RESOLVE_PROXY:
        case CURLE_RECV_ERROR:
        case CURLE_SEND_ERROR:
        case CURLE_GOT_NOTHING:
        case CURLE_PARTIAL_FILE:
        case CURLE_HTTP2:
        case CURLE_HTTP2_STREAM:
        case CURLE_PROXY: return {Errc::network, Retry::yes};
        case CURLE_PEER_FAILED_VERIFICATION:
        case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
        case CURLE_SSL_CONNECT_ERROR:
        case CURLE_SSL_CIPHER:
        case CURLE_SSL_ISSUER_ERROR:
        case CURLE_SSL_INVALIDCERTSTATUS:
        case CURLE_SSL_SHUTDOWN_FAILED:
        case CURLE_USE_SSL_FAILED: return {Errc::verification, Retry::no};
        // Our own configuration is unusable: a CA, CRL, client certificate or key file.
        case CURLE_SSL_CERTPROBLEM:
        case CURLE_SSL_CACERT_BADFILE:
        case CURLE_SSL_CRL_BADFILE:
        case CURLE_SSL_ENGINE_NOTFOUND:
        case CURLE_SSL_ENGINE_SETFAILED:
        case CURLE_SSL_ENGINE_INITFAILED:
        case CURLE_URL_MALFORMAT: return {Errc::invalid_argument, Retry::no};
        // The request's scheme was checked before; this is a redirect to another scheme.
        case CURLE_UNSUPPORTED_PROTOCOL:
        case CURLE_TOO_MANY_REDIRECTS:
        case CURLE_WEIRD_SERVER_REPLY:
        case CURLE_BAD_CONTENT_ENCODING:
        case CURLE_FILESIZE_EXCEEDED: return {Errc::protocol, Retry::no};
        case CURLE_OUT_OF_MEMORY:
        case CURLE_WRITE_ERROR:  // only our callbacks fail writes; too_large is handled first
        case CURLE_BAD_FUNCTION_ARGUMENT:
        case CURLE_UNKNOWN_OPTION: return {Errc::internal, Retry::no};
        default: return {Errc::network, Retry::no};
    }
}

}  // namespace

struct CurlHttpClient::Impl {
    Impl(CurlOptions o, common::Logger l) : options(std::move(o)), logger(std::move(l)) {}

    common::Result<void> ensure_handle();
    common::Result<SlistPtr> prepare(const HttpRequest& request);
    common::Result<HttpResponse> exchange(const HttpRequest& request);
    Error transfer_error(CURLcode rc, const Transfer& transfer, const HttpRequest& request) const;
    HttpResponse collect(Transfer& transfer) const;
    void log_exchange(const HttpRequest& request, const common::Result<HttpResponse>& result,
                      curl_off_t elapsed_ms) const;

    CurlOptions options;
    common::Logger logger;
    EasyPtr easy;  // created on first use, reset after every exchange; keeps connections alive
    std::array<char, CURL_ERROR_SIZE> error_buffer{};
};

common::Result<void> CurlHttpClient::Impl::ensure_handle() {
    if (easy) {
        return {};
    }
    if (const CURLcode rc = global_init(); rc != CURLE_OK) {
        return common::fail(Errc::internal,
                            std::string("curl_global_init: ") + curl_easy_strerror(rc));
    }
    easy.reset(curl_easy_init());
    if (!easy) {
        return common::fail(Errc::internal, "curl_easy_init failed");
    }
    return {};
}

common::Result<SlistPtr> CurlHttpClient::Impl::prepare(const HttpRequest& request) {
    if (auto checked = check_request(request); !checked) {
        return checked.error().with_context(describe(request));
    }
    auto headers = build_header_list(request);
    if (!headers) {
        return std::move(headers).error().with_context(describe(request));
    }
    if (auto ready = ensure_handle(); !ready) {
        return ready.error();
    }
    return headers;
}

common::Result<HttpResponse> CurlHttpClient::Impl::exchange(const HttpRequest& request) {
    auto headers = prepare(request);
    if (!headers) {
        return std::move(headers).error();
    }
    // Drops every option (and the pointers into this frame) when the exchange ends.
    struct ResetOnExit {
        CURL* handle;
        ~ResetOnExit() { curl_easy_reset(handle); }
    } reset_on_exit{easy.get()};

    Transfer transfer;
    transfer.limit =
        request.max_response_bytes > 0 ? request.max_response_bytes : options.max_response_bytes;
    const auto timeout = request.timeout.count() > 0 ? request.timeout : options.timeout;
    error_buffer[0] = '\0';
    Setter set(easy.get());
    set.set_pointer(CURLOPT_ERRORBUFFER, error_buffer.data());
    set_client_options(set, options, istarts_with(request.url, "https://"));
    set_request_options(set, request, timeout, headers->get(), transfer);
    if (set.result() != CURLE_OK) {
        return common::fail(Errc::internal,
                            std::string("libcurl option: ") + curl_easy_strerror(set.result()));
    }
    const CURLcode rc = curl_easy_perform(easy.get());
    const auto elapsed_ms = info_large(easy.get(), CURLINFO_TOTAL_TIME_T) / 1000;
    common::Result<HttpResponse> result =
        rc == CURLE_OK ? common::Result<HttpResponse>(collect(transfer))
                       : common::Result<HttpResponse>(transfer_error(rc, transfer, request));
    log_exchange(request, result, elapsed_ms);
    return result;
}

Error CurlHttpClient::Impl::transfer_error(CURLcode rc, const Transfer& transfer,
                                           const HttpRequest& request) const {
    const std::string context = describe(request);
    if (transfer.too_large) {
        return Error(Errc::protocol, context + ": response larger than " +
                                         std::to_string(transfer.limit) + " bytes");
    }
    const Kind kind = classify(rc);
    const std::string_view detail =
        error_buffer[0] != '\0' ? std::string_view(error_buffer.data()) : curl_easy_strerror(rc);
    return Error(kind.code, context + ": " + std::string(trim(detail)), kind.retry);
}

HttpResponse CurlHttpClient::Impl::collect(Transfer& transfer) const {
    HttpResponse response;
    response.status = static_cast<int>(info_long(easy.get(), CURLINFO_RESPONSE_CODE));
    response.headers = std::move(transfer.headers);
    response.body = std::move(transfer.body);
    response.effective_url = info_string(easy.get(), CURLINFO_EFFECTIVE_URL);
    return response;
}

// "GET http://host:port/path -> 200, 1234 bytes, 12 ms"; never a query, body or credential.
void CurlHttpClient::Impl::log_exchange(const HttpRequest& request,
                                        const common::Result<HttpResponse>& result,
                                        curl_off_t elapsed_ms) const {
    if (!logger.enabled(common::LogLevel::info)) {
        return;
    }
    std::string line = describe(request);
    line += " -> ";
    if (result) {
        line += std::to_string(result->status);
        const std::string final_url = url_for_log(result->effective_url);
        if (!result->effective_url.empty() && final_url != url_for_log(request.url)) {
            line += " from " + final_url;
        }
        line += ", " + std::to_string(result->body.size()) + " bytes";
    } else {
        line += "failed (";
        line += common::to_string(result.error().code());
        line += ')';
    }
    line += ", " + std::to_string(elapsed_ms) + " ms";
    logger.info(line);
}

CurlHttpClient::CurlHttpClient(CurlOptions options, common::Logger logger)
    : m_impl(std::make_unique<Impl>(std::move(options), std::move(logger))) {}

CurlHttpClient::~CurlHttpClient() = default;

common::Result<HttpResponse> CurlHttpClient::send(const HttpRequest& request) {
    return m_impl->exchange(request);
}

}  // namespace transport
