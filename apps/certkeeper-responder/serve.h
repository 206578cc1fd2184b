// `certkeeper-responder serve`: SCEP at /scep and /cgi-bin/pkiclient.exe, the CRL at /crl,
// OCSP at /ocsp (POST, and GET /ocsp/BASE64 per RFC 6960 Appendix A), and the admin API on a
// second listener (loopback by default, bearer-token authenticated).
#pragma once

#include <cstdint>
#include <string>

namespace responder {

struct ServeOptions {
    std::string dir;
    std::string bind = "127.0.0.1";
    std::uint16_t port = 8080;
    std::string admin_bind = "127.0.0.1";
    std::uint16_t admin_port = 0;  // 0 = ephemeral (printed at start)
    std::string challenge;         // overrides responder.conf's; never logged
    std::size_t threads = 0;       // 0 = one per core
    bool manual_approval = false;  // force manual approval on
    bool legacy_des = false;       // accept single-DES requests (see responder.conf)
};

// Runs until SIGINT or SIGTERM; returns the process exit code.
int serve(const ServeOptions& options);

}  // namespace responder
