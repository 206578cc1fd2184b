#include "stores/app_store.h"

#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <set>

#include "crypto/pkcs12.h"
#include "stores/atomic_file.h"

namespace stores {
namespace {

namespace fs = std::filesystem;
using common::Errc;

constexpr std::string_view meta_name = ".certkeeper";
// Every name a directory store may show; a visible symlink with one of these names that points
// into .certkeeper/current/ but names no file of the version in service is removed.
constexpr std::array<std::string_view, 8> known_names = {
    "cert.pem",     "key.pem",  "chain.pem", "fullchain.pem",
    "combined.pem", "cert.der", "key.der",   peer_anchors_file};

struct StoreFile {
    std::string name;
    std::string content;
    bool holds_key = false;
};

struct Ownership {
    std::optional<uid_t> uid;
    std::optional<gid_t> gid;
};

common::Unexpected io_error(const std::string& what, const fs::path& path, int err) {
    return common::fail(err == ENOENT ? Errc::not_found : Errc::io,
                        what + " " + path.string() + ": " + std::strerror(err));
}

std::string version_name(std::uint64_t version) { return "v" + std::to_string(version); }

std::optional<std::uint64_t> parse_version(std::string_view name) {
    if (name.size() < 2 || name.size() > 21 || name[0] != 'v' || name[1] == '0') return {};
    std::uint64_t value = 0;
    const auto [end, ec] = std::from_chars(name.data() + 1, name.data() + name.size(), value);
    if (ec != std::errc() || end != name.data() + name.size()) return {};
    return value;
}

// The version a "current"/"previous" symlink names; nullopt if the link does not exist.
common::Result<std::optional<std::uint64_t>> link_version(const fs::path& link) {
    std::error_code ec;
    const fs::path target = fs::read_symlink(link, ec);
    if (ec == std::errc::no_such_file_or_directory) return std::optional<std::uint64_t>();
    if (ec) return common::fail(Errc::io, "cannot read " + link.string() + ": " + ec.message());
    auto version = parse_version(target.string());
    if (!version) {
        return common::fail(Errc::io, link.string() + " points to '" + target.string() +
                                          "', not to a version directory");
    }
    return std::optional<std::uint64_t>(version);
}

common::Result<void> validate(const AppStoreSpec& spec) {
    if (spec.path.empty()) return common::fail(Errc::invalid_argument, "store: no path given");
    if ((spec.key_mode & ~mode_t{0777}) != 0 || (spec.cert_mode & ~mode_t{0777}) != 0 ||
        (spec.key_mode & 0400) == 0 || (spec.cert_mode & 0400) == 0) {
        return common::fail(Errc::invalid_argument,
                            "store " + spec.path.string() +
                                ": modes are permission bits 0400..0777 that the owner can read");
    }
    if ((spec.key_mode & 0007) != 0) {
        return common::fail(Errc::invalid_argument,
                            "store " + spec.path.string() +
                                ": refusing a key mode that gives others access to a private key");
    }
    if (spec.format == StoreFormat::pkcs12 && spec.pkcs12_passphrase.empty()) {
        return common::fail(Errc::invalid_argument,
                            "store " + spec.path.string() + ": a PKCS#12 store needs a passphrase");
    }
    if (spec.format == StoreFormat::pkcs12 && !spec.path.has_filename()) {
        return common::fail(Errc::invalid_argument,
                            "store " + spec.path.string() + ": a PKCS#12 store is a file path");
    }
    return {};
}

bool in_supplementary_groups(gid_t gid) {
    const int n = ::getgroups(0, nullptr);
    if (n <= 0) return false;
    std::vector<gid_t> groups(static_cast<std::size_t>(n));
    const int got = ::getgroups(n, groups.data());
    return got > 0 &&
           std::find(groups.begin(), groups.begin() + got, gid) != groups.begin() + got;
}

common::Result<Ownership> resolve_ownership(const AppStoreSpec& spec) {
    Ownership out;
    const bool root = ::geteuid() == 0;
    std::vector<char> buffer(16384);
    if (!spec.owner.empty()) {
        struct passwd pw {};
        struct passwd* found = nullptr;
        const int rc = ::getpwnam_r(spec.owner.c_str(), &pw, buffer.data(), buffer.size(), &found);
        if (found == nullptr) {
            return common::fail(rc == 0 ? Errc::not_found : Errc::io,
                                "store " + spec.path.string() + ": no user '" + spec.owner + "'");
        }
        if (!root && pw.pw_uid != ::geteuid()) {
            return common::fail(Errc::unsupported,
                                "store " + spec.path.string() + ": owner '" + spec.owner +
                                    "' needs root, but certkeeper runs as uid " +
                                    std::to_string(::geteuid()) +
                                    "; nothing was installed (run as root or drop owner=)");
        }
        out.uid = pw.pw_uid;
    }
    if (!spec.group.empty()) {
        struct group gr {};
        struct group* found = nullptr;
        const int rc = ::getgrnam_r(spec.group.c_str(), &gr, buffer.data(), buffer.size(), &found);
        if (found == nullptr) {
            return common::fail(rc == 0 ? Errc::not_found : Errc::io,
                                "store " + spec.path.string() + ": no group '" + spec.group + "'");
        }
        if (!root && gr.gr_gid != ::getegid() && !in_supplementary_groups(gr.gr_gid)) {
            return common::fail(Errc::unsupported,
                                "store " + spec.path.string() + ": group '" + spec.group +
                                    "' needs root or membership, but certkeeper (uid " +
                                    std::to_string(::geteuid()) +
                                    ") is not a member; nothing was installed");
        }
        out.gid = gr.gr_gid;
    }
    return out;
}

// Directories let through whoever may read one of the files.
mode_t directory_mode(const AppStoreSpec& spec) {
    const mode_t files = spec.key_mode | spec.cert_mode;
    return 0700 | ((files & 0040) != 0 ? 0050 : 0) | ((files & 0004) != 0 ? 0005 : 0);
}

common::Result<void> make_directory(const fs::path& dir, mode_t mode, const Ownership& owner) {
    if (::mkdir(dir.c_str(), 0700) != 0) {
        if (errno == EEXIST) return {};
        return io_error("cannot create directory", dir, errno);
    }
    if ((owner.uid || owner.gid) &&
        ::chown(dir.c_str(), owner.uid ? *owner.uid : static_cast<uid_t>(-1),
                owner.gid ? *owner.gid : static_cast<gid_t>(-1)) != 0) {
        return io_error("cannot chown", dir, errno);
    }
    if (::chmod(dir.c_str(), mode) != 0) return io_error("cannot chmod", dir, errno);
    return {};
}

std::string pem_of_chain(const std::vector<crypto::Certificate>& chain) {
    std::string out;
    for (const auto& c : chain) out += c.to_pem();
    return out;
}

common::Result<std::vector<StoreFile>> render_own(const AppStoreSpec& spec,
                                                  const InstallMaterial& m) {
    if (!m.key.matches(m.certificate)) {
        return common::fail(Errc::invalid_argument,
                            "store " + spec.path.string() +
                                ": the private key does not match the certificate (" +
                                m.certificate.subject() + ")");
    }
    const std::string key_pem = m.key.to_pem();
    if (key_pem.empty()) {
        return common::fail(Errc::unsupported, "store " + spec.path.string() +
                                                   ": the private key cannot be exported");
    }
    const std::string cert = m.certificate.to_pem();
    const std::string chain = pem_of_chain(m.chain);
    switch (spec.format) {
    case StoreFormat::pem:
        switch (spec.layout) {
        case PemLayout::separate:
            return std::vector<StoreFile>{{"cert.pem", cert, false},
                                          {"key.pem", key_pem, true},
                                          {"chain.pem", chain, false},
                                          {"fullchain.pem", cert + chain, false}};
        case PemLayout::fullchain:
            return std::vector<StoreFile>{{"fullchain.pem", cert + chain, false},
                                          {"key.pem", key_pem, true}};
        case PemLayout::combined:
            return std::vector<StoreFile>{{"combined.pem", key_pem + cert + chain, true}};
        }
        break;
    case StoreFormat::der: {
        const crypto::Bytes cert_der = m.certificate.to_der();
        const crypto::Bytes key_der = m.key.to_der();
        return std::vector<StoreFile>{
            {"cert.der", std::string(crypto::as_chars(cert_der)), false},
            {"key.der", std::string(crypto::as_chars(key_der)), true}};
    }
    case StoreFormat::pkcs12: {
        crypto::Pkcs12Options options;
        options.friendly_name = m.certificate.common_name();
        auto p12 = crypto::make_pkcs12(m.key, m.certificate, m.chain, spec.pkcs12_passphrase,
                                       options);
        if (!p12) return p12.error().with_context("store " + spec.path.string());
        return std::vector<StoreFile>{
            {spec.path.filename().string(), std::string(crypto::as_chars(*p12)), true}};
    }
    }
    return common::fail(Errc::internal, "store: unknown format");
}

// Every file of one version: ours, plus the peers' CA bundle in a directory store.
common::Result<std::vector<StoreFile>> render(const AppStoreSpec& spec,
                                              const InstallMaterial& m) {
    auto files = render_own(spec, m);
    if (!files) return files;
    if (spec.format != StoreFormat::pkcs12 && !m.peer_anchors.empty()) {
        files->push_back({peer_anchors_file, pem_of_chain(m.peer_anchors), false});
    }
    return files;
}

// --- directory stores -------------------------------------------------------------------------

std::string visible_target(std::string_view name) {
    return std::string(meta_name) + "/current/" + std::string(name);
}

// Points <dir>/<name> at .certkeeper/current/<name> for every file of the version in service,
// and removes visible links of names it no longer has.
common::Result<void> link_visible_files(const fs::path& dir, const fs::path& version_dir) {
    for (std::string_view name : known_names) {
        const fs::path visible = dir / name;
        std::error_code ec;
        const bool present = fs::exists(version_dir / name, ec);
        const fs::path target = fs::read_symlink(visible, ec);
        const bool ours = !ec && target == visible_target(name);
        if (present && !ours) {
            if (fs::is_directory(fs::symlink_status(visible, ec))) {
                return common::fail(Errc::io, visible.string() + " is a directory");
            }
            if (auto r = replace_symlink(visible, visible_target(name)); !r) return r;
        } else if (!present && ours && ::unlink(visible.c_str()) != 0) {
            return io_error("cannot remove", visible, errno);
        }
    }
    return {};
}

struct DirectoryState {
    std::optional<std::uint64_t> current;
    std::optional<std::uint64_t> previous;
    std::vector<std::uint64_t> versions;  // every v<N> directory, sorted
};

common::Result<DirectoryState> read_state(const fs::path& meta) {
    DirectoryState state;
    auto current = link_version(meta / "current");
    if (!current) return current.error();
    auto previous = link_version(meta / "previous");
    if (!previous) return previous.error();
    state.current = *current;
    state.previous = *previous;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(meta, ec)) {
        const auto version = parse_version(entry.path().filename().string());
        if (version && entry.is_directory(ec) && !entry.is_symlink(ec)) {
            state.versions.push_back(*version);
        }
    }
    if (ec) return common::fail(Errc::io, "cannot list " + meta.string() + ": " + ec.message());
    std::sort(state.versions.begin(), state.versions.end());
    const auto has = [&](std::uint64_t v) {
        return std::binary_search(state.versions.begin(), state.versions.end(), v);
    };
    if (state.current && !has(*state.current)) {
        return common::fail(Errc::io, (meta / "current").string() + " names " +
                                          version_name(*state.current) + ", which is missing");
    }
    if (state.previous && !has(*state.previous)) state.previous.reset();
    return state;
}

// Removes every version directory but `keep`, and temp symlinks; reports what went.
common::Result<void> remove_other_versions(const fs::path& meta, const DirectoryState& state,
                                           const std::set<std::uint64_t>& keep,
                                           std::vector<std::string>& removed) {
    for (std::uint64_t v : state.versions) {
        if (keep.count(v) != 0) continue;
        std::error_code ec;
        fs::remove_all(meta / version_name(v), ec);
        if (ec) {
            return common::fail(Errc::io, "cannot remove " + (meta / version_name(v)).string() +
                                              ": " + ec.message());
        }
        removed.push_back(version_name(v));
    }
    for (const char* temp : {".current.tmp", ".previous.tmp"}) {
        if (::unlink((meta / temp).c_str()) == 0) removed.push_back(temp);
    }
    return fsync_directory(meta);
}

common::Result<std::uint64_t> install_directory(const AppStoreSpec& spec,
                                                const std::vector<StoreFile>& files,
                                                const Ownership& owner,
                                                std::optional<std::uint64_t> requested) {
    const fs::path& dir = spec.path;
    const fs::path meta = dir / meta_name;
    const mode_t dmode = directory_mode(spec);
    std::error_code ec;
    if (dir.has_parent_path()) fs::create_directories(dir.parent_path(), ec);
    if (auto r = make_directory(dir, dmode, owner); !r) return r.error();
    if (auto r = make_directory(meta, dmode, owner); !r) return r.error();
    auto state = read_state(meta);
    if (!state) return state.error();

    std::uint64_t version = 1;
    if (requested) {
        version = *requested;
    } else {
        for (auto v : state->versions) version = std::max(version, v + 1);
    }
    if (version == 0 || version == state->current) {
        return common::fail(Errc::invalid_argument,
                            "store " + dir.string() + ": version " + std::to_string(version) +
                                " is not a new version");
    }
    if (state->previous == version) {  // the fallback is about to be overwritten: retire it
        if (state->current) {
            if (auto r = replace_symlink(meta / "previous", version_name(*state->current)); !r) {
                return r.error();
            }
        } else if (::unlink((meta / "previous").c_str()) != 0) {
            return io_error("cannot remove", meta / "previous", errno);
        }
        if (auto r = fsync_directory(meta); !r) return r.error();
    }

    const fs::path vdir = meta / version_name(version);
    fs::remove_all(vdir, ec);  // a half-written leftover of an abandoned install
    if (ec) return common::fail(Errc::io, "cannot remove " + vdir.string() + ": " + ec.message());
    if (auto r = make_directory(vdir, dmode, owner); !r) return r.error();
    for (const StoreFile& f : files) {
        const FileAttributes attrs{f.holds_key ? spec.key_mode : spec.cert_mode, owner.uid,
                                   owner.gid};
        if (auto r = write_new_file(vdir / f.name, f.content, attrs); !r) return r.error();
    }
    if (auto r = fsync_directory(vdir); !r) return r.error();
    if (auto r = fsync_directory(meta); !r) return r.error();

    // The switch: "previous" first, so that it never names a version that is not complete.
    if (state->current) {
        if (auto r = replace_symlink(meta / "previous", version_name(*state->current)); !r) {
            return r.error();
        }
    }
    if (auto r = replace_symlink(meta / "current", version_name(version)); !r) return r.error();
    if (auto r = fsync_directory(meta); !r) return r.error();
    if (auto r = link_visible_files(dir, vdir); !r) return r.error();
    if (auto r = fsync_directory(dir); !r) return r.error();

    std::set<std::uint64_t> keep{version};
    if (state->current) keep.insert(*state->current);
    state->versions.push_back(version);
    std::vector<std::string> removed;
    if (auto r = remove_other_versions(meta, *state, keep, removed); !r) return r.error();
    return version;
}

common::Result<RecoveryReport> recover_directory(const AppStoreSpec& spec) {
    const fs::path& dir = spec.path;
    const fs::path meta = dir / meta_name;
    RecoveryReport report;
    std::error_code ec;
    if (!fs::is_directory(meta, ec)) return report;
    auto state = read_state(meta);
    if (!state) return state.error();
    report.current = state->current;
    report.previous = state->previous;
    std::set<std::uint64_t> keep;
    if (state->current) keep.insert(*state->current);
    if (state->previous) keep.insert(*state->previous);
    if (auto r = remove_other_versions(meta, *state, keep, report.removed); !r) return r.error();
    for (std::string_view name : known_names) {
        const std::string temp = "." + std::string(name) + ".tmp";
        if (::unlink((dir / temp).c_str()) == 0) report.removed.push_back(temp);
    }
    if (state->current) {
        if (auto r = link_visible_files(dir, meta / version_name(*state->current)); !r) {
            return r.error();
        }
    }
    if (auto r = fsync_directory(dir); !r) return r.error();
    return report;
}

// --- single-file stores -----------------------------------------------------------------------

struct FileVersions {
    std::optional<std::uint64_t> current;
    std::vector<std::uint64_t> versions;  // sorted
    std::vector<std::string> temps;
};

std::string file_version_name(const fs::path& file, std::uint64_t v) {
    return "." + file.filename().string() + "." + version_name(v);
}

common::Result<FileVersions> read_file_versions(const fs::path& file) {
    FileVersions out;
    const fs::path dir = file.parent_path().empty() ? fs::path(".") : file.parent_path();
    const std::string name = file.filename().string();
    const std::string prefix = "." + name + ".";
    struct stat live {};
    const bool has_live = ::stat(file.c_str(), &live) == 0;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
        const std::string entry_name = entry.path().filename().string();
        if (is_temp_file_of(entry_name, name)) {
            out.temps.push_back(entry_name);
            continue;
        }
        if (entry_name.rfind(prefix, 0) != 0) continue;
        const auto version = parse_version(std::string_view(entry_name).substr(prefix.size()));
        if (!version) continue;
        out.versions.push_back(*version);
        struct stat st {};
        if (has_live && ::lstat(entry.path().c_str(), &st) == 0 && st.st_ino == live.st_ino &&
            st.st_dev == live.st_dev) {
            out.current = version;
        }
    }
    if (ec) return common::fail(Errc::io, "cannot list " + dir.string() + ": " + ec.message());
    std::sort(out.versions.begin(), out.versions.end());
    return out;
}

// Without a current version nothing is removed but temp files: <path> is someone else's.
common::Result<void> prune_file_versions(const fs::path& file, const FileVersions& state,
                                         RecoveryReport& report) {
    const fs::path dir = file.parent_path().empty() ? fs::path(".") : file.parent_path();
    for (const std::string& temp : state.temps) {
        if (::unlink((dir / temp).c_str()) == 0) report.removed.push_back(temp);
    }
    report.current = state.current;
    if (state.current) {
        for (std::uint64_t v : state.versions) {
            if (v < *state.current) report.previous = v;
        }
        for (std::uint64_t v : state.versions) {
            if (v == *state.current || v == report.previous) continue;
            const std::string name = file_version_name(file, v);
            if (::unlink((dir / name).c_str()) != 0) return io_error("cannot remove", dir / name, errno);
            report.removed.push_back(name);
        }
    }
    return fsync_directory(dir);
}

common::Result<std::uint64_t> install_file(const AppStoreSpec& spec, const StoreFile& file,
                                           const Ownership& owner,
                                           std::optional<std::uint64_t> requested) {
    const fs::path& path = spec.path;
    const fs::path dir = path.parent_path().empty() ? fs::path(".") : path.parent_path();
    auto state = read_file_versions(path);
    if (!state) return state.error();
    std::uint64_t version = 1;
    if (requested) {
        version = *requested;
    } else {
        for (auto v : state->versions) version = std::max(version, v + 1);
    }
    if (version == 0 || version == state->current) {
        return common::fail(Errc::invalid_argument,
                            "store " + path.string() + ": version " + std::to_string(version) +
                                " is not a new version");
    }
    const fs::path tag = dir / file_version_name(path, version);
    if (::unlink(tag.c_str()) != 0 && errno != ENOENT) return io_error("cannot remove", tag, errno);
    auto temp = write_temp_file(path, file.content, {spec.key_mode, owner.uid, owner.gid});
    if (!temp) return temp.error();
    if (::link(temp->c_str(), tag.c_str()) != 0 || ::rename(temp->c_str(), path.c_str()) != 0) {
        const int err = errno;
        ::unlink(temp->c_str());
        return io_error("cannot install", path, err);
    }
    if (auto r = fsync_directory(dir); !r) return r.error();
    // Only now that the new version is in service: drop all but it and the one it replaced.
    for (std::uint64_t v : state->versions) {
        if (v != version && v != state->current) {
            ::unlink((dir / file_version_name(path, v)).c_str());
        }
    }
    if (auto r = fsync_directory(dir); !r) return r.error();
    return version;
}

}  // namespace

common::Result<std::uint64_t> install(const AppStoreSpec& spec, const InstallMaterial& material,
                                      std::optional<std::uint64_t> version) {
    if (auto r = validate(spec); !r) return r.error();
    auto owner = resolve_ownership(spec);
    if (!owner) return owner.error();
    auto files = render(spec, material);
    if (!files) return files.error();
    if (spec.format == StoreFormat::pkcs12) {
        return install_file(spec, files->front(), *owner, version);
    }
    return install_directory(spec, *files, *owner, version);
}

common::Result<bool> current_matches(const AppStoreSpec& spec, const InstallMaterial& material) {
    if (auto r = validate(spec); !r) return r.error();
    if (spec.format == StoreFormat::pkcs12) {
        auto state = read_file_versions(spec.path);
        if (!state) return state.error();
        return state->current.has_value();
    }
    const fs::path meta = spec.path / meta_name;
    std::error_code ec;
    if (!fs::is_directory(meta, ec)) return false;
    auto state = read_state(meta);
    if (!state) return state.error();
    if (!state->current) return false;
    auto files = render(spec, material);
    if (!files) return files.error();
    const fs::path vdir = meta / version_name(*state->current);
    for (std::string_view name : known_names) {
        const auto wanted = std::find_if(files->begin(), files->end(),
                                         [&](const StoreFile& f) { return f.name == name; });
        const fs::path path = vdir / name;
        if (wanted == files->end()) {
            if (fs::exists(fs::symlink_status(path, ec))) return false;
            continue;
        }
        auto text = read_file(path);
        if (!text) {
            if (text.error().code() == Errc::not_found) return false;
            return text.error();
        }
        if (*text != wanted->content) return false;
    }
    return true;
}

common::Result<RecoveryReport> recover(const AppStoreSpec& spec) {
    if (auto r = validate(spec); !r) return r.error();
    if (spec.format == StoreFormat::pkcs12) {
        auto state = read_file_versions(spec.path);
        if (!state) return state.error();
        RecoveryReport report;
        if (auto r = prune_file_versions(spec.path, *state, report); !r) return r.error();
        return report;
    }
    return recover_directory(spec);
}

std::vector<std::filesystem::path> visible_files(const AppStoreSpec& spec) {
    switch (spec.format) {
    case StoreFormat::pem:
        switch (spec.layout) {
        case PemLayout::separate:
            return {spec.path / "cert.pem", spec.path / "key.pem", spec.path / "chain.pem",
                    spec.path / "fullchain.pem"};
        case PemLayout::fullchain:
            return {spec.path / "fullchain.pem", spec.path / "key.pem"};
        case PemLayout::combined:
            return {spec.path / "combined.pem"};
        }
        break;
    case StoreFormat::der:
        return {spec.path / "cert.der", spec.path / "key.der"};
    case StoreFormat::pkcs12:
        return {spec.path};
    }
    return {};
}

}  // namespace stores
