// The gSOAP side of cwmp/codec.h: converts between cwmp::Envelope and gSOAP's generated types
// (from cwmp/soap/cwmp.h) and runs gSOAP's XML writer and parser. Private to cwmp/; no gSOAP
// type appears in this header, so cwmp/codec.cpp can call it without including gSOAP.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"
#include "cwmp/codec.h"
#include "cwmp/messages.h"

namespace cwmp::soap {

// REQUIRES: envelope.body is not UnknownMethod.
common::Result<std::string> write_envelope(const Envelope& envelope, CwmpVersion version);

// REQUIRES: xml.size() <= limits.max_bytes (checked by the caller).
common::Result<Envelope> read_envelope(std::string_view xml, const DecodeLimits& limits);

}  // namespace cwmp::soap
