// certkeeper revocation check: the status of a certificate (and, with --chain, of every
// certificate above it) from OCSP and/or CRLs, as ocsp-crl/ decides it for the lifecycle.
#include <chrono>
#include <iostream>
#include <memory>
#include <optional>

#include "certificate_files.h"
#include "command.h"
#include "common/time_format.h"
#include "json_writer.h"
#include "ocsp-crl/revocation_checker.h"
#include "stores/state_db.h"
#include "transport/curl_http_client.h"

namespace cli {
namespace {

common::Result<std::chrono::seconds> seconds_option(const Args& args, const std::string& name,
                                                    std::chrono::seconds fallback) {
    auto v = args.value(name);
    if (!v) return fallback;
    try {
        std::size_t used = 0;
        long long n = std::stoll(*v, &used);
        if (used != v->size() || n < 0) throw std::invalid_argument(name);
        return std::chrono::seconds(n);
    } catch (const std::exception&) {
        return common::fail(common::Errc::invalid_argument,
                            "--" + name + ": expected a whole number of seconds, got '" + *v + "'");
    }
}

common::Result<revocation::Policy> build_policy(const Args& args) {
    revocation::Policy policy;
    const std::string method = args.value("method").value_or("auto");
    if (method == "ocsp") {
        policy.methods = {revocation::Method::ocsp};
    } else if (method == "crl") {
        policy.methods = {revocation::Method::crl};
    } else if (method != "auto") {
        return common::fail(common::Errc::invalid_argument,
                            "--method: expected ocsp, crl or auto, got '" + method + "'");
    }
    policy.on_unknown = args.flag("soft-fail") ? revocation::Policy::OnUnknown::soft_fail
                                               : revocation::Policy::OnUnknown::hard_fail;
    auto skew = seconds_option(args, "skew", policy.freshness.skew);
    if (!skew) return skew.error();
    policy.freshness.skew = *skew;
    if (args.value("max-age")) {
        auto age = seconds_option(args, "max-age", {});
        if (!age) return age.error();
        policy.freshness.max_age = *age;
    }
    policy.ocsp_nonce = !args.flag("no-nonce");
    return policy;
}

void write_json(const revocation::ChainStatus& report, const revocation::Status& overall,
                std::ostream& out) {
    JsonWriter json;
    json.begin_object().key("status").value(overall.name());
    if (overall.is_unknown()) json.key("why").value(overall.why());
    json.key("certificates").begin_array();
    for (const auto& c : report.certificates) {
        json.begin_object()
            .key("subject").value(c.certificate.subject())
            .key("serial").value(c.certificate.serial_hex())
            .key("status").value(c.status.name());
        if (c.method) {
            json.key("method").value(revocation::method_name(*c.method));
            json.key("source").value(c.source);
        }
        if (c.this_update) json.key("this_update").value(common::format_rfc3339(*c.this_update));
        if (c.next_update) json.key("next_update").value(common::format_rfc3339(*c.next_update));
        if (c.status.is_revoked()) {
            const auto& r = c.status.revoked_info();
            json.key("revocation_time").value(common::format_rfc3339(r.time));
            if (r.reason) json.key("reason").value(revocation::reason_name(*r.reason));
        }
        if (c.status.is_unknown()) json.key("why").value(c.status.why());
        json.end_object();
    }
    json.end_array().end_object();
    out << json.str() << "\n";
}

int check(const Args& args, std::ostream& out, std::ostream& err) {
    const auto usage_error = [&](const std::string& message) {
        err << "certkeeper revocation check: " << message << "\n";
        return exit_usage;
    };
    auto cert_path = args.value("cert");
    auto issuer_path = args.value("issuer");
    if (!cert_path) return usage_error("--cert LEAF.pem is required");
    if (!issuer_path) return usage_error("--issuer CA.pem is required");
    if (!args.positional().empty()) return usage_error("unexpected argument " + args.positional()[0]);

    auto leaf = load_certificates(*cert_path);
    if (!leaf) return usage_error(leaf.error().to_string());
    auto issuer = load_certificates(*issuer_path);
    if (!issuer) return usage_error(issuer.error().to_string());
    std::vector<crypto::Certificate> chain{leaf->front(), issuer->front()};
    if (auto chain_path = args.value("chain")) {
        auto more = load_certificates(*chain_path);
        if (!more) return usage_error(more.error().to_string());
        for (auto& c : *more) {
            if (c == chain.back()) continue;  // a chain file that repeats the issuer
            chain.push_back(std::move(c));
        }
    }
    for (std::size_t i = 0; i + 1 < chain.size(); ++i) {
        if (!chain[i].is_signed_by(chain[i + 1])) {
            return usage_error(chain[i + 1].subject() + " did not issue " + chain[i].subject() +
                               (i == 0 ? " (check --issuer)" : " (check the order in --chain)"));
        }
    }

    common::SystemTime now = std::chrono::system_clock::now();
    if (auto at = args.value("at")) {
        auto t = common::parse_rfc3339(*at);
        if (!t) return usage_error("--at: " + t.error().message());
        now = *t;
    }
    auto policy = build_policy(args);
    if (!policy) return usage_error(policy.error().message());

    revocation::Sources sources;
    sources.ocsp_urls = args.values("ocsp-url");
    for (const auto& crl : args.values("crl")) {
        if (crl.starts_with("http://") || crl.starts_with("https://")) {
            sources.crl_urls.push_back(crl);
            continue;
        }
        auto data = read_file(crl);
        if (!data) return usage_error(data.error().to_string());
        sources.crls.emplace_back(data->begin(), data->end());
    }

    auto timeout = seconds_option(args, "timeout", std::chrono::seconds(10));
    if (!timeout) return usage_error(timeout.error().message());
    revocation::FetchLimits limits;
    limits.timeout = *timeout;

    common::StderrSink stderr_sink;
    common::NullSink null_sink;
    common::LogSink& sink = args.flag("verbose") ? static_cast<common::LogSink&>(stderr_sink)
                                                 : static_cast<common::LogSink&>(null_sink);
    common::Logger log(sink, "revocation");
    transport::CurlOptions http_options;
    http_options.timeout = limits.timeout;
    http_options.connect_timeout = std::min<std::chrono::milliseconds>(limits.timeout,
                                                                       http_options.connect_timeout);
    http_options.ca_file = args.value("cafile").value_or("");
    transport::CurlHttpClient http(http_options, log.child("http"));

    std::optional<stores::Database> db;
    std::unique_ptr<revocation::RevocationCache> cache;
    if (auto dir = args.value("state-dir")) {
        auto path = stores::state_db_path(*dir);
        if (!path) return usage_error(path.error().to_string());
        auto opened = stores::open_state_db(*path);
        if (!opened) return usage_error(path->string() + ": " + opened.error().to_string());
        db.emplace(std::move(*opened));
        cache = std::make_unique<revocation::SqliteRevocationCache>(*db);
    }
    revocation::OnlineRevocationChecker checker(http, cache.get(), log, limits);
    // Without --chain only the leaf is checked: nothing here could vouch for the issuer.
    revocation::ChainStatus report;
    if (chain.size() == 2) {
        report.certificates.push_back(checker.check(chain[0], chain[1], *policy, now, sources));
    } else {
        report = checker.check_chain(chain, *policy, now, sources);
    }
    const revocation::Status overall = report.overall();

    if (args.flag("json")) {
        write_json(report, overall, out);
    } else {
        for (const auto& c : report.certificates) {
            out << c.certificate.subject() << ": " << c.status.describe();
            if (c.method) out << " (" << revocation::method_name(*c.method) << " " << c.source << ")";
            out << "\n";
        }
    }
    if (overall.is_good()) return exit_ok;
    if (overall.is_revoked()) return exit_invalid;
    if (revocation::acceptable(overall, *policy)) {
        err << "warning: revocation status unknown, accepted because of --soft-fail\n";
        return exit_ok;
    }
    return exit_unknown;
}

}  // namespace

std::vector<Command> revocation_commands() {
    return {Command{
        "revocation", "check",
        "--cert LEAF.pem --issuer CA.pem [--chain FILE] [--method ocsp|crl|auto] [--at TIME] "
        "[--crl FILE|URL]... [--ocsp-url URL]... [--state-dir DIR] [--json]",
        "revocation status of LEAF (and of every CA above it with --chain) from OCSP and CRLs",
        "--method auto asks the OCSP responder named in the certificate first, then its CRL\n"
        "distribution points. --crl and --ocsp-url replace the locations named in LEAF (they\n"
        "do not apply to the certificates of --chain). With --state-dir, CRLs and OCSP responses\n"
        "are kept in DIR/state.db and reused until their nextUpdate.\n\n"
        "exit codes: 0 good, 1 revoked, 2 bad input, 6 unknown (no valid answer; 0 with\n"
        "--soft-fail)\n",
        {{"cert", true, false, "FILE the certificate to check (PEM or DER)"},
         {"issuer", true, false, "FILE the certificate that issued it"},
         {"chain", true, false, "FILE the issuer's own issuers, up to the root (PEM)"},
         {"method", true, false, "M ocsp, crl or auto (default auto: OCSP, then CRL)"},
         {"at", true, false, "TIME check as of this time, RFC 3339 (default: now)"},
         {"crl", true, true, "FILE|URL a CRL to use instead of the certificate's CRL DPs"},
         {"ocsp-url", true, true, "URL an OCSP responder to use instead of the certificate's AIA"},
         {"no-nonce", false, false, "send OCSP requests without a nonce"},
         {"max-age", true, false, "SECONDS refuse evidence older than this"},
         {"skew", true, false, "SECONDS tolerated clock difference (default 300)"},
         {"timeout", true, false, "SECONDS per fetch (default 10)"},
         {"cafile", true, false, "FILE CA bundle for https:// locations (default: system store)"},
         {"soft-fail", false, false, "exit 0 when the status cannot be had (a warning instead)"},
         {"state-dir", true, false, "DIR cache CRLs and OCSP responses in DIR/state.db"},
         {"json", false, false, "print a JSON object"},
         {"verbose", false, false, "log every fetch to stderr"}},
        check}};
}

}  // namespace cli
