// Helpers shared by the CMS implementation files (cms.cpp: certs-only and SignedData;
// cms_enveloped.cpp: EnvelopedData). Private to crypto/.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <openssl/cms.h>

#include "common/result.h"
#include "crypto/bytes.h"
#include "crypto/certificate.h"
#include "crypto/openssl_error.h"
#include "crypto/ossl_ptr.h"

namespace crypto::cms::detail {

// "what: detail"
std::string with_what(std::string_view what, std::string_view detail);
// Refuses inputs over crypto::detail::max_input_size before OpenSSL sees them.
common::Result<void> check_input(ByteView data, std::string_view what);
// A read-only memory BIO over data (which must outlive the BIO).
common::Result<BioPtr> memory_source(ByteView data, std::string_view what);
common::Result<BioPtr> memory_sink(std::string_view what);
Bytes drain(BIO* bio);
// A whole DER ContentInfo (no trailing bytes), parsed in libctx (nullptr = the default).
common::Result<CmsContentInfoPtr> parse_cms(ByteView der, std::string_view what,
                                            OSSL_LIB_CTX* libctx = nullptr);
common::Result<void> require_type(const CMS_ContentInfo* cms, int nid, std::string_view what);
common::Result<X509StackPtr> to_stack(const std::vector<Certificate>& certs, std::string_view what);

template <typename T, typename Encode>
common::Result<Bytes> encode_der(const T* object, Encode encode, std::string_view what) {
    const int len = encode(object, nullptr);
    if (len <= 0) {
        return openssl_error(common::Errc::crypto, with_what(what, "DER encoding"));
    }
    Bytes out(static_cast<std::size_t>(len));
    unsigned char* p = out.data();
    if (encode(object, &p) != len) {
        return openssl_error(common::Errc::crypto, with_what(what, "DER encoding"));
    }
    return out;
}


}  // namespace crypto::cms::detail
