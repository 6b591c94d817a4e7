#include "sched/stdlib.h"

namespace schedcast::sched {

std::string_view PackageOfFunc(std::string_view func) {
  // Type arguments may contain '/' and '.' ("F[go.shape.*example.com/a.T]"): only the part before
  // the first '[' names the package. Argument lists of dump frames ("F(0x1, ...)") hold no '/'.
  std::string_view head = func.substr(0, func.find('['));
  const size_t slash = head.rfind('/');
  const size_t dot = head.find('.', slash == std::string_view::npos ? 0 : slash + 1);
  return func.substr(0, dot == std::string_view::npos ? head.size() : dot);
}

}  // namespace schedcast::sched
