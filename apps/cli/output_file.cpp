#include "output_file.h"

#include "stores/atomic_file.h"

namespace cli {

common::Result<void> write_file_atomically(const std::string& path, const std::string& content,
                                           mode_t mode) {
    stores::FileAttributes attrs;
    attrs.mode = mode;
    return stores::write_file_atomically(path, content, attrs);
}

}  // namespace cli
