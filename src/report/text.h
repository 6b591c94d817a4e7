// report/text.h — the terminal tables of an eval JSON (eval/eval.h's output): macro then pooled metric
// rows, the uncertain slice, every-step likelihood, KL vs CE, rollouts with their floors, families,
// and the source paper's protocol — what `schedcast eval` and `schedcast run` print.
//
// Contract: reads only fields the eval JSON has (sections that are absent are not printed); writes
// plain text with fprintf to `f` (so callers that also printf keep their lines in order).
// Thread-safety: thread-compatible (writes to the given stream).
#pragma once

#include <cstdio>

#include "nlohmann/json.hpp"

namespace schedcast::report {

void WriteEvalTables(const nlohmann::ordered_json& eval_json, std::FILE* f = stdout);
// Only the "paper" section of the eval JSON (part of WriteEvalTables).
void WritePaperTable(const nlohmann::ordered_json& paper, std::FILE* f = stdout);

}  // namespace schedcast::report
