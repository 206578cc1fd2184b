#include "crypto/chain_validator.h"

#include <algorithm>
#include <chrono>
#include <ctime>

#include "crypto/chain_checks.h"
#include "crypto/openssl_error.h"
#include "crypto/ossl_ptr.h"
#include "crypto/ossl_util.h"
#include "crypto/path_builder.h"

namespace crypto {
namespace {

using common::Errc;

// Everything one X509_verify_cert run needs; the pointers alias the caller's objects.
struct Attempt {
    std::vector<X509*> anchors;
    X509* leaf = nullptr;
    std::vector<X509*> untrusted;
};

// What stays the same across the attempts of one validate() call.
struct Setup {
    const ValidationOptions& options;
    std::time_t time;
    std::vector<X509_CRL*> crls;   // the CRLs OpenSSL may use
    std::size_t ignored_crls = 0;  // CRLs set aside in strict mode (no cRLNumber)
    int depth;                     // OpenSSL's depth limit, see openssl_depth()
};

std::time_t to_time_t(SystemTime t) {
    return static_cast<std::time_t>(
        std::chrono::floor<std::chrono::seconds>(t).time_since_epoch().count());
}

bool is_self_issued(X509* x) {
    return X509_NAME_cmp(X509_get_subject_name(x), X509_get_issuer_name(x)) == 0;
}

// OpenSSL counts every intermediate against its depth, RFC 5280 §6.1 only the non-self-issued
// ones: allow for every self-issued candidate here, and count exactly in check_chain().
int openssl_depth(const ValidationOptions& options, const std::vector<X509*>& untrusted) {
    constexpr int library_default = 100;
    if (!options.max_intermediates) {
        return library_default;
    }
    int self_issued = 0;
    for (X509* x : untrusted) {
        self_issued += is_self_issued(x) ? 1 : 0;
    }
    return std::max(*options.max_intermediates, 0) + self_issued;
}

// The subject for an error message, cut short: a hostile certificate may have thousands of RDNs.
std::string describe(X509* cert) {
    constexpr std::size_t max_length = 200;
    if (cert == nullptr) {
        return "no certificate";
    }
    std::string subject = detail::name_to_string(X509_get_subject_name(cert));
    if (subject.size() > max_length) {
        subject.resize(max_length);
        subject += "...";
    }
    return subject;
}

common::Error verification_error(const std::string& reason, int depth, X509* cert) {
    return common::Error(Errc::verification,
                         reason + " (depth " + std::to_string(depth) + ", " + describe(cert) + ")");
}

// RFC 5280 §4.1.2.5: notAfter is inclusive; OpenSSL treats the instant itself as expired.
int verify_callback(int ok, X509_STORE_CTX* ctx) {
    if (ok == 0 && X509_STORE_CTX_get_error(ctx) == X509_V_ERR_CERT_HAS_EXPIRED) {
        X509* cert = X509_STORE_CTX_get_current_cert(ctx);
        const std::time_t at = X509_VERIFY_PARAM_get_time(X509_STORE_CTX_get0_param(ctx));
        if (cert != nullptr && ASN1_TIME_cmp_time_t(X509_get0_notAfter(cert), at) == 0) {
            X509_STORE_CTX_set_error(ctx, X509_V_OK);
            return 1;
        }
    }
    return ok;
}

common::Result<void> set_peer_name(X509_VERIFY_PARAM* param, const PeerName& name) {
    int rc = 0;
    switch (name.kind) {
        case PeerName::Kind::dns:
            rc = X509_VERIFY_PARAM_set1_host(param, name.value.data(), name.value.size());
            break;
        case PeerName::Kind::ip:
            rc = X509_VERIFY_PARAM_set1_ip_asc(param, name.value.c_str());
            break;
        case PeerName::Kind::email:
            rc = X509_VERIFY_PARAM_set1_email(param, name.value.data(), name.value.size());
            break;
    }
    if (rc != 1) {
        clear_openssl_errors();
        return common::fail(Errc::invalid_argument,
                            "invalid expected peer name '" + name.value + "'");
    }
    return {};
}

common::Result<void> configure(X509_STORE_CTX* ctx, const Setup& setup) {
    const ValidationOptions& options = setup.options;
    X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx);
    X509_VERIFY_PARAM_set_time(param, setup.time);
    X509_VERIFY_PARAM_set_depth(param, setup.depth);
    unsigned long flags = 0;
    unsigned int host_flags = X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS;
    if (options.strict) {
        flags |= X509_V_FLAG_X509_STRICT;
        host_flags |= X509_CHECK_FLAG_NEVER_CHECK_SUBJECT;
        X509_VERIFY_PARAM_set_auth_level(param, 2);
    }
    if (!options.crls.empty()) {
        flags |= X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL;
    }
    X509_VERIFY_PARAM_set_flags(param, flags);
    X509_VERIFY_PARAM_set_hostflags(param, host_flags);
    if (options.expected_peer_name) {
        if (auto r = set_peer_name(param, *options.expected_peer_name); !r) {
            return r;
        }
    }
    X509_STORE_CTX_set_verify_cb(ctx, verify_callback);
    return {};
}

common::Result<X509StorePtr> make_store(const Attempt& attempt, const Setup& setup) {
    X509StorePtr store(X509_STORE_new());
    if (!store) {
        return openssl_error(Errc::crypto, "X509_STORE_new");
    }
    for (X509* anchor : attempt.anchors) {
        if (X509_STORE_add_cert(store.get(), anchor) != 1) {
            return openssl_error(Errc::crypto, "X509_STORE_add_cert");
        }
    }
    for (X509_CRL* crl : setup.crls) {
        if (X509_STORE_add_crl(store.get(), crl) != 1) {
            return openssl_error(Errc::crypto, "X509_STORE_add_crl");
        }
    }
    return store;
}

CertificatePath to_path(STACK_OF(X509) * chain) {
    CertificatePath path;
    for (int i = 0; i < sk_X509_num(chain); ++i) {
        path.push_back(Certificate::adopt(up_ref(sk_X509_value(chain, i)).release()));
    }
    return path;
}

common::Error failure(X509_STORE_CTX* ctx, const Setup& setup) {
    const int error = X509_STORE_CTX_get_error(ctx);
    std::string reason = X509_verify_cert_error_string(error);
    if (error == X509_V_ERR_UNABLE_TO_GET_CRL && setup.ignored_crls > 0) {
        reason += "; " + std::to_string(setup.ignored_crls) + " CRL(s) without cRLNumber ignored";
    }
    clear_openssl_errors();
    return verification_error(reason, X509_STORE_CTX_get_error_depth(ctx),
                              X509_STORE_CTX_get_current_cert(ctx));
}

// One X509_verify_cert run over exactly these certificates, then the checks of check_chain().
common::Result<CertificatePath> run(const Attempt& attempt, const Setup& setup) {
    auto store = make_store(attempt, setup);
    if (!store) {
        return store.error();
    }
    X509StackPtr untrusted(sk_X509_new_null());
    X509StoreCtxPtr ctx(X509_STORE_CTX_new());
    if (!untrusted || !ctx) {
        return openssl_error(Errc::crypto, "X509_STORE_CTX_new");
    }
    for (X509* x : attempt.untrusted) {
        X509Ptr reference = up_ref(x);
        if (sk_X509_push(untrusted.get(), reference.get()) <= 0) {
            return openssl_error(Errc::crypto, "sk_X509_push");
        }
        static_cast<void>(reference.release());  // owned by the stack now
    }
    if (X509_STORE_CTX_init(ctx.get(), store->get(), attempt.leaf, untrusted.get()) != 1) {
        return openssl_error(Errc::crypto, "X509_STORE_CTX_init");
    }
    if (auto configured = configure(ctx.get(), setup); !configured) {
        return configured.error();
    }
    const int rc = X509_verify_cert(ctx.get());
    if (rc < 0) {
        return openssl_error(Errc::crypto, "X509_verify_cert");
    }
    if (rc == 0) {
        return failure(ctx.get(), setup);
    }
    STACK_OF(X509)* chain = X509_STORE_CTX_get0_chain(ctx.get());
    if (auto issue = detail::check_chain(chain, setup.options)) {
        return verification_error(issue->reason, issue->depth, sk_X509_value(chain, issue->depth));
    }
    return to_path(chain);
}

std::vector<X509*> natives(const std::vector<Certificate>& certs) {
    std::vector<X509*> out;
    out.reserve(certs.size());
    for (const auto& c : certs) {
        out.push_back(c.native());
    }
    return out;
}

Setup make_setup(const ValidationOptions& options, const std::vector<X509*>& untrusted) {
    Setup setup{options, to_time_t(options.time), {}, 0, openssl_depth(options, untrusted)};
    for (const auto& crl : options.crls) {
        if (options.strict && !detail::crl_is_conforming(crl.native())) {
            ++setup.ignored_crls;
        } else {
            setup.crls.push_back(crl.native());
        }
    }
    return setup;
}

}  // namespace

common::Result<CertificatePath> ChainValidator::validate(const Certificate& leaf,
                                                         const std::vector<Certificate>& untrusted,
                                                         const ValidationOptions& options) const {
    if (m_anchors.empty()) {
        return common::fail(Errc::invalid_argument, "chain validation: no trust anchor");
    }
    const Attempt natural{natives(m_anchors), leaf.native(), natives(untrusted)};
    const Setup setup = make_setup(options, natural.untrusted);
    auto first = run(natural, setup);
    if (first || first.error().code() != Errc::verification) {
        return first;
    }
    // OpenSSL does not backtrack: try the other paths through the given certificates.
    const auto paths =
        detail::candidate_paths(natural.leaf, natural.untrusted, natural.anchors, setup.time);
    for (const auto& path : paths) {
        const Attempt attempt{
            {path.back()}, natural.leaf, std::vector<X509*>(path.begin() + 1, path.end() - 1)};
        auto result = run(attempt, setup);
        if (result || result.error().code() != Errc::verification) {
            return result;
        }
    }
    return first;
}

common::Result<Certificate> pin_trust_anchor(const Certificate& root, const Fingerprint& expected) {
    if (!is_collision_resistant(expected.algorithm())) {
        return common::fail(Errc::unsupported, "trust anchor pin uses " +
                                                   std::string(to_string(expected.algorithm())) +
                                                   "; pins must use SHA-256 or stronger");
    }
    const Fingerprint actual = root.fingerprint(expected.algorithm());
    if (actual != expected) {
        return common::fail(Errc::verification,
                            "trust anchor fingerprint mismatch: expected " + expected.to_string() +
                                ", got " + actual.to_string() + " (" + root.subject() + ")");
    }
    if (X509_check_issued(root.native(), root.native()) != X509_V_OK || !root.is_signed_by(root)) {
        clear_openssl_errors();
        return common::fail(Errc::verification,
                            "pinned trust anchor is not self-signed (" + root.subject() + ")");
    }
    return root;
}

}  // namespace crypto
