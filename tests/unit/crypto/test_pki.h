// Helpers shared by the crypto/ unit tests: the committed test PKI (tests/data/make-test-pki.sh,
// generated at build time into CERTKEEPER_TEST_PKI_DIR), fixed instants, and running the OpenSSL
// command-line tool to cross-check results.
#pragma once

#include <gtest/gtest.h>
#include <openssl/err.h>

#include <sys/wait.h>
#include <unistd.h>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>

#include "common/result.h"
#include "common/time_format.h"
#include "crypto/bytes.h"

namespace test_pki {

inline std::string path(std::string_view name) {
    return std::string(CERTKEEPER_TEST_PKI_DIR) + "/" + std::string(name);
}

inline std::string read_text(std::string_view name) {
    std::ifstream in(path(name), std::ios::binary);
    EXPECT_TRUE(in.good()) << "cannot open " << path(name);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline crypto::Bytes read_bytes(std::string_view name) {
    const std::string text = read_text(name);
    return crypto::Bytes(text.begin(), text.end());
}

// A fixed instant, e.g. at("2026-01-01T00:00:00Z"). Tests never read the real clock.
inline common::SystemTime at(std::string_view rfc3339) {
    auto t = common::parse_rfc3339(rfc3339);
    EXPECT_TRUE(t.has_value()) << rfc3339;
    return t ? *t : common::SystemTime{};
}

struct CommandResult {
    int status = -1;     // exit status of the shell, -1 if it could not be run
    std::string output;  // stdout and stderr, interleaved
};

// Runs a shell command (stderr folded into stdout), with OpenSSL reading no configuration file
// and never asking a terminal for anything (stdin is /dev/null).
inline CommandResult run(const std::string& command) {
    CommandResult result;
    const std::string full =
        "(OPENSSL_CONF=/dev/null; export OPENSSL_CONF; " + command + ") </dev/null 2>&1";
    FILE* pipe = ::popen(full.c_str(), "r");
    if (pipe == nullptr)
        return result;
    std::array<char, 4096> buf{};
    std::size_t n = 0;
    while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0)
        result.output.append(buf.data(), n);
    const int rc = ::pclose(pipe);
    result.status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
    return result;
}

// The text after "=" on the first line of `openssl ... -noout -serial` style output, trimmed.
inline std::string value_after_equals(const std::string& output) {
    const auto eq = output.find('=');
    if (eq == std::string::npos)
        return {};
    const auto end = output.find_first_of("\r\n", eq);
    return output.substr(eq + 1, end == std::string::npos ? std::string::npos : end - eq - 1);
}

// A file in the temporary directory, removed when the object goes out of scope.
class TempFile {
public:
    explicit TempFile(std::string_view contents) {
        char name[] = "/tmp/certkeeper-unit-XXXXXX";
        const int fd = ::mkstemp(name);
        EXPECT_GE(fd, 0);
        m_path = name;
        if (fd >= 0) {
            std::size_t done = 0;
            while (done < contents.size()) {
                const ssize_t w = ::write(fd, contents.data() + done, contents.size() - done);
                if (w <= 0)
                    break;
                done += static_cast<std::size_t>(w);
            }
            ::close(fd);
        }
    }
    explicit TempFile(crypto::ByteView contents) : TempFile(crypto::as_chars(contents)) {}
    ~TempFile() { ::unlink(m_path.c_str()); }
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;

    const std::string& path() const { return m_path; }

private:
    std::string m_path;
};

// Replaces the first base64 character of the first body line of a PEM text with '!'.
inline std::string break_pem_base64(std::string pem) {
    const auto body = pem.find('\n');
    EXPECT_NE(body, std::string::npos);
    pem[body + 5] = '!';
    return pem;
}

// Every crypto/ call drains OpenSSL's thread-local error queue, success or failure, so that a
// stale error never shows up in the message of a later, unrelated failure.
inline void expect_openssl_queue_empty(const std::string& after) {
    const unsigned long e = ERR_peek_error();
    EXPECT_EQ(e, 0u) << "OpenSSL error queue not drained after " << after << ": "
                     << (e != 0 ? ERR_error_string(e, nullptr) : "");
    ERR_clear_error();
}

// Each byte of der in turn XORed with 0xff.
template <typename F>
void for_each_corruption(const crypto::Bytes& der, F&& f) {
    for (std::size_t i = 0; i < der.size(); ++i) {
        crypto::Bytes corrupt = der;
        corrupt[i] ^= 0xff;
        f(i, corrupt);
    }
}

// A deterministic run of non-DER bytes.
inline crypto::Bytes garbage(std::size_t n) {
    crypto::Bytes out(n);
    std::uint32_t x = 0x12345678u;
    for (auto& b : out) {
        x = x * 1103515245u + 12345u;
        b = static_cast<std::uint8_t>(x >> 24);
    }
    return out;
}

}  // namespace test_pki
