// Result<T> and Error: the project's error values.
//
// An Error says what went wrong (a code for programs, a message for people) and whether trying
// again later may help (Error::retryable()). Expected protocol outcomes such as SCEP PENDING or an
// OCSP "unknown" are domain values, not Errors. Member names follow std::expected so that the
// type can be swapped for it once the toolchain has C++23.
//
// Thread-safety: plain values; no shared state.
#pragma once

#include <cassert>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

namespace common {

// What went wrong, coarsely. Modules put the detail in Error::message.
enum class Errc {
    invalid_argument,  // the caller passed something malformed (bad PEM, bad option, ...)
    parse,             // bytes from outside could not be decoded (DER, PKCS#7, SOAP, profile)
    verification,      // a signature, chain, nonce or fingerprint check failed
    not_found,         // a file, key, object or entry does not exist
    already_exists,    // an entry with the same key exists (a unique constraint refused it)
    unsupported,       // valid, but an algorithm or feature we refuse or do not implement
    io,                // a local file or device operation failed
    network,           // a peer could not be reached or broke the connection
    timeout,           // a deadline passed
    protocol,          // a peer answered, but not as the protocol allows
    crypto,            // the crypto library failed for a reason not covered above
    internal,          // a bug or an impossible state
};

std::string_view to_string(Errc code);

// Whether an operation that failed with this error may succeed if simply retried later.
enum class Retry { no, yes };

class Error {
public:
    Error(Errc code, std::string message, Retry retry = Retry::no)
        : m_code(code), m_message(std::move(message)), m_retry(retry) {}

    Errc code() const { return m_code; }
    const std::string& message() const { return m_message; }
    bool retryable() const { return m_retry == Retry::yes; }

    // "parse: certificate: truncated DER" - one line, suitable for logs and CLI output.
    std::string to_string() const;

    // Returns a copy whose message is "context: message"; code and retry are kept.
    Error with_context(std::string_view context) const;

private:
    Errc m_code;
    std::string m_message;
    Retry m_retry;
};

// Wraps an Error so that it converts into any Result<T> (like std::unexpected).
class Unexpected {
public:
    explicit Unexpected(Error e) : m_error(std::move(e)) {}
    Error& error() & { return m_error; }
    Error&& error() && { return std::move(m_error); }

private:
    Error m_error;
};

inline Unexpected fail(Errc code, std::string message, Retry retry = Retry::no) {
    return Unexpected(Error(code, std::move(message), retry));
}
inline Unexpected fail(Error e) { return Unexpected(std::move(e)); }

template <typename T>
class [[nodiscard]] Result {
public:
    using value_type = T;
    using error_type = Error;

    Result(T value) : m_v(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit
    Result(Unexpected u) : m_v(std::in_place_index<1>, std::move(u).error()) {}  // NOLINT
    Result(Error e) : m_v(std::in_place_index<1>, std::move(e)) {}  // NOLINT

    bool has_value() const { return m_v.index() == 0; }
    explicit operator bool() const { return has_value(); }

    // REQUIRES: has_value().
    T& value() & { return checked(); }
    const T& value() const& { return const_cast<Result*>(this)->checked(); }
    // By value: `for (auto& x : make().value())` must not refer into a dead temporary.
    T value() && { return std::move(checked()); }
    T& operator*() & { return checked(); }
    const T& operator*() const& { return value(); }
    T operator*() && { return std::move(checked()); }
    T* operator->() { return &checked(); }
    const T* operator->() const { return &value(); }

    // REQUIRES: !has_value().
    const Error& error() const& {
        assert(!has_value());
        return std::get<1>(m_v);
    }
    Error&& error() && {
        assert(!has_value());
        return std::get<1>(std::move(m_v));
    }

    template <typename U>
    T value_or(U&& fallback) const& {
        return has_value() ? std::get<0>(m_v) : static_cast<T>(std::forward<U>(fallback));
    }

private:
    T& checked() {
        if (!has_value()) {
            throw_bad_access(std::get<1>(m_v));
        }
        return std::get<0>(m_v);
    }
    [[noreturn]] static void throw_bad_access(const Error& e);

    std::variant<T, Error> m_v;
};

template <>
class [[nodiscard]] Result<void> {
public:
    using value_type = void;
    using error_type = Error;

    Result() = default;
    Result(Unexpected u) : m_error(std::move(u).error()), m_ok(false) {}  // NOLINT: implicit
    Result(Error e) : m_error(std::move(e)), m_ok(false) {}              // NOLINT: implicit

    bool has_value() const { return m_ok; }
    explicit operator bool() const { return m_ok; }
    void value() const;
    const Error& error() const& {
        assert(!m_ok);
        return m_error;
    }

private:
    Error m_error{Errc::internal, {}};
    bool m_ok = true;
};

// Thrown only when a caller breaks the contract and reads value() of a failed Result.
class BadResultAccess : public std::exception {
public:
    explicit BadResultAccess(std::string what) : m_what(std::move(what)) {}
    const char* what() const noexcept override { return m_what.c_str(); }

private:
    std::string m_what;
};

template <typename T>
void Result<T>::throw_bad_access(const Error& e) {
    throw BadResultAccess("value() of a failed Result: " + e.to_string());
}

inline void Result<void>::value() const {
    if (!m_ok) {
        throw BadResultAccess("value() of a failed Result: " + m_error.to_string());
    }
}

}  // namespace common
