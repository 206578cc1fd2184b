// Download (TR-069 Amd 6 §A.3.2.8). Accepted file types: "3 Vendor Configuration File" and
// "X <OUI> Certificate Profile" (TR-069 vendor file type syntax), both a profile file
// (docs/profile-format.md). The transfer runs after the session (DeviceActions); the response is
// Status 1 with unknown times, and TransferComplete reports the outcome. Faults: 9003 another
// FileType, an empty or over-long URL or CommandKey; 9013 a URL that is not http:// or https://.
#include "cwmp/rpc/rpc.h"

namespace cwmp {

inline constexpr std::string_view vendor_configuration_file = "3 Vendor Configuration File";

Body handle(const Download& request, RpcContext& context) {
    if (request.command_key.size() > max_key_length) {
        return make_fault(FaultCode::invalid_arguments, "CommandKey longer than 32 characters");
    }
    DownloadRequest out;
    if (request.file_type == vendor_configuration_file) {
        out.kind = DownloadRequest::Kind::vendor_configuration;
    } else if (request.file_type == "X " + context.model.oui() + " Certificate Profile") {
        out.kind = DownloadRequest::Kind::certificate_profile;
    } else {
        return make_fault(FaultCode::invalid_arguments, "unsupported FileType " + request.file_type);
    }
    if (request.url.empty() || request.url.size() > 256) {
        return make_fault(FaultCode::invalid_arguments, "URL empty or longer than 256 characters");
    }
    if (!request.url.starts_with("http://") && !request.url.starts_with("https://")) {
        return make_fault(FaultCode::unsupported_file_transfer_protocol);
    }
    out.download = request;
    if (auto r = context.actions.download(out); !r) return internal_fault(r.error());
    return DownloadResponse{};
}

}  // namespace cwmp
