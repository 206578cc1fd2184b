// Secret: a value that must never be printed back (challenge passwords, account passwords,
// PKCS#12 passphrases). Streaming or to_string() gives "(secret)"; only reveal() gives the
// value, so every place that uses it is easy to find.
//
// Thread-safety: a plain value.
#pragma once

#include <ostream>
#include <string>
#include <string_view>
#include <utility>

namespace profiles {

// What every redacted rendering prints instead of a secret. A profile whose secret is literally
// this text is refused (it was copied from redacted output).
inline constexpr std::string_view redacted_text = "(secret)";

class Secret {
public:
    explicit Secret(std::string value) : m_value(std::move(value)) {}
    Secret(const Secret&) = default;
    Secret& operator=(const Secret&) = default;
    Secret(Secret&&) = default;
    Secret& operator=(Secret&&) = default;
    // Overwrites the characters before the memory is released.
    ~Secret() {
        volatile char* p = m_value.data();
        for (std::size_t i = 0; i < m_value.size(); ++i) p[i] = 0;
    }

    // The value itself: for the enrolment request or the store installer, never for output.
    const std::string& reveal() const { return m_value; }
    std::string to_string() const { return std::string(redacted_text); }

    friend bool operator==(const Secret& a, const Secret& b) { return a.m_value == b.m_value; }
    friend std::ostream& operator<<(std::ostream& out, const Secret&) {
        return out << redacted_text;
    }

private:
    std::string m_value;
};

}  // namespace profiles
