// store/summary.cc — `schedcast runs` aggregation and rendering (see summary.h).
#include "common/json.h"
#include "store/summary.h"

#include <algorithm>

#include "nlohmann/json.hpp"

namespace schedcast::store {

absl::StatusOr<StoreSummary> Summarise(Store& store) {
  StoreSummary out;
  out.path = store.path();
  SC_ASSIGN_OR_RETURN(Statement q, store.db().Prepare(
      "SELECT p.id, p.package, p.dir, p.name, p.kind, p.source_hash, c.go_version, c.gomaxprocs, c.race, "
      "r.outcome, count(r.id) FROM programs p "
      "LEFT JOIN runs r ON r.program_id = p.id LEFT JOIN configs c ON c.id = r.config_id "
      "GROUP BY p.id, c.id, r.outcome "
      "ORDER BY p.package, p.name, p.source_hash, c.go_version, c.gomaxprocs, c.race, r.outcome"));
  int64_t last_program = -1;
  while (true) {
    SC_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    if (q.Int(0) != last_program) {
      last_program = q.Int(0);
      out.programs.push_back({{q.Text(1), q.Text(2), q.Text(3), q.Text(4), q.Text(5)}, 0, {}});
    }
    ProgramSummary& ps = out.programs.back();
    if (q.IsNull(6)) continue;  // a program without runs yet
    ConfigRecord c{q.Text(6), static_cast<int>(q.Int(7)), q.Int(8) != 0};
    if (ps.configs.empty() || ps.configs.back().config.go_version != c.go_version ||
        ps.configs.back().config.gomaxprocs != c.gomaxprocs || ps.configs.back().config.race != c.race) {
      ps.configs.push_back({c, 0, {}});
    }
    int64_t n = q.Int(10);
    std::string outcome = q.Text(9);
    ps.configs.back().outcomes[outcome] += n;
    ps.configs.back().total += n;
    ps.total += n;
    out.outcomes[outcome] += n;
    out.runs += n;
  }
  return out;
}

namespace {
std::string Outcomes(const std::map<std::string, int64_t>& m) {
  std::string s;
  for (const auto& [name, n] : m) CatAppend(s, s.empty() ? "" : " ", name, "=", n);
  return s;
}
}  // namespace

std::string ToText(const StoreSummary& s) {
  size_t w = 7;
  for (const auto& p : s.programs) w = std::max(w, p.program.package.size() + 1 + p.program.name.size());
  std::string out;
  for (const auto& p : s.programs) {
    std::string name = ProgramKey(p.program);
    name.resize(w, ' ');
    if (p.configs.empty()) CatAppend(out, name, "  (no runs)\n");
    for (size_t i = 0; i < p.configs.size(); ++i) {
      std::string label = ConfigName(p.configs[i].config);
      label.resize(std::max<size_t>(label.size(), 18), ' ');
      CatAppend(out, i == 0 ? name : std::string(w, ' '), "  ", label, "  runs=", p.configs[i].total, "  ",
                Outcomes(p.configs[i].outcomes), "\n");
    }
  }
  CatAppend(out, s.programs.size(), " programs, ", s.runs, " runs", s.runs ? ": " : "", Outcomes(s.outcomes), "\n");
  return out;
}

std::string ToJson(const StoreSummary& s) {
  nlohmann::ordered_json j;
  j["store"] = s.path;
  j["runs"] = s.runs;
  j["outcomes"] = s.outcomes;
  j["programs"] = nlohmann::ordered_json::array();
  for (const auto& p : s.programs) {
    nlohmann::ordered_json pj;
    pj["package"] = p.program.package;
    pj["name"] = p.program.name;
    pj["kind"] = p.program.kind;
    pj["dir"] = p.program.dir;
    pj["source_hash"] = p.program.source_hash;
    pj["total"] = p.total;
    pj["configs"] = nlohmann::ordered_json::array();
    for (const auto& c : p.configs) {
      nlohmann::ordered_json cj;
      cj["go"] = c.config.go_version;
      cj["gomaxprocs"] = c.config.gomaxprocs;
      cj["race"] = c.config.race;
      cj["total"] = c.total;
      cj["outcomes"] = c.outcomes;
      pj["configs"].push_back(cj);
    }
    j["programs"].push_back(pj);
  }
  return JsonText(j, 2) + "\n";
}

}  // namespace schedcast::store
