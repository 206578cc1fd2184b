// SetParameterValues (TR-069 Amd 6 §A.3.2.1): all or nothing. Every value is checked first
// (name 9005, writable 9008, type 9006, value 9007, the same name twice 9003); a vendor profile
// whose values change is rebuilt through the profiles validator and refused as a whole (9007 on
// each parameter it names). Any problem: fault 9003 with one SetParameterValuesFault per bad
// parameter, nothing applied, ParameterKey unchanged. Otherwise everything is applied and
// ParameterKey set; values the ACS set are not reported back as VALUE CHANGE.
#include "cwmp/rpc/rpc.h"

#include <algorithm>
#include <set>

#include "cwmp/value_change.h"

namespace cwmp {

Body handle(const SetParameterValues& request, RpcContext& context) {
    if (request.parameter_key.size() > max_key_length) {
        return make_fault(FaultCode::invalid_arguments, "ParameterKey longer than 32 characters");
    }
    auto tree = context.model.tree();
    if (!tree) return internal_fault(tree.error());
    auto staged = context.model.stage_begin();
    if (!staged) return internal_fault(staged.error());

    std::vector<ParameterFault> faults;
    std::set<std::string> seen;
    for (const auto& p : request.parameter_list) {
        if (!seen.insert(p.name).second) {
            faults.push_back({p.name, FaultCode::invalid_arguments, "parameter given twice"});
            continue;
        }
        if (auto fault = context.model.stage(*tree, *staged, p.name, p.type, p.value)) {
            faults.push_back(std::move(*fault));
        }
    }
    // The profiles as they would become, also when other values failed already, so that the
    // fault lists every bad parameter (each once).
    for (auto& f : context.model.check(*staged)) {
        const bool listed = std::any_of(faults.begin(), faults.end(), [&](const auto& g) { return g.name == f.name; });
        if (!listed) faults.push_back(std::move(f));
    }
    if (!faults.empty()) {
        Fault fault = make_fault(FaultCode::invalid_arguments);
        for (auto& f : faults) {
            const auto code = static_cast<std::uint32_t>(f.code);
            fault.detail->set_parameter_values_faults.push_back(
                {std::move(f.name), code, std::string(fault_string(code)) + ": " + f.message});
        }
        return fault;
    }
    if (auto r = context.model.commit(*staged, request.parameter_key); !r) return internal_fault(r.error());
    // Changes made by the ACS itself are not VALUE CHANGEs (§A.3.2.4).
    if (auto r = mark_reported(context.model, context.store, staged->names); !r) return internal_fault(r.error());
    return SetParameterValuesResponse{Status::applied};
}

}  // namespace cwmp
