#include "stores/app_store.h"

#include <gtest/gtest.h>

#include <grp.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include "crypto/pkcs12.h"
#include "fakes/temp_dir.h"
#include "stores/atomic_file.h"
#include "unit/crypto/test_pki.h"
#include "unit/crypto/test_pki_builder.h"

namespace stores {
namespace {

namespace fs = std::filesystem;

mode_t mode_of(const fs::path& p) {
    struct stat st {};
    EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
    return st.st_mode & 07777;
}

std::string read(const fs::path& p) {
    auto text = read_file(p);
    EXPECT_TRUE(text) << text.error().to_string();
    return text.value_or(std::string());
}

bool present(const fs::path& p) {
    std::error_code ec;
    return fs::exists(fs::symlink_status(p, ec));
}

// The OpenSSL tool's view: the public key in the certificate equals the private key's.
void expect_openssl_pair(const std::string& cert_args, const std::string& key_args) {
    const auto from_cert = test_pki::run("openssl x509 -noout -pubkey " + cert_args);
    const auto from_key = test_pki::run("openssl pkey -pubout " + key_args);
    ASSERT_EQ(from_cert.status, 0) << from_cert.output;
    ASSERT_EQ(from_key.status, 0) << from_key.output;
    EXPECT_EQ(from_cert.output, from_key.output);
}

class AppStoreTest : public ::testing::Test {
protected:
    InstallMaterial material(const std::string& cn) {
        test_pki::Issued leaf = test_pki::issue(test_pki::leaf_spec(cn), &m_issuer);
        return {leaf.key, leaf.cert, {m_issuer.cert}};
    }

    AppStoreSpec pem_spec(PemLayout layout = PemLayout::separate) {
        AppStoreSpec spec;
        spec.path = m_dir / "store";
        spec.layout = layout;
        return spec;
    }

    // The installed pair read through the visible files.
    static void expect_pair(const fs::path& cert_pem, const fs::path& key_pem,
                            const InstallMaterial& m) {
        auto cert = crypto::Certificate::from_pem(read(cert_pem));
        ASSERT_TRUE(cert) << cert.error().to_string();
        auto key = crypto::PrivateKey::from_pem(read(key_pem));
        ASSERT_TRUE(key) << key.error().to_string();
        EXPECT_EQ(*cert, m.certificate);
        EXPECT_TRUE(key->matches(*cert));
    }

    fakes::TempDir m_dir{"certkeeper-app-store"};
    test_pki::Issued m_issuer = test_pki::issue(test_pki::ca_spec("Store Issuing CA"));
};

TEST_F(AppStoreTest, PemSeparateInstallsAWholeSetBehindSymlinks) {
    const AppStoreSpec spec = pem_spec();
    const InstallMaterial m = material("device-a");
    auto version = install(spec, m);
    ASSERT_TRUE(version) << version.error().to_string();
    EXPECT_EQ(*version, 1u);

    const fs::path dir = spec.path;
    EXPECT_EQ(fs::read_symlink(dir / ".certkeeper" / "current"), "v1");
    for (const fs::path& visible : visible_files(spec)) {
        EXPECT_EQ(fs::read_symlink(visible),
                  fs::path(".certkeeper/current") / visible.filename());
    }
    EXPECT_EQ(mode_of(dir / "key.pem"), 0600u);
    EXPECT_EQ(mode_of(dir / "cert.pem"), 0644u);
    EXPECT_EQ(mode_of(dir / "chain.pem"), 0644u);
    EXPECT_EQ(mode_of(dir / "fullchain.pem"), 0644u);
    EXPECT_EQ(mode_of(dir / ".certkeeper"), 0755u);
    expect_pair(dir / "cert.pem", dir / "key.pem", m);
    EXPECT_EQ(read(dir / "chain.pem"), m_issuer.cert.to_pem());
    EXPECT_EQ(read(dir / "fullchain.pem"), m.certificate.to_pem() + m_issuer.cert.to_pem());
    expect_openssl_pair("-in " + (dir / "cert.pem").string(), "-in " + (dir / "key.pem").string());
}

TEST_F(AppStoreTest, PreviousVersionIsKeptUntilTheNextOneIsComplete) {
    const AppStoreSpec spec = pem_spec();
    const fs::path meta = spec.path / ".certkeeper";
    const InstallMaterial a = material("a"), b = material("b"), c = material("c");
    ASSERT_EQ(install(spec, a).value(), 1u);
    ASSERT_EQ(install(spec, b).value(), 2u);
    EXPECT_TRUE(present(meta / "v1")) << "the fallback";
    EXPECT_EQ(fs::read_symlink(meta / "previous"), "v1");
    EXPECT_EQ(fs::read_symlink(meta / "current"), "v2");
    expect_pair(spec.path / "cert.pem", spec.path / "key.pem", b);
    expect_pair(meta / "v1" / "cert.pem", meta / "v1" / "key.pem", a);

    ASSERT_EQ(install(spec, c).value(), 3u);
    EXPECT_FALSE(present(meta / "v1"));
    EXPECT_TRUE(present(meta / "v2"));
    EXPECT_EQ(fs::read_symlink(meta / "previous"), "v2");
    expect_pair(spec.path / "cert.pem", spec.path / "key.pem", c);
}

TEST_F(AppStoreTest, ExplicitVersionsFromTheJournal) {
    const AppStoreSpec spec = pem_spec();
    ASSERT_EQ(install(spec, material("a"), 7).value(), 7u);
    auto again = install(spec, material("b"), 7);
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code(), common::Errc::invalid_argument);
    // A leftover directory of the requested number (an abandoned install) is replaced.
    ASSERT_TRUE(fs::create_directory(spec.path / ".certkeeper" / "v8"));
    ASSERT_TRUE(write_new_file(spec.path / ".certkeeper" / "v8" / "cert.pem", "half", {}));
    const InstallMaterial b = material("b");
    ASSERT_EQ(install(spec, b, 8).value(), 8u);
    expect_pair(spec.path / "cert.pem", spec.path / "key.pem", b);
}

TEST_F(AppStoreTest, FullchainAndCombinedLayouts) {
    const InstallMaterial m = material("layout");
    AppStoreSpec full = pem_spec(PemLayout::fullchain);
    ASSERT_TRUE(install(full, m));
    EXPECT_FALSE(present(full.path / "cert.pem"));
    EXPECT_EQ(read(full.path / "fullchain.pem"), m.certificate.to_pem() + m_issuer.cert.to_pem());
    expect_pair(full.path / "fullchain.pem", full.path / "key.pem", m);
    EXPECT_EQ(mode_of(full.path / "key.pem"), 0600u);

    AppStoreSpec combined = pem_spec(PemLayout::combined);
    combined.path = m_dir / "combined";
    ASSERT_TRUE(install(combined, m));
    const fs::path file = combined.path / "combined.pem";
    EXPECT_EQ(mode_of(file), 0600u) << "it holds the key";
    EXPECT_EQ(read(file), m.key.to_pem() + m.certificate.to_pem() + m_issuer.cert.to_pem());
    expect_pair(file, file, m);
    expect_openssl_pair("-in " + file.string(), "-in " + file.string());
}

TEST_F(AppStoreTest, ChangingTheLayoutRemovesLinksOfFilesNoLongerThere) {
    AppStoreSpec spec = pem_spec(PemLayout::separate);
    ASSERT_TRUE(install(spec, material("a")));
    spec.layout = PemLayout::combined;
    const InstallMaterial b = material("b");
    ASSERT_TRUE(install(spec, b));
    for (const char* gone : {"cert.pem", "key.pem", "chain.pem", "fullchain.pem"}) {
        EXPECT_FALSE(present(spec.path / gone)) << gone;
    }
    expect_pair(spec.path / "combined.pem", spec.path / "combined.pem", b);
}

TEST_F(AppStoreTest, DerStore) {
    AppStoreSpec spec = pem_spec();
    spec.format = StoreFormat::der;
    const InstallMaterial m = material("der");
    ASSERT_TRUE(install(spec, m));
    const std::string cert = read(spec.path / "cert.der");
    EXPECT_EQ(crypto::Certificate::from_der(crypto::as_bytes(cert)).value(), m.certificate);
    auto key = crypto::PrivateKey::from_der(crypto::as_bytes(read(spec.path / "key.der")));
    ASSERT_TRUE(key);
    EXPECT_TRUE(key->matches(m.certificate));
    EXPECT_EQ(mode_of(spec.path / "key.der"), 0600u);
    EXPECT_EQ(mode_of(spec.path / "cert.der"), 0644u);
    expect_openssl_pair("-inform DER -in " + (spec.path / "cert.der").string(),
                        "-inform DER -in " + (spec.path / "key.der").string());
}

TEST_F(AppStoreTest, PeerAnchorsAreACaBundleInTheSameVersion) {
    const test_pki::Issued peer_root = test_pki::issue(test_pki::ca_spec("Peer Root"));
    const test_pki::Issued peer_ca = test_pki::issue(test_pki::ca_spec("Peer Issuing"), &peer_root);
    const AppStoreSpec spec = pem_spec();
    const fs::path meta = spec.path / ".certkeeper";
    InstallMaterial a = material("peer-a");
    a.peer_anchors = {peer_root.cert, peer_ca.cert};
    ASSERT_EQ(install(spec, a).value(), 1u);
    const fs::path bundle = spec.path / peer_anchors_file;
    EXPECT_EQ(fs::read_symlink(bundle), fs::path(".certkeeper/current/peer-anchors.pem"));
    EXPECT_EQ(read(bundle), peer_root.cert.to_pem() + peer_ca.cert.to_pem());
    EXPECT_EQ(mode_of(bundle), 0644u);
    EXPECT_EQ(crypto::Certificate::all_from_pem(read(bundle)).value().size(), 2u);
    EXPECT_EQ(read(spec.path / "chain.pem"), m_issuer.cert.to_pem()) << "our chain unchanged";
    EXPECT_TRUE(current_matches(spec, a).value());

    // The same certificate with other peer anchors: not what is in service, a new version.
    InstallMaterial a2 = a;
    a2.peer_anchors = {peer_root.cert};
    EXPECT_FALSE(current_matches(spec, a2).value());
    ASSERT_EQ(install(spec, a2).value(), 2u);
    EXPECT_EQ(read(bundle), peer_root.cert.to_pem());
    EXPECT_EQ(read(meta / "v1" / peer_anchors_file), peer_root.cert.to_pem() + peer_ca.cert.to_pem())
        << "the fallback keeps its own bundle";
    EXPECT_TRUE(current_matches(spec, a2).value());

    // A version without peer anchors has no bundle, and its visible link goes.
    InstallMaterial b = material("peer-b");
    EXPECT_FALSE(current_matches(spec, b).value());
    ASSERT_EQ(install(spec, b).value(), 3u);
    EXPECT_FALSE(present(bundle));
    EXPECT_FALSE(present(meta / "v3" / peer_anchors_file));
    EXPECT_TRUE(current_matches(spec, b).value());
    // recover() relinks it with the version that has one (the switch back to a fallback).
    b.peer_anchors = {peer_ca.cert};
    ASSERT_EQ(install(spec, b).value(), 4u);
    ASSERT_TRUE(::unlink(bundle.c_str()) == 0);
    ASSERT_TRUE(recover(spec));
    EXPECT_EQ(read(bundle), peer_ca.cert.to_pem());

    // der stores carry the bundle too (PEM: DER holds one certificate); pkcs12 stores do not.
    AppStoreSpec der = pem_spec();
    der.format = StoreFormat::der;
    der.path = m_dir / "der";
    ASSERT_TRUE(install(der, a));
    EXPECT_EQ(read(der.path / peer_anchors_file), peer_root.cert.to_pem() + peer_ca.cert.to_pem());
    AppStoreSpec p12;
    p12.format = StoreFormat::pkcs12;
    p12.path = m_dir / "peer.p12";
    p12.pkcs12_passphrase = "p12 secret";
    EXPECT_FALSE(current_matches(p12, a).value()) << "nothing in service yet";
    ASSERT_TRUE(install(p12, a));
    auto parsed = crypto::parse_pkcs12(crypto::as_bytes(read(p12.path)), "p12 secret");
    ASSERT_TRUE(parsed) << parsed.error().to_string();
    EXPECT_EQ(parsed->chain, std::vector<crypto::Certificate>{m_issuer.cert});
    EXPECT_FALSE(present(m_dir / peer_anchors_file));
    EXPECT_TRUE(current_matches(p12, a).value());
}

TEST_F(AppStoreTest, CurrentMatchesSeesALayoutChange) {
    AppStoreSpec spec = pem_spec(PemLayout::separate);
    EXPECT_FALSE(current_matches(spec, material("never")).value()) << "never installed";
    const InstallMaterial m = material("layout-change");
    ASSERT_TRUE(install(spec, m));
    EXPECT_TRUE(current_matches(spec, m).value());
    spec.layout = PemLayout::fullchain;
    EXPECT_FALSE(current_matches(spec, m).value());
    EXPECT_FALSE(current_matches(pem_spec(), material("other")).value()) << "another certificate";
}

TEST_F(AppStoreTest, Pkcs12StoreIsOneFileReplacedByRename) {
    AppStoreSpec spec;
    spec.format = StoreFormat::pkcs12;
    spec.path = m_dir / "device.p12";
    spec.pkcs12_passphrase = "p12 secret";
    const InstallMaterial a = material("p12-a"), b = material("p12-b");
    ASSERT_EQ(install(spec, a).value(), 1u);
    ASSERT_EQ(install(spec, b).value(), 2u);
    EXPECT_EQ(mode_of(spec.path), 0600u);
    auto parsed = crypto::parse_pkcs12(crypto::as_bytes(read(spec.path)), "p12 secret");
    ASSERT_TRUE(parsed) << parsed.error().to_string();
    EXPECT_EQ(parsed->certificate, b.certificate);
    EXPECT_TRUE(parsed->key.matches(b.certificate));
    ASSERT_EQ(parsed->chain.size(), 1u);
    EXPECT_EQ(parsed->chain[0], m_issuer.cert);
    EXPECT_EQ(parsed->friendly_name, "p12-b");
    // The replaced file stays as the fallback.
    auto fallback = crypto::parse_pkcs12(crypto::as_bytes(read(m_dir / ".device.p12.v1")), "p12 secret");
    ASSERT_TRUE(fallback);
    EXPECT_EQ(fallback->certificate, a.certificate);
    const auto info = test_pki::run("openssl pkcs12 -noout -in " + spec.path.string() +
                                    " -passin 'pass:p12 secret'");
    EXPECT_EQ(info.status, 0) << info.output;

    ASSERT_EQ(install(spec, material("p12-c")).value(), 3u);
    EXPECT_FALSE(present(m_dir / ".device.p12.v1"));
    EXPECT_TRUE(present(m_dir / ".device.p12.v2"));
    EXPECT_EQ(recover(spec).value().current, 3u);
    EXPECT_EQ(recover(spec).value().previous, 2u);
}

TEST_F(AppStoreTest, RefusesBeforeWritingAnything) {
    const InstallMaterial a = material("a"), b = material("b");
    AppStoreSpec spec = pem_spec();
    auto mismatched = install(spec, {a.key, b.certificate, {}});
    ASSERT_FALSE(mismatched);
    EXPECT_EQ(mismatched.error().code(), common::Errc::invalid_argument);
    EXPECT_NE(mismatched.error().message().find("does not match"), std::string::npos);

    spec.key_mode = 0644;
    EXPECT_EQ(install(spec, a).error().code(), common::Errc::invalid_argument);
    spec.key_mode = 04600;
    EXPECT_EQ(install(spec, a).error().code(), common::Errc::invalid_argument);
    spec.key_mode = 0600;
    spec.owner = "no-such-user-certkeeper";
    EXPECT_EQ(install(spec, a).error().code(), common::Errc::not_found);
    spec.owner.clear();
    spec.group = "no-such-group-certkeeper";
    EXPECT_EQ(install(spec, a).error().code(), common::Errc::not_found);

    AppStoreSpec p12;
    p12.format = StoreFormat::pkcs12;
    p12.path = m_dir / "x.p12";
    EXPECT_EQ(install(p12, a).error().code(), common::Errc::invalid_argument) << "no passphrase";
    EXPECT_FALSE(present(spec.path));
    EXPECT_FALSE(present(p12.path));
}

TEST_F(AppStoreTest, GroupReadableKeyModeAndOwnership) {
    if (::geteuid() != 0) GTEST_SKIP() << "chown to another user needs root";
    AppStoreSpec spec = pem_spec();
    spec.owner = "nobody";
    spec.group = "nogroup";
    spec.key_mode = 0640;
    ASSERT_TRUE(install(spec, material("owned")));
    struct stat st {};
    ASSERT_EQ(::stat((spec.path / "key.pem").c_str(), &st), 0);
    EXPECT_EQ(st.st_uid, 65534u);
    EXPECT_EQ(st.st_gid, 65534u);
    EXPECT_EQ(st.st_mode & 0777, 0640u);
    EXPECT_EQ(mode_of(spec.path / ".certkeeper" / "v1"), 0755u);
}

// Without root, another owner (or a group we are not in) is a clear error, not a partial install.
TEST_F(AppStoreTest, OwnerOrGroupWithoutRootIsAClearError) {
    AppStoreSpec spec = pem_spec();
    const InstallMaterial m = material("not-root");
    auto attempt = [&](const std::string& owner, const std::string& group) {
        AppStoreSpec s = spec;
        s.owner = owner;
        s.group = group;
        return install(s, m);
    };
    if (::geteuid() != 0) {
        auto r = attempt("root", "");
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error().code(), common::Errc::unsupported);
        EXPECT_NE(r.error().message().find("needs root"), std::string::npos);
        return;
    }
    // As root: try it in a child that has given up root.
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        if (::setgroups(0, nullptr) != 0 || ::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(10);
        auto owner = attempt("root", "");
        if (owner || owner.error().code() != common::Errc::unsupported ||
            owner.error().message().find("owner 'root' needs root") == std::string::npos) {
            ::_exit(11);
        }
        auto group = attempt("", "root");
        if (group || group.error().code() != common::Errc::unsupported ||
            group.error().message().find("group 'root'") == std::string::npos) {
            ::_exit(12);
        }
        ::_exit(present(spec.path) ? 13 : 0);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0) << "10 setuid, 11 owner, 12 group, 13 wrote files";
}

TEST_F(AppStoreTest, RecoverRemovesAHalfWrittenVersion) {
    const AppStoreSpec spec = pem_spec();
    const fs::path meta = spec.path / ".certkeeper";
    const InstallMaterial a = material("a"), b = material("b");
    ASSERT_TRUE(install(spec, a));
    ASSERT_TRUE(install(spec, b));
    // A writer killed while writing v3: half a directory, a temp symlink not yet renamed.
    ASSERT_TRUE(fs::create_directory(meta / "v3"));
    ASSERT_TRUE(write_new_file(meta / "v3" / "cert.pem", "-----BEGIN CERT", {0644, {}, {}}));
    fs::create_symlink("v3", meta / ".current.tmp");
    fs::create_symlink(".certkeeper/current/cert.pem", spec.path / ".cert.pem.tmp");

    auto report = recover(spec);
    ASSERT_TRUE(report) << report.error().to_string();
    EXPECT_EQ(report->current, 2u);
    EXPECT_EQ(report->previous, 1u);
    EXPECT_NE(std::find(report->removed.begin(), report->removed.end(), "v3"),
              report->removed.end());
    EXPECT_FALSE(present(meta / "v3"));
    EXPECT_FALSE(present(meta / ".current.tmp"));
    EXPECT_FALSE(present(spec.path / ".cert.pem.tmp"));
    EXPECT_TRUE(present(meta / "v1"));
    expect_pair(spec.path / "cert.pem", spec.path / "key.pem", b);
    EXPECT_EQ(install(spec, material("c")).value(), 3u);
}

TEST_F(AppStoreTest, RecoverRelinksVisibleFilesAfterACrashOnTheFirstInstall) {
    const AppStoreSpec spec = pem_spec();
    const InstallMaterial a = material("a");
    ASSERT_TRUE(install(spec, a));
    ASSERT_EQ(::unlink((spec.path / "key.pem").c_str()), 0);  // killed before linking it
    auto report = recover(spec);
    ASSERT_TRUE(report) << report.error().to_string();
    EXPECT_EQ(report->current, 1u);
    EXPECT_FALSE(report->previous);
    expect_pair(spec.path / "cert.pem", spec.path / "key.pem", a);
}

TEST_F(AppStoreTest, RecoverOfAStoreNeverInstalled) {
    auto report = recover(pem_spec());
    ASSERT_TRUE(report) << report.error().to_string();
    EXPECT_FALSE(report->current);
    EXPECT_TRUE(report->removed.empty());
}

TEST_F(AppStoreTest, ReplacesPlainFilesSomeoneElseInstalled) {
    const AppStoreSpec spec = pem_spec();
    ASSERT_TRUE(fs::create_directory(spec.path));
    ASSERT_TRUE(write_new_file(spec.path / "cert.pem", "old", {0644, {}, {}}));
    ASSERT_TRUE(write_new_file(spec.path / "other.conf", "kept", {0644, {}, {}}));
    const InstallMaterial a = material("a");
    ASSERT_TRUE(install(spec, a));
    expect_pair(spec.path / "cert.pem", spec.path / "key.pem", a);
    EXPECT_EQ(read(spec.path / "other.conf"), "kept");
}

TEST_F(AppStoreTest, Pkcs12RecoverAfterACrashBeforeTheRename) {
    AppStoreSpec spec;
    spec.format = StoreFormat::pkcs12;
    spec.path = m_dir / "device.p12";
    spec.pkcs12_passphrase = "pw";
    const InstallMaterial a = material("a");
    ASSERT_EQ(install(spec, a).value(), 1u);
    // Killed after writing the temp file and linking it as v2, before the rename.
    ASSERT_TRUE(write_new_file(m_dir / ".device.p12.tmp.Xy12Ab", "new", {}));
    ASSERT_EQ(::link((m_dir / ".device.p12.tmp.Xy12Ab").c_str(), (m_dir / ".device.p12.v2").c_str()), 0);
    auto report = recover(spec);
    ASSERT_TRUE(report) << report.error().to_string();
    EXPECT_EQ(report->current, 1u);
    EXPECT_FALSE(present(m_dir / ".device.p12.v2"));
    EXPECT_FALSE(present(m_dir / ".device.p12.tmp.Xy12Ab"));
    auto parsed = crypto::parse_pkcs12(crypto::as_bytes(read(spec.path)), "pw");
    ASSERT_TRUE(parsed);
    EXPECT_EQ(parsed->certificate, a.certificate);
}

}  // namespace
}  // namespace stores
