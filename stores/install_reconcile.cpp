#include "stores/install_reconcile.h"

#include <algorithm>

namespace stores {

namespace {

std::string_view format_name(StoreFormat format) {
    switch (format) {
        case StoreFormat::pem: return "pem";
        case StoreFormat::der: return "der";
        case StoreFormat::pkcs12: return "pkcs12";
    }
    return "?";
}

}  // namespace

std::string store_id(StoreFormat format, const std::filesystem::path& path) {
    std::string p = path.string();
    while (p.size() > 1 && p.back() == '/') p.pop_back();
    return std::string(format_name(format)) + ":" + p;
}

std::string store_id(const AppStoreSpec& spec) { return store_id(spec.format, spec.path); }

std::size_t ReconcileReport::count(ReconciledInstall::Outcome outcome) const {
    return static_cast<std::size_t>(std::count_if(
        installs.begin(), installs.end(),
        [outcome](const ReconciledInstall& r) { return r.outcome == outcome; }));
}

common::Result<ReconcileReport> reconcile_installs(StateStore& state, const StoreResolver& resolve,
                                                   common::SystemTime now) {
    auto unfinished = state.unfinished_installs();
    if (!unfinished) return unfinished.error();
    ReconcileReport report;
    for (const InstallRecord& row : *unfinished) {
        ReconciledInstall item;
        item.row = row;
        const std::optional<AppStoreSpec> spec = resolve(row.profile, row.store);
        if (spec) {
            auto recovered = recover(*spec);
            if (!recovered) {
                item.outcome = ReconciledInstall::Outcome::failed;
                item.error = recovered.error().to_string();
            } else {
                item.current = recovered->current;
                const bool in_service =
                    recovered->current && row.version > 0 &&
                    static_cast<std::uint64_t>(row.version) == *recovered->current;
                auto done = in_service ? state.finish_install(row.id, now)
                                       : state.abandon_install(row.id, now);
                if (!done) return done.error();
                item.outcome = in_service ? ReconciledInstall::Outcome::finished
                                          : ReconciledInstall::Outcome::abandoned;
            }
        }
        report.installs.push_back(std::move(item));
    }
    return report;
}

}  // namespace stores
