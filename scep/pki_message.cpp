#include "scep/pki_message.h"

#include <openssl/asn1.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>


#include "crypto/openssl_error.h"
#include "crypto/ossl_ptr.h"
#include "crypto/ossl_util.h"
#include "scep/attribute_values.h"

namespace scep {
namespace {

using common::Errc;
using common::fail;
using crypto::Bytes;
using crypto::ByteView;
using detail::octets;
using detail::parse_int;
using detail::printable;

bool is_request_type(int type) {
    return type == 17 || type == 19 || type == 20 || type == 21 || type == 22;
}

common::Result<Bytes> name_der(const X509_NAME* name) {
    unsigned char* der = nullptr;
    const int len = i2d_X509_NAME(name, &der);
    if (len <= 0) return crypto::openssl_error(Errc::crypto, "encoding a name");
    Bytes out(der, der + len);
    OPENSSL_free(der);
    return out;
}

void append_der_length(Bytes& out, std::size_t len) {
    if (len < 0x80) {
        out.push_back(static_cast<std::uint8_t>(len));
        return;
    }
    Bytes digits;
    for (std::size_t l = len; l > 0; l >>= 8) digits.insert(digits.begin(), static_cast<std::uint8_t>(l & 0xff));
    out.push_back(static_cast<std::uint8_t>(0x80 | digits.size()));
    out.insert(out.end(), digits.begin(), digits.end());
}

common::Result<Bytes> issuer_and_serial_der(const X509_NAME* issuer, const ASN1_INTEGER* serial) {
    crypto::OsslPtr<PKCS7_ISSUER_AND_SERIAL, PKCS7_ISSUER_AND_SERIAL_free> ias(
        PKCS7_ISSUER_AND_SERIAL_new());
    crypto::Asn1IntegerPtr serial_copy(ASN1_INTEGER_dup(serial));
    if (!ias || !serial_copy || X509_NAME_set(&ias->issuer, const_cast<X509_NAME*>(issuer)) != 1) {
        return crypto::openssl_error(Errc::crypto, "IssuerAndSerialNumber");
    }
    ASN1_INTEGER_free(ias->serial);
    ias->serial = serial_copy.release();
    unsigned char* der = nullptr;
    const int len = i2d_PKCS7_ISSUER_AND_SERIAL(ias.get(), &der);
    if (len <= 0) return crypto::openssl_error(Errc::crypto, "encoding IssuerAndSerialNumber");
    Bytes out(der, der + len);
    OPENSSL_free(der);
    return out;
}

}  // namespace

std::string_view to_string(MessageType type) {
    switch (type) {
        case MessageType::cert_rep: return "CertRep";
        case MessageType::renewal_req: return "RenewalReq";
        case MessageType::pkcs_req: return "PKCSReq";
        case MessageType::cert_poll: return "CertPoll";
        case MessageType::get_cert: return "GetCert";
        case MessageType::get_crl: return "GetCRL";
    }
    return "unknown";
}

std::string_view to_string(PkiStatus status) {
    switch (status) {
        case PkiStatus::success: return "SUCCESS";
        case PkiStatus::failure: return "FAILURE";
        case PkiStatus::pending: return "PENDING";
    }
    return "unknown";
}

std::string FailInfo::describe() const {
    static constexpr const char* names[] = {"badAlg", "badMessageCheck", "badRequest", "badTime",
                                            "badCertId"};
    std::string out = code >= 0 && code <= 4
                          ? std::string(names[code]) + " (" + std::to_string(code) + ")"
                          : "unknown failInfo " + std::to_string(code);
    if (text && !text->empty()) out += ": " + *text;
    return out;
}

std::string transaction_id_for(const crypto::PrivateKey& key) {
    return crypto::to_hex(crypto::digest(crypto::DigestAlgorithm::sha256, key.public_key_der()));
}

common::Result<Bytes> encode_issuer_and_subject(const crypto::Certificate& issuing_ca,
                                                std::string_view subject_dn) {
    auto subject = crypto::detail::name_from_string(subject_dn);
    if (!subject) return subject.error().with_context("CertPoll subject");
    auto issuer_der = name_der(X509_get_subject_name(issuing_ca.native()));
    auto subject_der = name_der(subject->get());
    if (!issuer_der) return issuer_der.error();
    if (!subject_der) return subject_der.error();
    Bytes out{0x30};
    append_der_length(out, issuer_der->size() + subject_der->size());
    out.insert(out.end(), issuer_der->begin(), issuer_der->end());
    out.insert(out.end(), subject_der->begin(), subject_der->end());
    return out;
}

common::Result<Bytes> encode_issuer_and_serial(const crypto::Certificate& issuing_ca,
                                               std::string_view serial_hex) {
    BIGNUM* raw = nullptr;
    const std::string hex(serial_hex);
    if (hex.empty() || BN_hex2bn(&raw, hex.c_str()) != static_cast<int>(hex.size())) {
        BN_free(raw);
        crypto::clear_openssl_errors();
        return fail(Errc::invalid_argument, "serial '" + hex + "' is not a hex number");
    }
    crypto::BignumPtr bn(raw);
    crypto::Asn1IntegerPtr serial(BN_to_ASN1_INTEGER(bn.get(), nullptr));
    if (!serial) return crypto::openssl_error(Errc::crypto, "serial number");
    return issuer_and_serial_der(X509_get_subject_name(issuing_ca.native()), serial.get());
}

common::Result<Bytes> encode_issuer_and_serial_of(const crypto::Certificate& cert) {
    return issuer_and_serial_der(X509_get_issuer_name(cert.native()),
                                 X509_get0_serialNumber(cert.native()));
}

common::Result<IssuerAndSerial> decode_issuer_and_serial(ByteView der) {
    const unsigned char* p = der.data();
    crypto::OsslPtr<PKCS7_ISSUER_AND_SERIAL, PKCS7_ISSUER_AND_SERIAL_free> ias(
        d2i_PKCS7_ISSUER_AND_SERIAL(nullptr, &p, static_cast<long>(der.size())));
    if (!ias || p != der.data() + der.size()) {
        return crypto::openssl_error(Errc::parse, "IssuerAndSerialNumber: malformed DER");
    }
    return IssuerAndSerial{crypto::detail::name_to_string(ias->issuer),
                           crypto::detail::asn1_integer_to_hex(ias->serial)};
}

common::Result<IssuerAndSubject> decode_issuer_and_subject(ByteView der) {
    const unsigned char* p = der.data();
    long len = 0;
    int tag = 0;
    int cls = 0;
    const int ret = ASN1_get_object(&p, &len, &tag, &cls, static_cast<long>(der.size()));
    if ((ret & 0x80) != 0 || tag != V_ASN1_SEQUENCE || cls != V_ASN1_UNIVERSAL ||
        p + len != der.data() + der.size()) {
        crypto::clear_openssl_errors();
        return fail(Errc::parse, "IssuerAndSubject: not a DER SEQUENCE");
    }
    const unsigned char* end = p + len;
    crypto::X509NamePtr issuer(d2i_X509_NAME(nullptr, &p, end - p));
    crypto::X509NamePtr subject(issuer ? d2i_X509_NAME(nullptr, &p, end - p) : nullptr);
    if (!issuer || !subject || p != end) {
        return crypto::openssl_error(Errc::parse, "IssuerAndSubject: malformed names");
    }
    return IssuerAndSubject{crypto::detail::name_to_string(issuer.get()),
                            crypto::detail::name_to_string(subject.get())};
}

common::Result<Bytes> build_request(const Request& request, const RequestCrypto& keys) {
    if (request.sender_nonce.size() != nonce_size || request.transaction_id.empty()) {
        return fail(Errc::invalid_argument, "SCEP request: needs a 16-byte nonce and a transactionID");
    }
    auto envelope = crypto::cms::encrypt(request.message_data, keys.recipients, keys.cipher);
    if (!envelope) return envelope.error().with_context("SCEP request envelope");
    crypto::cms::SignOptions options;
    options.digest = keys.digest;
    options.attributes = {
        printable(oid::message_type, std::to_string(static_cast<int>(request.type))),
        printable(oid::transaction_id, request.transaction_id),
        octets(oid::sender_nonce, request.sender_nonce),
    };
    auto signed_data = crypto::cms::sign(*envelope, keys.signer, keys.signer_key, options);
    if (!signed_data) return signed_data.error().with_context("SCEP request signature");
    return signed_data;
}

common::Result<SignedRequest> verify_request(ByteView der) {
    auto verified = crypto::cms::verify_with_embedded_signer(der);
    if (!verified) return verified.error().with_context("SCEP request");
    const auto type_text = detail::text_attribute(*verified, oid::message_type);
    const auto type = type_text ? parse_int(*type_text) : std::nullopt;
    if (!type || !is_request_type(*type)) {
        return fail(Errc::protocol, "SCEP request: messageType '" + type_text.value_or("(absent)") +
                                        "' is not a request type");
    }
    auto tid = detail::text_attribute(*verified, oid::transaction_id);
    auto nonce = verified->attribute(oid::sender_nonce);
    if (!tid || tid->empty()) return fail(Errc::protocol, "SCEP request: no transactionID");
    if (!nonce || nonce->size() != nonce_size) {
        return fail(Errc::protocol, "SCEP request: senderNonce absent or not 16 bytes");
    }
    return SignedRequest{Request{static_cast<MessageType>(*type), std::move(*tid),
                                 std::move(*nonce), std::move(verified->content)},
                         verified->signer, verified->digest};
}

common::Result<ParsedRequest> open_request(SignedRequest request,
                                           const crypto::Certificate& recipient,
                                           const crypto::PrivateKey& recipient_key,
                                           bool allow_single_des) {
    auto cipher = crypto::cms::envelope_cipher(request.request.message_data);
    if (!cipher && allow_single_des) {
        auto legacy = crypto::cms::decrypt_tolerating_des(request.request.message_data, recipient,
                                                          recipient_key);
        if (legacy && legacy->single_des) {
            request.request.message_data = std::move(legacy->content);
            return ParsedRequest{std::move(request.request), std::move(request.signer),
                                 request.digest, crypto::cms::ContentCipher::aes128_cbc, true};
        }
    }
    if (!cipher) return cipher.error().with_context("SCEP request messageData");
    auto data = crypto::cms::decrypt(request.request.message_data, recipient, recipient_key);
    if (!data) return data.error().with_context("SCEP request messageData");
    request.request.message_data = std::move(*data);
    return ParsedRequest{std::move(request.request), std::move(request.signer), request.digest,
                         *cipher, false};
}

common::Result<ParsedRequest> parse_request(ByteView der, const crypto::Certificate& recipient,
                                            const crypto::PrivateKey& recipient_key) {
    auto signed_request = verify_request(der);
    if (!signed_request) return signed_request.error();
    return open_request(std::move(*signed_request), recipient, recipient_key);
}

}  // namespace scep
