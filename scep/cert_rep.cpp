// CertRep (RFC 8894 §3.3.2): building (responder) and checking (client).
#include <charconv>

#include "scep/attribute_values.h"
#include "scep/pki_message.h"

namespace scep {
namespace {

using common::Errc;
using common::fail;
using crypto::Bytes;
using crypto::ByteView;
using crypto::cms::Attribute;
using detail::parse_int;
using detail::printable;
using detail::text_attribute;

common::Result<Bytes> success_payload(const CertRep& reply) {
    if (reply.crl_der) {
        auto crl = crypto::Crl::from_der(*reply.crl_der);
        if (!crl) return crl.error();
        return crypto::cms::make_crls_only({*crl});
    }
    return crypto::cms::make_certs_only(reply.certificates);
}

// The attributes every CertRep must carry and that we check first (§3.2.1, §3.3.2).
common::Result<PkiStatus> check_header(const crypto::cms::Verified& v,
                                       const ReplyExpectation& expect) {
    const auto type = text_attribute(v, oid::message_type);
    if (!type || parse_int(*type) != static_cast<int>(MessageType::cert_rep)) {
        return fail(Errc::protocol, "CertRep: messageType is '" + type.value_or("(absent)") +
                                        "', expected 3 (CertRep)");
    }
    const auto tid = text_attribute(v, oid::transaction_id);
    if (!tid || *tid != expect.transaction_id) {
        return fail(Errc::verification, "CertRep: transactionID '" + tid.value_or("(absent)") +
                                            "' does not match ours '" + expect.transaction_id + "'");
    }
    const auto recipient_nonce = v.attribute(oid::recipient_nonce);
    if (!recipient_nonce || *recipient_nonce != expect.sender_nonce) {
        return fail(Errc::verification,
                    recipient_nonce ? "CertRep: recipientNonce does not match our senderNonce"
                                    : "CertRep: recipientNonce absent");
    }
    if (!v.attribute(oid::sender_nonce)) {
        return fail(Errc::protocol, "CertRep: senderNonce absent");
    }
    const auto status = text_attribute(v, oid::pki_status);
    const auto code = status ? parse_int(*status) : std::nullopt;
    if (!code || (*code != 0 && *code != 2 && *code != 3)) {
        return fail(Errc::protocol, "CertRep: unknown pkiStatus '" + status.value_or("(absent)") + "'");
    }
    return static_cast<PkiStatus>(*code);
}

common::Result<void> open_success(const crypto::cms::Verified& v, const ReplyExpectation& expect,
                                  CertRep& out) {
    if (v.content.empty()) return fail(Errc::protocol, "CertRep SUCCESS without messageData");
    auto inner = crypto::cms::decrypt_tolerating_des(v.content, expect.recipient,
                                                     expect.recipient_key);
    if (!inner) return inner.error().with_context("CertRep messageData");
    out.reply_used_single_des = inner->single_des;
    auto certs = crypto::cms::parse_certs_only(inner->content);
    if (certs) {
        out.certificates = std::move(*certs);
        return {};
    }
    auto crls = crypto::cms::parse_crls_only(inner->content);
    if (!crls) return certs.error().with_context("CertRep SUCCESS");
    out.crl_der = crls->front().to_der();
    return {};
}

}  // namespace

common::Result<Bytes> build_cert_rep(const CertRep& reply, const ReplyCrypto& keys) {
    Bytes content;
    if (reply.status == PkiStatus::success) {
        auto payload = success_payload(reply);
        if (!payload) return payload.error().with_context("CertRep");
        auto envelope = crypto::cms::encrypt(*payload, {keys.recipient}, keys.cipher);
        if (!envelope) return envelope.error().with_context("CertRep envelope");
        content = std::move(*envelope);
    }
    crypto::cms::SignOptions options;
    options.digest = keys.digest;
    options.attributes = {
        printable(oid::message_type, "3"),
        printable(oid::pki_status, std::to_string(static_cast<int>(reply.status))),
        printable(oid::transaction_id, reply.transaction_id),
        Attribute{oid::sender_nonce, Attribute::Type::octet_string, reply.sender_nonce},
        Attribute{oid::recipient_nonce, Attribute::Type::octet_string, reply.recipient_nonce},
    };
    if (reply.status == PkiStatus::failure) {
        const FailInfo info = reply.fail_info.value_or(FailInfo{});
        options.attributes.push_back(printable(oid::fail_info, std::to_string(info.code)));
        if (info.text) {
            options.attributes.push_back(Attribute{oid::fail_info_text, Attribute::Type::utf8_string,
                                                   Bytes(info.text->begin(), info.text->end())});
        }
    }
    return crypto::cms::sign(content, keys.signer, keys.signer_key, options);
}

common::Result<CertRep> parse_cert_rep(ByteView der, const ReplyExpectation& expect) {
    auto verified = crypto::cms::verify(der, expect.allowed_signers);
    if (!verified) return verified.error().with_context("CertRep signature");
    auto status = check_header(*verified, expect);
    if (!status) return status.error();
    CertRep out;
    out.status = *status;
    out.transaction_id = expect.transaction_id;
    out.recipient_nonce = expect.sender_nonce;
    out.sender_nonce = verified->attribute(oid::sender_nonce).value_or(Bytes{});
    if (out.status == PkiStatus::failure) {
        const auto info = text_attribute(*verified, oid::fail_info);
        const auto code = info ? parse_int(*info) : std::nullopt;
        if (!code) {
            return fail(Errc::protocol, "CertRep FAILURE without a valid failInfo ('" +
                                            info.value_or("(absent)") + "')");
        }
        out.fail_info = FailInfo{*code, text_attribute(*verified, oid::fail_info_text)};
        return out;
    }
    if (out.status == PkiStatus::success) {
        if (auto ok = open_success(*verified, expect, out); !ok) return ok.error();
    }
    return out;
}

}  // namespace scep
