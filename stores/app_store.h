// Application stores: the files wpa_supplicant, strongSwan or a SIP stack read their key and
// certificate from (ARCHITECTURE.md step 12). install() replaces the whole set at once, so an
// application, a reboot or a kill -9 at any moment sees either the complete old or the complete
// new key/certificate pair, never a mix.
//
// Directory stores (pem, der) use the "..data" technique of Kubernetes' atomic writer:
//
//   <dir>/.certkeeper/v<N>/cert.pem, key.pem, ...   one complete version per directory
//   <dir>/.certkeeper/current  -> v<N>              the version in service
//   <dir>/.certkeeper/previous -> v<M>              the one before it, kept as a fallback
//   <dir>/cert.pem -> .certkeeper/current/cert.pem  what applications open (likewise key.pem ...)
//
// Peer trust anchors (InstallMaterial::peer_anchors: the peers' roots pinned by the lifecycle's
// steps 9-10, each followed by its intermediates) go into the same version as the CA bundle
// "peer-anchors.pem" (PEM, certificate mode) of a directory store, pem or der, in every layout;
// an application that verifies its peers points its CA file at <dir>/peer-anchors.pem. The
// bundle switches with the key and certificate, and a version without peer anchors has no
// such file (its visible link is removed). A pkcs12 store carries no peer anchors (its
// certificates are our chain); give the profile a pem store for them.
//
// install(): write and fsync every file of v<N>, fsync v<N>; point "previous" at the version in
// service; point "current" at v<N> by renaming a new symlink over it (the one step that switches
// key and certificate together); fsync .certkeeper; create the visible symlinks; fsync <dir>;
// only then remove versions other than current and previous. The first install into a directory
// holding plain files replaces them one rename at a time; from then on sets switch atomically.
// One store per directory.
//
// Single-file stores (pkcs12) write a temp file, fsync, hard-link it as ".<name>.v<N>", rename
// it over <path>, fsync the directory. The version in service is the ".v<N>" link with the same
// inode as <path>; the highest other one below it is kept as the fallback.
//
// Thread-safety: one install() or recover() per store at a time (the lifecycle runs one machine
// per profile); readers may read at any time.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "crypto/certificate.h"
#include "crypto/private_key.h"

namespace stores {

enum class StoreFormat { pem, der, pkcs12 };
enum class PemLayout {
    separate,   // cert.pem (leaf), key.pem, chain.pem (issuers; empty if none), fullchain.pem
    fullchain,  // fullchain.pem (leaf then issuers), key.pem
    combined,   // combined.pem: key, leaf, issuers in one file (mode of a key file)
};

struct AppStoreSpec {
    StoreFormat format = StoreFormat::pem;
    // pem, der: the directory (created if missing); pkcs12: the file (its directory must exist).
    std::filesystem::path path;
    // User and group names given to every file; "" keeps the process's own. Another owner
    // needs root; a group needs root or membership (else install fails before writing anything).
    std::string owner;
    std::string group;
    // Files holding the private key (key.pem, key.der, combined.pem, the PKCS#12 file). Any
    // access for others is refused: a private key is never world-readable.
    mode_t key_mode = 0600;
    // Files holding certificates only.
    mode_t cert_mode = 0644;
    PemLayout layout = PemLayout::separate;  // pem only
    // pkcs12 only; required, a secret. The file is made as crypto/pkcs12.h describes.
    std::string pkcs12_passphrase;
};

struct InstallMaterial {
    crypto::PrivateKey key;
    crypto::Certificate certificate;
    std::vector<crypto::Certificate> chain;  // the issuing CA first; der stores ignore it
    // Peers' trust anchors, each followed by its intermediates: peer_anchors_file of a
    // directory store when not empty; pkcs12 stores ignore them.
    std::vector<crypto::Certificate> peer_anchors = {};
};

// The CA bundle of peer trust anchors in a directory store (pem, der).
inline constexpr const char* peer_anchors_file = "peer-anchors.pem";

// Installs material into the store and returns its version number: `version` if given (for
// example the state database's next_install_version(); a leftover half-written directory of that
// number is replaced), else one more than any version on disk. Refused before anything is
// written: a key that does not match the certificate, a key that cannot be exported, a
// version equal to the one in service, a bad spec, an owner or group this process cannot give.
common::Result<std::uint64_t> install(const AppStoreSpec& spec, const InstallMaterial& material,
                                      std::optional<std::uint64_t> version = std::nullopt);

// Whether the version in service of a directory store holds exactly the files install() would
// write for material (same names, same bytes: key, certificate, chain, layout, peer anchors).
// A re-run of an install (resume after a crash) skips a store that matches; a re-install with
// new peer anchors or another layout does not. pkcs12: true when a version is in service (its
// bytes differ on every write; the caller compares the certificate). Errors: unreadable store.
common::Result<bool> current_matches(const AppStoreSpec& spec, const InstallMaterial& material);

struct RecoveryReport {
    std::optional<std::uint64_t> current;   // the version in service; nullopt if none
    std::optional<std::uint64_t> previous;  // the fallback kept
    std::vector<std::string> removed;       // names of versions and temp files removed
};

// After a crash (or at start-up): removes half-written or never-installed versions and temp
// files, recreates missing visible symlinks, and reports which version is in service. Safe to
// run at any time no install() runs; a store never installed reports nothing current.
common::Result<RecoveryReport> recover(const AppStoreSpec& spec);

// The paths applications read for spec, e.g. <dir>/cert.pem and <dir>/key.pem (plus
// <dir>/peer-anchors.pem, not listed, when the version in service has peer anchors).
std::vector<std::filesystem::path> visible_files(const AppStoreSpec& spec);

}  // namespace stores
