#include "stores/post_install.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <optional>

namespace stores {
namespace {

using Clock = std::chrono::steady_clock;
using common::Errc;

class Fd {
public:
    explicit Fd(int fd = -1) : m_fd(fd) {}
    Fd(Fd&& other) noexcept : m_fd(std::exchange(other.m_fd, -1)) {}
    Fd& operator=(Fd&& other) noexcept {
        reset();
        m_fd = std::exchange(other.m_fd, -1);
        return *this;
    }
    ~Fd() { reset(); }
    int get() const { return m_fd; }
    void reset() {
        if (m_fd >= 0) ::close(m_fd);
        m_fd = -1;
    }

private:
    int m_fd;
};

common::Unexpected errno_error(Errc code, const std::string& what, int err) {
    return common::fail(code, what + ": " + std::strerror(err));
}

// The PATH entry of env, or "" if none.
std::string path_variable(const std::vector<std::string>& env) {
    for (const auto& e : env) {
        if (e.rfind("PATH=", 0) == 0) return e.substr(5);
    }
    return {};
}

bool is_executable_file(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

common::Result<std::string> resolve(const std::string& program,
                                    const std::vector<std::string>& env) {
    if (program.find('/') != std::string::npos) {
        if (is_executable_file(program)) return program;
        return common::fail(Errc::not_found, "command " + program + " is not an executable file");
    }
    const std::string path = path_variable(env);
    std::size_t start = 0;
    while (start <= path.size()) {
        const std::size_t end = std::min(path.find(':', start), path.size());
        const std::string dir = path.substr(start, end - start);
        if (!dir.empty() && dir[0] == '/') {  // relative PATH entries are ignored
            const std::string candidate = dir + "/" + program;
            if (is_executable_file(candidate)) return candidate;
        }
        start = end + 1;
    }
    return common::fail(Errc::not_found, "command " + program + " not found in PATH=" + path);
}

// Keeps up to `limit` bytes of a stream and drops the rest.
struct Capture {
    Fd fd;
    std::string* text;
    std::size_t limit;
    bool truncated = false;

    // Reads what is available now; false at EOF or on an error other than EAGAIN.
    bool read_available() {
        char buffer[4096];
        for (;;) {
            const ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
            if (n > 0) {
                const std::size_t room = limit - std::min(limit, text->size());
                const std::size_t keep = std::min(room, static_cast<std::size_t>(n));
                text->append(buffer, keep);
                if (keep < static_cast<std::size_t>(n)) truncated = true;
                continue;
            }
            if (n < 0 && errno == EINTR) continue;
            return n < 0 && errno == EAGAIN;
        }
    }
};

struct SpawnAttributes {
    posix_spawnattr_t attr;
    posix_spawn_file_actions_t actions;
    SpawnAttributes() {
        posix_spawnattr_init(&attr);
        posix_spawn_file_actions_init(&actions);
    }
    ~SpawnAttributes() {
        posix_spawn_file_actions_destroy(&actions);
        posix_spawnattr_destroy(&attr);
    }
    SpawnAttributes(const SpawnAttributes&) = delete;
    SpawnAttributes& operator=(const SpawnAttributes&) = delete;
};

common::Result<void> prepare(SpawnAttributes& s, int out_fd, int err_fd) {
    sigset_t defaults;
    sigfillset(&defaults);
    sigdelset(&defaults, SIGKILL);
    sigdelset(&defaults, SIGSTOP);
    sigset_t empty;
    sigemptyset(&empty);
    const short flags = POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK;
    int rc = posix_spawnattr_setflags(&s.attr, flags);
    if (rc == 0) rc = posix_spawnattr_setpgroup(&s.attr, 0);
    if (rc == 0) rc = posix_spawnattr_setsigdefault(&s.attr, &defaults);
    if (rc == 0) rc = posix_spawnattr_setsigmask(&s.attr, &empty);
    if (rc == 0) rc = posix_spawn_file_actions_addopen(&s.actions, 0, "/dev/null", O_RDONLY, 0);
    if (rc == 0) rc = posix_spawn_file_actions_adddup2(&s.actions, out_fd, 1);
    if (rc == 0) rc = posix_spawn_file_actions_adddup2(&s.actions, err_fd, 2);
    if (rc == 0) rc = posix_spawn_file_actions_addclosefrom_np(&s.actions, 3);
    if (rc != 0) return errno_error(Errc::io, "cannot prepare the command", rc);
    return {};
}

common::Result<std::array<Fd, 2>> make_pipe() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return errno_error(Errc::io, "pipe", errno);
    std::array<Fd, 2> out{Fd(fds[0]), Fd(fds[1])};
    ::fcntl(fds[0], F_SETFL, ::fcntl(fds[0], F_GETFL) | O_NONBLOCK);
    return out;
}

int remaining_ms(Clock::time_point deadline) {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
    return static_cast<int>(std::clamp<std::chrono::milliseconds::rep>(left.count(), 0, 1 << 30));
}

}  // namespace

std::string describe(const CommandResult& result) {
    switch (result.outcome) {
    case CommandResult::Outcome::exited:
        return "exit status " + std::to_string(result.exit_status);
    case CommandResult::Outcome::signalled:
        return "killed by signal " + std::to_string(result.term_signal);
    case CommandResult::Outcome::timed_out:
        return "timed out after " + std::to_string(result.duration.count()) + " ms";
    }
    return "unknown";
}

common::Result<CommandResult> run_command(const CommandSpec& spec) {
    if (spec.argv.empty() || spec.argv[0].empty()) {
        return common::fail(Errc::invalid_argument, "post-install command: empty argv");
    }
    auto program = resolve(spec.argv[0], spec.environment);
    if (!program) return program.error();
    auto out_pipe = make_pipe();
    if (!out_pipe) return out_pipe.error();
    auto err_pipe = make_pipe();
    if (!err_pipe) return err_pipe.error();

    SpawnAttributes attributes;
    if (auto r = prepare(attributes, (*out_pipe)[1].get(), (*err_pipe)[1].get()); !r) {
        return r.error();
    }
    std::vector<char*> argv;
    for (const auto& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    std::vector<char*> envp;
    for (const auto& e : spec.environment) envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);

    const auto started = Clock::now();
    pid_t pid = -1;
    const int rc = ::posix_spawn(&pid, program->c_str(), &attributes.actions, &attributes.attr,
                                 argv.data(), envp.data());
    if (rc != 0) {
        return errno_error(rc == ENOENT || rc == EACCES ? Errc::not_found : Errc::io,
                           "cannot start " + spec.argv[0], rc);
    }
    (*out_pipe)[1].reset();
    (*err_pipe)[1].reset();

    CommandResult result;
    std::array<Capture, 2> captures{
        Capture{std::move((*out_pipe)[0]), &result.standard_output, spec.output_limit},
        Capture{std::move((*err_pipe)[0]), &result.standard_error, spec.output_limit}};
    // -1 on kernels before 5.3: then we poll in ticks. (glibc 2.36's <sys/pidfd.h> lacks extern "C".)
    Fd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));

    Clock::time_point deadline = started + spec.timeout;
    int stage = 0;  // 0 running, 1 SIGTERM sent, 2 SIGKILL sent
    int status = 0;
    for (;;) {
        const pid_t waited = ::waitpid(pid, &status, WNOHANG);
        if (waited == pid || (waited < 0 && errno != EINTR)) break;
        if (Clock::now() >= deadline && stage < 2) {
            ::kill(-pid, stage == 0 ? SIGTERM : SIGKILL);
            result.outcome = CommandResult::Outcome::timed_out;
            ++stage;
            deadline = stage == 1 ? Clock::now() + spec.kill_grace : Clock::time_point::max();
        }
        std::vector<pollfd> fds;
        for (auto& c : captures) {
            if (c.fd.get() >= 0) fds.push_back({c.fd.get(), POLLIN, 0});
        }
        if (pidfd.get() >= 0) fds.push_back({pidfd.get(), POLLIN, 0});
        int wait_ms = deadline == Clock::time_point::max() ? 100 : remaining_ms(deadline);
        if (pidfd.get() < 0) wait_ms = std::min(wait_ms, 10);
        ::poll(fds.data(), fds.size(), wait_ms);  // EINTR or not: the loop looks again
        for (auto& c : captures) {
            if (c.fd.get() >= 0 && !c.read_available()) c.fd.reset();
        }
    }
    for (auto& c : captures) {  // what is buffered now; a grandchild may hold the pipe open
        if (c.fd.get() >= 0) static_cast<void>(c.read_available());
    }
    result.output_truncated = captures[0].truncated || captures[1].truncated;
    result.duration = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
    if (result.outcome != CommandResult::Outcome::timed_out) {
        if (WIFEXITED(status)) {
            result.exit_status = WEXITSTATUS(status);
        } else if (WIFSIGNALED(status)) {
            result.outcome = CommandResult::Outcome::signalled;
            result.term_signal = WTERMSIG(status);
        }
    } else if (WIFSIGNALED(status)) {
        result.term_signal = WTERMSIG(status);
    }
    return result;
}

}  // namespace stores
