#include "cwmp/rpc_dispatcher.h"

#include <string>
#include <type_traits>

namespace cwmp {
namespace {

template <typename T>
concept Handled = requires(const T& request, RpcContext& context) {
    { handle(request, context) } -> std::same_as<Body>;
};

}  // namespace

Body dispatch(const Body& request, RpcContext& context) {
    return std::visit(
        [&](const auto& message) -> Body {
            using T = std::decay_t<decltype(message)>;
            if constexpr (Handled<T>) {
                return handle(message, context);
            } else {
                return make_fault(FaultCode::method_not_supported,
                                  "Method not supported: " + std::string(method_name(request)));
            }
        },
        request);
}

}  // namespace cwmp
