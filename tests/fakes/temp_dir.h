// TempDir: a fresh directory under $TMPDIR for one test, removed with everything in it when the
// object goes away.
#pragma once

#include <gtest/gtest.h>

#include <stdlib.h>

#include <filesystem>
#include <string>
#include <string_view>

namespace fakes {

class TempDir {
public:
    explicit TempDir(std::string_view prefix = "certkeeper") {
        std::string tmpl =
            (std::filesystem::temp_directory_path() / (std::string(prefix) + "-XXXXXX")).string();
        if (::mkdtemp(tmpl.data()) != nullptr) {
            m_path = tmpl;
        }
        EXPECT_FALSE(m_path.empty()) << "mkdtemp " << tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        if (!m_path.empty()) {
            std::filesystem::remove_all(m_path, ec);
        }
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::filesystem::path& path() const { return m_path; }
    std::filesystem::path operator/(std::string_view name) const { return m_path / name; }

private:
    std::filesystem::path m_path;
};

}  // namespace fakes
