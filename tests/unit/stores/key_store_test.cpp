#include "stores/key_store.h"

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <fstream>
#include <string>

#include "fakes/temp_dir.h"
#include "stores/atomic_file.h"
#include "unit/crypto/test_pki.h"

namespace stores {
namespace {

const crypto::KeySpec p256{crypto::KeySpec::Type::ec, 0, "P-256"};

mode_t mode_of(const std::filesystem::path& p) {
    struct stat st {};
    EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
    return st.st_mode & 07777;
}

std::string read(const std::filesystem::path& p) { return read_file(p).value(); }

void write(const std::filesystem::path& p, const std::string& text, mode_t mode) {
    ASSERT_TRUE(write_file_atomically(p, text, FileAttributes{mode, {}, {}}));
}

class FileKeyStoreTest : public ::testing::Test {
protected:
    FileKeyStore open(std::optional<std::filesystem::path> device_key = std::nullopt) {
        auto store = FileKeyStore::open({m_dir / "keys", true, std::move(device_key)});
        EXPECT_TRUE(store) << store.error().to_string();
        return std::move(store).value();
    }

    fakes::TempDir m_dir{"certkeeper-key-store"};
};

TEST_F(FileKeyStoreTest, CreatesAPrivateDirectoryAndPrivateKeyFiles) {
    FileKeyStore store = open();
    EXPECT_EQ(mode_of(m_dir / "keys"), 0700u);
    auto ref = store.generate(p256);
    ASSERT_TRUE(ref) << ref.error().to_string();
    EXPECT_EQ(ref->rfind("file:", 0), 0u);
    EXPECT_EQ(ref->size(), 5u + 32u);
    const auto file = m_dir / "keys" / (ref->substr(5) + ".pem");
    EXPECT_EQ(mode_of(file), 0600u);
    EXPECT_NE(read(file).find("BEGIN PRIVATE KEY"), std::string::npos);
    EXPECT_FALSE(store.encrypts());
}

TEST_F(FileKeyStoreTest, ImportLoadListRemove) {
    FileKeyStore store = open();
    const auto key = crypto::PrivateKey::generate(p256).value();
    const std::string a = store.import(key).value();
    const std::string b = store.generate(p256).value();
    EXPECT_NE(a, b);
    auto loaded = store.load(a);
    ASSERT_TRUE(loaded) << loaded.error().to_string();
    EXPECT_EQ(loaded->public_key_der(), key.public_key_der());

    auto listed = store.list();
    ASSERT_TRUE(listed);
    std::vector<std::string> expected{a, b};
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(*listed, expected);

    ASSERT_TRUE(store.remove(a));
    EXPECT_EQ(store.load(a).error().code(), common::Errc::not_found);
    EXPECT_EQ(store.remove(a).error().code(), common::Errc::not_found);
    EXPECT_EQ(store.list().value(), std::vector<std::string>{b});
}

TEST_F(FileKeyStoreTest, RefusesMalformedAndForeignReferences) {
    FileKeyStore store = open();
    for (const char* ref : {"", "file:", "file:../../etc/shadow", "pkcs11:token=x;object=y",
                            "file:0123456789abcdef0123456789ABCDEF", "file:0123"}) {
        auto loaded = store.load(ref);
        ASSERT_FALSE(loaded) << ref;
        EXPECT_EQ(loaded.error().code(), common::Errc::invalid_argument) << ref;
    }
}

TEST_F(FileKeyStoreTest, RefusesADirectoryOthersMayAccess) {
    const auto dir = m_dir / "loose";
    ASSERT_EQ(::mkdir(dir.c_str(), 0700), 0);
    for (mode_t mode : {0750, 0705, 0710, 0777}) {
        ASSERT_EQ(::chmod(dir.c_str(), mode), 0);
        auto store = FileKeyStore::open({dir, true, {}});
        ASSERT_FALSE(store) << std::oct << mode;
        EXPECT_EQ(store.error().code(), common::Errc::invalid_argument);
        EXPECT_NE(store.error().message().find("group or others"), std::string::npos)
            << store.error().message();
        EXPECT_NE(store.error().message().find("chmod 700"), std::string::npos);
    }
    ASSERT_EQ(::chmod(dir.c_str(), 0700), 0);
    EXPECT_TRUE(FileKeyStore::open({dir, true, {}}));
}

TEST_F(FileKeyStoreTest, MissingDirectoryWithoutCreateIsNotFound) {
    auto store = FileKeyStore::open({m_dir / "absent", false, {}});
    ASSERT_FALSE(store);
    EXPECT_EQ(store.error().code(), common::Errc::not_found);
}

TEST_F(FileKeyStoreTest, RefusesAKeyFileOthersMayRead) {
    FileKeyStore store = open();
    const std::string ref = store.generate(p256).value();
    const auto file = m_dir / "keys" / (ref.substr(5) + ".pem");
    ASSERT_EQ(::chmod(file.c_str(), 0644), 0);
    auto loaded = store.load(ref);
    ASSERT_FALSE(loaded);
    EXPECT_EQ(loaded.error().code(), common::Errc::invalid_argument);
    EXPECT_NE(loaded.error().message().find("0644"), std::string::npos);
}

TEST_F(FileKeyStoreTest, EncryptsAtRestWithTheDeviceKey) {
    const auto device_key = m_dir / "device.key";
    write(device_key, "correct horse battery staple 42\n", 0600);
    FileKeyStore store = open(device_key);
    EXPECT_TRUE(store.encrypts());
    const auto key = crypto::PrivateKey::generate(p256).value();
    const std::string ref = store.import(key).value();
    const std::string pem = read(m_dir / "keys" / (ref.substr(5) + ".pem"));
    EXPECT_NE(pem.find("BEGIN ENCRYPTED PRIVATE KEY"), std::string::npos);
    EXPECT_EQ(pem.find("BEGIN PRIVATE KEY"), std::string::npos);

    // PBES2 with PBKDF2-HMAC-SHA256 and AES-256-CBC, and the OpenSSL tool opens it.
    const std::string file = (m_dir / "keys" / (ref.substr(5) + ".pem")).string();
    const auto parsed = test_pki::run("openssl asn1parse -in " + file);
    EXPECT_NE(parsed.output.find("PBES2"), std::string::npos) << parsed.output;
    EXPECT_NE(parsed.output.find("hmacWithSHA256"), std::string::npos) << parsed.output;
    EXPECT_NE(parsed.output.find("aes-256-cbc"), std::string::npos) << parsed.output;
    const auto opened = test_pki::run("openssl pkey -noout -in " + file + " -passin file:" +
                                      device_key.string());
    EXPECT_EQ(opened.status, 0) << opened.output;

    // A second instance with the same device key reads it back.
    auto loaded = open(device_key).load(ref);
    ASSERT_TRUE(loaded) << loaded.error().to_string();
    EXPECT_EQ(loaded->public_key_der(), key.public_key_der());
}

TEST_F(FileKeyStoreTest, WrongOrMissingDeviceKeyFailsToLoad) {
    const auto device_key = m_dir / "device.key";
    write(device_key, "correct horse battery staple 42", 0600);
    const std::string ref = open(device_key).generate(p256).value();

    const auto wrong = m_dir / "wrong.key";
    write(wrong, "incorrect horse battery staple 7", 0600);
    auto with_wrong = open(wrong).load(ref);
    ASSERT_FALSE(with_wrong);
    EXPECT_EQ(with_wrong.error().code(), common::Errc::verification)
        << with_wrong.error().to_string();

    auto without = open().load(ref);
    ASSERT_FALSE(without);
    EXPECT_EQ(without.error().code(), common::Errc::invalid_argument);
}

TEST_F(FileKeyStoreTest, RefusesAWeakOrExposedDeviceKeyFile) {
    const auto short_key = m_dir / "short.key";
    write(short_key, "too short\n", 0600);
    auto store = FileKeyStore::open({m_dir / "keys", true, short_key});
    ASSERT_FALSE(store);
    EXPECT_EQ(store.error().code(), common::Errc::invalid_argument);

    const auto exposed = m_dir / "exposed.key";
    write(exposed, "correct horse battery staple 42", 0644);
    store = FileKeyStore::open({m_dir / "keys", true, exposed});
    ASSERT_FALSE(store);
    EXPECT_NE(store.error().message().find("group or others"), std::string::npos);

    store = FileKeyStore::open({m_dir / "keys", true, m_dir / "absent.key"});
    ASSERT_FALSE(store);
    EXPECT_EQ(store.error().code(), common::Errc::not_found);
}

TEST_F(FileKeyStoreTest, RemovesTemporaryFilesOfAKilledWriter) {
    FileKeyStore store = open();
    const std::string ref = store.generate(p256).value();
    const std::string id = ref.substr(5);
    write(m_dir / "keys" / ("." + id + ".pem.tmp.AbC123"), "half a key", 0600);
    write(m_dir / "keys" / "unrelated.txt", "stays", 0600);
    EXPECT_EQ(store.remove_temporary_files().value(), 1);
    EXPECT_TRUE(std::filesystem::exists(m_dir / "keys" / "unrelated.txt"));
    EXPECT_EQ(store.list().value(), std::vector<std::string>{ref});
    EXPECT_TRUE(store.load(ref));
}

}  // namespace
}  // namespace stores
