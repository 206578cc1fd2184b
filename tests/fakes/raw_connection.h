// A blocking TCP client on 127.0.0.1 for tests that must put exact bytes on the wire (malformed
// requests, HTTP/1.0, stalled or chunked uploads), which an HTTP client library will not send.
// Every read takes a timeout, so that a server bug fails the test instead of hanging it.
//
// Thread-safety: one thread at a time.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace fakes {

class RawConnection {
public:
    // Throws std::runtime_error if the connection cannot be made.
    explicit RawConnection(std::uint16_t port) : m_fd(::socket(AF_INET, SOCK_STREAM, 0)) {
        if (m_fd < 0) {
            throw std::runtime_error("socket failed");
        }
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(port);
        address.sin_addr.s_addr = htonl(0x7f000001u);  // 127.0.0.1
        if (::connect(m_fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
            ::close(m_fd);
            throw std::runtime_error("connect failed");
        }
    }
    ~RawConnection() { ::close(m_fd); }
    RawConnection(const RawConnection&) = delete;
    RawConnection& operator=(const RawConnection&) = delete;

    // False if the peer is gone.
    bool send(std::string_view bytes) {
        while (!bytes.empty()) {
            const auto n = ::send(m_fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
            if (n <= 0) {
                return false;
            }
            bytes.remove_prefix(static_cast<std::size_t>(n));
        }
        return true;
    }

    // Everything until the peer closes (closed() is then true) or the timeout passes.
    std::string read_until_closed(std::chrono::milliseconds timeout) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        std::string out;
        while (read_some(out, deadline)) {
        }
        return out;
    }

    // One response: the head and a Content-Length body (no chunked responses), or what arrived
    // before the peer closed or the timeout passed. Bytes after it are kept for the next call.
    std::string read_response(std::chrono::milliseconds timeout) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        for (;;) {
            const auto head_end = m_pending.find("\r\n\r\n");
            if (head_end != std::string::npos) {
                const std::size_t size =
                    head_end + 4 + content_length(m_pending.substr(0, head_end));
                if (m_pending.size() >= size) {
                    std::string response = m_pending.substr(0, size);
                    m_pending.erase(0, size);
                    return response;
                }
            }
            if (!read_some(m_pending, deadline)) {
                return std::exchange(m_pending, {});
            }
        }
    }

    // Whether the peer closed the connection (seen by a read).
    bool closed() const { return m_closed; }

private:
    // Appends what one read returns; false on close, error or timeout.
    bool read_some(std::string& out, std::chrono::steady_clock::time_point deadline) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            return false;
        }
        pollfd p{m_fd, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) {
            return false;
        }
        char buffer[4096];
        const auto n = ::recv(m_fd, buffer, sizeof buffer, 0);
        if (n <= 0) {
            m_closed = true;
            return false;
        }
        out.append(buffer, static_cast<std::size_t>(n));
        return true;
    }

    static std::size_t content_length(const std::string& head) {
        std::string lower;
        for (const char c : head) {
            lower += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
        }
        const auto at = lower.find("\r\ncontent-length:");
        return at == std::string::npos
                   ? 0
                   : static_cast<std::size_t>(std::strtoull(lower.c_str() + at + 17, nullptr, 10));
    }

    int m_fd;
    std::string m_pending;
    bool m_closed = false;
};

}  // namespace fakes
