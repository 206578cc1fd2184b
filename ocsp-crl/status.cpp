#include "ocsp-crl/status.h"

#include "common/time_format.h"

namespace revocation {

std::string reason_name(int reason) {
    switch (reason) {
        case 0: return "unspecified";
        case 1: return "keyCompromise";
        case 2: return "cACompromise";
        case 3: return "affiliationChanged";
        case 4: return "superseded";
        case 5: return "cessationOfOperation";
        case 6: return "certificateHold";
        case 8: return "removeFromCRL";
        case 9: return "privilegeWithdrawn";
        case 10: return "aACompromise";
        default: return "unknown(" + std::to_string(reason) + ")";
    }
}

std::string_view Status::name() const {
    if (is_good()) return "good";
    if (is_revoked()) return "revoked";
    return "unknown";
}

std::string Status::describe() const {
    if (is_good()) return "good";
    if (is_revoked()) {
        const Revoked& r = revoked_info();
        std::string text = "revoked at " + common::format_rfc3339(r.time);
        if (r.reason) text += " (" + reason_name(*r.reason) + ")";
        return text;
    }
    return "unknown: " + why();
}

std::string_view method_name(Method method) {
    return method == Method::ocsp ? "ocsp" : "crl";
}

}  // namespace revocation
