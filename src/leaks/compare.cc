// leaks/compare.cc — schedcast's verdicts against goleak, the leak profile and the runtime (see compare.h).
#include "leaks/compare.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <regex>
#include <sstream>

#include "leaks/dump.h"
#include "leaks/report.h"

namespace schedcast::leaks {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr const char* kLeakedMark = " (leaked)";
constexpr size_t kMaxListed = 20;

enum Method { kProved = 0, kAny = 1, kGoleak = 2, kProfile = 3, kRuntime = 4 };

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

void Count(MethodStats& m, bool detected) {
  ++m.checked;
  if (!detected) return;
  ++m.detected;
  if (m.first == 0) m.first = m.checked;
}

bool IsShimGoroutine(const DumpGoroutine& g) {
  for (const auto& f : g.frames)
    if (f.func.find(".schedcast") != std::string::npos) return true;
  return g.created_by.func.find(".schedcast") != std::string::npos;
}

double Median(std::vector<double> v) {
  if (v.empty()) return std::nan("");
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

nlohmann::ordered_json Num(double x) {
  if (std::isinf(x)) return "inf";
  if (std::isnan(x)) return nullptr;
  return std::round(x * 100) / 100;
}

std::string Fmt(double x) {
  if (std::isinf(x)) return "inf";
  if (std::isnan(x)) return "-";
  std::ostringstream o;
  o.precision(x < 10 ? 2 : 3);
  o << x;
  return o.str();
}

bool Within(const MethodStats& m, size_t n) { return m.first > 0 && m.first <= n; }

}  // namespace

std::vector<uint64_t> GoleakGoroutines(const std::string& message) {
  static const std::regex re(R"(Goroutine ([0-9]+) in state)");
  std::vector<uint64_t> out;
  for (auto it = std::sregex_iterator(message.begin(), message.end(), re); it != std::sregex_iterator(); ++it)
    out.push_back(std::stoull((*it)[1].str()));
  return out;
}

RunsToDetect ExpectedRunsToDetect(size_t detected, size_t checked) {
  if (checked == 0 || detected == 0) {
    const Interval ci = Wilson(detected, checked);
    return {kInf, ci.hi > 0 ? 1 / ci.hi : kInf, kInf};
  }
  const Interval ci = Wilson(detected, checked);
  const double p = static_cast<double>(detected) / checked;
  return {1 / p, 1 / ci.hi, ci.lo > 0 ? 1 / ci.lo : kInf};
}

void Comparison::Add(const store::StoredRun& run, const absl::StatusOr<RunAnalysis>& analysis) {
  ProgramComparison& pc = programs_[store::ProgramKey(run.program)];
  pc.program = store::ProgramKey(run.program);
  RunSetComparison& rs = run.perturbed() ? pc.perturbed : pc.plain;
  ++rs.runs;
  const std::string where = Cat("run ", run.id, run.perturbed() ? " (perturbed)" : "");

  bool proved = false;
  if (analysis.ok()) {
    for (const auto& a : analysis->alive) proved |= a.proved;
    Count(rs.m[kProved], proved);
    Count(rs.m[kAny], !analysis->Blocked().empty());
  } else if (pc.errors.size() < kMaxListed) {
    pc.errors.push_back(Cat(where, ": ", std::string(analysis.status().message())));
  }
  std::optional<bool> goleak;
  std::vector<uint64_t> goleak_ids;
  if (run.goleak) {
    goleak = !run.goleak->empty();
    goleak_ids = GoleakGoroutines(*run.goleak);
    Count(rs.m[kGoleak], *goleak);
  }
  std::optional<EndState> profile;
  std::optional<bool> profile_leak;
  if (run.leak_profile) {
    absl::StatusOr<EndState> p = ParseEndState(Cat("schedcast-end-state: profile\n\n", *run.leak_profile));
    if (p.ok()) {
      profile = std::move(*p);
      profile_leak = false;
      for (const auto& g : profile->goroutines)
        if (EndsWith(g.wait, kLeakedMark) && !IsShimGoroutine(g)) profile_leak = true;
      Count(rs.m[kProfile], *profile_leak);
    } else if (pc.errors.size() < kMaxListed) {
      pc.errors.push_back(Cat(where, ": leak profile: ", std::string(p.status().message())));
    }
  }
  Count(rs.m[kRuntime], run.outcome == store::Outcome::kDeadlock);
  if (analysis.ok() && goleak) {
    rs.proved_not_goleak += proved && !*goleak;
    rs.goleak_not_proved += !proved && *goleak;
  }
  if (analysis.ok() && profile_leak) {
    rs.proved_not_profile += proved && !*profile_leak;
    rs.profile_not_proved += !proved && *profile_leak;
  }
  if (!analysis.ok() || analysis->end.empty()) return;  // no dump: no wait reason to compare

  // Every proved goroutine against the later goroutine lists of the same process.
  for (const auto& a : analysis->alive) {
    if (!a.proved) continue;
    ++rs.proved_goroutines;
    const std::string who = Cat(where, ": goroutine ", a.g, " (", a.site.empty() ? "?" : a.site, ", ", a.rule,
                                ", [", a.wait, "])");
    if (profile) {
      const DumpGoroutine* g = profile->Find(a.g);
      std::string wait = g ? g->wait : "";
      const bool leaked = EndsWith(wait, kLeakedMark);
      if (leaked) wait.resize(wait.size() - std::string(kLeakedMark).size());
      if (!g || wait != a.wait) {
        ++rs.contradicted;
        if (pc.contradictions.size() < kMaxListed)
          pc.contradictions.push_back(Cat(who, ": the leak profile taken later ",
                                          g ? Cat("shows it [", g->wait, "]") : std::string("no longer lists it (ended)")));
        continue;
      }
      if (leaked) {
        ++rs.profile_confirmed;
      } else {
        ++rs.profile_unconfirmed;
        if (pc.unconfirmed.size() < 3) pc.unconfirmed.push_back(Cat(who, ": not marked leaked (still reachable)"));
      }
    }
    if (goleak && analysis->end == "exit" &&
        std::find(goleak_ids.begin(), goleak_ids.end(), a.g) == goleak_ids.end()) {
      ++rs.contradicted;
      if (pc.contradictions.size() < kMaxListed)
        pc.contradictions.push_back(Cat(who, ": goleak's list after its retries does not have it (it ended)"));
    }
  }
}

std::vector<ProgramComparison> Comparison::Finish(const std::vector<ManifestTest>* manifest) const {
  std::map<std::string, std::string> bug;
  if (manifest)
    for (const auto& t : *manifest) bug[t.Program()] = t.bug;
  std::vector<ProgramComparison> out;
  for (const auto& [key, pc] : programs_) {
    out.push_back(pc);
    if (auto it = bug.find(key); it != bug.end()) out.back().bug = it->second;
  }
  return out;
}

namespace {

// Methods that checked the set, split by whether they detected it.
void Agreement(const RunSetComparison& rs, std::vector<std::string>& yes, std::vector<std::string>& no) {
  for (int i = 0; i < kNumMethods; ++i) {
    // "any finding" is schedcast's own weaker verdict; the runtime's criterion sees only hung tests
    // (global deadlocks), never a leak whose test returned: both are reported, not voted.
    if (i == kAny || i == kRuntime || rs.m[i].checked == 0) continue;
    (rs.m[i].detected > 0 ? yes : no).push_back(kMethods[i]);
  }
}

struct Summary {
  std::map<std::string, std::map<std::string, size_t>> detected;  // bug class → method → programs (plain)
  std::map<std::string, size_t> programs;                          // bug class → programs
  std::vector<double> expected[kNumMethods], first[kNumMethods];   // bug programs, plain runs
  size_t within_plain[kNumMethods] = {}, within_perturbed[kNumMethods] = {}, leak_programs_both = 0;
  size_t false_proofs_plain = 0, false_proofs_perturbed = 0, contradicted = 0, proved_goroutines = 0;
  size_t confirmed = 0, unconfirmed = 0;
  std::vector<std::string> agreements, disagreements;
};

Summary Summarise(const std::vector<ProgramComparison>& programs, size_t within) {
  Summary s;
  for (const auto& p : programs) {
    const std::string cls = p.bug.empty() ? "?" : p.bug;
    ++s.programs[cls];
    for (int i = 0; i < kNumMethods; ++i) s.detected[cls][kMethods[i]] += p.plain.m[i].detected > 0;
    for (const RunSetComparison* rs : {&p.plain, &p.perturbed}) {
      s.contradicted += rs->contradicted;
      s.proved_goroutines += rs->proved_goroutines;
      s.confirmed += rs->profile_confirmed;
      s.unconfirmed += rs->profile_unconfirmed;
    }
    if (p.bug == "none") {
      s.false_proofs_plain += p.plain.m[kProved].detected > 0;
      s.false_proofs_perturbed += p.perturbed.m[kProved].detected > 0;
    }
    const bool is_bug = !p.bug.empty() && p.bug != "none";
    if (is_bug) {
      for (int i = 0; i < kNumMethods; ++i) {
        const MethodStats& m = p.plain.m[i];
        if (m.checked == 0) continue;
        s.expected[i].push_back(ExpectedRunsToDetect(m.detected, m.checked).point);
        s.first[i].push_back(m.first > 0 ? static_cast<double>(m.first) : kInf);
      }
    }
    if (p.bug == "leak" && p.plain.runs > 0 && p.perturbed.runs > 0) {
      ++s.leak_programs_both;
      for (int i = 0; i < kNumMethods; ++i) {
        s.within_plain[i] += Within(p.plain.m[i], within);
        s.within_perturbed[i] += Within(p.perturbed.m[i], within);
      }
    }
    std::vector<std::string> yes, no;
    Agreement(p.plain, yes, no);
    if (yes.empty() || no.empty()) {
      s.agreements.push_back(p.program);
    } else {
      std::string d = Cat(p.program, p.bug.empty() ? "" : Cat(" [", p.bug, "]"), ": detected by ");
      for (size_t i = 0; i < yes.size(); ++i) CatAppend(d, i ? ", " : "", yes[i]);
      CatAppend(d, "; not by ");
      for (size_t i = 0; i < no.size(); ++i) CatAppend(d, i ? ", " : "", no[i]);
      s.disagreements.push_back(d);
    }
  }
  return s;
}

nlohmann::ordered_json StatsJson(const RunSetComparison& rs) {
  nlohmann::ordered_json j;
  j["runs"] = rs.runs;
  for (int i = 0; i < kNumMethods; ++i) {
    const MethodStats& m = rs.m[i];
    const Interval ci = Wilson(m.detected, m.checked);
    const RunsToDetect r = ExpectedRunsToDetect(m.detected, m.checked);
    j["methods"][kMethods[i]] = {{"checked", m.checked},
                                 {"detected", m.detected},
                                 {"rate", m.checked ? Num(static_cast<double>(m.detected) / m.checked) : nullptr},
                                 {"ci95", {Num(ci.lo), Num(ci.hi)}},
                                 {"expected_runs_to_detect", Num(r.point)},
                                 {"expected_runs_ci95", {Num(r.lo), Num(r.hi)}},
                                 {"first_detection_run", m.first ? nlohmann::ordered_json(m.first) : nullptr}};
  }
  j["runs_proved_not_goleak"] = rs.proved_not_goleak;
  j["runs_goleak_not_proved"] = rs.goleak_not_proved;
  j["runs_proved_not_profile"] = rs.proved_not_profile;
  j["runs_profile_not_proved"] = rs.profile_not_proved;
  j["proved_goroutines"] = rs.proved_goroutines;
  j["profile_confirmed"] = rs.profile_confirmed;
  j["profile_unconfirmed"] = rs.profile_unconfirmed;
  j["contradicted"] = rs.contradicted;
  return j;
}

std::string Cell(const MethodStats& m) {
  if (m.checked == 0) return "-";
  return Cat(m.detected, "/", m.checked, m.first ? Cat(" @", m.first) : std::string());
}

}  // namespace

nlohmann::ordered_json CompareJson(const std::vector<ProgramComparison>& programs, size_t within) {
  const Summary s = Summarise(programs, within);
  nlohmann::ordered_json out;
  auto& ps = out["programs"] = nlohmann::ordered_json::array();
  for (const auto& p : programs) {
    nlohmann::ordered_json j;
    j["program"] = p.program;
    j["bug"] = p.bug;
    j["plain"] = StatsJson(p.plain);
    if (p.perturbed.runs) j["perturbed"] = StatsJson(p.perturbed);
    j["contradictions"] = p.contradictions;
    j["unconfirmed_examples"] = p.unconfirmed;
    j["errors"] = p.errors;
    ps.push_back(std::move(j));
  }
  auto& sum = out["summary"];
  for (const auto& [cls, n] : s.programs) {
    sum["by_bug"][cls]["programs"] = n;
    for (int i = 0; i < kNumMethods; ++i) sum["by_bug"][cls]["detected"][kMethods[i]] = s.detected.at(cls).at(kMethods[i]);
  }
  for (int i = 0; i < kNumMethods; ++i) {
    sum["median_expected_runs_to_detect"][kMethods[i]] = Num(Median(s.expected[i]));
    sum["median_first_detection_run"][kMethods[i]] = Num(Median(s.first[i]));
  }
  sum["within_runs"] = within;
  sum["leak_programs_with_plain_and_perturbed_runs"] = s.leak_programs_both;
  for (int i = 0; i < kNumMethods; ++i) {
    sum["leak_bugs_exposed_within"]["plain"][kMethods[i]] = s.within_plain[i];
    sum["leak_bugs_exposed_within"]["perturbed"][kMethods[i]] = s.within_perturbed[i];
  }
  sum["false_proofs"] = {{"plain", s.false_proofs_plain}, {"perturbed", s.false_proofs_perturbed}};
  sum["proved_goroutines"] = s.proved_goroutines;
  sum["profile_confirmed"] = s.confirmed;
  sum["profile_unconfirmed"] = s.unconfirmed;
  sum["contradicted"] = s.contradicted;
  sum["agreements"] = s.agreements.size();
  sum["disagreements"] = s.disagreements;
  return out;
}

std::string RenderComparison(const std::vector<ProgramComparison>& programs, size_t within) {
  const Summary s = Summarise(programs, within);
  std::ostringstream o;
  o << "Same runs, several verdicts (plain runs; cell = runs detected/checked @ first detection run):\n";
  o << "program | bug | runs | schedcast proved | any finding | goleak | leak profile | runtime\n";
  for (const auto& p : programs) {
    o << p.program << " | " << (p.bug.empty() ? "?" : p.bug) << " | " << p.plain.runs;
    for (int i = 0; i < kNumMethods; ++i) o << " | " << Cell(p.plain.m[i]);
    o << "\n";
    if (p.perturbed.runs) {
      o << "  perturbed | | " << p.perturbed.runs;
      for (int i = 0; i < kNumMethods; ++i) o << " | " << Cell(p.perturbed.m[i]);
      o << "\n";
    }
  }
  o << "\nPrograms detected (plain runs), by bug class:\n";
  for (const auto& [cls, n] : s.programs) {
    o << "  " << cls << " (" << n << "):";
    for (int i = 0; i < kNumMethods; ++i) o << " " << kMethods[i] << " " << s.detected.at(cls).at(kMethods[i]);
    o << "\n";
  }
  o << "Runs to detect over the bug programs (plain): median expected (1/rate) / median observed first run:\n";
  for (int i = 0; i < kNumMethods; ++i)
    o << "  " << kMethods[i] << ": " << Fmt(Median(s.expected[i])) << " / " << Fmt(Median(s.first[i])) << " ("
      << s.expected[i].size() << " programs)\n";
  if (s.leak_programs_both) {
    o << "Leak bugs exposed within " << within << " runs (" << s.leak_programs_both
      << " leak programs with plain and perturbed runs): ";
    for (int i = 0; i < kNumMethods; ++i)
      o << (i ? ", " : "") << kMethods[i] << " " << s.within_plain[i] << " -> " << s.within_perturbed[i];
    o << "\n";
  }
  o << "False proofs on correct programs: plain " << s.false_proofs_plain << ", perturbed " << s.false_proofs_perturbed
    << "\n";
  o << "Proved goroutines: " << s.proved_goroutines << "; confirmed by the leak profile " << s.confirmed
    << ", unconfirmed (reachable) " << s.unconfirmed << ", contradicted " << s.contradicted << "\n";
  for (const auto& p : programs)
    for (const auto& c : p.contradictions) o << "  CONTRADICTED " << c << "\n";
  o << "Agreement: " << s.agreements.size() << " programs; disagreements: " << s.disagreements.size() << "\n";
  for (const auto& d : s.disagreements) o << "  " << d << "\n";
  return o.str();
}

}  // namespace schedcast::leaks
