// DirectoryWatch: calls back on the event loop when files in watched directories change
// (inotify through an Asio stream_descriptor: no polling). Changes are debounced: the callback
// runs once `quiet` after the last change of a burst (an editor's write + rename, a package
// unpacking ten files), with the set of directories that changed.
//
// A directory that does not exist yet is not an error: watch() reports it and the caller may
// rely on SIGHUP for it. A watched directory that is deleted or moved stops being watched.
//
// Thread-safety: loop thread only. REQUIRES: the io_context outlives this object.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <array>
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <set>

#include "common/result.h"

namespace certkeeperd {

class DirectoryWatch {
public:
    using Callback = std::function<void(const std::set<std::filesystem::path>& changed)>;

    // Errc::io if inotify is unavailable.
    static common::Result<std::unique_ptr<DirectoryWatch>> create(
        boost::asio::io_context& io, std::chrono::milliseconds quiet, Callback on_change);
    ~DirectoryWatch();
    DirectoryWatch(const DirectoryWatch&) = delete;
    DirectoryWatch& operator=(const DirectoryWatch&) = delete;

    // Watches dir for files created, written and closed, moved in or out, deleted, or with
    // changed attributes. Errc::not_found when dir does not exist.
    common::Result<void> watch(const std::filesystem::path& dir);

private:
    DirectoryWatch(boost::asio::io_context& io, int fd, std::chrono::milliseconds quiet,
                   Callback on_change);
    void read_more();
    void on_events(std::size_t bytes);

    boost::asio::posix::stream_descriptor m_stream;
    boost::asio::steady_timer m_debounce;
    std::chrono::milliseconds m_quiet;
    Callback m_on_change;
    std::map<int, std::filesystem::path> m_watches;  // inotify watch descriptor -> directory
    std::set<std::filesystem::path> m_changed;       // since the last callback
    alignas(8) std::array<char, 8192> m_buffer{};
    std::shared_ptr<DirectoryWatch*> m_self = std::make_shared<DirectoryWatch*>(this);
};

}  // namespace certkeeperd
