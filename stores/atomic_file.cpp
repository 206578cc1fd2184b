#include "stores/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace stores {
namespace {

common::Unexpected io_error(const std::string& what, const std::filesystem::path& path,
                            int err) {
    return common::fail(err == ENOENT ? common::Errc::not_found : common::Errc::io,
                        what + " " + path.string() + ": " + std::strerror(err));
}

bool write_all(int fd, std::string_view content) {
    std::size_t done = 0;
    while (done < content.size()) {
        const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        done += static_cast<std::size_t>(n);
    }
    return true;
}

// Sets attrs on a freshly created, still empty file, writes content, fsyncs and closes fd.
common::Result<void> fill(int fd, const std::filesystem::path& path, std::string_view content,
                          const FileAttributes& attrs) {
    bool ok = true;
    if (attrs.uid || attrs.gid) {
        ok = ::fchown(fd, attrs.uid ? *attrs.uid : static_cast<uid_t>(-1),
                      attrs.gid ? *attrs.gid : static_cast<gid_t>(-1)) == 0;
    }
    // After fchown, which may clear set-id bits; before any content.
    ok = ok && ::fchmod(fd, attrs.mode) == 0 && write_all(fd, content) && ::fsync(fd) == 0;
    const int err = errno;
    if (::close(fd) != 0 && ok) return io_error("cannot close", path, errno);
    if (!ok) return io_error("cannot write", path, err);
    return {};
}

}  // namespace

common::Result<std::filesystem::path> write_temp_file(const std::filesystem::path& target,
                                                      std::string_view content,
                                                      const FileAttributes& attrs) {
    std::string temp =
        (target.parent_path() / ("." + target.filename().string() + ".tmp.XXXXXX")).string();
    const int fd = ::mkostemp(temp.data(), O_CLOEXEC);  // mode 0600 until fill() sets attrs
    if (fd < 0) return io_error("cannot create a temporary file next to", target, errno);
    if (auto r = fill(fd, temp, content, attrs); !r) {
        ::unlink(temp.c_str());
        return r.error();
    }
    return std::filesystem::path(temp);
}

bool is_temp_file_of(std::string_view name, std::string_view target_name) {
    const std::string prefix = "." + std::string(target_name) + ".tmp.";
    return name.size() == prefix.size() + 6 && name.substr(0, prefix.size()) == prefix;
}

common::Result<void> write_file_atomically(const std::filesystem::path& path,
                                           std::string_view content, const FileAttributes& attrs) {
    auto temp = write_temp_file(path, content, attrs);
    if (!temp) return temp.error();
    if (::rename(temp->c_str(), path.c_str()) != 0) {
        const int err = errno;
        ::unlink(temp->c_str());
        return io_error("cannot replace", path, err);
    }
    return fsync_directory(path.parent_path());
}

common::Result<void> write_new_file(const std::filesystem::path& path, std::string_view content,
                                    const FileAttributes& attrs) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) return io_error("cannot create", path, errno);
    return fill(fd, path, content, attrs);
}

common::Result<void> replace_symlink(const std::filesystem::path& link,
                                     const std::string& target) {
    const std::filesystem::path temp =
        link.parent_path() / ("." + link.filename().string() + ".tmp");
    if (::unlink(temp.c_str()) != 0 && errno != ENOENT) {
        return io_error("cannot remove", temp, errno);
    }
    if (::symlink(target.c_str(), temp.c_str()) != 0) {
        return io_error("cannot create symlink", temp, errno);
    }
    if (::rename(temp.c_str(), link.c_str()) != 0) {
        const int err = errno;
        ::unlink(temp.c_str());
        return io_error("cannot replace", link, err);
    }
    return {};
}

common::Result<void> fsync_directory(const std::filesystem::path& dir) {
    const std::filesystem::path d = dir.empty() ? std::filesystem::path(".") : dir;
    const int fd = ::open(d.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return io_error("cannot open directory", d, errno);
    const bool ok = ::fsync(fd) == 0;
    const int err = errno;
    ::close(fd);
    if (!ok) return io_error("cannot fsync directory", d, err);
    return {};
}

common::Result<std::string> read_file(const std::filesystem::path& path, std::size_t max_size) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return io_error("cannot open", path, errno);
    std::string out;
    char buffer[8192];
    for (;;) {
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            const int err = errno;
            ::close(fd);
            return io_error("cannot read", path, err);
        }
        if (n == 0) break;
        if (out.size() + static_cast<std::size_t>(n) > max_size) {
            ::close(fd);
            return common::fail(common::Errc::invalid_argument,
                                path.string() + " is larger than " + std::to_string(max_size) +
                                    " bytes");
        }
        out.append(buffer, static_cast<std::size_t>(n));
    }
    ::close(fd);
    return out;
}

}  // namespace stores
