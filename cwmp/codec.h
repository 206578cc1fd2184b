// The SOAP codec: cwmp::Envelope (cwmp/messages.h) <-> the XML text of a SOAP 1.1 envelope.
// gSOAP does the XML underneath (cwmp/soap/); nothing of it shows here.
//
// Spec: TR-069 Amendment 6 §3.4 (SOAP usage) and Annex A; SOAP 1.1 §4 (envelope, header,
// mustUnderstand, Fault).
//
// Thread-safety: both functions are reentrant; each call uses its own gSOAP context.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/result.h"
#include "cwmp/messages.h"

namespace cwmp {

// Bounds on what decode() accepts from a peer. Anything beyond is a protocol error, before or
// while parsing, so a hostile ACS cannot make the CPE allocate without bound.
struct DecodeLimits {
    std::size_t max_bytes = 1024 * 1024;  // whole envelope text (TR-069 puts no limit; 1 MiB)
    unsigned max_depth = 32;              // XML element nesting (CWMP needs 6)
    std::size_t max_elements = 50000;     // elements in the envelope, counted before parsing
    std::size_t max_text = 64 * 1024;     // characters of one element's text content
};

// Writes `envelope` in the namespace of `version` (urn:dslforum-org:cwmp-1-x). The result is what
// the session POSTs as text/xml; charset=utf-8. Arrays carry SOAP-ENC:arrayType, every Value its
// xsi:type, cwmp:ID and cwmp:HoldRequests carry SOAP-ENV:mustUnderstand="1" (§A.2).
// In cwmp-1-0, fault codes that namespace's schema lacks are written as their 1.0 parent (9010 for
// file transfer failures, else 9002; see docs/cwmp.md).
// Fails with Errc::invalid_argument for a body the CPE never sends and the codec cannot write
// (UnknownMethod) and for texts that are not valid UTF-8.
[[nodiscard]] common::Result<std::string> encode(const Envelope& envelope, CwmpVersion version);

// Reads one envelope. Accepts the namespaces urn:dslforum-org:cwmp-1-0, -1-1 and -1-2 (and, as
// GenieACS writes it for CWMP 1.4, -1-3 and -1-4, reported as v1_2); Envelope::version says which
// one the peer used, so the session can answer in it. Any namespace prefixes are accepted.
//
// Outcomes that the session answers rather than errors:
// - a body element the codec does not know -> Body holds UnknownMethod (answer with fault 9000);
// - a header element with mustUnderstand="1" that we do not implement -> Header::not_understood
//   lists it and the body is still decoded (answer with a MustUnderstand SOAP Fault).
// Errors (Errc::parse unless noted): not well-formed XML, truncated input, a DTD, no SOAP 1.1
// Envelope or Body (Errc::protocol; a SOAP 1.2 envelope is a VersionMismatch), an empty Body,
// more than one body element, a cwmp namespace other than those above (Errc::protocol), a known
// RPC whose content does not parse (a number or boolean that is not one), and any DecodeLimits
// overrun (Errc::protocol).
[[nodiscard]] common::Result<Envelope> decode(std::string_view xml, const DecodeLimits& limits = {});

}  // namespace cwmp
