#include "cwmp/soap/soap_context.h"

#include <string>

// gSOAP's runtime (Debian's libgsoap++, built without WITH_NONAMESPACES) initialises every
// context with this global table. It is never written to: each context gets its own copy below.
SOAP_NMAC struct Namespace namespaces[] = {
    {"SOAP-ENV", "http://schemas.xmlsoap.org/soap/envelope/", nullptr, nullptr},
    {"SOAP-ENC", "http://schemas.xmlsoap.org/soap/encoding/", nullptr, nullptr},
    {"xsi", "http://www.w3.org/2001/XMLSchema-instance", nullptr, nullptr},
    {"xsd", "http://www.w3.org/2001/XMLSchema", nullptr, nullptr},
    {"cwmp", "urn:dslforum-org:cwmp-1-0", "urn:dslforum-org:cwmp-1-*", nullptr},
    {nullptr, nullptr, nullptr, nullptr},
};

namespace cwmp::soap {
namespace {

struct Namespace table_v1_0[] = {
    namespaces[0], namespaces[1], namespaces[2], namespaces[3],
    {"cwmp", "urn:dslforum-org:cwmp-1-0", "urn:dslforum-org:cwmp-1-*", nullptr},
    {nullptr, nullptr, nullptr, nullptr},
};
struct Namespace table_v1_1[] = {
    namespaces[0], namespaces[1], namespaces[2], namespaces[3],
    {"cwmp", "urn:dslforum-org:cwmp-1-1", "urn:dslforum-org:cwmp-1-*", nullptr},
    {nullptr, nullptr, nullptr, nullptr},
};
struct Namespace table_v1_2[] = {
    namespaces[0], namespaces[1], namespaces[2], namespaces[3],
    {"cwmp", "urn:dslforum-org:cwmp-1-2", "urn:dslforum-org:cwmp-1-*", nullptr},
    {nullptr, nullptr, nullptr, nullptr},
};

}  // namespace

void ContextDeleter::operator()(struct ::soap* context) const {
    soap_destroy(context);
    soap_end(context);
    soap_free(context);
}

Context make_context(CwmpVersion version) {
    Context context(soap_new1(SOAP_C_UTFSTRING | SOAP_XML_NOTYPE | SOAP_XML_TREE | SOAP_ENC_PLAIN));
    if (!context) {
        return context;
    }
    const struct Namespace* table = table_v1_0;
    if (version == CwmpVersion::v1_1) {
        table = table_v1_1;
    } else if (version == CwmpVersion::v1_2) {
        table = table_v1_2;
    }
    soap_set_namespaces(context.get(), table);
    context->version = 1;  // SOAP 1.1
    return context;
}

std::string describe_error(struct ::soap* context) {
    const char** code = soap_faultcode(context);
    const char** text = soap_faultstring(context);
    const char** detail = soap_faultdetail(context);
    std::string message = "gSOAP error " + std::to_string(context->error);
    if (code && *code) {
        message += std::string(" (") + *code + ")";
    }
    if (text && *text) {
        message += std::string(": ") + *text;
    }
    if (detail && *detail) {
        message += std::string(": ") + *detail;
    }
    return message;
}

}  // namespace cwmp::soap
