#include "daemon_control.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string_view>

#include "stores/atomic_file.h"

namespace cli {
namespace {

namespace fs = std::filesystem;
using common::Errc;

constexpr std::string_view renew_prefix = "renew.";

common::Error io_error(const std::string& what, const fs::path& path, int err) {
    return common::Error(Errc::io, what + " " + path.string() + ": " + std::strerror(err));
}

std::optional<pid_t> read_pid(int fd) {
    char buffer[32] = {};
    const ssize_t n = ::pread(fd, buffer, sizeof buffer - 1, 0);
    if (n <= 0) return std::nullopt;
    const long pid = std::strtol(buffer, nullptr, 10);
    if (pid <= 0) return std::nullopt;
    return static_cast<pid_t>(pid);
}

}  // namespace

fs::path pid_file_path(const fs::path& state_dir) { return state_dir / "certkeeperd.pid"; }
fs::path requests_dir(const fs::path& state_dir) { return state_dir / "requests"; }

common::Result<PidFileLock> PidFileLock::acquire(const fs::path& state_dir, pid_t pid) {
    const fs::path path = pid_file_path(state_dir);
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0) return io_error("cannot open", path, errno);
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        const int err = errno;
        const auto other = read_pid(fd);
        ::close(fd);
        if (err == EWOULDBLOCK) {
            return common::fail(Errc::already_exists,
                                "certkeeperd is already running on " + state_dir.string() +
                                    (other ? " (pid " + std::to_string(*other) + ")" : ""));
        }
        return io_error("cannot lock", path, err);
    }
    PidFileLock lock(fd, path);
    if (auto r = lock.rewrite(pid); !r) return r.error();
    return lock;
}

PidFileLock::PidFileLock(PidFileLock&& other) noexcept
    : m_fd(other.m_fd), m_path(std::move(other.m_path)) {
    other.m_fd = -1;
}

PidFileLock::~PidFileLock() {
    if (m_fd < 0) return;
    ::unlink(m_path.c_str());  // while still holding the lock: no other daemon's file goes
    ::close(m_fd);
}

common::Result<void> PidFileLock::rewrite(pid_t pid) {
    const std::string text = std::to_string(pid) + "\n";
    if (::ftruncate(m_fd, 0) != 0 ||
        ::pwrite(m_fd, text.data(), text.size(), 0) != static_cast<ssize_t>(text.size())) {
        return io_error("cannot write", m_path, errno);
    }
    return {};
}

std::optional<pid_t> running_daemon(const fs::path& state_dir) {
    const fs::path path = pid_file_path(state_dir);
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) return std::nullopt;
    std::optional<pid_t> pid;
    if (::flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK) {
        pid = read_pid(fd);  // held: a daemon runs
    } else {
        ::flock(fd, LOCK_UN);  // nobody holds it: stale
    }
    ::close(fd);
    return pid;
}

common::Result<void> request_renewal(const fs::path& state_dir, const std::string& profile) {
    const fs::path dir = requests_dir(state_dir);
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return io_error("cannot create", dir, errno);
    return stores::write_file_atomically(dir / (std::string(renew_prefix) + profile),
                                         profile + "\n", {0600, std::nullopt, std::nullopt});
}

common::Result<std::vector<std::string>> take_renewal_requests(const fs::path& state_dir) {
    std::vector<std::string> out;
    const fs::path dir = requests_dir(state_dir);
    std::error_code ec;
    fs::directory_iterator it(dir, ec);
    if (ec == std::errc::no_such_file_or_directory) return out;
    if (ec) return common::fail(Errc::io, "cannot list " + dir.string() + ": " + ec.message());
    for (const auto& entry : it) {
        const std::string name = entry.path().filename().string();
        if (name.rfind(renew_prefix, 0) != 0 || name.size() == renew_prefix.size()) continue;
        if (::unlink(entry.path().c_str()) != 0 && errno != ENOENT) {
            return io_error("cannot remove", entry.path(), errno);
        }
        out.push_back(name.substr(renew_prefix.size()));
    }
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace cli
