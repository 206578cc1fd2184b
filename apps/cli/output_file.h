// Writing the CLI's output files: whole-file replace (temp file, fsync, rename, fsync of the
// directory; stores/atomic_file.h) with an explicit mode, so that a key is never briefly
// world-readable and a crash never leaves half a file.
#pragma once

#include <string>
#include <sys/types.h>

#include "common/result.h"

namespace cli {

// REQUIRES: path's directory exists. mode e.g. 0600 for keys, 0644 for certificates.
common::Result<void> write_file_atomically(const std::string& path, const std::string& content,
                                           mode_t mode);

}  // namespace cli
