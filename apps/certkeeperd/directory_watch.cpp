#include "directory_watch.h"

#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace certkeeperd {

namespace {
constexpr std::uint32_t watch_mask = IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE |
                                     IN_CREATE | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF |
                                     IN_ONLYDIR;
}  // namespace

common::Result<std::unique_ptr<DirectoryWatch>> DirectoryWatch::create(
    boost::asio::io_context& io, std::chrono::milliseconds quiet, Callback on_change) {
    const int fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (fd < 0) {
        return common::fail(common::Errc::io, std::string("inotify_init1: ") + std::strerror(errno));
    }
    return std::unique_ptr<DirectoryWatch>(new DirectoryWatch(io, fd, quiet, std::move(on_change)));
}

DirectoryWatch::DirectoryWatch(boost::asio::io_context& io, int fd, std::chrono::milliseconds quiet,
                               Callback on_change)
    : m_stream(io, fd), m_debounce(io), m_quiet(quiet), m_on_change(std::move(on_change)) {
    read_more();
}

DirectoryWatch::~DirectoryWatch() {
    *m_self = nullptr;
    boost::system::error_code ec;
    m_debounce.cancel();
    m_stream.close(ec);
}

common::Result<void> DirectoryWatch::watch(const std::filesystem::path& dir) {
    const int wd = ::inotify_add_watch(m_stream.native_handle(), dir.c_str(), watch_mask);
    if (wd < 0) {
        const int err = errno;
        return common::fail(err == ENOENT ? common::Errc::not_found : common::Errc::io,
                            "inotify_add_watch " + dir.string() + ": " + std::strerror(err));
    }
    m_watches[wd] = dir;
    return {};
}

void DirectoryWatch::read_more() {
    m_stream.async_read_some(
        boost::asio::buffer(m_buffer),
        [weak = std::weak_ptr<DirectoryWatch*>(m_self)](const boost::system::error_code& ec,
                                                        std::size_t bytes) {
            auto self = weak.lock();
            if (!self || *self == nullptr || ec) return;
            (*self)->on_events(bytes);
        });
}

void DirectoryWatch::on_events(std::size_t bytes) {
    std::size_t offset = 0;
    while (offset + sizeof(inotify_event) <= bytes) {
        inotify_event event{};
        std::memcpy(&event, m_buffer.data() + offset, sizeof event);
        offset += sizeof(inotify_event) + event.len;
        auto it = m_watches.find(event.wd);
        if (it == m_watches.end()) continue;
        m_changed.insert(it->second);
        if ((event.mask & IN_IGNORED) != 0) m_watches.erase(it);  // the directory went away
    }
    m_debounce.expires_after(m_quiet);
    m_debounce.async_wait([weak = std::weak_ptr<DirectoryWatch*>(m_self)](
                              const boost::system::error_code& ec) {
        auto self = weak.lock();
        if (!self || *self == nullptr || ec) return;  // aborted: a later event re-armed it
        DirectoryWatch& w = **self;
        std::set<std::filesystem::path> changed;
        changed.swap(w.m_changed);
        if (!changed.empty()) w.m_on_change(changed);
    });
    read_more();
}

}  // namespace certkeeperd
