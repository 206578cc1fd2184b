#include "scep_options.h"

#include "certificate_files.h"

#include <iostream>
#include <map>

namespace cli {

std::vector<OptionSpec> scep_options(const std::vector<std::string>& extras) {
    std::vector<OptionSpec> specs = {
        {"url", true, false, "URL SCEP URL, e.g. http://ra.example.net/cgi-bin/pkiclient.exe"},
        {"ca-id", true, false, "ID CA identifier sent as message= with GetCACaps/GetCACert"},
        {"fingerprint", true, false, "FP SHA-256 fingerprint of the root (or CA) certificate"},
        {"ca-cert", true, false, "FILE an already trusted CA/root certificate instead of --fingerprint"},
        {"ca-chain", true, false, "FILE intermediate CA certificates the server does not send"},
        {"get", false, false, "send PKIOperation by GET even if the CA allows POST"},
        {"post", false, false, "send PKIOperation by POST even if the CA does not announce it"},
        {"timeout", true, false, "SECONDS per HTTP exchange (default 30)"},
        {"proxy", true, false, "URL HTTP proxy (environment variables are ignored)"},
        {"cafile", true, false, "FILE CA bundle for an https:// URL (default: system store)"},
        {"json", false, false, "print the result as JSON"},
        {"verbose", false, false, "log each HTTP exchange to stderr"},
    };
    static const std::map<std::string, OptionSpec> table = {
        {"chain-out", {"chain-out", true, false, "FILE write the verified CA/RA certificates (PEM)"}},
        {"cert-out", {"cert-out", true, false, "FILE write the issued certificate (PEM)"}},
        {"key", {"key", true, false, "FILE private key to certify (PEM)"}},
        {"new-key", {"new-key", true, false, "SPEC generate the key: rsa:2048|3072|4096, ec:P-256|P-384"}},
        {"key-out", {"key-out", true, false, "FILE where a generated key is written (mode 0600)"}},
        {"subject", {"subject", true, false, "DN subject, RFC 4514: CN=device-1,O=Example"}},
        {"san", {"san", true, true, "SAN subjectAltName: dns:NAME, ip:ADDR, uri:URI, email:ADDR"}},
        {"challenge", {"challenge", true, false, "SECRET challenge password (never printed)"}},
        {"challenge-file", {"challenge-file", true, false, "FILE read the challenge password from FILE"}},
        {"cert", {"cert", true, false, "FILE existing certificate (renewal, signer)"}},
        {"cert-key", {"cert-key", true, false, "FILE private key of --cert"}},
        {"serial", {"serial", true, false, "HEX serial number of the certificate to fetch"}},
        {"crl-out", {"crl-out", true, false, "FILE write the CRL (PEM)"}},
    };
    for (const auto& e : extras) specs.push_back(table.at(e));
    return specs;
}

int report_error(const std::string& verb, const common::Error& error, std::ostream& err) {
    err << "certkeeper scep " << verb << ": " << error.to_string() << "\n";
    switch (error.code()) {
        case common::Errc::network:
        case common::Errc::timeout: return exit_network;
        case common::Errc::invalid_argument:
        case common::Errc::not_found:
        case common::Errc::io: return exit_usage;
        default: return exit_invalid;
    }
}

std::unique_ptr<ScepSession> ScepSession::open(const Args& args, std::ostream& err) {
    auto url = args.value("url");
    if (!url || url->empty()) {
        err << "certkeeper scep: --url is required\n";
        return nullptr;
    }
    if (args.flag("get") && args.flag("post")) {
        err << "certkeeper scep: --get and --post exclude each other\n";
        return nullptr;
    }
    std::unique_ptr<ScepSession> s(new ScepSession());
    transport::CurlOptions http;
    if (auto t = args.value("timeout")) {
        try {
            http.timeout = std::chrono::milliseconds(static_cast<long long>(std::stod(*t) * 1000));
        } catch (const std::exception&) {
            err << "certkeeper scep: --timeout: not a number of seconds\n";
            return nullptr;
        }
    }
    http.proxy = args.value("proxy").value_or("");
    http.ca_file = args.value("cafile").value_or("");
    common::LogSink& sink = args.flag("verbose") ? static_cast<common::LogSink&>(s->m_stderr)
                                                 : static_cast<common::LogSink&>(s->m_null);
    common::Logger log(sink, "scep");
    s->m_http = std::make_unique<transport::CurlHttpClient>(http, log.child("http"));
    scep::ClientOptions options;
    options.url = *url;
    options.ca_identifier = args.value("ca-id").value_or("");
    if (args.flag("get")) options.method = scep::ClientOptions::Method::get;
    if (args.flag("post")) options.method = scep::ClientOptions::Method::post;
    if (auto fp = args.value("fingerprint")) {
        auto parsed = crypto::Fingerprint::parse(*fp);
        if (!parsed) {
            err << "certkeeper scep: --fingerprint: " << parsed.error().message() << "\n";
            return nullptr;
        }
        options.fingerprint = *parsed;
    }
    if (auto path = args.value("ca-cert")) {
        auto cert = load_certificates(*path);
        if (!cert) {
            err << "certkeeper scep: --ca-cert: " << cert.error().to_string() << "\n";
            return nullptr;
        }
        options.trust_anchor = cert->front();
    }
    if (auto path = args.value("ca-chain")) {
        auto certs = load_certificates(*path);
        if (!certs) {
            err << "certkeeper scep: --ca-chain: " << certs.error().to_string() << "\n";
            return nullptr;
        }
        options.extra_intermediates = *certs;
    }
    s->m_has_trust = options.fingerprint || options.trust_anchor;
    s->m_client = std::make_unique<scep::Client>(*s->m_http, s->m_clock, std::move(options), log);
    return s;
}

}  // namespace cli
