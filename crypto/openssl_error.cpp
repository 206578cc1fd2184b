#include "crypto/openssl_error.h"

#include <openssl/err.h>

#include <string>

namespace crypto {

common::Error openssl_error(common::Errc code, std::string_view what) {
    std::string message(what);
    const unsigned long first = ERR_get_error();
    if (first != 0) {
        char buf[256];
        ERR_error_string_n(first, buf, sizeof buf);
        const char* reason = ERR_reason_error_string(first);
        message += ": ";
        message += reason != nullptr ? reason : buf;
    }
    clear_openssl_errors();
    return common::Error(code, std::move(message));
}

void clear_openssl_errors() { ERR_clear_error(); }

}  // namespace crypto
