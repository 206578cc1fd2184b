#include <chrono>
#include <iostream>

#include "certificate_files.h"
#include "command.h"
#include "common/time_format.h"
#include "crypto/chain_validator.h"

namespace cli {
namespace {

common::Result<crypto::PeerName> parse_peer_name(const std::string& text) {
    const auto colon = text.find(':');
    const std::string kind = colon == std::string::npos ? "dns" : text.substr(0, colon);
    const std::string value = colon == std::string::npos ? text : text.substr(colon + 1);
    if (kind == "dns") return crypto::PeerName{crypto::PeerName::Kind::dns, value};
    if (kind == "ip") return crypto::PeerName{crypto::PeerName::Kind::ip, value};
    if (kind == "email") return crypto::PeerName{crypto::PeerName::Kind::email, value};
    return common::fail(common::Errc::invalid_argument,
                        "--name '" + text + "': expected dns:HOST, ip:ADDRESS or email:ADDRESS");
}

// Keeps the anchors whose fingerprint matches the pin; fails if none does.
common::Result<std::vector<crypto::Certificate>> pin(const std::vector<crypto::Certificate>& anchors,
                                                     const std::string& pin_text) {
    auto expected = crypto::Fingerprint::parse(pin_text);
    if (!expected) return expected.error();
    std::vector<crypto::Certificate> kept;
    common::Error last(common::Errc::verification, "no anchor");
    for (const auto& a : anchors) {
        auto pinned = crypto::pin_trust_anchor(a, *expected);
        if (pinned) {
            kept.push_back(*pinned);
        } else {
            last = pinned.error();
        }
    }
    if (kept.empty()) return last;
    return kept;
}

common::Result<crypto::ValidationOptions> build_options(const Args& args) {
    crypto::ValidationOptions options;
    options.time = std::chrono::system_clock::now();
    if (auto at = args.value("at")) {
        auto t = common::parse_rfc3339(*at);
        if (!t) return t.error();
        options.time = *t;
    }
    if (auto name = args.value("name")) {
        auto peer = parse_peer_name(*name);
        if (!peer) return peer.error();
        options.expected_peer_name = *peer;
    }
    for (const auto& ku : args.values("key-usage")) {
        auto usage = crypto::parse_key_usage(ku);
        if (!usage) return usage.error();
        options.required_key_usage.add(*usage);
    }
    for (const auto& e : args.values("eku")) {
        auto oid = crypto::parse_extended_key_usage(e);
        if (!oid) return oid.error();
        options.required_extended_key_usage.push_back(*oid);
    }
    if (auto depth = args.value("max-depth")) {
        try {
            options.max_intermediates = std::stoi(*depth);
        } catch (const std::exception&) {
            return common::fail(common::Errc::invalid_argument, "--max-depth: not a number");
        }
    }
    for (const auto& path : args.values("crl")) {
        auto data = read_file(path);
        if (!data) return data.error();
        auto crl = crypto::Crl::load_any(crypto::as_bytes(*data));
        if (!crl) return crl.error().with_context(path);
        options.crls.push_back(std::move(*crl));
    }
    return options;
}

int verify(const Args& args, std::ostream& out, std::ostream& err) {
    const auto usage_error = [&](const std::string& message) {
        err << "certkeeper chain verify: " << message << "\n";
        return exit_usage;
    };
    if (args.positional().size() != 1) return usage_error("expected one LEAF file");
    if (args.values("anchor").empty()) return usage_error("--anchor ROOT.pem is required");
    std::vector<crypto::Certificate> anchors;
    for (const auto& path : args.values("anchor")) {
        auto certs = load_certificates(path);
        if (!certs) return usage_error(certs.error().to_string());
        anchors.insert(anchors.end(), certs->begin(), certs->end());
    }
    std::vector<crypto::Certificate> untrusted;
    for (const auto& path : args.values("untrusted")) {
        auto certs = load_certificates(path);
        if (!certs) return usage_error(certs.error().to_string());
        untrusted.insert(untrusted.end(), certs->begin(), certs->end());
    }
    auto leaf = load_certificates(args.positional()[0]);
    if (!leaf) return usage_error(leaf.error().to_string());
    auto options = build_options(args);
    if (!options) return usage_error(options.error().to_string());
    if (auto fp = args.value("fingerprint")) {
        auto pinned = pin(anchors, *fp);
        if (!pinned) {
            if (pinned.error().code() != common::Errc::verification) {
                return usage_error(pinned.error().to_string());
            }
            out << "invalid: " << pinned.error().message() << "\n";
            return exit_invalid;
        }
        anchors = std::move(*pinned);
    }
    // A leaf file may carry its chain after the leaf (full-chain PEM).
    untrusted.insert(untrusted.end(), leaf->begin() + 1, leaf->end());
    const crypto::ChainValidator validator(anchors);
    auto path = validator.validate(leaf->front(), untrusted, *options);
    if (!path) {
        out << "invalid: " << path.error().message() << "\n";
        return exit_invalid;
    }
    out << "valid at " << common::format_rfc3339(options->time) << ":";
    for (std::size_t i = 0; i < path->size(); ++i) {
        out << (i == 0 ? " " : " <- ") << (*path)[i].subject();
    }
    out << "\n";
    return exit_ok;
}

}  // namespace

std::vector<Command> chain_commands() {
    return {Command{
        "chain", "verify",
        "--anchor ROOT.pem [--fingerprint sha256:...] [--untrusted CHAIN.pem] [--crl FILE]... "
        "[--at TIME] [--name dns:HOST] LEAF.pem",
        "validate LEAF against the trust anchor(s); exit 0 if valid, 1 if not (reason on one line)",
        "exit codes: 0 valid, 1 invalid (the reason on one line), 2 bad input\n",
        {{"anchor", true, true, "FILE trust anchor certificate(s), PEM or DER"},
         {"fingerprint", true, false, "FP accept only an anchor with this SHA-256 fingerprint"},
         {"untrusted", true, true, "FILE intermediate certificates to build the path from"},
         {"crl", true, true, "FILE CRL (PEM or DER); with CRLs every chain certificate is checked"},
         {"at", true, false, "TIME validation time, RFC 3339 (default: now)"},
         {"name", true, false, "NAME expected peer name: dns:HOST, ip:ADDRESS or email:ADDRESS"},
         {"key-usage", true, true, "USAGE key usage the leaf must allow (e.g. digitalSignature)"},
         {"eku", true, true, "EKU extended key usage the leaf must have (serverAuth, clientAuth, OID)"},
         {"max-depth", true, false, "N maximum number of intermediates"}},
        verify}};
}

}  // namespace cli
