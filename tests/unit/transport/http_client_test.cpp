#include "transport/http_client.h"

#include <gtest/gtest.h>

#include <string>

#include "fakes/fake_http_client.h"

namespace transport {
namespace {

using common::Errc;

HttpResponse with_status(int status) {
    HttpResponse response;
    response.status = status;
    response.effective_url = "http://ra.example.net/cgi-bin/pkiclient.exe?message=abc";
    return response;
}

TEST(HttpResponseTest, HeaderLookupIsCaseInsensitiveAndTakesTheLastValue) {
    HttpResponse response;
    response.headers = {{"Content-Type", "text/plain"}, {"X-Seen", "one"}, {"x-seen", "two"}};
    EXPECT_EQ(response.header("content-type"), "text/plain");
    EXPECT_EQ(response.header("X-SEEN"), "two");
    EXPECT_EQ(response.header("Missing"), std::nullopt);
    EXPECT_EQ(response.header("X-Seen-Not"), std::nullopt);
}

TEST(HttpResponseTest, ContentTypeIsTheLowerCaseMediaTypeWithoutParameters) {
    HttpResponse response;
    EXPECT_EQ(response.content_type(), "");
    response.headers = {{"content-type", "Application/X-PKI-Message; charset=binary"}};
    EXPECT_EQ(response.content_type(), "application/x-pki-message");
    response.headers = {{"Content-Type", "  text/html ;q=1"}};
    EXPECT_EQ(response.content_type(), "text/html");
    response.headers = {{"Content-Type", "application/x-x509-ca-cert"}};
    EXPECT_EQ(response.content_type(), "application/x-x509-ca-cert");
}

TEST(HttpStatusErrorTest, ServerErrorsAndThrottlingAreRetryable) {
    for (int status : {500, 502, 503, 504, 429}) {
        const auto error = http_status_error(with_status(status), "GetCACert");
        EXPECT_TRUE(error.retryable()) << status;
        EXPECT_EQ(error.code(), Errc::protocol) << status;
        EXPECT_NE(error.message().find("GetCACert"), std::string::npos);
        EXPECT_NE(error.message().find(std::to_string(status)), std::string::npos);
    }
    const auto timeout = http_status_error(with_status(408), "GetCACaps");
    EXPECT_TRUE(timeout.retryable());
    EXPECT_EQ(timeout.code(), Errc::timeout);
}

TEST(HttpStatusErrorTest, ClientErrorsAreNotRetryable) {
    for (int status : {400, 401, 403, 405, 415}) {
        const auto error = http_status_error(with_status(status), "PKIOperation");
        EXPECT_FALSE(error.retryable()) << status;
        EXPECT_EQ(error.code(), Errc::protocol) << status;
    }
    for (int status : {404, 410}) {
        const auto error = http_status_error(with_status(status), "CRL");
        EXPECT_FALSE(error.retryable()) << status;
        EXPECT_EQ(error.code(), Errc::not_found) << status;
    }
}

TEST(HttpStatusErrorTest, MessageLeavesOutTheUrl) {
    const auto error = http_status_error(with_status(503), "PKIOperation");
    EXPECT_EQ(error.message().find("message=abc"), std::string::npos) << error.message();
}

TEST(HttpUrlEscapeTest, Rfc3986Vectors) {
    EXPECT_EQ(url_escape(""), "");
    EXPECT_EQ(url_escape("AZaz09-._~"), "AZaz09-._~");
    EXPECT_EQ(url_escape(" "), "%20");
    EXPECT_EQ(url_escape("a+b/c=d&e?f#g%h"), "a%2Bb%2Fc%3Dd%26e%3Ff%23g%25h");
    EXPECT_EQ(url_escape("MIIB+/Zz=="), "MIIB%2B%2FZz%3D%3D");  // base64 in SCEP's message=
    EXPECT_EQ(url_escape("\xC3\xA9"), "%C3%A9");                // UTF-8 bytes, upper-case hex
    EXPECT_EQ(url_escape(std::string("\x00\xFF\n", 3)), "%00%FF%0A");
    EXPECT_EQ(url_escape("!*'();:@$,[]"), "%21%2A%27%28%29%3B%3A%40%24%2C%5B%5D");
}

TEST(FakeHttpClientTest, AnswersFromTheQueueThenTheHandlerAndRecordsRequests) {
    fakes::FakeHttpClient client;
    client.push(fakes::FakeHttpClient::response(200, "caps", "text/plain"));
    client.push(common::fail(Errc::timeout, "stalled", common::Retry::yes));
    int handled = 0;
    client.set_handler([&handled](const HttpRequest&) -> common::Result<HttpResponse> {
        ++handled;
        return fakes::FakeHttpClient::response(404, "");
    });

    HttpRequest request;
    request.url = "http://ra.example.net/pkiclient.exe?operation=GetCACaps";
    const auto first = client.send(request);
    ASSERT_TRUE(first.has_value());
    EXPECT_EQ(first->body, "caps");
    EXPECT_EQ(first->content_type(), "text/plain");
    EXPECT_EQ(first->effective_url, request.url);
    const auto second = client.send(request);
    ASSERT_FALSE(second.has_value());
    EXPECT_TRUE(second.error().retryable());
    const auto third = client.send(request);
    ASSERT_TRUE(third.has_value());
    EXPECT_EQ(third->status, 404);
    EXPECT_EQ(handled, 1);
    EXPECT_EQ(client.request_count(), 3u);
    EXPECT_EQ(client.requests()[0].url, request.url);
}

TEST(FakeHttpClientTest, FailsWhenNothingIsQueued) {
    fakes::FakeHttpClient client;
    HttpRequest request;
    request.url = "http://ra.example.net/";
    const auto result = client.send(request);
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().code(), Errc::internal);
}

}  // namespace
}  // namespace transport
