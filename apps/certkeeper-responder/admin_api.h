// The responder's admin HTTP API (a provisioning system or an ACS script pre-loads one-time
// passwords through it). Every request needs "Authorization: Bearer <admin.token>".
//
//   POST /otp              body "username=U&password=P&ttl=SECONDS" (password optional: one
//                          is generated and returned); -> {"username","password","expires"}
//   GET  /otp              -> [{"username","state","created","expires"}]
//   DELETE /otp/USERNAME
//   GET  /pending          -> [{"transaction_id","subject","requester","requested"}]
//   POST /pending/TID/approve, POST /pending/TID/reject
//   GET  /certificates     -> [{"serial","subject","status","not_after"}]
//   POST /certificates/SERIAL/revoke   body "reason=N" (optional)
#pragma once

#include <string>

#include "ca/ca_store.h"
#include "common/clock.h"
#include "transport/http_server.h"

namespace responder {

// REQUIRES: store outlives the handler; store access is serialised by the caller's mutex.
transport::HttpHandler make_admin_handler(ca::CaStore& store, std::mutex& store_mutex,
                                          std::string token, const common::Clock& clock);

}  // namespace responder
