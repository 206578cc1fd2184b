// certkeeper scep enroll|renew|poll|getcert|getcrl.
#include <iostream>
#include <optional>

#include "output_file.h"
#include "scep_options.h"

namespace cli {
namespace {

struct Prepared {
    std::unique_ptr<ScepSession> session;
    scep::Capabilities caps;
    scep::CaCertificates ca;
};

// Opens the session and fetches caps and the verified CA certificates, or returns an exit code.
std::variant<Prepared, int> prepare(const Args& args, const std::string& verb, std::ostream& err) {
    auto session = ScepSession::open(args, err);
    if (!session) return exit_usage;
    if (!session->has_trust()) {
        err << "certkeeper scep " << verb << ": --fingerprint or --ca-cert is required\n";
        return exit_usage;
    }
    auto caps = session->client().get_ca_caps();
    if (!caps) return report_error(verb, caps.error(), err);
    auto ca = session->client().get_ca_certificates();
    if (!ca) return report_error(verb, ca.error(), err);
    return Prepared{std::move(session), std::move(*caps), std::move(*ca)};
}

common::Result<crypto::PrivateKey> load_key(const std::string& path) {
    auto text = read_file(path);
    if (!text) return text.error();
    auto key = crypto::PrivateKey::from_pem(*text);
    if (!key) return key.error().with_context(path);
    return key;
}

// --key FILE, or --new-key SPEC written to --key-out before anything is sent (never lost).
common::Result<std::optional<crypto::PrivateKey>> key_from_options(const Args& args) {
    if (args.value("key") && args.value("new-key")) {
        return common::fail(common::Errc::invalid_argument, "--key and --new-key exclude each other");
    }
    if (auto path = args.value("key")) {
        auto key = load_key(*path);
        if (!key) return key.error();
        return std::optional<crypto::PrivateKey>(std::move(*key));
    }
    auto spec_text = args.value("new-key");
    if (!spec_text) return std::optional<crypto::PrivateKey>();
    auto out = args.value("key-out");
    if (!out) return common::fail(common::Errc::invalid_argument, "--new-key needs --key-out FILE");
    auto spec = crypto::KeySpec::parse(*spec_text);
    if (!spec) return spec.error();
    auto key = crypto::PrivateKey::generate(*spec);
    if (!key) return key.error();
    if (auto w = write_file_atomically(*out, key->to_pem(), 0600); !w) return w.error();
    return std::optional<crypto::PrivateKey>(std::move(*key));
}

common::Result<std::optional<std::string>> challenge_from_options(const Args& args) {
    if (auto c = args.value("challenge")) return std::optional<std::string>(*c);
    auto path = args.value("challenge-file");
    if (!path) return std::optional<std::string>();
    auto secret = read_secret_line(*path);
    if (!secret) return secret.error();
    if (secret->empty()) return common::fail(common::Errc::invalid_argument, *path + " is empty");
    return std::optional<std::string>(std::move(*secret));
}

common::Result<crypto::Csr> make_csr(const Args& args, const crypto::PrivateKey& key,
                                     const std::optional<crypto::Certificate>& old) {
    crypto::CsrRequest request;
    request.subject = args.value("subject").value_or(old ? old->subject() : "");
    if (request.subject.empty()) {
        return common::fail(common::Errc::invalid_argument, "--subject is required");
    }
    for (const auto& s : args.values("san")) {
        auto san = crypto::parse_subject_alt_name(s);
        if (!san) return san.error();
        request.subject_alt_names.push_back(*san);
    }
    if (request.subject_alt_names.empty() && old) request.subject_alt_names = old->subject_alt_names();
    auto challenge = challenge_from_options(args);
    if (!challenge) return challenge.error();
    request.challenge_password = *challenge;
    return crypto::Csr::build(request, key);
}

common::Result<std::pair<crypto::Certificate, crypto::PrivateKey>> existing_cert(const Args& args) {
    auto cert_path = args.value("cert");
    auto key_path = args.value("cert-key");
    if (!cert_path || !key_path) {
        return common::fail(common::Errc::invalid_argument, "--cert and --cert-key are required");
    }
    auto text = read_file(*cert_path);
    if (!text) return text.error();
    auto cert = crypto::Certificate::from_pem(*text);
    if (!cert) return cert.error().with_context(*cert_path);
    auto key = load_key(*key_path);
    if (!key) return key.error();
    if (!key->matches(*cert)) {
        return common::fail(common::Errc::invalid_argument, *key_path + " is not the key of " + *cert_path);
    }
    return std::pair{std::move(*cert), std::move(*key)};
}

int enroll_or_poll(const Args& args, const std::string& verb, bool renewal, bool poll,
                   std::ostream& out, std::ostream& err) {
    std::optional<std::pair<crypto::Certificate, crypto::PrivateKey>> old;
    if (renewal || args.value("cert")) {
        auto e = existing_cert(args);
        if (!e) return report_error(verb, e.error(), err);
        old = std::move(*e);
    }
    auto key = key_from_options(args);
    if (!key) return report_error(verb, key.error(), err);
    if (!*key && !old) return report_error(verb, common::Error(common::Errc::invalid_argument, "--key or --new-key is required"), err);
    const crypto::PrivateKey subject_key = *key ? **key : old->second;
    auto csr = make_csr(args, subject_key, old ? std::optional(old->first) : std::nullopt);
    if (!csr) return report_error(verb, csr.error(), err);
    auto prepared = prepare(args, verb, err);
    if (auto* code = std::get_if<int>(&prepared)) return *code;
    auto& p = std::get<Prepared>(prepared);
    scep::EnrollmentKeys keys{subject_key, old ? std::optional(old->first) : std::nullopt,
                              old ? std::optional(old->second) : std::nullopt};
    auto result = poll ? p.session->client().poll(*csr, keys, p.ca, p.caps)
                       : p.session->client().enroll(*csr, keys, p.ca, p.caps);
    if (!result) return report_error(verb, result.error(), err);
    return report_enrollment(args, *result, p.ca, out, err);
}

// The client reports a CertRep FAILURE to GetCert/GetCRL as Errc::not_found: the CA said no.
int refused_or_error(const std::string& verb, const common::Error& error, std::ostream& err) {
    if (error.code() != common::Errc::not_found) return report_error(verb, error, err);
    err << "certkeeper scep " << verb << ": rejected: " << error.message() << "\n";
    return exit_rejected;
}

int enroll(const Args& a, std::ostream& o, std::ostream& e) { return enroll_or_poll(a, "enroll", false, false, o, e); }
int renew(const Args& a, std::ostream& o, std::ostream& e) { return enroll_or_poll(a, "renew", true, false, o, e); }
int poll(const Args& a, std::ostream& o, std::ostream& e) { return enroll_or_poll(a, "poll", false, true, o, e); }

int getcert(const Args& args, std::ostream& out, std::ostream& err) {
    auto signer = existing_cert(args);
    if (!signer) return report_error("getcert", signer.error(), err);
    auto serial = args.value("serial");
    if (!serial) return report_error("getcert", common::Error(common::Errc::invalid_argument, "--serial is required"), err);
    auto prepared = prepare(args, "getcert", err);
    if (auto* code = std::get_if<int>(&prepared)) return *code;
    auto& p = std::get<Prepared>(prepared);
    auto cert = p.session->client().get_cert(*serial, signer->first, signer->second, p.ca, p.caps);
    if (!cert) return refused_or_error("getcert", cert.error(), err);
    if (auto path = args.value("cert-out")) {
        if (auto w = write_file_atomically(*path, cert->to_pem(), 0644); !w) return report_error("getcert", w.error(), err);
    } else {
        out << cert->to_pem();
    }
    return exit_ok;
}

int getcrl(const Args& args, std::ostream& out, std::ostream& err) {
    auto subject = existing_cert(args);
    if (!subject) return report_error("getcrl", subject.error(), err);
    auto prepared = prepare(args, "getcrl", err);
    if (auto* code = std::get_if<int>(&prepared)) return *code;
    auto& p = std::get<Prepared>(prepared);
    auto crl = p.session->client().get_crl(subject->first, subject->second, p.ca, p.caps);
    if (!crl) return refused_or_error("getcrl", crl.error(), err);
    if (auto path = args.value("crl-out")) {
        if (auto w = write_file_atomically(*path, crl->to_pem(), 0644); !w) return report_error("getcrl", w.error(), err);
    }
    out << "CRL of " << crl->issuer() << ": " << crl->entry_count() << " entries\n";
    return exit_ok;
}

}  // namespace

std::vector<Command> scep_enrollment_commands(const std::string& exits) {
    const std::vector<std::string> enroll_opts = {"key", "new-key", "key-out", "subject", "san",
                                                  "challenge", "challenge-file", "cert-out",
                                                  "chain-out"};
    std::vector<std::string> renew_opts = enroll_opts;
    renew_opts.insert(renew_opts.end(), {"cert", "cert-key"});
    return {
        {"scep", "enroll",
         "--url URL --fingerprint FP (--key FILE | --new-key SPEC --key-out FILE) --subject DN "
         "[--san S]... [--challenge S | --challenge-file F] [--cert-out F] [--chain-out F]",
         "request a first certificate (PKCSReq)", exits, scep_options(enroll_opts), enroll},
        {"scep", "renew",
         "--url URL --fingerprint FP --cert OLD.pem --cert-key OLD.key [--new-key SPEC --key-out F]",
         "renew a certificate: RenewalReq if the CA supports it, else PKCSReq signed with the old one",
         exits, scep_options(renew_opts), renew},
        {"scep", "poll", "--url URL --fingerprint FP --key FILE --subject DN [--cert-out F]",
         "ask again for a PENDING request (CertPoll, same transactionID as the request)", exits,
         scep_options(renew_opts), poll},
        {"scep", "getcert", "--url URL --fingerprint FP --serial HEX --cert F --cert-key F",
         "fetch a certificate by serial (GetCert)", exits,
         scep_options({"serial", "cert", "cert-key", "cert-out"}), getcert},
        {"scep", "getcrl", "--url URL --fingerprint FP --cert F --cert-key F [--crl-out F]",
         "fetch the CRL covering a certificate (GetCRL)", exits,
         scep_options({"cert", "cert-key", "crl-out"}), getcrl},
    };
}

}  // namespace cli
