// DeleteObject (TR-069 Amd 6 §A.3.2.7). Only instances of Device.X_<OUI>_CertificateProfile.
// can be deleted: the profile is removed (its machine stops; its installed files stay until
// cleanup, docs/storage.md), with the instance's attributes. The number is not given out again.
// Faults: 9005 not such an instance; 9003 a ParameterKey over 32 characters.
#include "cwmp/rpc/rpc.h"

#include "cwmp/value_change.h"

namespace cwmp {

Body handle(const DeleteObject& request, RpcContext& context) {
    if (request.parameter_key.size() > max_key_length) {
        return make_fault(FaultCode::invalid_arguments, "ParameterKey longer than 32 characters");
    }
    const std::string& table = context.model.profile_table();
    const auto instance = instance_after(request.object_name, table);
    if (!instance || request.object_name != table + std::to_string(*instance) + ".") {
        return make_fault(FaultCode::invalid_parameter_name, "Invalid parameter name: " + request.object_name);
    }
    auto deleted = context.model.delete_profile_instance(*instance, request.parameter_key);
    if (!deleted) {
        if (deleted.error().code() == common::Errc::not_found) {
            return make_fault(FaultCode::invalid_parameter_name, "Invalid parameter name: " + request.object_name);
        }
        return internal_fault(deleted.error());
    }
    const std::vector<std::string> paths{request.object_name};
    if (auto r = mark_reported(context.model, context.store, paths); !r) return internal_fault(r.error());
    return DeleteObjectResponse{Status::applied};
}

}  // namespace cwmp
