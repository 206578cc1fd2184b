#include "responder_dir.h"

#include <sys/stat.h>

#include <cctype>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "args.h"
#include "ca/authority.h"
#include "crypto/certificate_builder.h"
#include "output_file.h"

namespace responder {
namespace {

using common::Errc;
using common::fail;
using std::chrono::hours;

constexpr const char* default_config = R"([responder]
# How first enrolments are authorised (docs/responder-config.md):
#   one_time_passwords = yes   passwords added with `certkeeper-responder otp add`, bound to
#                              the CSR subject's CN or a SAN value
#   challenge = SECRET         a static lab challenge (or `serve --challenge`)
one_time_passwords = yes
manual_approval = no
renewal_window_days = 14
profile = device
crl_validity_days = 7
# Accept requests encrypted with single DES from legacy clients (micromdm scepclient 2.1.0
# ignores the capabilities and uses DES). Weak: the challenge password is exposed.
legacy_des = no

[profile "device"]
validity = 365d
key_usage = digitalSignature,keyEncipherment
extended_key_usage = clientAuth,serverAuth
san = copy
# Where devices fetch revocation data from this responder (`serve` answers both paths):
# crl_url = http://ra.example.net:8080/crl
# ocsp_url = http://ra.example.net:8080/ocsp
)";

std::string path_in(const std::string& dir, const char* name) { return dir + "/" + name; }

common::Result<crypto::Certificate> make_root(const crypto::PrivateKey& key, const InitOptions& o,
                                              common::SystemTime now) {
    auto serial = ca::random_serial();
    if (!serial) return serial.error();
    return crypto::CertificateBuilder()
        .serial(*serial)
        .subject(o.root_subject)
        .validity(now - hours(1), now + hours(24 * 365 * 20))
        .ca()
        .key_usage({crypto::KeyUsage::key_cert_sign, crypto::KeyUsage::crl_sign,
                    crypto::KeyUsage::digital_signature})
        .self_sign(key);
}

common::Result<crypto::Certificate> make_issuing(const crypto::PrivateKey& key,
                                                 const crypto::Certificate& root,
                                                 const crypto::PrivateKey& root_key,
                                                 const InitOptions& o, common::SystemTime now) {
    auto serial = ca::random_serial();
    if (!serial) return serial.error();
    return crypto::CertificateBuilder()
        .serial(*serial)
        .subject(o.issuing_subject)
        .public_key(key.public_key_der())
        .validity(now - hours(1), now + hours(24 * 365 * 10))
        .ca(0)
        .key_usage({crypto::KeyUsage::key_cert_sign, crypto::KeyUsage::crl_sign,
                    crypto::KeyUsage::digital_signature})
        .sign(root_key, root);
}

common::Result<crypto::Certificate> make_ra(const crypto::PrivateKey& key, const crypto::Certificate& ca,
                                            const crypto::PrivateKey& ca_key, common::SystemTime now) {
    auto serial = ca::random_serial();
    if (!serial) return serial.error();
    return crypto::CertificateBuilder()
        .serial(*serial)
        .subject("CN=certkeeper SCEP RA,O=certkeeper")
        .public_key(key.public_key_der())
        .validity(now - hours(1), now + hours(24 * 365 * 2))
        .end_entity()
        .key_usage({crypto::KeyUsage::digital_signature, crypto::KeyUsage::key_encipherment})
        .sign(ca_key, ca);
}

common::Result<void> write(const std::string& path, const std::string& content, mode_t mode) {
    return cli::write_file_atomically(path, content, mode);
}

std::string pem_of(const std::vector<crypto::Certificate>& certs) {
    std::string out;
    for (const auto& c : certs) out += c.to_pem();
    return out;
}

common::Result<LoadedDir> generate_or_import(const InitOptions& o, common::SystemTime now) {
    LoadedDir out{crypto::Certificate::adopt(nullptr), crypto::PrivateKey::adopt(nullptr), {}, {}, {}, {}, {}, {}};
    if (o.import_cert || o.import_key) {
        if (!o.import_cert || !o.import_key) {
            return fail(Errc::invalid_argument, "--import-cert and --import-key go together");
        }
        auto cert_text = cli::read_file(*o.import_cert);
        auto key_text = cli::read_file(*o.import_key);
        if (!cert_text) return cert_text.error();
        if (!key_text) return key_text.error();
        auto cert = crypto::Certificate::from_pem(*cert_text);
        auto key = crypto::PrivateKey::from_pem(*key_text);
        if (!cert) return cert.error().with_context(*o.import_cert);
        if (!key) return key.error().with_context(*o.import_key);
        if (!key->matches(*cert)) return fail(Errc::invalid_argument, "the imported key does not match the certificate");
        if (!cert->is_ca()) return fail(Errc::invalid_argument, "the imported certificate is not a CA");
        out.ca = *cert;
        out.ca_key = *key;
        if (o.import_chain) {
            auto chain_text = cli::read_file(*o.import_chain);
            if (!chain_text) return chain_text.error();
            auto chain = crypto::Certificate::all_from_pem(*chain_text);
            if (!chain) return chain.error().with_context(*o.import_chain);
            out.chain = *chain;
        }
        return out;
    }
    auto spec = crypto::KeySpec::parse(o.key);
    if (!spec) return spec.error();
    auto root_key = crypto::PrivateKey::generate(*spec);
    if (!root_key) return root_key.error();
    auto root = make_root(*root_key, o, now);
    if (!root) return root.error().with_context("root CA");
    out.ca = *root;
    out.ca_key = *root_key;
    if (o.intermediate) {
        auto key = crypto::PrivateKey::generate(*spec);
        if (!key) return key.error();
        auto issuing = make_issuing(*key, *root, *root_key, o, now);
        if (!issuing) return issuing.error().with_context("issuing CA");
        out.ca = *issuing;
        out.ca_key = *key;
        out.chain = {*root};
    }
    return out;
}

}  // namespace

std::string database_path(const std::string& dir) { return path_in(dir, "ca.db"); }

common::Result<std::string> init_dir(const std::string& dir, const InitOptions& o,
                                     common::SystemTime now) {
    std::error_code ec;
    if (std::filesystem::exists(path_in(dir, "ca.pem"), ec)) {
        return fail(Errc::invalid_argument, dir + " already holds a CA (ca.pem); not overwriting it");
    }
    std::filesystem::create_directories(dir, ec);
    if (ec || ::chmod(dir.c_str(), 0700) != 0) {
        return fail(Errc::io, "cannot create " + dir + ": " + ec.message());
    }
    auto made = generate_or_import(o, now);
    if (!made) return made.error();
    // Keys first: a crash leaves no certificate without its key.
    if (auto w = write(path_in(dir, "ca.key"), made->ca_key.to_pem(), 0600); !w) return w.error();
    if (o.ra) {
        auto spec = crypto::KeySpec::parse(o.key.rfind("ec", 0) == 0 ? "rsa:2048" : o.key);
        auto ra_key = spec ? crypto::PrivateKey::generate(*spec) : common::Result<crypto::PrivateKey>(spec.error());
        if (!ra_key) return ra_key.error();
        auto ra = make_ra(*ra_key, made->ca, made->ca_key, now);
        if (!ra) return ra.error().with_context("RA certificate");
        if (auto w = write(path_in(dir, "ra.key"), ra_key->to_pem(), 0600); !w) return w.error();
        if (auto w = write(path_in(dir, "ra.pem"), ra->to_pem(), 0644); !w) return w.error();
    }
    if (auto w = write(path_in(dir, "chain.pem"), pem_of(made->chain), 0644); !w) return w.error();
    if (auto w = write(path_in(dir, "responder.conf"), default_config, 0600); !w) return w.error();
    auto token = crypto::random_bytes(24);
    if (!token) return token.error();
    if (auto w = write(path_in(dir, "admin.token"), crypto::to_hex(*token) + "\n", 0600); !w) return w.error();
    if (auto w = write(path_in(dir, "ca.pem"), made->ca.to_pem(), 0644); !w) return w.error();
    // What devices pin: the root (the top of the chain, or the CA itself).
    const crypto::Certificate& root = made->chain.empty() ? made->ca : made->chain.back();
    return root.fingerprint().to_string();
}

common::Result<LoadedDir> load_dir(const std::string& dir) {
    auto cert_text = cli::read_file(path_in(dir, "ca.pem"));
    if (!cert_text) return common::Error(Errc::not_found, dir + " holds no CA (run `certkeeper-responder init --dir " + dir + "`)");
    auto key_text = cli::read_file(path_in(dir, "ca.key"));
    if (!key_text) return key_text.error();
    auto cert = crypto::Certificate::from_pem(*cert_text);
    auto key = crypto::PrivateKey::from_pem(*key_text);
    if (!cert) return cert.error().with_context("ca.pem");
    if (!key) return key.error().with_context("ca.key");
    LoadedDir out{*cert, *key, {}, {}, {}, {}, {}, {}};
    if (auto chain_text = cli::read_file(path_in(dir, "chain.pem")); chain_text && !chain_text->empty()) {
        auto chain = crypto::Certificate::all_from_pem(*chain_text);
        if (!chain) return chain.error().with_context("chain.pem");
        out.chain = *chain;
    }
    if (auto ra_text = cli::read_file(path_in(dir, "ra.pem"))) {
        auto ra = crypto::Certificate::from_pem(*ra_text);
        auto ra_key_text = cli::read_file(path_in(dir, "ra.key"));
        if (!ra || !ra_key_text) return common::Error(Errc::invalid_argument, "ra.pem without a readable ra.key");
        auto ra_key = crypto::PrivateKey::from_pem(*ra_key_text);
        if (!ra_key) return ra_key.error().with_context("ra.key");
        out.ra = *ra;
        out.ra_key = *ra_key;
    }
    if (auto next_text = cli::read_file(path_in(dir, "next-ca.pem"))) {
        auto next = crypto::Certificate::all_from_pem(*next_text);
        if (!next) return next.error().with_context("next-ca.pem");
        out.next_ca = *next;
    }
    auto config = cli::read_file(path_in(dir, "responder.conf"));
    out.config_text = config ? *config : std::string();
    auto token = cli::read_file(path_in(dir, "admin.token"));
    if (token) out.admin_token = token->substr(0, token->find_first_of("\r\n"));
    return out;
}

common::Result<ResponderSettings> parse_settings(std::string_view text) {
    ResponderSettings out;
    bool in_section = false;
    std::istringstream in{std::string(text)};
    std::string line;
    for (int number = 1; std::getline(in, line); ++number) {
        const auto comment = line.find_first_of("#;");
        if (comment != std::string::npos) line.resize(comment);
        while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) line.pop_back();
        std::size_t start = 0;
        while (start < line.size() && std::isspace(static_cast<unsigned char>(line[start]))) ++start;
        line.erase(0, start);
        if (line.empty()) continue;
        if (line.front() == '[') {
            in_section = line == "[responder]";
            continue;
        }
        if (!in_section) continue;
        const auto eq = line.find('=');
        if (eq == std::string::npos) return fail(Errc::parse, "responder.conf line " + std::to_string(number) + ": expected name = value");
        std::string name = line.substr(0, eq), value = line.substr(eq + 1);
        while (!name.empty() && name.back() == ' ') name.pop_back();
        while (!value.empty() && value.front() == ' ') value.erase(0, 1);
        auto yes = [&](bool& field) -> common::Result<void> {
            if (value == "yes" || value == "true" || value == "1") field = true;
            else if (value == "no" || value == "false" || value == "0") field = false;
            else return fail(Errc::parse, "responder.conf line " + std::to_string(number) + ": " + name + " takes yes or no");
            return {};
        };
        auto days = [&](std::chrono::seconds& field) -> common::Result<void> {
            try {
                field = std::chrono::hours(24 * std::stol(value));
            } catch (const std::exception&) {
                return fail(Errc::parse, "responder.conf line " + std::to_string(number) + ": " + name + " takes a number of days");
            }
            return {};
        };
        common::Result<void> ok;
        if (name == "one_time_passwords") ok = yes(out.policy.one_time_passwords);
        else if (name == "manual_approval") ok = yes(out.policy.manual_approval);
        else if (name == "challenge") out.policy.static_challenge = value;
        else if (name == "legacy_des") ok = yes(out.legacy_des);
        else if (name == "renewal_window_days") ok = days(out.policy.renewal_window);
        else if (name == "crl_validity_days") ok = days(out.policy.crl_validity);
        else if (name == "profile") out.policy.profile = value;
        else return fail(Errc::parse, "responder.conf line " + std::to_string(number) + ": unknown setting '" + name + "'");
        if (!ok) return ok.error();
    }
    return out;
}

}  // namespace responder
