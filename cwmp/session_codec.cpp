// Codec::standard(): the session over cwmp/codec.h (gSOAP behind it). A file of its own so that
// the session engine builds and is tested without the codec.
#include "cwmp/codec.h"
#include "cwmp/session.h"

namespace cwmp {

Codec Codec::standard() {
    return Codec{[](const Envelope& e, CwmpVersion v) { return cwmp::encode(e, v); },
                 [](std::string_view xml) { return cwmp::decode(xml); }};
}

}  // namespace cwmp
