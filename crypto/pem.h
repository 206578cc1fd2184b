// PEM blocks (RFC 7468) read into DER. Private to crypto/.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "crypto/bytes.h"

namespace crypto::detail {

struct PemBlock {
    std::string label;  // "CERTIFICATE", "X509 CRL", ...
    Bytes der;
};

// Every PEM block in text, in order. Text outside blocks is ignored; a block whose base64 is
// malformed is an Errc::parse error. An empty vector if there is no block at all.
common::Result<std::vector<PemBlock>> read_pem_blocks(std::string_view text);

std::string write_pem(std::string_view label, ByteView der);

}  // namespace crypto::detail
