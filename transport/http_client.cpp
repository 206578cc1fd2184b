#include "transport/http_client.h"

#include <algorithm>

namespace transport {
namespace {

// ASCII only, whatever the process locale.
char lower(char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return lower(x) == lower(y);
           });
}

std::string_view trim(std::string_view s) {
    const auto first = s.find_first_not_of(" \t");
    if (first == std::string_view::npos) {
        return {};
    }
    const auto last = s.find_last_not_of(" \t");
    return s.substr(first, last - first + 1);
}

// RFC 3986 §2.3.
bool is_unreserved(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '.' || c == '_' || c == '~';
}

}  // namespace

std::optional<std::string> HttpResponse::header(std::string_view name) const {
    for (auto it = headers.rbegin(); it != headers.rend(); ++it) {
        if (iequals(it->first, name)) {
            return it->second;
        }
    }
    return std::nullopt;
}

std::string HttpResponse::content_type() const {
    const auto value = header("Content-Type");
    if (!value) {
        return {};
    }
    std::string_view media = *value;
    media = trim(media.substr(0, media.find(';')));
    std::string out(media);
    std::transform(out.begin(), out.end(), out.begin(), lower);
    return out;
}

common::Error http_status_error(const HttpResponse& response, std::string_view what) {
    const int status = response.status;
    const bool retry = status >= 500 || status == 429 || status == 408;
    common::Errc code = common::Errc::protocol;
    if (status == 404 || status == 410) {
        code = common::Errc::not_found;
    } else if (status == 408) {
        code = common::Errc::timeout;
    }
    std::string message(what);
    message += ": server answered HTTP ";
    message += std::to_string(status);
    return common::Error(code, std::move(message), retry ? common::Retry::yes : common::Retry::no);
}

bool is_http_url(std::string_view url) {
    auto starts = [url](std::string_view prefix) {
        return url.size() >= prefix.size() && iequals(url.substr(0, prefix.size()), prefix);
    };
    return starts("http://") || starts("https://");
}

std::string url_escape(std::string_view text) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(text.size());
    for (const char ch : text) {
        if (is_unreserved(ch)) {
            out += ch;
        } else {
            out += '%';
            const auto c = static_cast<unsigned char>(ch);
            out += hex[c >> 4];
            out += hex[c & 0x0F];
        }
    }
    return out;
}

}  // namespace transport
