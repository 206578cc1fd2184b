// libFuzzer target: scep::parse_cert_rep() with a fixed expectation (transactionID, nonce, CA
// signer, our signer certificate and key; keys generated once in LLVMFuzzerInitialize).
//
// The first byte picks the mode:
//  - even: the rest is a CertRep as received (DER, CMS, signature; a mutated input rarely
//    verifies, so this mode exercises the decoders and the signature check);
//  - odd: the rest describes the signed attributes and the content of a CertRep, which the
//    target signs with the CA key before parsing it, so that the checks behind the signature
//    run on arbitrary values. Fields, each a length byte and that many bytes: messageType,
//    pkiStatus, transactionID (empty: ours), senderNonce (empty: omitted), recipientNonce
//    (empty: ours; one 0xff byte: omitted), failInfo (empty: omitted), failInfoText (empty:
//    omitted), content kind (0 none, 1 our certificate as certs-only for us, 2 the remaining
//    bytes encrypted for us, 3 the remaining bytes unencrypted); then the remaining bytes.
//    Whatever parse_cert_rep accepts must satisfy RFC 8894 §3.2.1 / §3.3.2; else abort().
// Seeds: corpus/cert_rep/.
#include <charconv>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "crypto/cms.h"
#include "crypto/self_signed.h"
#include "scep/pki_message.h"

namespace {

using crypto::Bytes;
using crypto::cms::Attribute;

struct Fixture {
    crypto::PrivateKey ca_key;
    crypto::Certificate ca;
    crypto::PrivateKey our_key;
    crypto::Certificate ours;
    scep::ReplyExpectation expect;
};

const Fixture* fixture = nullptr;

crypto::PrivateKey rsa_key() {
    return crypto::PrivateKey::generate({crypto::KeySpec::Type::rsa, 2048, ""}).value();
}

crypto::Certificate self_signed(const crypto::PrivateKey& key, std::string_view subject, bool ca) {
    const auto t = std::chrono::system_clock::time_point{} + std::chrono::hours(24 * 365 * 56);
    return crypto::make_self_signed(key, subject, {t, t + std::chrono::hours(24 * 365), ca})
        .value();
}

class Reader {
  public:
    Reader(const std::uint8_t* data, std::size_t size) : m_data(data), m_size(size) {}
    Bytes field() {
        if (m_size == 0)
            return {};
        const std::size_t n = std::min<std::size_t>(m_data[0], m_size - 1);
        Bytes out(m_data + 1, m_data + 1 + n);
        m_data += 1 + n;
        m_size -= 1 + n;
        return out;
    }
    Bytes rest() const { return Bytes(m_data, m_data + m_size); }

  private:
    const std::uint8_t* m_data;
    std::size_t m_size;
};

std::string text(const Bytes& b) {
    return std::string(b.begin(), b.end());
}

Attribute printable(const char* oid, const Bytes& value) {
    return {oid, Attribute::Type::printable_string, value};
}

// messageType / pkiStatus / failInfo as the RFC means them: a decimal integer.
std::optional<int> decimal(const Bytes& b) {
    const auto* first = reinterpret_cast<const char*>(b.data());
    int value = 0;
    const auto [end, ec] = std::from_chars(first, first + b.size(), value);
    if (b.empty() || ec != std::errc() || end != first + b.size())
        return std::nullopt;
    return value;
}

std::optional<Bytes> content_of(std::uint8_t kind, const Bytes& rest) {
    const auto& f = *fixture;
    switch (kind % 4) {
        case 0:
            return Bytes{};
        case 1: {
            auto certs = crypto::cms::make_certs_only({f.ours});
            if (!certs)
                return std::nullopt;
            auto envelope =
                crypto::cms::encrypt(*certs, {f.ours}, crypto::cms::ContentCipher::aes128_cbc);
            return envelope ? std::optional<Bytes>(*envelope) : std::nullopt;
        }
        case 2: {
            auto envelope =
                crypto::cms::encrypt(rest, {f.ours}, crypto::cms::ContentCipher::aes128_cbc);
            return envelope ? std::optional<Bytes>(*envelope) : std::nullopt;
        }
        default:
            return rest;
    }
}

struct Fields {
    Bytes message_type, status, tid, sender_nonce, recipient_nonce, fail_info, fail_info_text;
};

// The RFC's rules, checked on what parse_cert_rep accepted from fields.
void check_accepted(const Fields& in, const scep::CertRep& out) {
    const auto& expect = fixture->expect;
    const bool tid_ok = in.tid.empty() || text(in.tid) == expect.transaction_id;
    const bool nonce_ok = in.recipient_nonce.empty() || in.recipient_nonce == expect.sender_nonce;
    const auto type = decimal(in.message_type);
    const auto status = decimal(in.status);
    if (!tid_ok || !nonce_ok || in.sender_nonce.empty() || type != 3 || !status ||
        *status != static_cast<int>(out.status) || out.transaction_id != expect.transaction_id ||
        out.recipient_nonce != expect.sender_nonce) {
        std::abort();
    }
    if (out.status == scep::PkiStatus::failure &&
        (!out.fail_info || decimal(in.fail_info) != out.fail_info->code)) {
        std::abort();
    }
    if (out.status == scep::PkiStatus::success && out.certificates.empty() && !out.crl_der) {
        std::abort();
    }
}

void structured(const std::uint8_t* data, std::size_t size) {
    const auto& f = *fixture;
    Reader reader(data, size);
    Fields in{reader.field(), reader.field(), reader.field(), reader.field(),
              reader.field(), reader.field(), reader.field()};
    const Bytes kind = reader.field();
    const auto content = content_of(kind.empty() ? 0 : kind[0], reader.rest());
    if (!content)
        return;
    crypto::cms::SignOptions options;
    const Bytes tid = in.tid.empty()
                          ? Bytes(f.expect.transaction_id.begin(), f.expect.transaction_id.end())
                          : in.tid;
    options.attributes = {printable(scep::oid::message_type, in.message_type),
                          printable(scep::oid::pki_status, in.status),
                          printable(scep::oid::transaction_id, tid)};
    if (!in.sender_nonce.empty()) {
        options.attributes.push_back(
            {scep::oid::sender_nonce, Attribute::Type::octet_string, in.sender_nonce});
    }
    if (in.recipient_nonce != Bytes{0xff}) {
        options.attributes.push_back(
            {scep::oid::recipient_nonce, Attribute::Type::octet_string,
             in.recipient_nonce.empty() ? f.expect.sender_nonce : in.recipient_nonce});
    } else {
        in.recipient_nonce = {0};  // omitted: never acceptable
    }
    if (!in.fail_info.empty())
        options.attributes.push_back(printable(scep::oid::fail_info, in.fail_info));
    if (!in.fail_info_text.empty()) {
        options.attributes.push_back(
            {scep::oid::fail_info_text, Attribute::Type::utf8_string, in.fail_info_text});
    }
    const auto der = crypto::cms::sign(*content, f.ca, f.ca_key, options);
    if (!der)
        return;  // e.g. a character PrintableString cannot hold
    const auto out = scep::parse_cert_rep(*der, f.expect);
    if (out)
        check_accepted(in, *out);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    static Fixture instance = [] {
        auto ca_key = rsa_key();
        auto ca = self_signed(ca_key, "CN=Fuzz SCEP CA", true);
        auto our_key = rsa_key();
        auto ours = self_signed(our_key, "CN=fuzz-device", false);
        const std::string tid = scep::transaction_id_for(our_key);
        Bytes nonce(scep::nonce_size);
        for (std::size_t i = 0; i < nonce.size(); ++i)
            nonce[i] = static_cast<std::uint8_t>(0xa0 + i);
        return Fixture{ca_key, ca, our_key, ours, {tid, nonce, {ca}, ours, our_key}};
    }();
    fixture = &instance;
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0)
        return 0;
    if (data[0] % 2 == 0) {
        const auto out =
            scep::parse_cert_rep(crypto::ByteView(data + 1, size - 1), fixture->expect);
        // Random keys per run: a raw input verifies only if the fuzzer forged an RSA signature.
        if (out && out->transaction_id != fixture->expect.transaction_id)
            std::abort();
        return 0;
    }
    structured(data + 1, size - 1);
    return 0;
}
