#include "stores/key_store.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "crypto/bytes.h"
#include "stores/atomic_file.h"

namespace stores {
namespace {

constexpr std::size_t id_length = 32;  // 16 random bytes in lower-case hex
constexpr std::size_t min_device_key_length = 16;

std::string octal(mode_t mode) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
    return buf;
}

bool is_id(std::string_view id) {
    return id.size() == id_length && std::all_of(id.begin(), id.end(), [](char c) {
               return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
           });
}

common::Result<void> check_private_directory(const std::filesystem::path& dir) {
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0) {
        return common::fail(errno == ENOENT ? common::Errc::not_found : common::Errc::io,
                            "key store directory " + dir.string() + ": " + std::strerror(errno));
    }
    if (!S_ISDIR(st.st_mode)) {
        return common::fail(common::Errc::invalid_argument,
                            "key store " + dir.string() + " is not a directory");
    }
    if (st.st_uid != ::geteuid()) {
        return common::fail(common::Errc::invalid_argument,
                            "key store directory " + dir.string() + " belongs to uid " +
                                std::to_string(st.st_uid) + ", not to this process's uid " +
                                std::to_string(::geteuid()));
    }
    if ((st.st_mode & 077) != 0) {
        return common::fail(common::Errc::invalid_argument,
                            "key store directory " + dir.string() + " has mode " +
                                octal(st.st_mode) +
                                ": group or others may access it; refusing to keep private keys "
                                "there (chmod 700 it)");
    }
    return {};
}

common::Result<void> create_private_directory(const std::filesystem::path& dir) {
    std::error_code ec;
    if (dir.has_parent_path()) std::filesystem::create_directories(dir.parent_path(), ec);
    if (ec) {
        return common::fail(common::Errc::io,
                            "cannot create " + dir.parent_path().string() + ": " + ec.message());
    }
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
        return common::fail(common::Errc::io,
                            "cannot create key store directory " + dir.string() + ": " +
                                std::strerror(errno));
    }
    return {};
}

common::Result<std::string> read_private_file(const std::filesystem::path& path,
                                              std::string_view what) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        return common::fail(errno == ENOENT ? common::Errc::not_found : common::Errc::io,
                            std::string(what) + " " + path.string() + ": " + std::strerror(errno));
    }
    if (!S_ISREG(st.st_mode)) {
        return common::fail(common::Errc::invalid_argument,
                            std::string(what) + " " + path.string() + " is not a regular file");
    }
    if ((st.st_mode & 077) != 0) {
        return common::fail(common::Errc::invalid_argument,
                            std::string(what) + " " + path.string() + " has mode " +
                                octal(st.st_mode) + ": group or others may read it (chmod 600 it)");
    }
    return read_file(path, 1u << 20);
}

common::Result<std::string> read_device_key(const std::filesystem::path& path) {
    auto text = read_private_file(path, "device key file");
    if (!text) return text.error();
    std::string key = std::move(*text);
    while (!key.empty() && (key.back() == '\n' || key.back() == '\r')) key.pop_back();
    if (key.size() < min_device_key_length) {
        return common::fail(common::Errc::invalid_argument,
                            "device key file " + path.string() + " holds fewer than " +
                                std::to_string(min_device_key_length) + " bytes");
    }
    return key;
}

}  // namespace

common::Result<FileKeyStore> FileKeyStore::open(const FileKeyStoreOptions& options) {
    if (options.directory.empty()) {
        return common::fail(common::Errc::invalid_argument, "key store: no directory given");
    }
    auto checked = check_private_directory(options.directory);
    if (!checked && checked.error().code() == common::Errc::not_found &&
        options.create_if_missing) {
        if (auto created = create_private_directory(options.directory); !created) {
            return created.error();
        }
        checked = check_private_directory(options.directory);
    }
    if (!checked) return checked.error();
    std::optional<std::string> passphrase;
    if (options.device_key_file) {
        auto key = read_device_key(*options.device_key_file);
        if (!key) return key.error();
        passphrase = std::move(*key);
    }
    return FileKeyStore(options.directory, std::move(passphrase));
}

common::Result<std::string> FileKeyStore::generate(const crypto::KeySpec& spec) {
    auto key = crypto::PrivateKey::generate(spec);
    if (!key) return key.error();
    return import(*key);
}

common::Result<std::string> FileKeyStore::import(const crypto::PrivateKey& key) {
    std::string pem;
    if (m_passphrase) {
        auto encrypted = key.to_encrypted_pem(*m_passphrase);
        if (!encrypted) return encrypted.error();
        pem = std::move(*encrypted);
    } else {
        pem = key.to_pem();
    }
    if (pem.empty()) {
        return common::fail(common::Errc::crypto, "key store: cannot serialise the private key");
    }
    auto random = crypto::random_bytes(id_length / 2);
    if (!random) return random.error();
    const std::string id = crypto::to_hex(*random);
    const std::filesystem::path path = m_dir / (id + ".pem");
    if (auto written = write_file_atomically(path, pem, FileAttributes{0600, {}, {}}); !written) {
        return written.error().with_context("key store");
    }
    return std::string(scheme) + ":" + id;
}

common::Result<std::filesystem::path> FileKeyStore::path_of(std::string_view reference) const {
    const std::string prefix = std::string(scheme) + ":";
    if (reference.substr(0, prefix.size()) != prefix || !is_id(reference.substr(prefix.size()))) {
        return common::fail(common::Errc::invalid_argument,
                            "key reference '" + std::string(reference) +
                                "' is not of the form file:<32 hex digits>");
    }
    return m_dir / (std::string(reference.substr(prefix.size())) + ".pem");
}

common::Result<crypto::PrivateKey> FileKeyStore::load(std::string_view reference) const {
    auto path = path_of(reference);
    if (!path) return path.error();
    auto pem = read_private_file(*path, "key file");
    if (!pem) return pem.error().with_context(std::string(reference));
    std::optional<std::string_view> passphrase;
    if (m_passphrase) passphrase = *m_passphrase;
    auto key = crypto::PrivateKey::from_pem(*pem, passphrase);
    if (!key) {
        return key.error().with_context(std::string(reference) +
                                        (m_passphrase ? " (with the device key)" : ""));
    }
    return key;
}

common::Result<void> FileKeyStore::remove(std::string_view reference) {
    auto path = path_of(reference);
    if (!path) return path.error();
    if (::unlink(path->c_str()) != 0) {
        return common::fail(errno == ENOENT ? common::Errc::not_found : common::Errc::io,
                            "cannot remove key " + std::string(reference) + ": " +
                                std::strerror(errno));
    }
    return fsync_directory(m_dir);
}

common::Result<std::vector<std::string>> FileKeyStore::list() const {
    std::error_code ec;
    std::vector<std::string> out;
    for (const auto& entry : std::filesystem::directory_iterator(m_dir, ec)) {
        const std::string name = entry.path().filename().string();
        if (name.size() == id_length + 4 && name.ends_with(".pem") &&
            is_id(std::string_view(name).substr(0, id_length))) {
            out.push_back(std::string(scheme) + ":" + name.substr(0, id_length));
        }
    }
    if (ec) {
        return common::fail(common::Errc::io,
                            "cannot list key store " + m_dir.string() + ": " + ec.message());
    }
    std::sort(out.begin(), out.end());
    return out;
}

common::Result<int> FileKeyStore::remove_temporary_files() {
    std::error_code ec;
    int removed = 0;
    for (const auto& entry : std::filesystem::directory_iterator(m_dir, ec)) {
        const std::string name = entry.path().filename().string();
        if (name.size() == 1 + id_length + 4 + 5 + 6 &&
            is_temp_file_of(name, name.substr(1, id_length + 4)) &&
            is_id(std::string_view(name).substr(1, id_length))) {
            std::filesystem::remove(entry.path(), ec);
            if (ec) break;
            ++removed;
        }
    }
    if (ec) {
        return common::fail(common::Errc::io,
                            "cannot clean key store " + m_dir.string() + ": " + ec.message());
    }
    if (removed > 0) {
        if (auto synced = fsync_directory(m_dir); !synced) return synced.error();
    }
    return removed;
}

}  // namespace stores
