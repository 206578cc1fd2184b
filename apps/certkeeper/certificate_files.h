// Reading certificate files given on the command line.
#pragma once

#include <string>
#include <vector>

#include "common/result.h"
#include "crypto/certificate.h"

namespace cli {

// Every certificate in path, PEM or DER; errors name the file.
common::Result<std::vector<crypto::Certificate>> load_certificates(const std::string& path);

}  // namespace cli
