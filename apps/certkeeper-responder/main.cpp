// certkeeper-responder: SCEP responder (RA) in front of a small local CA. Wiring only.
#include <iostream>
#include <string>
#include <vector>

#include "admin_commands.h"
#include "args.h"
#include "responder_dir.h"
#include "serve.h"

namespace {

constexpr const char* usage = R"(usage: certkeeper-responder COMMAND [OPTIONS]

  init    --dir DIR [--key rsa:3072|rsa:2048|ec:P-256] [--intermediate] [--ra]
          [--root-subject DN] [--issuing-subject DN]
          [--import-cert CA.pem --import-key CA.key [--import-chain CHAIN.pem]]
          create a CA (root, or root + issuing CA) in DIR, or import one
  serve   --dir DIR [--port P] [--bind ADDR] [--challenge S] [--manual-approval] [--legacy-des]
          [--admin-port P] [--admin-bind ADDR] [--threads N]
          answer SCEP at /scep and /cgi-bin/pkiclient.exe, CRL at /crl, OCSP at /ocsp
  otp     add --dir DIR --username U [--password P] [--ttl SECONDS] | list | revoke --username U
  pending list | approve TID | reject TID   (--dir DIR)
  cert    list | revoke SERIAL [--reason N] (--dir DIR)
  crl     --dir DIR [--out FILE]             write the current CRL (PEM)

Admin output takes --json. The admin API (serve) needs the bearer token in DIR/admin.token.
)";

const std::vector<cli::OptionSpec> options = {
    {"dir", true, false, "DIR the responder's directory"},
    {"key", true, false, "SPEC key type for init"},
    {"intermediate", false, false, "init: root plus an issuing CA"},
    {"ra", false, false, "init: an RA certificate answers SCEP"},
    {"root-subject", true, false, "DN"},
    {"issuing-subject", true, false, "DN"},
    {"import-cert", true, false, "FILE"},
    {"import-key", true, false, "FILE"},
    {"import-chain", true, false, "FILE"},
    {"port", true, false, "PORT"},
    {"bind", true, false, "ADDR"},
    {"admin-port", true, false, "PORT"},
    {"admin-bind", true, false, "ADDR"},
    {"threads", true, false, "N"},
    {"challenge", true, false, "SECRET"},
    {"manual-approval", false, false, ""},
    {"legacy-des", false, false, ""},
    {"username", true, false, "USER"},
    {"password", true, false, "PASSWORD"},
    {"ttl", true, false, "SECONDS"},
    {"reason", true, false, "N"},
    {"out", true, false, "FILE"},
    {"json", false, false, ""},
};

int init(const cli::Args& args) {
    responder::InitOptions o;
    o.key = args.value("key").value_or(o.key);
    o.intermediate = args.flag("intermediate");
    o.ra = args.flag("ra");
    o.root_subject = args.value("root-subject").value_or(o.root_subject);
    o.issuing_subject = args.value("issuing-subject").value_or(o.issuing_subject);
    o.import_cert = args.value("import-cert");
    o.import_key = args.value("import-key");
    o.import_chain = args.value("import-chain");
    const std::string dir = *args.value("dir");
    auto fingerprint = responder::init_dir(dir, o, std::chrono::system_clock::now());
    if (!fingerprint) {
        std::cerr << "certkeeper-responder init: " << fingerprint.error().to_string() << "\n";
        return 2;
    }
    std::cout << "CA created in " << dir << "\nroot fingerprint (devices pin this): "
              << *fingerprint << "\n";
    return 0;
}

std::uint16_t port_value(const cli::Args& args, const char* name, std::uint16_t fallback) {
    auto v = args.value(name);
    return v ? static_cast<std::uint16_t>(std::stoul(*v)) : fallback;
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> argv_rest(argv + 1, argv + argc);
    if (argv_rest.empty() || argv_rest[0] == "--help" || argv_rest[0] == "-h") {
        (argv_rest.empty() ? std::cerr : std::cout) << usage;
        return argv_rest.empty() ? 2 : 0;
    }
    const std::string command = argv_rest[0];
    argv_rest.erase(argv_rest.begin());
    for (const auto& a : argv_rest) {
        if (a == "--help" || a == "-h") {
            std::cout << usage;
            return 0;
        }
    }
    auto args = cli::Args::parse(argv_rest, options);
    if (!args) {
        std::cerr << "certkeeper-responder " << command << ": " << args.error().message() << "\n";
        return 2;
    }
    if (!args->value("dir")) {
        std::cerr << "certkeeper-responder " << command << ": --dir DIR is required\n";
        return 2;
    }
    try {
        if (command == "init") return init(*args);
        if (command == "serve") {
            responder::ServeOptions o;
            o.dir = *args->value("dir");
            o.port = port_value(*args, "port", 8080);
            o.bind = args->value("bind").value_or(o.bind);
            o.admin_port = port_value(*args, "admin-port", 0);
            o.admin_bind = args->value("admin-bind").value_or(o.admin_bind);
            o.threads = args->value("threads") ? std::stoul(*args->value("threads")) : 0;
            o.challenge = args->value("challenge").value_or("");
            o.manual_approval = args->flag("manual-approval");
            o.legacy_des = args->flag("legacy-des");
            return responder::serve(o);
        }
        return responder::admin_command(command, *args, std::cout, std::cerr);
    } catch (const std::invalid_argument&) {
        std::cerr << "certkeeper-responder " << command << ": a numeric option is not a number\n";
        return 2;
    } catch (const std::out_of_range&) {
        std::cerr << "certkeeper-responder " << command << ": a numeric option is out of range\n";
        return 2;
    }
}
