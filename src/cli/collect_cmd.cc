// `schedcast collect|runs|merge` — placeholder until the collector lands.
#include "cli/commands.h"

namespace schedcast::cli {
void RegisterCollect(CLI::App& app) {}
}  // namespace schedcast::cli
