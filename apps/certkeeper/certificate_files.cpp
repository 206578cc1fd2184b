#include "certificate_files.h"

#include "args.h"

namespace cli {

common::Result<std::vector<crypto::Certificate>> load_certificates(const std::string& path) {
    auto data = read_file(path);
    if (!data) return data.error();
    auto certs = crypto::Certificate::load_any(crypto::as_bytes(*data));
    if (!certs) return certs.error().with_context(path);
    return certs;
}

}  // namespace cli
