// The libcurl HttpClient. One easy handle per client (connections are kept alive between
// requests to the same host); use one client per thread.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "common/log.h"
#include "transport/http_client.h"

namespace transport {

struct CurlOptions {
    // Default per-request timeout (HttpRequest::timeout overrides).
    std::chrono::milliseconds timeout{30000};
    // Connect phase only.
    std::chrono::milliseconds connect_timeout{10000};
    // Default response size limit (HttpRequest::max_response_bytes overrides).
    std::size_t max_response_bytes = 16u * 1024u * 1024u;
    // Redirects followed at most; 0 disables following.
    int max_redirects = 3;
    // "http://proxy:3128"; empty = none. The environment's *_proxy variables are ignored.
    std::string proxy;
    // HTTPS: PEM file of trusted CAs; empty = the system store. Verification is always on.
    std::string ca_file;
    // HTTPS: "sha256//BASE64" public-key pin(s) as curl's CURLOPT_PINNEDPUBLICKEY takes them.
    std::string pinned_public_key;
    // HTTPS client authentication (e.g. with one of our managed certificates).
    std::string client_cert_file;
    std::string client_key_file;
    std::string user_agent = "certkeeper/0.1";
};

class CurlHttpClient final : public HttpClient {
public:
    // REQUIRES: logger's sink outlives the client. One info line is logged per exchange
    // (method, URL without query, status, bytes, duration); bodies and credentials never.
    CurlHttpClient(CurlOptions options, common::Logger logger);
    ~CurlHttpClient() override;
    CurlHttpClient(const CurlHttpClient&) = delete;
    CurlHttpClient& operator=(const CurlHttpClient&) = delete;

    common::Result<HttpResponse> send(const HttpRequest& request) override;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

}  // namespace transport
