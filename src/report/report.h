// report/report.h — the static HTML report of an evaluation (`schedcast report`, `schedcast eval --report`).
//
// WriteReport reads the eval JSON (format "schedcast-eval", version 1; see docs/REPORT.md and
// docs/METRICS.md), checks the fields it renders — an InvalidArgument error names the first missing
// or mistyped field, e.g. `models[1].overall.ece` — and writes DIR/index.html and one
// DIR/programs/<slug>.html per program (slug made file-name safe, made unique). Pages are
// self-contained: inline CSS and SVG, no scripts, no external assets; they open from disk.
// Write errors name the path. Thread-safe if callers use different directories.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "nlohmann/json.hpp"

namespace schedcast::report {

absl::Status WriteReport(const nlohmann::json& eval, const std::string& dir);

}  // namespace schedcast::report
