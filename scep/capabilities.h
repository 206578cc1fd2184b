// GetCACaps (RFC 8894 §3.5.1-3.5.2): parsing the capability list and choosing algorithms.
//
// Parsing is tolerant as §3.5.2 asks of clients: keywords are matched case-insensitively, lines
// may end in CR LF or LF, surrounding blanks are ignored, unknown keywords are kept aside and
// otherwise ignored, an empty body means "no capabilities". "SCEPStandard" implies AES,
// POSTPKIOperation and SHA-256.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "crypto/cms.h"
#include "crypto/fingerprint.h"

namespace scep {

struct Capabilities {
    bool aes = false;
    bool des3 = false;
    bool post_pki_operation = false;
    bool renewal = false;
    bool get_next_ca_cert = false;
    bool sha1 = false;
    bool sha224 = false;
    bool sha256 = false;
    bool sha384 = false;
    bool sha512 = false;
    bool scep_standard = false;
    std::vector<std::string> unknown;  // keywords we do not know, as received

    static Capabilities parse(std::string_view body);

    // The keywords we recognised, normalised ("AES", "POSTPKIOperation", ...), for display;
    // those implied by SCEPStandard included.
    std::vector<std::string> keywords() const;

    // The strongest content cipher the CA offers: AES-128-CBC if AES (or SCEPStandard), else
    // 3DES if DES3. Errc::unsupported if neither: single DES is never used (RFC 8894 §2.9).
    common::Result<crypto::cms::ContentCipher> strongest_cipher() const;
    // The strongest digest offered: SHA-512 > SHA-384 > SHA-256 (also implied by SCEPStandard)
    // > SHA-1. Errc::unsupported if none: MD5 is never used, SHA-224 (recognised, "SHA224" and
    // the other spellings without hyphen too) is not implemented.
    common::Result<crypto::DigestAlgorithm> strongest_digest() const;
};

}  // namespace scep
