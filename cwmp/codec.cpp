#include "cwmp/codec.h"

#include <algorithm>

#include "cwmp/soap/envelope_codec.h"

namespace cwmp {
namespace {

struct Shape {
    std::size_t elements = 0;  // start tags
    std::size_t depth = 0;     // deepest nesting of start tags
};

// Counts start tags and their nesting without parsing, skipping comments, CDATA, processing
// instructions and the DOCTYPE. Cheap and conservative enough to refuse a hostile envelope before
// gSOAP allocates anything for it; gSOAP itself decides what is well-formed.
Shape measure(std::string_view xml) {
    Shape shape;
    std::size_t depth = 0;
    std::size_t i = 0;
    const auto skip_past = [&](std::string_view end) {
        const std::size_t at = xml.find(end, i);
        i = at == std::string_view::npos ? xml.size() : at + end.size();
    };
    while ((i = xml.find('<', i)) != std::string_view::npos) {
        const std::string_view rest = xml.substr(i);
        if (rest.starts_with("<!--")) {
            skip_past("-->");
        } else if (rest.starts_with("<![CDATA[")) {
            skip_past("]]>");
        } else if (rest.starts_with("<?")) {
            skip_past("?>");
        } else if (rest.starts_with("<!")) {
            skip_past(">");
        } else if (rest.starts_with("</")) {
            depth = depth > 0 ? depth - 1 : 0;
            skip_past(">");
        } else {
            ++shape.elements;
            ++depth;
            shape.depth = std::max(shape.depth, depth);
            // Find the end of the start tag, stepping over quoted attribute values.
            char quote = 0;
            std::size_t k = i + 1;
            for (; k < xml.size(); ++k) {
                if (quote) {
                    quote = xml[k] == quote ? 0 : quote;
                } else if (xml[k] == '"' || xml[k] == '\'') {
                    quote = xml[k];
                } else if (xml[k] == '>') {
                    break;
                }
            }
            if (k < xml.size() && xml[k - 1] == '/') {
                --depth;  // <empty/>
            }
            i = k < xml.size() ? k + 1 : xml.size();
        }
    }
    return shape;
}

}  // namespace

common::Result<std::string> encode(const Envelope& envelope, CwmpVersion version) {
    return soap::write_envelope(envelope, version);
}

common::Result<Envelope> decode(std::string_view xml, const DecodeLimits& limits) {
    if (xml.size() > limits.max_bytes) {
        return common::fail(common::Errc::protocol, "SOAP decode: envelope of " + std::to_string(xml.size()) +
                                                        " bytes exceeds the limit of " +
                                                        std::to_string(limits.max_bytes));
    }
    if (xml.find_first_not_of(" \t\r\n") == std::string_view::npos) {
        return common::fail(common::Errc::parse, "SOAP decode: empty input (an empty POST is not an envelope)");
    }
    const Shape shape = measure(xml);
    if (shape.elements > limits.max_elements) {
        return common::fail(common::Errc::protocol, "SOAP decode: " + std::to_string(shape.elements) +
                                                        " elements exceed the limit of " +
                                                        std::to_string(limits.max_elements));
    }
    if (shape.depth > limits.max_depth) {
        return common::fail(common::Errc::protocol, "SOAP decode: elements nested " + std::to_string(shape.depth) +
                                                        " deep exceed the limit of " +
                                                        std::to_string(limits.max_depth));
    }
    return soap::read_envelope(xml, limits);
}

}  // namespace cwmp
