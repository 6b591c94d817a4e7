#include "sched/timeline.h"

#include "gotrace/format.h"
#include "sched/stdlib.h"
#include "sched/timeline_internal.h"

namespace schedcast::sched {

std::string Site::Short() const {
  // Keep the last two path elements: "dir/file.go:42".
  size_t cut = file.rfind('/');
  if (cut != std::string::npos && cut > 0) {
    const size_t prev = file.rfind('/', cut - 1);
    cut = prev == std::string::npos ? 0 : prev + 1;
  } else {
    cut = 0;
  }
  return Cat(file.substr(cut), ":", line);
}

bool IsStdFrame(std::string_view func, std::string_view file, std::string_view goroot) {
  if (!goroot.empty()) {
    return file.size() > goroot.size() + 5 && file.substr(0, goroot.size()) == goroot &&
           file.substr(goroot.size(), 5) == "/src/";
  }
  const std::string_view pkg = PackageOfFunc(func);
  if (std::shared_ptr<const StdPackages> std = RegisteredStdPackages()) return std->Contains(pkg);
  // No standard-library set registered: the old spelling rule (wrong for dotless module paths).
  const std::string_view first = pkg.substr(0, pkg.find('/'));
  return pkg != "main" && first.find('.') == std::string_view::npos;
}

absl::StatusOr<Timeline> BuildTimeline(std::string_view trace_bytes) {
  SC_ASSIGN_OR_RETURN(gotrace::Header h, gotrace::ParseHeader(trace_bytes));
  return h.format == gotrace::Format::kV1 ? TimelineFromV1(trace_bytes) : TimelineFromV2(trace_bytes);
}

}  // namespace schedcast::sched
