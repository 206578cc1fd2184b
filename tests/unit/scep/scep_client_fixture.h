// The fixture of the scep::Client tests: a FakeScepServer on loopback, the real CurlHttpClient,
// a FakeClock at scep_test::now() and a CaptureSink. Tests (re)start the server with the shape
// and options they need.
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "fakes/capture_sink.h"
#include "fakes/fake_clock.h"
#include "fakes/fake_scep_server.h"
#include "scep/client.h"
#include "transport/curl_http_client.h"
#include "unit/scep/scep_test_keys.h"

namespace scep_test {

class ScepClientFixture : public ::testing::Test {
  protected:
    using Shape = fakes::ScepPki::Shape;

    void SetUp() override { start(); }

    // A fresh server (and client) for this shape and these options; options.now defaults to
    // scep_test::now().
    void start(Shape shape = Shape::ca_only, fakes::ScepServerOptions options = {}) {
        m_client.reset();
        m_http.reset();
        m_server.reset();
        if (options.now == common::SystemTime{})
            options.now = now();
        m_server = std::make_unique<fakes::FakeScepServer>(pki(shape), std::move(options));
        connect();
    }

    // A new client for the running server, e.g. with other options or a short timeout.
    void connect(std::optional<scep::ClientOptions> options = std::nullopt,
                 std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
        m_client.reset();
        transport::CurlOptions curl;
        curl.timeout = timeout;
        m_http = std::make_unique<transport::CurlHttpClient>(curl, common::Logger(m_sink, "http"));
        m_client = std::make_unique<scep::Client>(
            *m_http, m_clock, options.value_or(client_options()), common::Logger(m_sink, "scep"));
    }

    scep::ClientOptions client_options() const {
        scep::ClientOptions options;
        options.url = m_server->url();
        options.fingerprint = m_server->pki().anchor.fingerprint();
        return options;
    }

    scep::Client& client() { return *m_client; }
    fakes::FakeScepServer& server() { return *m_server; }

    scep::Capabilities caps() {
        auto caps = m_client->get_ca_caps();
        EXPECT_TRUE(caps) << caps.error().to_string();
        return caps.value_or(scep::Capabilities{});
    }

    scep::CaCertificates ca() {
        auto ca = m_client->get_ca_certificates();
        if (!ca)
            throw std::runtime_error("GetCACert: " + ca.error().to_string());
        return *ca;
    }

    // PKCSReq for key (subject CN=device-001), through GetCACaps and GetCACert.
    common::Result<scep::EnrollmentResult> enroll(
        const crypto::PrivateKey& key, std::optional<std::string> challenge = std::nullopt) {
        return m_client->enroll(csr_for(key, "CN=device-001", std::move(challenge)), {key, {}, {}},
                                ca(), caps());
    }

    // An issued certificate for key, or a test failure.
    crypto::Certificate issued_for(const crypto::PrivateKey& key) {
        auto result = enroll(key);
        if (!result || result->status != scep::EnrollmentResult::Status::issued) {
            throw std::runtime_error("enrolment did not issue");
        }
        return *result->certificate;
    }

    std::size_t pki_operation_count() const { return m_server->pki_operations().size(); }

    fakes::FakeClock m_clock{now()};
    fakes::CaptureSink m_sink;
    std::unique_ptr<fakes::FakeScepServer> m_server;
    std::unique_ptr<transport::CurlHttpClient> m_http;
    std::unique_ptr<scep::Client> m_client;

    // Client keys (RSA: the CertRep is encrypted to them).
    const crypto::PrivateKey m_key = rsa_key("leaf");
    const crypto::PrivateKey m_new_key = rsa_key("expired");
    const crypto::PrivateKey m_third_key = rsa_key("revoked");
};

// Asserts that result failed with code and that the message mentions fragment.
template <typename T>
void expect_error(const common::Result<T>& result, common::Errc code, std::string_view fragment) {
    ASSERT_FALSE(result) << "succeeded where '" << fragment << "' was expected";
    EXPECT_EQ(result.error().code(), code) << result.error().to_string();
    EXPECT_THAT(result.error().message(), ::testing::HasSubstr(std::string(fragment)))
        << result.error().to_string();
}

}  // namespace scep_test
