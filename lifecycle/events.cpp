#include "lifecycle/events.h"

namespace lifecycle {

std::string_view to_string(EnrolmentKind kind) {
    switch (kind) {
        case EnrolmentKind::initial:
            return "initial";
        case EnrolmentKind::renewal:
            return "renewal";
        case EnrolmentKind::reenrolment:
            return "reenrolment";
    }
    return "?";
}

std::string_view to_string(Notification::Kind kind) {
    switch (kind) {
        case Notification::Kind::installed:
            return "installed";
        case Notification::Kind::renewed:
            return "renewed";
        case Notification::Kind::failed:
            return "failed";
        case Notification::Kind::revoked:
            return "revoked";
        case Notification::Kind::expiring:
            return "expiring";
    }
    return "?";
}

}  // namespace lifecycle
