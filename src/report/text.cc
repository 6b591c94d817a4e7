// report/text.cc — the terminal tables of an eval JSON (see text.h).
#include "report/text.h"

#include <cstdio>
#include <string>

#include "common/strings.h"

namespace schedcast::report {

namespace {

std::string Num(const nlohmann::ordered_json& j, const char* fmt = "%.4f") {
  char buf[32];
  std::snprintf(buf, sizeof buf, fmt, j.get<double>());
  return buf;
}

std::string WithInterval(const nlohmann::ordered_json& m) {
  return Cat(Num(m["value"]), " [", Num(m["lo"]), ",", Num(m["hi"]), "]");
}

}  // namespace

namespace {

void PrintMetricRows(std::FILE* f, const nlohmann::ordered_json& out, const char* set, const char* gap) {
  std::fprintf(f, "%-22s %-24s %-7s %-7s %-7s %-7s %-24s %s\n", "model", "accuracy [95% CI]", "top3", "mode", "NLL",
              "Brier", "ECE [95% CI]", "gap to oracle");
  for (const auto& m : out["models"]) {
    const auto& o = m[set];
    std::string name = m["name"].get<std::string>();
    if (m.contains("coverage")) name += Cat(" (", static_cast<int>(100 * m["coverage"]["fraction"].get<double>() + 0.5), "%)");
    std::fprintf(f, "%-22s %-24s %-7s %-7s %-7s %-7s %-24s %+.4f\n", name.c_str(), WithInterval(o["accuracy"]).c_str(),
                Num(o["top3"]["value"]).c_str(), Num(o["mode_agreement"]["value"]).c_str(),
                Num(o["nll"]["value"]).c_str(), Num(o["brier"]["value"]).c_str(), WithInterval(o["ece"]).c_str(),
                m["gap_to_oracle"][gap].get<double>());
  }
}

}  // namespace

void WriteEvalTables(const nlohmann::ordered_json& out, std::FILE* f) {
  const auto& d = out["data"];
  std::fprintf(f, "%s split of %s: %zu examples, %zu programs (level %s, key %s)\n",
              d["split"].get<std::string>().c_str(), d["dir"].get<std::string>().c_str(), d["examples"].get<size_t>(),
              d["programs"].get<size_t>(), d["level"].get<std::string>().c_str(), d["key"].get<std::string>().c_str());
  std::fprintf(f, "95%% intervals: percentile bootstrap over programs (%d resamples); definitions: docs/METRICS.md\n\n",
              out["bootstrap"]["resamples"].get<int>());
  const bool macro = !out["models"].empty() && out["models"][0].contains("macro");
  if (macro) {
    std::fprintf(f, "per program (macro: every held-out program weighs 1)\n");
    PrintMetricRows(f, out, "macro", "macro_accuracy");
    std::fprintf(f, "\npooled (every example weighs 1)\n");
  }
  PrintMetricRows(f, out, "overall", "accuracy");
  if (macro && out["models"][0].contains("uncertain")) {
    const auto& u0 = out["models"][0]["uncertain"];
    std::fprintf(f, "\nuncertain slice (target with mass on >= 2 candidates): %.1f%% of examples, %zu programs; oracle "
                "accuracy macro %s, pooled %s\n%-22s %-24s %-8s %-8s %-24s %-8s\n",
                100 * u0["share"].get<double>(), u0["macro"]["programs"].get<size_t>(),
                Num(u0["oracle"]["macro_accuracy"]).c_str(), Num(u0["oracle"]["pooled_accuracy"]).c_str(), "model",
                "macro accuracy [95% CI]", "NLL", "ECE", "pooled accuracy", "ECE");
    for (const auto& m : out["models"]) {
      const auto& u = m["uncertain"];
      std::fprintf(f, "%-22s %-24s %-8s %-8s %-24s %-8s\n", m["name"].get<std::string>().c_str(),
                  WithInterval(u["macro"]["accuracy"]).c_str(), Num(u["macro"]["nll"]["value"]).c_str(),
                  Num(u["macro"]["ece"]["value"]).c_str(), WithInterval(u["pooled"]["accuracy"]).c_str(),
                  Num(u["pooled"]["ece"]["value"]).c_str());
    }
  }
  if (out.contains("every_step") && out["every_step"]["computed"].get<bool>()) {
    std::fprintf(f, "\nevery step of every held-out run (%zu runs), against the event the run produced next\n"
                "%-22s %-24s %-8s %-8s %-8s | %-8s %-8s %-8s\n",
                out["every_step"]["runs"].get<size_t>(), "model", "macro NLL [95% CI]", "acc", "top3", "ECE",
                "pooled NLL", "acc", "ECE");
    for (const auto& m : out["models"]) {
      if (!m.contains("every_step")) continue;
      const auto& e = m["every_step"];
      std::fprintf(f, "%-22s %-24s %-8s %-8s %-8s | %-8s %-8s %-8s\n", m["name"].get<std::string>().c_str(),
                  WithInterval(e["macro"]["nll"]).c_str(), Num(e["macro"]["accuracy"]["value"]).c_str(),
                  Num(e["macro"]["top3"]["value"]).c_str(), Num(e["macro"]["ece"]["value"]).c_str(),
                  Num(e["pooled"]["nll"]["value"]).c_str(), Num(e["pooled"]["accuracy"]["value"]).c_str(),
                  Num(e["pooled"]["ece"]["value"]).c_str());
    }
  }
  if (!out["comparison"].empty()) {
    std::fprintf(f, "\nKL vs CE (same model kind, same data; macro, then pooled):\n%-12s %-10s %-10s %-10s %-10s | %-10s %-10s\n",
                "kind", "acc KL", "acc CE", "ECE KL", "ECE CE", "pooled KL", "pooled CE");
    for (const auto& c : out["comparison"]) {
      const bool cm = c["kl"].contains("macro");
      const auto& kl = cm ? c["kl"]["macro"] : c["kl"];
      const auto& ce = cm ? c["ce"]["macro"] : c["ce"];
      std::fprintf(f, "%-12s %-10s %-10s %-10s %-10s | %-10s %-10s\n", c["kind"].get<std::string>().c_str(),
                  Num(kl["accuracy"]).c_str(), Num(ce["accuracy"]).c_str(), Num(kl["ece"]).c_str(), Num(ce["ece"]).c_str(),
                  Num(c["kl"]["accuracy"]).c_str(), Num(c["ce"]["accuracy"]).c_str());
    }
  }
  std::fprintf(f, "\nrollouts: %s (TV vs the held-out continuations; floor = TV between two halves of them; "
              "above = model TV − floor at the same sample size)\n", out["rollouts"]["note"].get<std::string>().c_str());
  for (const auto& m : out["models"]) {
    if (m["rollouts"].empty()) continue;
    std::string line;
    for (const auto& r : m["rollouts"])
      if (r["k"] == 1 || r["k"] == 2 || r["k"] == 5 || r["k"] == 10) {
        CatAppend(line, "  k=", r["k"].get<int>(), " TV ", Num(r["tv"], "%.3f"));
        if (r.contains("above_floor") && m["source"] != "oracle") CatAppend(line, " above ", Num(r["above_floor"], "%+.3f"));
        CatAppend(line, " legal ", Num(r["legality"], "%.3f"));
      }
    if (m.contains("rollout_survival")) CatAppend(line, "  survival ", Num(m["rollout_survival"], "%.2f"), " steps");
    std::fprintf(f, "  %-20s%s\n", m["name"].get<std::string>().c_str(), line.c_str());
  }
  if (out.contains("family_by") && !out["models"].empty() && out["models"][0].contains("families")) {
    std::fprintf(f, "\nper family (--family-by %s; macro accuracy, programs):\n", out["family_by"].get<std::string>().c_str());
    for (const auto& [fam, f0] : out["models"][0]["families"].items()) {
      std::string line;
      for (const auto& m : out["models"])
        CatAppend(line, "  ", m["name"].get<std::string>(), " ", Num(m["families"][fam]["macro"]["accuracy"]["value"]));
      std::fprintf(f, "  %-30s (%zu)%s\n", fam.c_str(), f0["macro"]["programs"].get<size_t>(), line.c_str());
    }
  }
  if (out.contains("paper")) WritePaperTable(out["paper"], f);
}

void WritePaperTable(const nlohmann::ordered_json& p, std::FILE* f) {
  std::fprintf(f, "\nthe source paper's protocol: event-type level, cuts at 25/50/75%% of each run, <= 5 runs per program: "
              "%zu predictions, %zu runs, %zu programs, %zu (program, cut) groups\n",
              p["positions"].get<size_t>(), p["runs"].get<size_t>(), p["programs"].get<size_t>(), p["groups"].get<size_t>());
  std::fprintf(f, "%-24s %-9s %-9s %-10s", "row", "accuracy", "ECE", "group ECE");
  for (const auto& [t, n] : p["type_counts"].items()) std::fprintf(f, " %-11s", Cat(t, "(", n.get<size_t>(), ")").c_str());
  std::fprintf(f, "\n");
  for (const auto& r : p["rows"]) {
    std::fprintf(f, "%-24s %-9s %-9s %-10s", r["name"].get<std::string>().c_str(), Num(r["accuracy"]).c_str(),
                Num(r["ece"]).c_str(), Num(r["group_ece"]).c_str());
    for (const auto& [t, n] : p["type_counts"].items()) std::fprintf(f, " %-11s", Num(r["by_type"][t]).c_str());
    std::fprintf(f, "\n");
  }
  std::fprintf(f, "McNemar (exact two-sided p; only_a / only_b = positions only that row gets right):\n");
  for (const auto& m : p["mcnemar"])
    std::fprintf(f, "  %-24s vs %-24s %5zu / %-5zu p = %.4g\n", m["a"].get<std::string>().c_str(),
                m["b"].get<std::string>().c_str(), m["only_a"].get<size_t>(), m["only_b"].get<size_t>(), m["p"].get<double>());
}

}  // namespace schedcast::report
