// report/pages.h — the report's two page kinds as HTML strings (internal to report/).
//
// IndexPage: headline table, KL-vs-CE comparison, reliability diagrams, rollout curves, breakdowns,
// dataset statistics and the program index linking to `program_files[i]` (relative to index.html).
// ProgramPage: one program's samples — context list and predicted-vs-empirical bars per sample.
// Thread-safe (pure functions).
#pragma once

#include <string>
#include <vector>

#include "report/input.h"

namespace schedcast::report {

// program_files[i] is the link target of e.programs_list[i], e.g. "programs/chans.TestX.html".
std::string IndexPage(const Eval& e, const std::vector<std::string>& program_files);
std::string ProgramPage(const Eval& e, const Program& p);

}  // namespace schedcast::report
