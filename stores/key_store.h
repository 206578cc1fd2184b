// stores::KeyStore: where the device's private keys live. The state database never holds a key,
// only the reference string a KeyStore returns ("file:<id>"), so that a key can move to a token
// without a schema change.
//
// FileKeyStore keeps each key as one PEM file "<id>.pem", mode 0600, in a directory of mode 0700
// that belongs to the process's user. Files are written atomically (temp, fsync, rename, fsync
// of the directory): after a kill -9 a key is either wholly there or not there. With a device key
// the files are PKCS#8 encrypted PEM (PBES2: PBKDF2-HMAC-SHA256, AES-256-CBC, RFC 8018); the
// passphrase is read once, from a file that must itself be private (mode 0600 or stricter).
//
// The PKCS#11 seam. A Pkcs11KeyStore would implement the same interface with references
// "pkcs11:token=...;object=<id>;type=private" (RFC 7512 URIs): generate() runs C_GenerateKeyPair
// on the token with CKA_SENSITIVE and CKA_EXTRACTABLE=FALSE, import() is refused
// (Errc::unsupported: keys are born on the token), load() returns a crypto::PrivateKey whose
// EVP_PKEY comes from OSSL_STORE_open() on the URI through the OpenSSL 3 pkcs11 provider
// (Debian's pkcs11-provider, module /usr/lib/softhsm/libsofthsm2.so in tests), so signing a CSR
// or a CMS message works unchanged; list() enumerates CKO_PRIVATE_KEY objects; remove() is
// C_DestroyObject. Such a key cannot be written into an application store as PEM/DER/PKCS#12:
// the installers refuse a key whose private half is not exportable, and an application that
// uses the token reads the key by URI instead. Not implemented yet (stores/README.md).
//
// Thread-safety: a FileKeyStore is immutable after open(); its methods may be called from any
// thread. Several processes may share a directory except for remove_temporary_files().
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "crypto/private_key.h"

namespace stores {

class KeyStore {
public:
    virtual ~KeyStore() = default;

    // Makes a new key of spec and returns its reference.
    virtual common::Result<std::string> generate(const crypto::KeySpec& spec) = 0;
    // Stores a copy of key (e.g. one made elsewhere) and returns its reference.
    virtual common::Result<std::string> import(const crypto::PrivateKey& key) = 0;
    // Errc::not_found for an unknown reference, Errc::invalid_argument for a malformed one or one
    // of another store's scheme.
    virtual common::Result<crypto::PrivateKey> load(std::string_view reference) const = 0;
    // Errc::not_found if the key does not exist.
    virtual common::Result<void> remove(std::string_view reference) = 0;
    // Every reference held, sorted.
    virtual common::Result<std::vector<std::string>> list() const = 0;
};

struct FileKeyStoreOptions {
    // Where the keys live. Refused if it is not a directory owned by this process's user, or if
    // group or others have any access to it.
    std::filesystem::path directory;
    // Create the directory (mode 0700, its parents as needed) if it does not exist.
    bool create_if_missing = true;
    // If set: new keys are encrypted with the passphrase in this file (its content with trailing
    // newlines removed; at least 16 bytes). The file must be owner-only. Keys stored
    // unencrypted earlier still load. If unset, keys are stored unencrypted and an encrypted
    // key fails to load with Errc::invalid_argument.
    std::optional<std::filesystem::path> device_key_file;
};

class FileKeyStore final : public KeyStore {
public:
    static constexpr std::string_view scheme = "file";

    static common::Result<FileKeyStore> open(const FileKeyStoreOptions& options);

    common::Result<std::string> generate(const crypto::KeySpec& spec) override;
    common::Result<std::string> import(const crypto::PrivateKey& key) override;
    // A wrong device key is Errc::verification; a key file that group or others may read is
    // refused with Errc::invalid_argument.
    common::Result<crypto::PrivateKey> load(std::string_view reference) const override;
    common::Result<void> remove(std::string_view reference) override;
    common::Result<std::vector<std::string>> list() const override;

    // Removes temporary files a killed writer left behind and returns how many.
    // REQUIRES: no other process writes to this directory at the same time.
    common::Result<int> remove_temporary_files();

    const std::filesystem::path& directory() const { return m_dir; }
    bool encrypts() const { return m_passphrase.has_value(); }

private:
    FileKeyStore(std::filesystem::path dir, std::optional<std::string> passphrase)
        : m_dir(std::move(dir)), m_passphrase(std::move(passphrase)) {}

    common::Result<std::filesystem::path> path_of(std::string_view reference) const;

    std::filesystem::path m_dir;
    std::optional<std::string> m_passphrase;  // the device key; a secret
};

}  // namespace stores
