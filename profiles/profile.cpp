#include "profiles/profile.h"

namespace profiles {

std::string_view to_string(Protocol) { return "scep"; }

std::string_view to_string(KeyType k) {
    switch (k) {
        case KeyType::rsa_2048: return "rsa:2048";
        case KeyType::rsa_3072: return "rsa:3072";
        case KeyType::rsa_4096: return "rsa:4096";
        case KeyType::ec_p256: return "ec:P-256";
        case KeyType::ec_p384: return "ec:P-384";
    }
    return "?";
}

std::string_view to_string(SanType t) {
    switch (t) {
        case SanType::dns: return "dns";
        case SanType::ip: return "ip";
        case SanType::email: return "email";
        case SanType::uri: return "uri";
    }
    return "?";
}

std::string_view to_string(RevocationMethod m) { return m == RevocationMethod::ocsp ? "ocsp" : "crl"; }

std::string_view to_string(UnknownRevocation u) {
    return u == UnknownRevocation::hard_fail ? "hard-fail" : "soft-fail";
}

std::string_view to_string(StoreFormat f) {
    switch (f) {
        case StoreFormat::pem: return "pem";
        case StoreFormat::der: return "der";
        case StoreFormat::pkcs12: return "pkcs12";
    }
    return "?";
}

std::string_view to_string(PemLayout l) {
    switch (l) {
        case PemLayout::separate: return "separate";
        case PemLayout::fullchain: return "fullchain";
        case PemLayout::combined: return "combined";
    }
    return "?";
}

}  // namespace profiles
