// Helpers shared by the ca/ unit tests: one EC test CA (root -> intermediate, with a delegated
// OCSP signer) made once per test binary with ca::make_ca at a fixed instant, CSRs with the
// extension requests a test needs, and PEM files for the openssl command-line cross-checks.
#pragma once

#include <gtest/gtest.h>

#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <string>
#include <string_view>
#include <vector>

#include "ca/authority.h"
#include "ca/make_ca.h"
#include "crypto/csr.h"
#include "crypto/ossl_ptr.h"
#include "crypto/private_key.h"
#include "unit/crypto/test_pki.h"

namespace ca_test {

// 2026-01-01T00:00:00Z: every ca/ test runs at this instant.
inline common::SystemTime now() {
    return test_pki::at("2026-01-01T00:00:00Z");
}

inline crypto::PrivateKey ec_key() {
    return crypto::PrivateKey::generate({crypto::KeySpec::Type::ec, 0, "P-256"}).value();
}

// An RSA 2048 key of the committed test PKI ("root", "int", "leaf", ...): generating RSA keys
// under the sanitizers is slow.
inline crypto::PrivateKey rsa_key(std::string_view name) {
    return crypto::PrivateKey::from_pem(test_pki::read_text(std::string(name) + ".key")).value();
}

// Root "CN=Test Root" -> intermediate "CN=Test Issuing CA" (issues), OCSP signer; EC P-256.
inline const ca::CaMaterial& material() {
    static const ca::CaMaterial made = [] {
        ca::CaOptions options;
        options.root_subject = "CN=Test Root,O=certkeeper tests";
        options.intermediate_subject = "CN=Test Issuing CA,O=certkeeper tests";
        options.ocsp_signer = true;
        return ca::make_ca(options, now()).value();
    }();
    return made;
}

// The intermediate as an Authority, signing OCSP itself (no delegated signer).
inline const ca::Authority& authority() {
    static const ca::Authority made =
        ca::Authority::create(material().issuing().certificate, material().issuing().key,
                              {material().root.certificate})
            .value();
    return made;
}

inline crypto::Csr csr_for(const crypto::PrivateKey& key,
                           std::string_view subject = "CN=device-001,O=Example",
                           std::vector<std::string> sans = {}) {
    crypto::CsrRequest request;
    request.subject = std::string(subject);
    for (const auto& san : sans) {
        request.subject_alt_names.push_back(crypto::parse_subject_alt_name(san).value());
    }
    return crypto::Csr::build(request, key).value();
}

// A CSR with an exact subject ("" = empty name) and extension requests in openssl.cnf syntax,
// e.g. {NID_subject_alt_name, "otherName:1.2.3.4;UTF8:x,DNS:a.example"}; signed with SHA-256
// (or no digest for Ed25519 keys).
struct ExtensionSpec {
    int nid;
    std::string value;
};
inline crypto::Csr raw_csr(const crypto::PrivateKey& key, std::string_view subject,
                           const std::vector<ExtensionSpec>& extensions,
                           std::vector<crypto::X509ExtensionPtr> extra = {}) {
    crypto::X509ReqPtr req(X509_REQ_new());
    X509_REQ_set_version(req.get(), 0);
    if (!subject.empty()) {
        const std::string text(subject);
        crypto::X509NamePtr name(X509_NAME_new());
        X509_NAME_add_entry_by_txt(name.get(), "CN", MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(text.c_str()), -1, -1, 0);
        X509_REQ_set_subject_name(req.get(), name.get());
    }
    X509_REQ_set_pubkey(req.get(), key.native());
    STACK_OF(X509_EXTENSION)* exts = sk_X509_EXTENSION_new_null();
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, nullptr, nullptr, req.get(), nullptr, 0);
    for (const auto& spec : extensions) {
        X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, spec.nid, spec.value.c_str());
        EXPECT_NE(ext, nullptr) << spec.value;
        if (ext != nullptr) sk_X509_EXTENSION_push(exts, ext);
    }
    for (auto& ext : extra) sk_X509_EXTENSION_push(exts, ext.release());
    if (sk_X509_EXTENSION_num(exts) > 0) X509_REQ_add_extensions(req.get(), exts);
    sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
    const bool no_digest = EVP_PKEY_get_base_id(key.native()) == EVP_PKEY_ED25519;
    EXPECT_GT(X509_REQ_sign(req.get(), key.native(), no_digest ? nullptr : EVP_sha256()), 0);
    unsigned char* der = nullptr;
    const int len = i2d_X509_REQ(req.get(), &der);
    crypto::Bytes bytes(der, der + len);
    OPENSSL_free(der);
    return crypto::Csr::from_der(bytes).value();
}

inline std::string pem_of(const std::vector<crypto::Certificate>& certs) {
    std::string out;
    for (const auto& cert : certs) out += cert.to_pem();
    return out;
}

inline std::string epoch_seconds(common::SystemTime t) {
    return std::to_string(
        std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count());
}

}  // namespace ca_test
