// `schedcast report --eval EVAL.json --out DIR` — the static HTML report of an evaluation (report/ stage).
// Prints the path of DIR/index.html; errors name the eval file and the missing field.
#include <filesystem>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "nlohmann/json.hpp"
#include "report/report.h"

namespace schedcast::cli {

void RegisterReport(CLI::App& app) {
  struct R {
    std::string eval, out;
  };
  auto r = std::make_shared<R>();
  auto* cmd = app.add_subcommand("report", "Write the static HTML report (index.html + programs/) of an eval JSON");
  cmd->add_option("--eval", r->eval, "eval JSON written by `schedcast eval --json`")->required();
  cmd->add_option("--out", r->out, "output directory (created; pages are overwritten)")->required();
  cmd->callback([r] {
    auto text = ReadFileToString(r->eval);
    if (!text.ok()) return Fail(text.status());
    nlohmann::json j = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) return Fail(BadInputError(Cat(r->eval, ": not valid JSON")));
    if (auto s = report::WriteReport(j, r->out); !s.ok()) return Fail(WithContext(s, r->eval));
    std::error_code ec;
    const auto index = std::filesystem::absolute(std::filesystem::path(r->out) / "index.html", ec);
    std::cout << (ec ? (std::filesystem::path(r->out) / "index.html") : index).string() << "\n";
  });
}

}  // namespace schedcast::cli
