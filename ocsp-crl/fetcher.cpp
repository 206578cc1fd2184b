#include "ocsp-crl/fetcher.h"

#include "ocsp-crl/ocsp.h"

namespace revocation {
namespace {

common::Result<crypto::Bytes> body_of(common::Result<transport::HttpResponse> response,
                                      std::string_view what, const std::string& url) {
    if (!response) {
        return common::fail(response.error().code(),
                            std::string(what) + " " + url + ": " + response.error().message(),
                            response.error().retryable() ? common::Retry::yes : common::Retry::no);
    }
    if (response->status != 200) {
        return transport::http_status_error(*response, std::string(what) + " " + url);
    }
    if (response->body.empty()) {
        return common::fail(common::Errc::protocol,
                            std::string(what) + " " + url + ": empty answer");
    }
    return crypto::Bytes(response->body.begin(), response->body.end());
}

}  // namespace

common::Result<crypto::Bytes> fetch_crl(transport::HttpClient& http, const std::string& url,
                                        const FetchLimits& limits) {
    if (!transport::is_http_url(url)) {
        return common::fail(common::Errc::unsupported,
                            "CRL distribution point " + url + " is not an http(s) URL");
    }
    transport::HttpRequest request;
    request.method = transport::HttpRequest::Method::get;
    request.url = url;
    request.timeout = limits.timeout;
    request.max_response_bytes = limits.max_crl_bytes;
    return body_of(http.send(request), "CRL from", url);
}

common::Result<crypto::Bytes> fetch_ocsp(transport::HttpClient& http, const std::string& url,
                                         crypto::ByteView request_der, const FetchLimits& limits) {
    if (!transport::is_http_url(url)) {
        return common::fail(common::Errc::unsupported,
                            "OCSP responder " + url + " is not an http(s) URL");
    }
    transport::HttpRequest request;
    request.timeout = limits.timeout;
    request.max_response_bytes = limits.max_ocsp_bytes;
    if (auto get_url = ocsp_get_url(url, request_der)) {
        request.method = transport::HttpRequest::Method::get;
        request.url = *get_url;
    } else {
        request.method = transport::HttpRequest::Method::post;
        request.url = url;
        request.headers.emplace_back("Content-Type", "application/ocsp-request");
        request.body.assign(request_der.begin(), request_der.end());
    }
    request.headers.emplace_back("Accept", "application/ocsp-response");
    return body_of(http.send(request), "OCSP response from", url);
}

}  // namespace revocation
