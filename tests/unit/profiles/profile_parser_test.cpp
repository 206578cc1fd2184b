#include "profiles/profile_parser.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "fakes/temp_dir.h"
#include "profiles/profile_keys.h"
#include "profiles/profile_writer.h"

namespace profiles {
namespace {

using std::chrono::seconds;

const std::string fp_hex = "5AF17B00112233445566778899AABBCCDDEEFF00112233445566778899AABBCC";

// A minimal valid profile plus `extra` lines.
std::string minimal(const std::string& extra = {}) {
    return "[profile \"p\"]\n"
           "url = http://ra.example.net/scep\n"
           "ca_fingerprint = " + fp_hex + "\n"
           "subject = CN=${MAC}\n" + extra;
}

// The one profile of `text`; fails the test when there are diagnostics.
Profile one(const std::string& text) {
    auto r = parse_profiles(text, "t.conf");
    for (const auto& d : r.diagnostics) ADD_FAILURE() << d.to_string();
    EXPECT_EQ(r.profiles.size(), 1u);
    if (r.profiles.empty()) return parse_profiles(minimal(), "t.conf").profiles.at(0);
    return r.profiles.front();
}

// The diagnostics of `text` as "line: key: message" strings.
std::vector<Diagnostic> problems(const std::string& text) { return parse_profiles(text, "t.conf").diagnostics; }

// The single diagnostic of minimal(extra); checks its line and key.
void expect_one_problem(const std::string& extra, const std::string& key, const std::string& message_part = {},
                        std::size_t line = 5) {
    const auto d = problems(minimal(extra));
    ASSERT_EQ(d.size(), 1u) << extra << (d.empty() ? "" : "\n" + d[0].to_string());
    EXPECT_EQ(d[0].line, line) << extra;
    EXPECT_EQ(d[0].key, key) << extra;
    EXPECT_NE(d[0].message.find(message_part), std::string::npos) << d[0].to_string();
}

TEST(ProfileParser, MinimalProfileGetsEveryDefault) {
    const auto p = one(minimal());
    EXPECT_EQ(p.name(), "p");
    EXPECT_EQ(p.origin_file(), "t.conf");
    EXPECT_EQ(p.origin_line(), 1u);
    EXPECT_TRUE(p.enabled());
    EXPECT_EQ(p.protocol(), Protocol::scep);
    EXPECT_EQ(p.url(), "http://ra.example.net/scep");
    EXPECT_EQ(p.ca_identifier(), "");
    EXPECT_EQ(format_fingerprint(p.ca_fingerprint()).substr(0, 15), "sha256:5A:F1:7B");
    EXPECT_EQ(p.subject(), "CN=${MAC}");
    EXPECT_TRUE(p.subject_alt_names().empty());
    EXPECT_EQ(p.key_type(), KeyType::ec_p256);
    EXPECT_FALSE(p.challenge());
    EXPECT_FALSE(p.username());
    EXPECT_FALSE(p.password());
    EXPECT_EQ(p.renew_at_percent(), 80u);
    EXPECT_EQ(p.poll_interval(), seconds(60));
    EXPECT_EQ(p.poll_window(), seconds(86400));
    EXPECT_EQ(p.retry().minimum, seconds(60));
    EXPECT_EQ(p.retry().maximum, seconds(3600));
    EXPECT_EQ(p.revocation().methods, (std::vector{RevocationMethod::ocsp, RevocationMethod::crl}));
    EXPECT_EQ(p.revocation().on_unknown, UnknownRevocation::soft_fail);
    EXPECT_FALSE(p.revocation_max_age());
    EXPECT_TRUE(p.peer_trust_anchors().empty());
    EXPECT_TRUE(p.stores().empty());
    EXPECT_TRUE(p.post_install().empty());
    EXPECT_EQ(p.post_install_timeout(), seconds(30));
}

TEST(ProfileParser, DefaultsInTheKeyTableMatchTheModel) {
    // Every documented default, written out, gives the same profile as leaving it out.
    std::string all;
    for (const auto& k : profile_keys()) {
        if (!k.default_value.empty()) all += std::string(k.name) + " = " + std::string(k.default_value) + "\n";
    }
    EXPECT_EQ(render_entries(one(minimal(all)), SecretRendering::reveal),
              render_entries(one(minimal()), SecretRendering::reveal));
}

TEST(ProfileParser, EveryKeyValid) {
    const auto p = one(minimal(
        "enabled = no\n"
        "protocol = SCEP\n"
        "ca_identifier = ops-ca\n"
        "san = dns:${HOSTNAME}.example.net\n"
        "san = ip:192.0.2.7\n"
        "san = ip:2001:db8::7\n"
        "san = email:phone@example.net\n"
        "san = uri:urn:dev:mac:${MAC}\n"
        "key = rsa:3072\n"
        "username = enrol\n"
        "password = pw\n"
        "renew_at_percent = 66\n"
        "poll_interval = 5m\n"
        "poll_window = 2d\n"
        "retry_min = 30s\n"
        "retry_max = 2h\n"
        "revocation = crl,ocsp hard-fail\n"
        "revocation_max_age = 7d\n"
        "peer_trust_anchor = https://peer.example.net/root.der sha256:" + fp_hex + "\n"
        "store = pem:/etc/certs/tls/ owner=root group=ssl-cert mode=0640 layout=combined\n"
        "store = der:/etc/certs/der/\n"
        "store = pkcs12:/etc/certs/app.p12 passphrase=\"p12 pass\" mode=0600\n"
        "post_install = /bin/systemctl reload \"my service\"\n"
        "post_install_timeout = 2m\n"));
    EXPECT_FALSE(p.enabled());
    EXPECT_EQ(p.ca_identifier(), "ops-ca");
    ASSERT_EQ(p.subject_alt_names().size(), 5u);
    EXPECT_EQ(p.subject_alt_names()[1], (SubjectAltName{SanType::ip, "192.0.2.7"}));
    EXPECT_EQ(p.subject_alt_names()[3].type, SanType::email);
    EXPECT_EQ(p.subject_alt_names()[4], (SubjectAltName{SanType::uri, "urn:dev:mac:${MAC}"}));
    EXPECT_EQ(p.key_type(), KeyType::rsa_3072);
    EXPECT_EQ(p.username().value(), "enrol");
    EXPECT_EQ(p.password()->reveal(), "pw");
    EXPECT_EQ(p.renew_at_percent(), 66u);
    EXPECT_EQ(p.poll_interval(), seconds(300));
    EXPECT_EQ(p.poll_window(), seconds(2 * 86400));
    EXPECT_EQ(p.retry(), (RetryPolicy{seconds(30), seconds(7200)}));
    EXPECT_EQ(p.revocation().methods, (std::vector{RevocationMethod::crl, RevocationMethod::ocsp}));
    EXPECT_EQ(p.revocation().on_unknown, UnknownRevocation::hard_fail);
    EXPECT_EQ(p.revocation_max_age(), seconds(7 * 86400));
    ASSERT_EQ(p.peer_trust_anchors().size(), 1u);
    EXPECT_EQ(p.peer_trust_anchors()[0].url, "https://peer.example.net/root.der");
    EXPECT_EQ(p.peer_trust_anchors()[0].fingerprint, p.ca_fingerprint());
    ASSERT_EQ(p.stores().size(), 3u);
    EXPECT_EQ(p.stores()[0].format, StoreFormat::pem);
    EXPECT_EQ(p.stores()[0].path, "/etc/certs/tls/");
    EXPECT_EQ(p.stores()[0].owner.value(), "root");
    EXPECT_EQ(p.stores()[0].group.value(), "ssl-cert");
    EXPECT_EQ(p.stores()[0].mode, 0640u);
    EXPECT_EQ(p.stores()[0].layout, PemLayout::combined);
    EXPECT_EQ(p.stores()[1].format, StoreFormat::der);
    EXPECT_EQ(p.stores()[1].mode, 0600u);
    EXPECT_EQ(p.stores()[2].format, StoreFormat::pkcs12);
    EXPECT_EQ(p.stores()[2].passphrase->reveal(), "p12 pass");
    EXPECT_EQ(p.post_install(), (std::vector<std::string>{"/bin/systemctl", "reload", "my service"}));
    EXPECT_EQ(p.post_install_timeout(), seconds(120));

    EXPECT_EQ(one(minimal("challenge = otp-1234\nrevocation = off\n")).challenge()->reveal(), "otp-1234");
    EXPECT_TRUE(one(minimal("revocation = off\n")).revocation().methods.empty());
    EXPECT_EQ(one(minimal("revocation = ocsp\n")).revocation().methods, std::vector{RevocationMethod::ocsp});
    for (auto [text, type] : {std::pair{"rsa:2048", KeyType::rsa_2048}, {"rsa:4096", KeyType::rsa_4096},
                              {"ec:P-256", KeyType::ec_p256}, {"ec:p-384", KeyType::ec_p384}}) {
        EXPECT_EQ(one(minimal(std::string("key = ") + text + "\n")).key_type(), type) << text;
    }
    EXPECT_EQ(one(minimal("renew_at_percent = 1\n")).renew_at_percent(), 1u);
    EXPECT_EQ(one(minimal("renew_at_percent = 99\n")).renew_at_percent(), 99u);
}

TEST(ProfileParser, EveryKeyInvalid) {
    expect_one_problem("enabled = maybe\n", "enabled", "not a boolean");
    expect_one_problem("protocol = est\n", "protocol", "only scep");
    expect_one_problem("url = ftp://x/\n", "url", "duplicate key");  // url was given already
    expect_one_problem("ca_identifier = \"\"\n", "ca_identifier", "empty value");
    expect_one_problem("san = dns\n", "san", "TYPE:VALUE");
    expect_one_problem("san = x400:foo\n", "san", "unknown subjectAltName type");
    expect_one_problem("san = ip:300.1.1.1\n", "san", "IPv4 or IPv6");
    expect_one_problem("san = email:nobody\n", "san", "e-mail");
    expect_one_problem("san = uri:nothing\n", "san", "URI");
    expect_one_problem("san = dns:a b\n", "san", "whitespace");
    expect_one_problem("san = dns:bad!name\n", "san", "DNS name");
    expect_one_problem("san = dns:${IMEI}.example\n", "san", "${IMEI}");
    expect_one_problem("san = dns:a.example\nsan = dns:a.example\n", "san", "twice", 6);
    expect_one_problem("key = rsa:1024\n", "key", "unknown key type");
    expect_one_problem("challenge = (secret)\n", "challenge", "placeholder");
    expect_one_problem("username = a:b\npassword = x\n", "username", "':'");
    expect_one_problem("renew_at_percent = 0\n", "renew_at_percent", "out of range 1..99");
    expect_one_problem("renew_at_percent = 100\n", "renew_at_percent", "out of range 1..99");
    expect_one_problem("renew_at_percent = 80%\n", "renew_at_percent", "whole number");
    expect_one_problem("renew_at_percent = -5\n", "renew_at_percent", "whole number");
    expect_one_problem("poll_interval = 60\n", "poll_interval", "needs a unit");
    expect_one_problem("poll_interval = 0s\n", "poll_interval", "out of range");
    expect_one_problem("poll_window = 31d\n", "poll_window", "out of range");
    expect_one_problem("retry_min = 1w\n", "retry_min", "unknown unit");
    expect_one_problem("retry_max = 8d\n", "retry_max", "out of range");
    expect_one_problem("revocation = ocsp,crl,ocsp\n", "revocation", "twice");
    expect_one_problem("revocation = ocsp,dane\n", "revocation", "unknown revocation method");
    expect_one_problem("revocation = ocsp panic\n", "revocation", "unknown failure mode");
    expect_one_problem("revocation = off hard-fail\n", "revocation", "no failure mode");
    expect_one_problem("revocation = ocsp hard-fail extra\n", "revocation", "METHODS");
    expect_one_problem("revocation_max_age = 10s\n", "revocation_max_age", "out of range");
    expect_one_problem("peer_trust_anchor = https://peer/root.der\n", "peer_trust_anchor", "URL sha256");
    expect_one_problem("peer_trust_anchor = file:/root.der sha256:" + fp_hex + "\n", "peer_trust_anchor", "URL");
    expect_one_problem("peer_trust_anchor = https://peer/r.der sha256:AB\n", "peer_trust_anchor", "32");
    expect_one_problem("store = jks:/etc/x\n", "store", "pem:DIR");
    expect_one_problem("store = pem:etc/certs/\n", "store", "not absolute");
    expect_one_problem("store = pem:/etc/../root/\n", "store", "'..'");
    expect_one_problem("store = pem:/etc/c/ mode=0644\n", "store", "others");
    expect_one_problem("store = pem:/etc/c/ mode=640x\n", "store", "octal");
    expect_one_problem("store = pem:/etc/c/ mode=4600\n", "store", "special bits");
    expect_one_problem("store = pem:/etc/c/ mode=0200\n", "store", "owner read");
    expect_one_problem("store = pem:/etc/c/ layout=flat\n", "store", "unknown layout");
    expect_one_problem("store = der:/etc/c/ layout=combined\n", "store", "pem stores only");
    expect_one_problem("store = pem:/etc/c/ owner=root owner=bin\n", "store", "twice");
    expect_one_problem("store = pem:/etc/c/ owner=\"a b\"\n", "store", "name or number");
    expect_one_problem("store = pem:/etc/c/ colour=blue\n", "store", "unknown store option");
    expect_one_problem("store = pem:/etc/c/ passphrase=x\n", "store", "pkcs12 stores only");
    expect_one_problem("store = pkcs12:/etc/c/app.p12\n", "store", "needs passphrase");
    expect_one_problem("store = pkcs12:/etc/c/ passphrase=x\n", "store", "a file");
    expect_one_problem("store = pkcs12:/etc/a.p12 passphrase=(secret)\n", "store", "placeholder");
    expect_one_problem("store = pem:/etc/c/\nstore = der:/etc/c/\n", "store", "twice", 6);
    expect_one_problem("post_install = \"\" x\n", "post_install", "empty command");
    expect_one_problem("post_install_timeout = 2h\n", "post_install_timeout", "out of range");
    expect_one_problem("colour = blue\n", "colour", "unknown key");
    expect_one_problem("subject = CN=x\n", "subject", "duplicate key (first given on line 4)");

    // Subject and fingerprint replaced rather than added: check the whole list.
    auto d = problems("[profile \"p\"]\nurl = http://ra/\nca_fingerprint = sha256:AB:CD\nsubject = ${MAC}\n");
    ASSERT_EQ(d.size(), 2u);
    EXPECT_EQ(d[0].key, "ca_fingerprint");
    EXPECT_NE(d[0].message.find("2 bytes"), std::string::npos);
    EXPECT_EQ(d[1].key, "subject");
    EXPECT_NE(d[1].message.find("ATTRIBUTE=value"), std::string::npos);
    d = problems("[profile \"p\"]\nurl = http://ra/\nca_fingerprint = " + fp_hex + "\nsubject = CN=a,=b\n");
    ASSERT_EQ(d.size(), 1u);
    EXPECT_NE(d[0].message.find("attribute name"), std::string::npos);
    EXPECT_EQ(problems("[profile \"p\"]\nurl = http://ra/\nca_fingerprint = " + fp_hex + "\nsubject = CN=\n").size(), 1u);
    EXPECT_TRUE(problems("[profile \"p\"]\nurl = http://ra/\nca_fingerprint = " + fp_hex +
                         "\nsubject = \"CN=Smith\\, John, O=Example Corp\"\n").empty());
}

TEST(ProfileParser, CrossFieldRules) {
    expect_one_problem("challenge = otp\nusername = u\npassword = p\n", "challenge", "exclude each other");
    expect_one_problem("username = u\n", "username", "needs password");
    expect_one_problem("password = p\n", "password", "needs username");
    expect_one_problem("poll_interval = 2h\npoll_window = 1h\n", "poll_interval", "longer than poll_window");
    expect_one_problem("retry_min = 2h\n", "retry_min", "longer than retry_max");
}

TEST(ProfileParser, MissingRequiredKeysAreReportedAtTheSection) {
    const auto d = problems("\n[profile \"empty\"]\n");
    ASSERT_EQ(d.size(), 3u);
    for (const auto& x : d) {
        EXPECT_EQ(x.line, 2u);
        EXPECT_EQ(x.message, "required key is missing");
    }
    EXPECT_EQ(d[0].key, "url");
    EXPECT_EQ(d[1].key, "ca_fingerprint");
    EXPECT_EQ(d[2].key, "subject");
}

TEST(ProfileParser, CommentsAndQuoting) {
    const auto p = one(
        "# full-line comment\n"
        "; another\n"
        "   # indented comment\n"
        "[profile \"p\"]   ; trailing comment on the header\n"
        "url = http://ra.example.net/scep;jsessionid=1  ; ';' inside a word is not a comment\n"
        "ca_fingerprint = " + fp_hex + " # hash comment\n"
        "subject = CN=${MAC}, O=Example Corp\t; spaces kept inside\n"
        "challenge = \"pa;ss #word\"  ; quoted: ';' and '#' are data\n"
        "ca_identifier = a\"#\"b\n"
        "post_install = /usr/bin/logger -t certkeeper \"installed; ok\" # comment\n"
        "\r\n");
    EXPECT_EQ(p.url(), "http://ra.example.net/scep;jsessionid=1");
    EXPECT_EQ(p.subject(), "CN=${MAC}, O=Example Corp");
    EXPECT_EQ(p.challenge()->reveal(), "pa;ss #word");
    EXPECT_EQ(p.ca_identifier(), "a#b");
    EXPECT_EQ(p.post_install(), (std::vector<std::string>{"/usr/bin/logger", "-t", "certkeeper", "installed; ok"}));

    // CRLF line ends and a UTF-8 byte order mark are accepted.
    EXPECT_EQ(one("\xEF\xBB\xBF[profile \"p\"]\r\nurl = http://ra/\r\nca_fingerprint = " + fp_hex +
                  "\r\nsubject = CN=x\r\n").url(), "http://ra/");
}

TEST(ProfileParser, RevocationFailModeAfterSemicolonIsCaught) {
    // ARCHITECTURE.md's sketch wrote "ocsp,crl ; hard-fail": that would silently be soft-fail.
    expect_one_problem("revocation = ocsp,crl ; hard-fail\n", "revocation", "write 'revocation = ocsp,crl hard-fail'");
    EXPECT_EQ(one(minimal("revocation = ocsp,crl hard-fail ; policy from ops\n")).revocation().on_unknown,
              UnknownRevocation::hard_fail);
}

TEST(ProfileParser, SyntaxErrors) {
    const auto d = problems(
        "url = http://orphan/\n"                  // 1 outside a section
        "[profile \"a\"\n"                       // 2 no ']'
        "url = http://skipped/\n"                 // 3 skipped: section broken
        "[device \"x\"]\n"                       // 4 unknown section
        "[profile a]\n"                           // 5 unquoted name
        "[profile \"bad name!\"]\n"              // 6 bad characters
        "[profile \"ok\"] trailing\n"            // 7 junk after header
        "[profile \"good\"]\n"                   // 8
        "just words\n"                            // 9 no '='
        "Url = http://x/\n"                       // 10 not a key name
        "challenge = \"open\n"                    // 11 unterminated quote
        "url = http://ra/\n"
        "ca_fingerprint = " + fp_hex + "\n"
        "subject = CN=x\n"
        "[profile \"good\"]\n");                 // 15 duplicate name
    std::vector<std::pair<std::size_t, std::string>> got;
    for (const auto& x : d) got.emplace_back(x.line, x.key);
    const std::vector<std::pair<std::size_t, std::string>> want{
        {1, "url"}, {2, ""}, {4, ""}, {5, ""}, {6, ""}, {7, ""}, {9, ""}, {10, ""}, {11, "challenge"}, {15, ""}};
    EXPECT_EQ(got, want);
    for (const auto& x : d) EXPECT_EQ(x.file, "t.conf");
    EXPECT_NE(d[9].message.find("already defined on line 8"), std::string::npos) << d[9].message;
}

TEST(ProfileParser, AllProblemsAtOnceWithLineNumbers) {
    const auto r = parse_profiles(
        "[profile \"gw\"]\n"                      // 1
        "url = ftp://ra/\n"                        // 2
        "ca_fingerprint = sha256:AB:CD:EF\n"       // 3
        "renew_at_percent = 120\n"                 // 4
        "unknown_thing = 1\n"                      // 5
        "key = rsa:2048\n"                         // 6
        "key = rsa:4096\n"                         // 7
        "challenge = a\n"                          // 8
        "username = b\n"                           // 9
        "password = c\n"                           // 10
        "[profile \"fine\"]\n"                    // 11
        "url = http://ra/\n"
        "ca_fingerprint = " + fp_hex + "\n"
        "subject = CN=${SERIAL}\n",
        "gw.conf");
    ASSERT_EQ(r.profiles.size(), 1u);
    EXPECT_EQ(r.profiles[0].name(), "fine");
    std::vector<std::string> lines;
    for (const auto& d : r.diagnostics) lines.push_back(d.to_string());
    EXPECT_EQ(lines, (std::vector<std::string>{
                         "gw.conf:1: subject: required key is missing",
                         "gw.conf:2: url: URL scheme 'ftp' is not http or https",
                         "gw.conf:3: ca_fingerprint: fingerprint has 3 bytes, a SHA-256 fingerprint has 32 (64 hex digits)",
                         "gw.conf:4: renew_at_percent: 120 is out of range 1..99",
                         "gw.conf:5: unknown_thing: unknown key",
                         "gw.conf:7: key: duplicate key (first given on line 6)",
                         "gw.conf:8: challenge: challenge and username/password exclude each other; give one",
                     }));
}

TEST(ProfileParser, DiagnosticFormat) {
    EXPECT_EQ((Diagnostic{"a.conf", 3, "url", "bad"}).to_string(), "a.conf:3: url: bad");
    EXPECT_EQ((Diagnostic{"a.conf", 3, "", "bad"}).to_string(), "a.conf:3: bad");
    EXPECT_EQ((Diagnostic{"Device.X_001122_CertificateProfile.1.", 0, "URL", "bad"}).to_string(),
              "Device.X_001122_CertificateProfile.1.: URL: bad");
}

TEST(ProfileParser, EmptyInputHasNoProfilesAndNoProblems) {
    const auto r = parse_profiles("# nothing here\n\n", "e.conf");
    EXPECT_TRUE(r.ok());
    EXPECT_TRUE(r.profiles.empty());
}

TEST(ProfileParser, FileTextRoundTrip) {
    const auto p = one(minimal(
        "san = dns:${HOSTNAME}.example\n"
        "challenge = \"a \\\"q\\\" ;#, b\"\n"
        "store = pkcs12:\"/etc/my certs/a.p12\" \"passphrase=x y;z\" owner=0\n"
        "store = pem:/etc/c/ layout=fullchain\n"
        "post_install = /bin/echo \"a b\" \"\" c#d\n"
        "peer_trust_anchor = https://peer/root.der " + fp_hex + "\n"
        "revocation = crl\n"
        "revocation_max_age = 90m\n"));
    const auto text = to_file_text(p, SecretRendering::reveal);
    const auto again = one(text);
    EXPECT_EQ(render_entries(again, SecretRendering::reveal), render_entries(p, SecretRendering::reveal)) << text;
    EXPECT_EQ(again.challenge(), p.challenge());
    EXPECT_EQ(again.stores(), p.stores());
    EXPECT_EQ(again.post_install(), (std::vector<std::string>{"/bin/echo", "a b", "", "c#d"}));
}

void write(const std::filesystem::path& path, const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
}

std::string named(const std::string& name) {
    return "[profile \"" + name + "\"]\nurl = http://ra/\nca_fingerprint = " + fp_hex + "\nsubject = CN=x\n";
}

TEST(ProfileDirectory, LoadsConfFilesInNameOrder) {
    fakes::TempDir dir("profiles");
    write(dir / "20-tls.conf", named("tls"));
    write(dir / "10-8021x.conf", named("8021x") + named("ipsec"));
    write(dir / "README", "not a profile");
    write(dir / "30-x.conf.bak", "garbage");
    std::filesystem::create_directory(dir / "sub.conf");
    auto r = load_profiles(dir.path());
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_TRUE(r->ok());
    ASSERT_EQ(r->profiles.size(), 3u);
    EXPECT_EQ(r->profiles[0].name(), "8021x");
    EXPECT_EQ(r->profiles[1].name(), "ipsec");
    EXPECT_EQ(r->profiles[2].name(), "tls");
    EXPECT_EQ(r->profiles[2].origin_file(), (dir / "20-tls.conf").string());
}

TEST(ProfileDirectory, DuplicateNameAcrossFilesIsAProblem) {
    fakes::TempDir dir("profiles");
    write(dir / "a.conf", named("tls"));
    write(dir / "b.conf", "# comment\n" + named("tls") + "[profile \"x\"]\nurl = bad\n");
    auto r = load_profiles(dir.path());
    ASSERT_TRUE(r);
    ASSERT_EQ(r->profiles.size(), 1u);
    EXPECT_EQ(r->profiles[0].origin_file(), (dir / "a.conf").string());
    std::vector<std::string> lines;
    for (const auto& d : r->diagnostics) lines.push_back(d.to_string());
    const std::string b = (dir / "b.conf").string();
    EXPECT_EQ(lines, (std::vector<std::string>{
                         b + ":2: profile \"tls\" already defined at " + (dir / "a.conf").string() + ":1",
                         b + ":6: ca_fingerprint: required key is missing",
                         b + ":6: subject: required key is missing",
                         b + ":7: url: 'bad' is not a URL (http://... or https://...)",
                     }));
}

TEST(ProfileDirectory, DuplicateOfAnInvalidProfileIsStillADuplicate) {
    fakes::TempDir dir("profiles");
    write(dir / "a.conf", "[profile \"tls\"]\nurl = bad\n");
    write(dir / "b.conf", named("tls"));
    auto r = load_profiles(dir.path());
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->profiles.empty());
    ASSERT_FALSE(r->diagnostics.empty());
    EXPECT_EQ(r->diagnostics.back().to_string(),
              (dir / "b.conf").string() + ":1: profile \"tls\" already defined at " + (dir / "a.conf").string() + ":1");
}

TEST(ProfileDirectory, SingleFileAndUnreadablePaths) {
    fakes::TempDir dir("profiles");
    write(dir / "one.conf", named("one"));
    auto r = load_profiles(dir / "one.conf");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->profiles.size(), 1u);
    auto missing = load_profiles(dir / "missing.conf");
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code(), common::Errc::not_found);
    auto empty = load_profiles(dir.path() / "nothing");
    EXPECT_FALSE(empty);
}

}  // namespace
}  // namespace profiles
