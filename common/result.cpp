#include "common/result.h"

namespace common {

std::string_view to_string(Errc code) {
    switch (code) {
        case Errc::invalid_argument: return "invalid argument";
        case Errc::parse: return "parse error";
        case Errc::verification: return "verification failed";
        case Errc::not_found: return "not found";
        case Errc::already_exists: return "already exists";
        case Errc::unsupported: return "unsupported";
        case Errc::io: return "I/O error";
        case Errc::network: return "network error";
        case Errc::timeout: return "timeout";
        case Errc::protocol: return "protocol error";
        case Errc::crypto: return "crypto error";
        case Errc::internal: return "internal error";
    }
    return "unknown error";
}

std::string Error::to_string() const {
    std::string out(common::to_string(m_code));
    if (!m_message.empty()) {
        out += ": ";
        out += m_message;
    }
    return out;
}

Error Error::with_context(std::string_view context) const {
    std::string msg(context);
    if (!m_message.empty()) {
        msg += ": ";
        msg += m_message;
    }
    return Error(m_code, std::move(msg), m_retry);
}

}  // namespace common
