#include "admin_commands.h"

#include <chrono>
#include <limits>
#include <iostream>

#include "ca/authority.h"
#include "ca/ca_store.h"
#include "ca/enrollment_service.h"
#include "common/time_format.h"
#include "json_writer.h"
#include "output_file.h"
#include "responder_dir.h"

namespace responder {
namespace {

common::SystemTime now() { return std::chrono::system_clock::now(); }

int report(const std::string& what, const common::Error& e, std::ostream& err) {
    err << "certkeeper-responder " << what << ": " << e.to_string() << "\n";
    return e.code() == common::Errc::not_found ? 1 : 2;
}

std::string verb_of(const cli::Args& args) {
    return args.positional().empty() ? "" : args.positional()[0];
}

int otp(ca::CaStore& store, const cli::Args& args, std::ostream& out, std::ostream& err) {
    const std::string verb = verb_of(args);
    if (verb == "add") {
        auto username = args.value("username");
        if (!username) return report("otp add", common::Error(common::Errc::invalid_argument, "--username is required"), err);
        std::string password = args.value("password").value_or("");
        if (password.empty()) {
            auto random = crypto::random_bytes(12);
            if (!random) return report("otp add", random.error(), err);
            password = crypto::to_hex(*random);
        }
        const auto ttl = std::chrono::seconds(std::stol(args.value("ttl").value_or("3600")));
        auto added = store.add_otp(*username, password, now() + ttl, now());
        if (!added) return report("otp add", added.error(), err);
        // The one place a one-time password is shown: to the operator who asked for it.
        out << password << "\n";
        return 0;
    }
    if (verb == "list") {
        auto otps = store.list_otps(now());
        if (!otps) return report("otp list", otps.error(), err);
        cli::JsonWriter json;
        json.begin_array();
        for (const auto& o : *otps) {
            if (args.flag("json")) {
                json.begin_object().key("username").value(o.username).key("state").value(ca::to_string(o.state))
                    .key("expires").value(common::format_rfc3339(o.expires_at)).end_object();
            } else {
                out << o.username << "\t" << ca::to_string(o.state) << "\texpires "
                    << common::format_rfc3339(o.expires_at) << "\n";
            }
        }
        if (args.flag("json")) out << json.end_array().str() << "\n";
        return 0;
    }
    if (verb == "revoke") {
        auto username = args.value("username");
        if (!username) return report("otp revoke", common::Error(common::Errc::invalid_argument, "--username is required"), err);
        auto r = store.revoke_otp(*username, now());
        return r ? 0 : report("otp revoke", r.error(), err);
    }
    err << "certkeeper-responder otp: expected add, list or revoke\n";
    return 2;
}

int pending(ca::CaStore& store, const cli::Args& args, std::ostream& out, std::ostream& err) {
    const std::string verb = verb_of(args);
    if (verb == "list") {
        auto list = store.list_pending();
        if (!list) return report("pending list", list.error(), err);
        cli::JsonWriter json;
        json.begin_array();
        for (const auto& p : *list) {
            if (args.flag("json")) {
                json.begin_object().key("transaction_id").value(p.transaction_id).key("subject").value(p.subject)
                    .key("requester").value(p.requester).end_object();
            } else {
                out << p.transaction_id << "\t" << p.subject << "\t" << p.requester << "\n";
            }
        }
        if (args.flag("json")) out << json.end_array().str() << "\n";
        return 0;
    }
    if ((verb == "approve" || verb == "reject") && args.positional().size() == 2) {
        const std::string& tid = args.positional()[1];
        auto r = verb == "approve" ? store.approve(tid, now()) : store.reject(tid, now());
        if (!r) return report("pending " + verb, r.error(), err);
        out << tid << " " << (verb == "approve" ? "approved: the client gets its certificate on its next poll"
                                                : "rejected") << "\n";
        return 0;
    }
    err << "certkeeper-responder pending: expected list, approve TID or reject TID\n";
    return 2;
}

int cert(ca::CaStore& store, const cli::Args& args, std::ostream& out, std::ostream& err) {
    const std::string verb = verb_of(args);
    if (verb == "list") {
        ca::CertificateFilter filter;
        filter.limit = std::numeric_limits<std::int64_t>::max();  // every certificate
        auto certs = store.list(filter);
        if (!certs) return report("cert list", certs.error(), err);
        cli::JsonWriter json;
        json.begin_array();
        for (const auto& c : *certs) {
            if (args.flag("json")) {
                json.begin_object().key("serial").value(c.serial).key("subject").value(c.subject)
                    .key("status").value(ca::to_string(c.status))
                    .key("not_after").value(common::format_rfc3339(c.not_after))
                    .key("requester").value(c.requester).end_object();
            } else {
                out << c.serial << "\t" << ca::to_string(c.status) << "\t" << c.subject << "\t"
                    << common::format_rfc3339(c.not_after) << "\t" << c.requester << "\n";
            }
        }
        if (args.flag("json")) out << json.end_array().str() << "\n";
        return 0;
    }
    if (verb == "revoke" && args.positional().size() == 2) {
        std::optional<int> reason;
        if (auto r = args.value("reason")) reason = std::stoi(*r);
        auto outcome = store.revoke(args.positional()[1], reason, now());
        if (!outcome) return report("cert revoke", outcome.error(), err);
        if (*outcome == ca::RevokeOutcome::unknown_serial) {
            err << "certkeeper-responder cert revoke: unknown serial " << args.positional()[1] << "\n";
            return 1;
        }
        out << (*outcome == ca::RevokeOutcome::already_revoked ? "already revoked\n" : "revoked\n");
        return 0;
    }
    err << "certkeeper-responder cert: expected list or revoke SERIAL\n";
    return 2;
}

int crl(ca::CaStore& store, const std::string& dir, const cli::Args& args, std::ostream& out,
        std::ostream& err) {
    auto loaded = load_dir(dir);
    if (!loaded) return report("crl", loaded.error(), err);
    auto settings = parse_settings(loaded->config_text);
    if (!settings) return report("crl", settings.error(), err);
    auto authority = ca::Authority::create(loaded->ca, loaded->ca_key, loaded->chain);
    if (!authority) return report("crl", authority.error(), err);
    auto revoked = store.revoked_entries();
    auto number = store.next_crl_number();
    if (!revoked) return report("crl", revoked.error(), err);
    if (!number) return report("crl", number.error(), err);
    auto made = authority->make_crl(*revoked, static_cast<std::uint64_t>(*number), now(),
                                    now() + settings->policy.crl_validity);
    if (!made) return report("crl", made.error(), err);
    if (auto path = args.value("out")) {
        if (auto w = cli::write_file_atomically(*path, made->to_pem(), 0644); !w) return report("crl", w.error(), err);
    } else {
        out << made->to_pem();
    }
    return 0;
}

}  // namespace

int admin_command(const std::string& command, const cli::Args& args, std::ostream& out,
                  std::ostream& err) {
    const std::string dir = *args.value("dir");
    if (command != "otp" && command != "pending" && command != "cert" && command != "crl") {
        err << "certkeeper-responder: unknown command '" << command << "' (see --help)\n";
        return 2;
    }
    ca::CaStoreOptions options;
    options.create_if_missing = false;
    auto store = ca::CaStore::open(database_path(dir), options);
    if (!store) return report(command, store.error(), err);
    if (command == "otp") return otp(*store, args, out, err);
    if (command == "pending") return pending(*store, args, out, err);
    if (command == "cert") return cert(*store, args, out, err);
    return crl(*store, dir, args, out, err);
}

}  // namespace responder
