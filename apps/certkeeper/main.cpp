// certkeeper: the command-line tool. Wiring only: each verb lives in its own *_command.cpp.
#include <iostream>
#include <string>
#include <vector>

#include "command.h"

namespace {

constexpr const char* version = "certkeeper 0.1.0";

std::vector<cli::Command> all_commands() {
    std::vector<cli::Command> all;
    for (auto group : {cli::cert_commands, cli::chain_commands, cli::scep_commands,
                       cli::revocation_commands, cli::profile_commands,
                       cli::daemon_commands}) {
        for (auto& c : group()) all.push_back(std::move(c));
    }
    return all;
}

void print_overview(const std::vector<cli::Command>& commands, std::ostream& out,
                    const std::string& only_group = {}) {
    out << "usage: certkeeper COMMAND VERB [OPTIONS]\n\n";
    for (const auto& c : commands) {
        if (!only_group.empty() && c.group != only_group) continue;
        std::string left = "  " + c.group + (c.verb.empty() ? "" : " " + c.verb);
        left.resize(std::max<std::size_t>(left.size(), 20), ' ');
        out << left << " " << c.summary << "\n";
    }
    out << "\nRun 'certkeeper COMMAND VERB --help' for the options of one verb.\n";
}

void print_verb_help(const cli::Command& c, std::ostream& out) {
    out << "usage: certkeeper " << c.group << (c.verb.empty() ? "" : " " + c.verb) << " " << c.synopsis
        << "\n\n"
        << c.summary << "\n\noptions:\n"
        << cli::describe_options(c.options) << "  --help                       show this help\n";
    if (!c.details.empty()) out << "\n" << c.details;
}

int run(const cli::Command& c, const std::vector<std::string>& rest) {
    for (const auto& r : rest) {
        if (r == "--help" || r == "-h") {
            print_verb_help(c, std::cout);
            return cli::exit_ok;
        }
    }
    auto parsed = cli::Args::parse(rest, c.options);
    if (!parsed) {
        std::cerr << "certkeeper " << c.group << (c.verb.empty() ? "" : " " + c.verb) << ": "
                  << parsed.error().message() << "\n";
        print_verb_help(c, std::cerr);
        return cli::exit_usage;
    }
    return c.run(*parsed, std::cout, std::cerr);
}

}  // namespace

int main(int argc, char** argv) {
    const std::vector<std::string> args(argv + 1, argv + argc);
    const auto commands = all_commands();
    if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
        print_overview(commands, args.empty() ? std::cerr : std::cout);
        return args.empty() ? cli::exit_usage : cli::exit_ok;
    }
    if (args[0] == "--version") {
        std::cout << version << "\n";
        return cli::exit_ok;
    }
    const std::string& group = args[0];
    bool group_known = false;
    for (const auto& c : commands) group_known = group_known || c.group == group;
    if (!group_known) {
        std::cerr << "certkeeper: unknown command '" << group << "'\n";
        print_overview(commands, std::cerr);
        return cli::exit_usage;
    }
    for (const auto& c : commands) {
        if (c.group != group || !c.verb.empty()) continue;
        return run(c, std::vector<std::string>(args.begin() + 1, args.end()));
    }
    if (args.size() < 2 || args[1] == "--help" || args[1] == "-h") {
        print_overview(commands, std::cout, group);
        return args.size() < 2 ? cli::exit_usage : cli::exit_ok;
    }
    for (const auto& c : commands) {
        if (c.group != group || c.verb != args[1]) continue;
        return run(c, std::vector<std::string>(args.begin() + 2, args.end()));
    }
    std::cerr << "certkeeper " << group << ": unknown verb '" << args[1] << "'\n";
    print_overview(commands, std::cerr, group);
    return cli::exit_usage;
}
