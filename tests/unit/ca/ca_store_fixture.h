// Shared by the ca::CaStore tests: a temporary database, a cheap OTP hash, and certificates with
// chosen serials from an in-process test CA.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>

#include "ca/ca_store.h"
#include "common/clock.h"
#include "crypto/certificate.h"
#include "crypto/csr.h"
#include "crypto/private_key.h"
#include "fakes/temp_dir.h"
#include "unit/crypto/test_pki_builder.h"

namespace ca::testing {

// 1,000 PBKDF2 iterations instead of 600,000: the tests check logic, not hash cost.
inline CaStoreOptions fast_options() {
    CaStoreOptions options;
    options.otp_hash_iterations = 1000;
    return options;
}

class CaStoreFixture : public ::testing::Test {
protected:
    std::filesystem::path db_path() const { return m_dir / "ca.db"; }

    CaStore open_store(const CaStoreOptions& options = fast_options()) {
        auto store = CaStore::open(db_path(), options);
        EXPECT_TRUE(store) << store.error().to_string();
        return std::move(store).value();
    }

    // A leaf certificate from the test CA with this serial (one key for all, for speed).
    crypto::Certificate leaf(long serial, const std::string& common_name = "device") {
        test_pki::CertSpec spec = test_pki::leaf_spec(common_name);
        spec.serial = serial;
        return test_pki::issue(spec, &m_ca, m_key).cert;
    }

    crypto::Csr csr(const std::string& subject) {
        crypto::CsrRequest request;
        request.subject = subject;
        auto built = crypto::Csr::build(request, m_key);
        EXPECT_TRUE(built) << built.error().to_string();
        return std::move(built).value();
    }

    static common::SystemTime now() { return test_pki::reference_time(); }

    fakes::TempDir m_dir{"certkeeper-ca-store"};
    test_pki::Issued m_ca = test_pki::issue(test_pki::ca_spec("Test Issuing CA"));
    crypto::PrivateKey m_key =
        crypto::PrivateKey::generate({crypto::KeySpec::Type::ec, 0, "P-256"}).value();
};

}  // namespace ca::testing
