// A gSOAP context owned by a unique_ptr, set up for CWMP: SOAP 1.1, UTF-8 strings, no automatic
// xsi:type, no multi-reference ids, the cwmp namespace of one version on output and
// urn:dslforum-org:cwmp-1-* on input. Includes gSOAP: only for cwmp/soap/*.cpp.
#pragma once

#include <memory>
#include <string_view>

#include "cwmp/messages.h"
#include "soapH.h"

namespace cwmp::soap {

struct ContextDeleter {
    void operator()(struct ::soap* context) const;
};
using Context = std::unique_ptr<struct ::soap, ContextDeleter>;

// A context whose namespace table writes urn:dslforum-org:cwmp-1-x for `version`.
Context make_context(CwmpVersion version);

// Index of the cwmp entry in the namespace table.
inline constexpr int cwmp_namespace_index = 4;

// gSOAP's error as one line: "SOAP_TYPE: ..." with the fault string gSOAP set, if any.
std::string describe_error(struct ::soap* context);

}  // namespace cwmp::soap
