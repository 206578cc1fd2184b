// certkeeper profile check / show: read provisioning profiles (docs/profile-format.md).
#include <iostream>

#include "command.h"
#include "json_writer.h"
#include "profiles/profile_keys.h"
#include "profiles/profile_parser.h"
#include "profiles/profile_writer.h"

namespace cli {
namespace {

int check(const Args& args, std::ostream& out, std::ostream& err) {
    if (args.positional().empty()) {
        err << "certkeeper profile check: expected FILE or DIR\n";
        return exit_usage;
    }
    int status = exit_ok;
    for (const auto& path : args.positional()) {
        auto loaded = profiles::load_profiles(path);
        if (!loaded) {
            err << "certkeeper profile check: " << loaded.error().message() << "\n";
            status = exit_usage;
            continue;
        }
        for (const auto& d : loaded->diagnostics) out << d.to_string() << "\n";
        if (!loaded->ok() && status == exit_ok) status = exit_invalid;
        err << path << ": " << loaded->profiles.size() << " valid profile(s), " << loaded->diagnostics.size()
            << " problem(s)\n";
    }
    return status;
}

void write_json(const profiles::Profile& profile, JsonWriter& json) {
    const auto entries = profiles::render_entries(profile, profiles::SecretRendering::redact);
    json.begin_object()
        .key("name").value(profile.name())
        .key("file").value(profile.origin_file())
        .key("line").value(static_cast<long long>(profile.origin_line()));
    json.key("settings").begin_object();
    for (const auto& key : profiles::profile_keys()) {
        std::vector<std::string> values;
        for (const auto& e : entries) {
            if (e.key == key.name) values.push_back(e.value);
        }
        if (values.empty()) continue;
        json.key(key.name);
        if (key.repeatable) {
            json.strings(values);
        } else if (key.name == "enabled") {
            json.value(profile.enabled());
        } else if (key.name == "renew_at_percent") {
            json.value(static_cast<long long>(profile.renew_at_percent()));
        } else {
            json.value(values.front());
        }
    }
    json.end_object().end_object();
}

int show(const Args& args, std::ostream& out, std::ostream& err) {
    if (args.positional().size() != 1) {
        err << "certkeeper profile show: expected one FILE or DIR\n";
        return exit_usage;
    }
    auto loaded = profiles::load_profiles(args.positional()[0]);
    if (!loaded) {
        err << "certkeeper profile show: " << loaded.error().message() << "\n";
        return exit_usage;
    }
    for (const auto& d : loaded->diagnostics) err << d.to_string() << "\n";
    if (!loaded->ok()) return exit_invalid;
    if (args.flag("json")) {
        JsonWriter json;
        json.begin_array();
        for (const auto& p : loaded->profiles) write_json(p, json);
        json.end_array();
        out << json.str() << "\n";
        return exit_ok;
    }
    for (std::size_t i = 0; i < loaded->profiles.size(); ++i) {
        out << (i == 0 ? "" : "\n")
            << profiles::to_file_text(loaded->profiles[i], profiles::SecretRendering::redact);
    }
    return exit_ok;
}

}  // namespace

std::vector<Command> profile_commands() {
    return {
        Command{"profile", "check", "FILE|DIR...",
                "parse and validate provisioning profiles; print every problem as file:line: key: message",
                "A DIR is read as its *.conf files in name order.\n"
                "exit status: 0 all valid, 1 a problem was found, 2 a path could not be read\n",
                {},
                check},
        Command{"profile", "show", "[--json] FILE|DIR",
                "print the validated profiles with every default filled in; secrets as (secret)",
                "exit status: 0 shown, 1 invalid (problems on stderr), 2 unreadable\n",
                {{"json", false, false, "print a JSON array, one object per profile"}},
                show},
    };
}

}  // namespace cli
