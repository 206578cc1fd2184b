// libFuzzer target: revocation::check_ocsp_response on arbitrary bytes, and on mutations of
// properly signed responses. It must not crash, and it must never say Good unless OpenSSL, on
// its own, finds the bytes to be a response signed by the CA (or its delegated signer) that
// says good for the leaf. The keys are generated in LLVMFuzzerInitialize, so no input can carry
// a signature of its own making.
//
// Input layout: first byte 0xff = mutation mode: [0xff][base][flags][offset_hi offset_lo xor]...
// applies each XOR at offset (mod size) to base response `base` (mod 6, see make_bases()), and
// checks with flags bit 0 = pass the nonce sent, bit 1 = require_nonce, bit 2 = max_age 1 h,
// bit 3 = truncate at the first patch's offset. Any other first byte: raw mode, the whole input
// is the response. Seeds: corpus/ocsp_response/ (make-ocsp-response-seeds.sh).
#include <openssl/ocsp.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "ca/authority.h"
#include "ca/make_ca.h"
#include "common/time_format.h"
#include "crypto/certificate_builder.h"
#include "crypto/ossl_ptr.h"
#include "ocsp-crl/ocsp.h"

namespace {

using namespace std::chrono_literals;

struct Base {
    crypto::Bytes der;
    std::optional<crypto::Bytes> nonce;
    ca::CertificateStatus::Kind kind;  // what the responder was told to say
};

struct World {
    ca::CaMaterial material;
    crypto::Certificate leaf;
    std::vector<Base> bases;
};

common::SystemTime fixed_now() {
    return common::parse_rfc3339("2026-01-01T00:00:00Z").value();
}

common::Result<ca::CertificateStatus> say(ca::CertificateStatus::Kind kind) {
    return ca::CertificateStatus{kind, fixed_now() - 24h, 1};
}

Base make_base(const ca::Authority& responder, const crypto::Certificate& leaf,
               const crypto::Certificate& issuer, ca::CertificateStatus::Kind kind,
               const revocation::OcspRequestOptions& options) {
    auto request = revocation::make_ocsp_request(leaf, issuer, options).value();
    auto answer = responder.ocsp_respond(
        request.der, [kind](std::string_view) { return say(kind); }, fixed_now(), 1h);
    if (answer.status != ca::OcspResponseStatus::successful)
        std::abort();
    return {answer.der, request.nonce, kind};
}

World make_world() {
    using Kind = ca::CertificateStatus::Kind;
    ca::CaOptions options;
    options.root_subject = "CN=Fuzz OCSP Response CA";
    options.ocsp_signer = true;
    auto material = ca::make_ca(options, fixed_now()).value();
    auto leaf_key = crypto::PrivateKey::generate({crypto::KeySpec::Type::ec, 0, "P-256"}).value();
    auto leaf = crypto::CertificateBuilder()
                    .serial({0x12, 0x34})
                    .subject("CN=fuzz leaf")
                    .public_key(leaf_key.public_key_der())
                    .validity(fixed_now() - 24h, fixed_now() + 24h * 30)
                    .end_entity()
                    .sign(material.root.key, material.root.certificate)
                    .value();
    World out{material, leaf, {}};
    const auto by_ca =
        ca::Authority::create(material.root.certificate, material.root.key, {}).value();
    const auto delegated = material.authority().value();
    const auto& issuer = material.root.certificate;
    revocation::OcspRequestOptions sha256;
    sha256.cert_id_hash = crypto::DigestAlgorithm::sha256;
    sha256.with_nonce = false;
    out.bases = {
        make_base(by_ca, leaf, issuer, Kind::good, {}),
        make_base(delegated, leaf, issuer, Kind::good, {}),
        make_base(by_ca, leaf, issuer, Kind::revoked, {}),
        make_base(delegated, leaf, issuer, Kind::unknown, {}),
        make_base(delegated, leaf, issuer, Kind::good, sha256),
        make_base(delegated, leaf, issuer, Kind::revoked, sha256),
    };
    // The harness itself: each base, unmutated, gets the answer it was made with.
    for (const auto& base : out.bases) {
        const auto result = revocation::check_ocsp_response(base.der, out.leaf, issuer, base.nonce,
                                                            fixed_now(), {});
        const bool as_made =
            base.kind == Kind::good ? result.status.is_good()
            : base.kind == Kind::revoked
                ? result.status.is_revoked()
                : result.status.why() == "responder does not know this certificate";
        if (!as_made)
            std::abort();
    }
    return out;
}

// Made once, in LLVMFuzzerInitialize.
const World& world() {
    static const World made = make_world();
    return made;
}

// OpenSSL's own opinion: the bytes decode, are signed by the CA or the delegated signer, and
// say good for the leaf.
bool openssl_says_signed_good(crypto::ByteView der) {
    const unsigned char* p = der.data();
    crypto::OcspResponsePtr response(d2i_OCSP_RESPONSE(nullptr, &p, static_cast<long>(der.size())));
    if (!response || OCSP_response_status(response.get()) != OCSP_RESPONSE_STATUS_SUCCESSFUL) {
        return false;
    }
    crypto::OcspBasicRespPtr basic(OCSP_response_get1_basic(response.get()));
    if (!basic)
        return false;
    const auto& material = world().material;
    bool verified = false;
    for (X509* signer :
         {material.root.certificate.native(), material.ocsp_signer->certificate.native()}) {
        crypto::X509StackPtr certs(sk_X509_new_null());
        sk_X509_push(certs.get(), crypto::up_ref(signer).release());
        if (OCSP_basic_verify(basic.get(), certs.get(), nullptr, OCSP_NOINTERN | OCSP_NOVERIFY) ==
            1) {
            verified = true;
        }
    }
    if (!verified)
        return false;
    for (const EVP_MD* md : {EVP_sha1(), EVP_sha256()}) {
        crypto::OcspCertIdPtr id(
            OCSP_cert_to_id(md, world().leaf.native(), material.root.certificate.native()));
        int status = -1;
        // Returns 1 when a SingleResponse for id was found; the answer is in status.
        if (OCSP_resp_find_status(basic.get(), id.get(), &status, nullptr, nullptr, nullptr,
                                  nullptr) == 1 &&
            status == V_OCSP_CERTSTATUS_GOOD) {
            return true;
        }
    }
    return false;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    static_cast<void>(world());
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto& issuer = world().material.root.certificate;
    revocation::OcspCheckOptions options;
    crypto::Bytes input(data, data + size);
    std::optional<crypto::Bytes> nonce = world().bases[0].nonce;
    bool base_good = true;  // raw mode: only OpenSSL's verdict below decides
    if (size >= 3 && data[0] == 0xff) {
        const Base& base = world().bases[data[1] % world().bases.size()];
        const std::uint8_t flags = data[2];
        input = base.der;
        nonce = (flags & 1) != 0 ? base.nonce : std::nullopt;
        options.require_nonce = (flags & 2) != 0;
        if ((flags & 4) != 0)
            options.freshness.max_age = 1h;
        base_good = base.kind == ca::CertificateStatus::Kind::good;
        for (std::size_t i = 3; i + 2 < size; i += 3) {
            const std::size_t offset = ((std::size_t{data[i]} << 8) | data[i + 1]) % input.size();
            if ((flags & 8) != 0 && i == 3) {
                input.resize(offset);
                if (input.empty())
                    break;
                continue;
            }
            input[offset] = static_cast<std::uint8_t>(input[offset] ^ data[i + 2]);
        }
    }
    const auto result =
        revocation::check_ocsp_response(input, world().leaf, issuer, nonce, fixed_now(), options);
    if (result.status.is_good()) {
        // A mutation cannot turn a signed "revoked" into "good", and nothing unsigned is good.
        if (!base_good || !openssl_says_signed_good(input))
            std::abort();
    }
    return 0;
}
