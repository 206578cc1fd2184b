// The CPE's RPC methods (TR-069 Amd 6 §A.3.2, §A.4.1), one function per method, one file each
// under cwmp/rpc/ (as obuspa's handle_get.c, handle_set.c, ...). Each takes the decoded request
// and returns the response or a Fault (Body); none sees XML. The dispatcher
// (cwmp/rpc_dispatcher.h) picks the function. Faults: docs/cwmp.md, "RPC methods".
//
// Reboot, FactoryReset, ScheduleInform and Download only check their arguments and hand a
// request to DeviceActions; the session and the daemon act on it (after the session ends where
// TR-069 says so).
//
// Thread-safety: the session's thread only.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/result.h"
#include "cwmp/cwmp_store.h"
#include "cwmp/data_model.h"
#include "cwmp/messages.h"

namespace cwmp {

// What a Download asks for (§A.3.2.8). file_type is one of the two we accept.
struct DownloadRequest {
    enum class Kind {
        vendor_configuration,  // "3 Vendor Configuration File": a profile file (docs/profile-format.md)
        certificate_profile,   // "X <OUI> Certificate Profile": the same, one or more sections
    };
    Kind kind = Kind::vendor_configuration;
    Download download;  // as received; Password is a secret
};

// What the session and the daemon do for the RPCs that act on the device. Each call returns
// once the request is recorded (durably where it must survive a reboot); an error becomes
// fault 9002.
class DeviceActions {
public:
    virtual ~DeviceActions() = default;
    // §A.3.2.7: reboot after the session ends; "M Reboot" is already queued by the handler.
    virtual common::Result<void> reboot(std::string_view command_key) = 0;
    // §A.4.1.6: after the session ends, wipe what certkeeper manages (profiles, keys,
    // certificates, CWMP state) and restart; the next session is a BOOTSTRAP.
    virtual common::Result<void> factory_reset() = 0;
    // §A.4.1.2: one Inform with "3 SCHEDULED" and "M ScheduleInform" after delay.
    virtual common::Result<void> schedule_inform(std::chrono::seconds delay, std::string_view command_key) = 0;
    // §A.3.2.8: fetch (after DelaySeconds, after the session), apply, then TransferComplete
    // with "7 TRANSFER COMPLETE" and "M Download".
    virtual common::Result<void> download(const DownloadRequest& request) = 0;
};

struct RpcContext {
    DataModel& model;
    CwmpStore& store;
    DeviceActions& actions;
    const common::Clock& clock;
};

// TR-069 limits on argument lengths (schema: ParameterKey, CommandKey <= 32; names <= 256).
inline constexpr std::size_t max_key_length = 32;
inline constexpr std::size_t max_name_length = 256;
// AddObject beyond this many profile instances is fault 9004.
inline constexpr std::size_t max_profile_instances = 64;

Body handle(const GetRPCMethods& request, RpcContext& context);
Body handle(const GetParameterNames& request, RpcContext& context);
Body handle(const GetParameterValues& request, RpcContext& context);
Body handle(const SetParameterValues& request, RpcContext& context);
Body handle(const GetParameterAttributes& request, RpcContext& context);
Body handle(const SetParameterAttributes& request, RpcContext& context);
Body handle(const AddObject& request, RpcContext& context);
Body handle(const DeleteObject& request, RpcContext& context);
Body handle(const Reboot& request, RpcContext& context);
Body handle(const FactoryReset& request, RpcContext& context);
Body handle(const ScheduleInform& request, RpcContext& context);
Body handle(const Download& request, RpcContext& context);

// For the handlers: fault 9002 naming the error (never a secret: errors carry none).
Fault internal_fault(const common::Error& error);
// Node indexes for a name that is a parameter or a partial path ("" = the whole tree);
// nullopt when it names nothing (fault 9005).
std::optional<std::vector<std::size_t>> resolve(const Tree& tree, std::string_view name);

}  // namespace cwmp
