// Durable file writes for stores/: the write-temp, fsync, rename, fsync-dir sequence that makes a
// replaced file either wholly old or wholly new after a kill -9 or a power cut, and the symlink
// swap that does the same for a set of files.
//
// A file is given its mode (and owner and group) before the first byte of content is written,
// so a private key is never readable by anyone else, not even for a moment.
//
// Thread-safety: free functions without shared state. Two writers of the same path race like
// two rename(2)s: one wins, neither leaves a partial file.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace stores {

struct FileAttributes {
    mode_t mode = 0600;
    std::optional<uid_t> uid;  // nullopt: the process's own
    std::optional<gid_t> gid;  // nullopt: the process's own (or the directory's, setgid)
};

// Writes content to a fresh temporary file next to target, named ".<target name>.tmp.XXXXXX",
// with attrs, and fsyncs it. The caller renames (or links) it into place or removes it.
common::Result<std::filesystem::path> write_temp_file(const std::filesystem::path& target,
                                                      std::string_view content,
                                                      const FileAttributes& attrs);

// True if name is a temporary file write_temp_file made for a target called target_name.
bool is_temp_file_of(std::string_view name, std::string_view target_name);

// write_temp_file, rename over path, fsync the directory. REQUIRES: path's directory exists.
common::Result<void> write_file_atomically(const std::filesystem::path& path,
                                           std::string_view content, const FileAttributes& attrs);

// Creates path (which must not exist), writes and fsyncs it. For files of a directory that
// nobody reads yet (a version directory before its swap).
common::Result<void> write_new_file(const std::filesystem::path& path, std::string_view content,
                                    const FileAttributes& attrs);

// Makes link a symlink to target in one rename(2): a symlink ".<link name>.tmp" is created next
// to it and renamed over link (a regular file or an older symlink there is replaced). The
// directory is not fsynced; call fsync_directory once after a batch.
common::Result<void> replace_symlink(const std::filesystem::path& link, const std::string& target);

common::Result<void> fsync_directory(const std::filesystem::path& dir);

// The whole file; Errc::not_found if it does not exist, Errc::invalid_argument if it is larger
// than max_size.
common::Result<std::string> read_file(const std::filesystem::path& path,
                                      std::size_t max_size = 16u << 20);

}  // namespace stores
