#include "leaks/report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <set>

namespace schedcast::leaks {

Interval Wilson(size_t k, size_t n, double z) {
  if (n == 0) return {};
  const double p = static_cast<double>(k) / n, nn = static_cast<double>(n), z2 = z * z;
  const double denom = 1 + z2 / nn;
  const double center = (p + z2 / (2 * nn)) / denom;
  const double half = z / denom * std::sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn));
  // At k = 0 (k = n) the bound is exactly 0 (1); set it so rounding cannot show 0.9999999.
  return {k == 0 ? 0.0 : std::max(0.0, center - half), k == n ? 1.0 : std::min(1.0, center + half)};
}

bool ProgramReport::proved() const {
  return std::any_of(sites.begin(), sites.end(), [](const SiteReport& s) { return s.proved(); });
}

namespace {

ProgramReport& ProgramOf(std::map<std::string, ProgramReport>& m, const store::StoredRun& run) {
  const std::string key = store::ProgramKey(run.program);
  ProgramReport& p = m[key];
  if (p.program.empty()) {
    p.program = key;
    p.package = run.program.package;
    p.name = run.program.name;
  }
  return p;
}

std::string Pct(double x) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.1f%%", 100 * x);
  return buf;
}

}  // namespace

void LeakAggregator::AddUntraced(const store::StoredRun& run) {
  ProgramReport& p = ProgramOf(programs_, run);
  p.runtime_deadlock += run.outcome == store::Outcome::kDeadlock;
}

void LeakAggregator::Add(const store::StoredRun& run, const absl::StatusOr<RunAnalysis>& a) {
  ProgramReport& p = ProgramOf(programs_, run);
  ++p.runs;
  p.runtime_deadlock += run.outcome == store::Outcome::kDeadlock;
  p.deadline += run.outcome == store::Outcome::kDeadline;
  if (!a.ok()) {
    p.errors.push_back(Cat("run ", run.id, ": ", std::string(a.status().message())));
    return;
  }
  ++p.analyzed;
  for (const auto& h : a->hazards)
    if (std::find(p.hazards.begin(), p.hazards.end(), h) == p.hazards.end()) p.hazards.push_back(h);
  if (!a->alive.empty()) ++p.goleak_runs;
  std::set<std::string> alive_sites, blocked_sites;
  for (const auto& g : a->alive) {
    alive_sites.insert(g.site.empty() ? "?" : g.site);
    p.goleak_callers.insert(g.callers.begin(), g.callers.end());
  }
  for (const auto& s : alive_sites) ++p.goleak_sites[s];
  auto& sites = sites_[p.program];
  for (const AliveGoroutine* g : a->Blocked()) {
    const std::string key = g->site.empty() ? "?" : g->site;
    SiteReport& s = sites[key];
    if (s.site.empty()) {
      s.site = key;
      s.func = g->func;
      s.wait = g->wait;
      s.why = g->why;
    }
    s.callers.insert(g->callers.begin(), g->callers.end());
    if (blocked_sites.insert(key).second) {
      ++s.runs;
      if (s.examples.size() < 3 && !g->proved) s.examples.push_back(run.id);
    }
    if (g->proved) {
      auto& ex = proved_examples_[p.program][key];
      if (ex.empty() || ex.back() != run.id) {
        ++s.proved_runs;
        ex.push_back(run.id);
      }
      if (s.rule.empty()) {
        s.rule = g->rule;
        s.why = g->why;
      }
    }
  }
}

std::vector<ProgramReport> LeakAggregator::Finish() {
  std::vector<ProgramReport> out;
  for (auto& [name, p] : programs_) {
    for (auto& [site, s] : sites_[name]) {
      // Proved runs first among the examples.
      std::vector<int64_t> ex = proved_examples_[name][site];
      for (int64_t id : s.examples)
        if (std::find(ex.begin(), ex.end(), id) == ex.end()) ex.push_back(id);
      if (ex.size() > 3) ex.resize(3);
      s.examples = ex;
      p.sites.push_back(s);
    }
    std::sort(p.sites.begin(), p.sites.end(), [](const SiteReport& a, const SiteReport& b) {
      if (a.proved() != b.proved()) return a.proved();
      if (a.runs != b.runs) return a.runs > b.runs;
      return a.site < b.site;
    });
    out.push_back(std::move(p));
  }
  return out;
}

nlohmann::ordered_json ToJson(const ProgramReport& p) {
  nlohmann::ordered_json j;
  j["program"] = p.program;
  j["package"] = p.package;
  j["name"] = p.name;
  j["runs"] = p.runs;
  j["analyzed"] = p.analyzed;
  j["proved"] = p.proved();
  j["runtime_deadlock_runs"] = p.runtime_deadlock;
  j["deadline_runs"] = p.deadline;
  j["goleak_runs"] = p.goleak_runs;
  j["hazards"] = p.hazards;
  j["errors"] = p.errors;
  auto& sites = j["sites"] = nlohmann::ordered_json::array();
  for (const auto& s : p.sites) {
    const Interval ci = Wilson(s.runs, p.analyzed);
    nlohmann::ordered_json o;
    o["site"] = s.site;
    o["func"] = s.func;
    o["wait"] = s.wait;
    o["status"] = s.proved() ? "proved" : "suspected";
    o["rule"] = s.rule;
    o["runs"] = s.runs;
    o["proved_runs"] = s.proved_runs;
    o["rate"] = p.analyzed ? static_cast<double>(s.runs) / p.analyzed : 0.0;
    o["ci95"] = {ci.lo, ci.hi};
    o["why"] = s.why;
    o["callers"] = s.callers;
    o["example_runs"] = s.examples;
    sites.push_back(std::move(o));
  }
  return j;
}

std::string RenderText(const ProgramReport& p) {
  std::string out = Cat(p.program, ": ", p.analyzed, "/", p.runs, " runs analyzed");
  if (p.runtime_deadlock) CatAppend(out, ", ", p.runtime_deadlock, " runtime deadlock");
  if (p.deadline) CatAppend(out, ", ", p.deadline, " at deadline");
  out += "\n";
  if (p.sites.empty()) out += "  no goroutine blocked at the end\n";
  for (const auto& s : p.sites) {
    const Interval ci = Wilson(s.runs, p.analyzed);
    std::string ex;
    for (int64_t id : s.examples) CatAppend(ex, ex.empty() ? "" : ",", id);
    CatAppend(out, "  ", s.proved() ? Cat("PROVED ", s.rule) : std::string("suspected"), "  ", s.site, " [", s.wait, "] ",
              s.func, "\n    rate ", s.runs, "/", p.analyzed, " = ", Pct(p.analyzed ? double(s.runs) / p.analyzed : 0),
              " (95% CI ", Pct(ci.lo), "-", Pct(ci.hi), ")", s.proved() ? Cat(", proved in ", s.proved_runs) : "",
              s.proved() ? " runs" : "", "; runs ", ex, "\n    ", s.why, "\n");
  }
  for (size_t i = 0; i < p.errors.size() && i < 3; ++i) CatAppend(out, "  not analyzed: ", p.errors[i], "\n");
  return out;
}

nlohmann::ordered_json Evaluate(const std::vector<ProgramReport>& reports, const std::vector<ManifestTest>& manifest) {
  std::map<std::string, const ProgramReport*> by_name;
  for (const auto& r : reports) by_name[r.program] = &r;
  struct Row {
    size_t programs = 0, sites = 0;
    size_t prog[4] = {0, 0, 0, 0};   // detected by: proved, any finding, goleak, runtime
    size_t site_hits[3] = {0, 0, 0};  // expected sites found by: proved, any finding, goleak
  };
  std::map<std::string, Row> rows;
  nlohmann::ordered_json per_test = nlohmann::ordered_json::array();
  size_t missing = 0;
  for (const auto& m : manifest) {
    auto it = by_name.find(ProgramKey(m.package, m.name));
    if (it == by_name.end() || it->second->analyzed == 0) {
      ++missing;
      continue;
    }
    const ProgramReport& p = *it->second;
    Row& row = rows[m.bug];
    ++row.programs;
    const bool det[4] = {p.proved(), !p.sites.empty(), p.goleak_runs > 0, p.runtime_deadlock > 0};
    for (int k = 0; k < 4; ++k) row.prog[k] += det[k];
    nlohmann::ordered_json t;
    t["program"] = p.program;
    t["bug"] = m.bug;
    t["split"] = m.split;
    t["runs"] = p.analyzed;
    t["proved"] = det[0];
    t["any_finding"] = det[1];
    t["goleak"] = det[2];
    t["runtime"] = det[3];
    nlohmann::ordered_json sites = nlohmann::ordered_json::array();
    for (const auto& want : m.block_sites) {
      const std::string key(BaseName(want));
      bool hit[3] = {false, false, false};
      // A marked line anywhere in the blocked goroutine's user frames counts (corpus/README.md): the
      // blocking call may sit in a package the test calls.
      for (const auto& s : p.sites)
        if (s.site == key || s.callers.count(key)) hit[0] |= s.proved(), hit[1] = true;
      hit[2] = p.goleak_sites.count(key) > 0 || p.goleak_callers.count(key) > 0;
      ++row.sites;
      for (int k = 0; k < 3; ++k) row.site_hits[k] += hit[k];
      sites.push_back({{"site", want}, {"proved", hit[0]}, {"any_finding", hit[1]}, {"goleak", hit[2]}});
    }
    t["block_sites"] = sites;
    std::string rules;
    for (const auto& s : p.sites)
      if (s.proved() && rules.find(s.rule) == std::string::npos) CatAppend(rules, rules.empty() ? "" : ",", s.rule);
    t["rules"] = rules;
    per_test.push_back(std::move(t));
  }
  nlohmann::ordered_json j;
  j["tests_in_manifest"] = manifest.size();
  j["tests_without_runs"] = missing;
  auto& cls = j["by_bug"] = nlohmann::ordered_json::object();
  for (const auto& [bug, r] : rows) {
    nlohmann::ordered_json o;
    o["programs"] = r.programs;
    o["expected_sites"] = r.sites;
    o["programs_flagged"] = {{"proved", r.prog[0]}, {"any_finding", r.prog[1]}, {"goleak", r.prog[2]}, {"runtime", r.prog[3]}};
    o["sites_found"] = {{"proved", r.site_hits[0]}, {"any_finding", r.site_hits[1]}, {"goleak", r.site_hits[2]}};
    cls[bug] = std::move(o);
  }
  j["tests"] = per_test;
  return j;
}

std::string RenderEvaluation(const nlohmann::ordered_json& e) {
  std::string out = Cat("Evaluation against the manifest (", e["tests_in_manifest"].get<size_t>(), " tests, ",
                        e["tests_without_runs"].get<size_t>(), " without analyzed runs)\n");
  out += "bug              programs | flagged: proved  any  goleak  runtime | expected sites found: proved  any  goleak\n";
  for (const auto& [bug, o] : e["by_bug"].items()) {
    char line[256];
    const auto& f = o["programs_flagged"];
    const auto& s = o["sites_found"];
    const size_t n = o["expected_sites"].get<size_t>();
    auto frac = [&](const nlohmann::ordered_json& v) { return Cat(v.get<size_t>(), "/", n); };
    std::snprintf(line, sizeof line, "%-16s %8zu | %15zu %4zu %7zu %8zu | %27s %5s %7s\n", bug.c_str(),
                  o["programs"].get<size_t>(), f["proved"].get<size_t>(), f["any_finding"].get<size_t>(),
                  f["goleak"].get<size_t>(), f["runtime"].get<size_t>(), frac(s["proved"]).c_str(),
                  frac(s["any_finding"]).c_str(), frac(s["goleak"]).c_str());
    out += line;
  }
  out += "(programs flagged under bug 'none' are false positives; the goal for 'proved' is 0)\n";
  return out;
}

}  // namespace schedcast::leaks
