#include "crypto/cms_common.h"

#include <cstdint>

#include <openssl/err.h>
#include <openssl/objects.h>

#include "crypto/ossl_util.h"

namespace crypto::cms::detail {

using common::Errc;
using common::fail;
using common::Result;
using crypto::detail::max_input_size;

std::string with_what(std::string_view what, std::string_view detail) {
    std::string s(what);
    s += ": ";
    s += detail;
    return s;
}

Result<void> check_input(ByteView data, std::string_view what) {
    if (data.size() > max_input_size) {
        return fail(Errc::invalid_argument, with_what(what, "input larger than 64 MiB"));
    }
    return {};
}

// A read-only memory BIO over data (which must outlive the BIO).
Result<BioPtr> memory_source(ByteView data, std::string_view what) {
    static constexpr char empty[] = "";
    const void* p = data.empty() ? static_cast<const void*>(empty) : data.data();
    BioPtr bio(BIO_new_mem_buf(p, static_cast<int>(data.size())));
    if (!bio) {
        return openssl_error(Errc::crypto, with_what(what, "memory BIO"));
    }
    return bio;
}

Result<BioPtr> memory_sink(std::string_view what) {
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio) {
        return openssl_error(Errc::crypto, with_what(what, "memory BIO"));
    }
    return bio;
}

Bytes drain(BIO* bio) {
    char* p = nullptr;
    const long n = BIO_get_mem_data(bio, &p);
    if (n <= 0 || p == nullptr) {
        return {};
    }
    const auto* first = reinterpret_cast<const std::uint8_t*>(p);
    return Bytes(first, first + n);
}

Result<CmsContentInfoPtr> parse_cms(ByteView der, std::string_view what, OSSL_LIB_CTX* libctx) {
    if (der.empty()) {
        return fail(Errc::parse, with_what(what, "empty input"));
    }
    if (auto ok = check_input(der, what); !ok) {
        return ok.error();
    }
    const unsigned char* p = der.data();
    CmsContentInfoPtr cms(CMS_ContentInfo_new_ex(libctx, nullptr));
    CMS_ContentInfo* parsed = cms.get();
    if (!cms) {
        return openssl_error(Errc::crypto, with_what(what, "CMS_ContentInfo_new_ex"));
    }
    if (d2i_CMS_ContentInfo(&parsed, &p, static_cast<long>(der.size())) == nullptr) {
        (void)cms.release();  // on failure d2i has already freed the object it was given
        return openssl_error(Errc::parse, with_what(what, "not a DER CMS ContentInfo"));
    }
    if (p != der.data() + der.size()) {
        clear_openssl_errors();
        return fail(Errc::parse, with_what(what, "trailing bytes after the CMS ContentInfo"));
    }
    return cms;
}

Result<void> require_type(const CMS_ContentInfo* cms, int nid, std::string_view what) {
    const int actual = OBJ_obj2nid(CMS_get0_type(cms));
    if (actual != nid) {
        const char* name = OBJ_nid2sn(actual);
        std::string detail = "expected " + std::string(OBJ_nid2sn(nid)) + ", got ";
        detail += name != nullptr ? name : "an unknown content type";
        return fail(Errc::parse, with_what(what, detail));
    }
    return {};
}

Result<X509StackPtr> to_stack(const std::vector<Certificate>& certs, std::string_view what) {
    X509StackPtr stack(sk_X509_new_null());
    if (!stack) {
        return openssl_error(Errc::crypto, with_what(what, "certificate stack"));
    }
    for (const Certificate& c : certs) {
        X509Ptr ref = up_ref(c.native());
        if (sk_X509_push(stack.get(), ref.get()) <= 0) {
            return openssl_error(Errc::crypto, with_what(what, "certificate stack"));
        }
        static_cast<void>(ref.release());
    }
    return stack;
}

}  // namespace crypto::cms::detail
