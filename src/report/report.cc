// report/report.cc — WriteReport: parse, lay out file names, write the pages.
#include "report/report.h"

#include <filesystem>
#include <set>
#include <vector>

#include "common/status.h"
#include "report/html.h"
#include "report/input.h"
#include "report/pages.h"

namespace schedcast::report {

absl::Status WriteReport(const nlohmann::json& eval, const std::string& dir) {
  SC_ASSIGN_OR_RETURN(const Eval e, ParseEval(eval));
  const std::filesystem::path root(dir), programs = root / "programs";
  std::error_code ec;
  std::filesystem::create_directories(programs, ec);
  if (ec) return absl::InternalError(Cat(programs.string(), ": cannot create directory: ", ec.message()));
  // File names: the slug made safe; a numeric suffix keeps two programs from sharing a page.
  std::vector<std::string> files;
  std::set<std::string> used;
  for (const Program& p : e.programs_list) {
    std::string base = SafeFileName(p.slug), name = base;
    for (int n = 2; used.count(name); ++n) name = Cat(base, "-", n);
    used.insert(name);
    files.push_back(Cat("programs/", name, ".html"));
  }
  for (size_t i = 0; i < e.programs_list.size(); ++i)
    SC_RETURN_IF_ERROR(WriteStringToFile((root / files[i]).string(), ProgramPage(e, e.programs_list[i])));
  return WriteStringToFile((root / "index.html").string(), IndexPage(e, files));
}

}  // namespace schedcast::report
