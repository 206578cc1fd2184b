// What certkeeperd and the certkeeper CLI share about a state directory besides the state
// database: the daemon's pid file and the operator's requests (docs/certkeeperd.md, "Files").
//
//   <state-dir>/certkeeperd.pid          the running daemon's pid; held with flock() while it
//                                        runs, so a stale file from a killed daemon is told apart
//   <state-dir>/requests/renew.<PROFILE> "renew PROFILE now": written by `certkeeper renew`,
//                                        taken (read and removed) by the daemon, which watches
//                                        the directory (inotify) and also looks on SIGHUP and
//                                        at start-up, so a request survives a daemon restart
//
// Thread-safety: free functions and a move-only lock; no shared state.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"

namespace cli {

std::filesystem::path pid_file_path(const std::filesystem::path& state_dir);
std::filesystem::path requests_dir(const std::filesystem::path& state_dir);

// The daemon's hold on the pid file: released (and the file removed) by the destructor.
class PidFileLock {
public:
    // Creates <state-dir>/certkeeperd.pid (mode 0644), takes an exclusive flock and writes pid.
    // Errc::already_exists naming the pid when another live daemon holds it.
    static common::Result<PidFileLock> acquire(const std::filesystem::path& state_dir, pid_t pid);
    PidFileLock(PidFileLock&& other) noexcept;
    PidFileLock& operator=(PidFileLock&&) = delete;
    PidFileLock(const PidFileLock&) = delete;
    PidFileLock& operator=(const PidFileLock&) = delete;
    ~PidFileLock();

    // After a fork (daemonising): the file gets the new pid; the lock is inherited.
    common::Result<void> rewrite(pid_t pid);

private:
    PidFileLock(int fd, std::filesystem::path path) : m_fd(fd), m_path(std::move(path)) {}
    int m_fd;
    std::filesystem::path m_path;
};

// The pid of the daemon running on state_dir, or nullopt when none holds the pid file.
std::optional<pid_t> running_daemon(const std::filesystem::path& state_dir);

// Writes the request file for profile (creating requests/ mode 0700). REQUIRES: a valid
// profile name (profiles::valid_profile_name).
common::Result<void> request_renewal(const std::filesystem::path& state_dir,
                                     const std::string& profile);

// The profiles with a renewal request, sorted; each request file is removed as it is taken.
common::Result<std::vector<std::string>> take_renewal_requests(const std::filesystem::path& state_dir);

}  // namespace cli
