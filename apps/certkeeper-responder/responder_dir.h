// The responder's directory (--dir): its CA, RA, configuration, database and admin token.
//
//   responder.conf  [responder] settings and [profile "NAME"] sections (docs/responder-config.md)
//   ca.pem ca.key   the issuing CA (key mode 0600)
//   chain.pem       certificates above the issuing CA, its issuer first (may be empty)
//   ra.pem ra.key   optional RA pair (NDES-style: signs CertReps, decrypts requests)
//   ca.db           the CA database (ca::CaStore)
//   admin.token     bearer token of the admin API (mode 0600)
//   next-ca.pem     optional: the CA certificate(s) of a prepared rollover, served by
//                   GetNextCACert (RFC 8894 §4.7) and announced in GetCACaps
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ca/enrollment_service.h"
#include "common/result.h"
#include "crypto/certificate.h"
#include "crypto/private_key.h"

namespace responder {

struct InitOptions {
    std::string key = "rsa:3072";  // KeySpec of every key made
    std::string root_subject = "CN=certkeeper Root CA,O=certkeeper";
    bool intermediate = false;     // root -> issuing CA (else the root issues)
    std::string issuing_subject = "CN=certkeeper Issuing CA,O=certkeeper";
    bool ra = false;               // make an RA pair (else the CA answers SCEP itself)
    // Import instead of generating: the issuing CA, its key and the chain above it.
    std::optional<std::string> import_cert, import_key, import_chain;
};

struct ResponderSettings {
    ca::EnrollmentPolicy policy;
    bool legacy_des = false;  // accept requests encrypted with single DES
};

struct LoadedDir {
    crypto::Certificate ca;
    crypto::PrivateKey ca_key;
    std::vector<crypto::Certificate> chain;
    std::optional<crypto::Certificate> ra;
    std::optional<crypto::PrivateKey> ra_key;
    std::vector<crypto::Certificate> next_ca;
    std::string config_text;
    std::string admin_token;
};

// Creates DIR (mode 0700) with a new CA (or an imported one), a default responder.conf and an
// admin token. Errc::invalid_argument if DIR already holds a CA.
common::Result<std::string> init_dir(const std::string& dir, const InitOptions& options,
                                     common::SystemTime now);
common::Result<LoadedDir> load_dir(const std::string& dir);
// Parses the [responder] section of responder.conf (see docs/responder-config.md).
common::Result<ResponderSettings> parse_settings(std::string_view config_text);
std::string database_path(const std::string& dir);

}  // namespace responder
