// certkeeper-responder otp|pending|cert|crl: local administration on the CA database.
#pragma once

#include <iosfwd>
#include <string>

#include "args.h"

namespace responder {

// Returns the exit code: 0 ok, 1 the thing asked for does not exist, 2 bad usage or error.
int admin_command(const std::string& command, const cli::Args& args, std::ostream& out,
                  std::ostream& err);

}  // namespace responder
