// Small conversions shared by crypto/'s .cpp files (private to crypto/ and protocol .cpp files).
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"
#include "crypto/bytes.h"
#include "crypto/certificate.h"
#include "crypto/ossl_ptr.h"

namespace crypto::detail {

// Refuse inputs larger than this before handing them to a parser.
inline constexpr std::size_t max_input_size = 64u * 1024u * 1024u;

// Saturates at SystemTime::min()/max() (years 1677/2262); the epoch if t is null or malformed.
SystemTime to_system_time(const ASN1_TIME* t);
// REQUIRES: t is representable (years 0000-9999).
Asn1TimePtr to_asn1_time(SystemTime t);
std::string bio_to_string(BIO* bio);
BioPtr memory_bio(std::string_view data);
// RFC 4514 rendering of a name (most-specific RDN first, "CN=a,O=b").
std::string name_to_string(const X509_NAME* name);
// Builds a name from an RFC 4514 string.
common::Result<X509NamePtr> name_from_string(std::string_view text);
std::vector<SubjectAltName> general_names_to_sans(const GENERAL_NAMES* names);
common::Result<GeneralNamesPtr> sans_to_general_names(const std::vector<SubjectAltName>& sans);
std::string describe_public_key(const EVP_PKEY* key);
Bytes public_key_to_der(EVP_PKEY* key);
std::string asn1_integer_to_hex(const ASN1_INTEGER* i);
const EVP_MD* evp_md(DigestAlgorithm alg);
// Whether data looks like PEM text (contains "-----BEGIN ").
bool looks_like_pem(ByteView data);

}  // namespace crypto::detail
