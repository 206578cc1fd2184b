#include "crypto/ossl_ptr.h"

namespace crypto {

X509Ptr up_ref(X509* x) {
    if (x != nullptr) {
        X509_up_ref(x);
    }
    return X509Ptr(x);
}

EvpPkeyPtr up_ref(EVP_PKEY* k) {
    if (k != nullptr) {
        EVP_PKEY_up_ref(k);
    }
    return EvpPkeyPtr(k);
}

X509CrlPtr up_ref(X509_CRL* c) {
    if (c != nullptr) {
        X509_CRL_up_ref(c);
    }
    return X509CrlPtr(c);
}

}  // namespace crypto
