// AddObject (TR-069 Amd 6 §A.3.2.6). Only the vendor table Device.X_<OUI>_CertificateProfile.
// takes new instances: a new instance holds no profile yet (Enable false, every value unset)
// until a SetParameterValues gives it a valid one. Faults: 9005 a name that is not a table we
// allow instances of (9005 also for an unknown one); 9003 a ParameterKey over 32 characters;
// 9004 more than max_profile_instances instances.
#include "cwmp/rpc/rpc.h"

#include "cwmp/value_change.h"

namespace cwmp {

Body handle(const AddObject& request, RpcContext& context) {
    if (request.parameter_key.size() > max_key_length) {
        return make_fault(FaultCode::invalid_arguments, "ParameterKey longer than 32 characters");
    }
    if (request.object_name != context.model.profile_table()) {
        return make_fault(FaultCode::invalid_parameter_name,
                          "Invalid parameter name: " + request.object_name + " is not a table that takes new instances");
    }
    auto instances = context.store.instances(context.model.profile_table());
    if (!instances) return internal_fault(instances.error());
    if (instances->size() >= max_profile_instances) {
        return make_fault(FaultCode::resources_exceeded,
                          "at most " + std::to_string(max_profile_instances) + " certificate profiles");
    }
    auto instance = context.model.add_profile_instance(request.parameter_key);
    if (!instance) return internal_fault(instance.error());
    const std::vector<std::string> paths{request.object_name + std::to_string(*instance) + "."};
    if (auto r = mark_reported(context.model, context.store, paths); !r) return internal_fault(r.error());
    return AddObjectResponse{static_cast<std::uint32_t>(*instance), Status::applied};
}

}  // namespace cwmp
