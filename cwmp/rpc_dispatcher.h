// cwmp::dispatch: one request body from the ACS in, the response body or a Fault out
// (TR-069 Amd 6 §A.3.2, §A.4.1; obuspa's msg_handler.c). The session engine calls it for every
// ACS request it decoded; Inform, TransferComplete and the ACS's responses and faults are the
// session's own business and are not passed here (they answer 9000 if they are).
//
// Faults (Table 61): 9000 an RPC this CPE does not support (Upload, ScheduleDownload, anything
// unknown), 9001-9009 and 9013 from the handlers (docs/cwmp.md, "RPC methods"), 9002 when a
// provider or the state database fails.
//
// Thread-safety: the session's thread only.
#pragma once

#include "cwmp/messages.h"
#include "cwmp/rpc/rpc.h"

namespace cwmp {

Body dispatch(const Body& request, RpcContext& context);

}  // namespace cwmp
