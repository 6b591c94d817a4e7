#include "sched/token.h"

#include <algorithm>
#include <unordered_map>

namespace schedcast::sched {

absl::StatusOr<Level> ParseLevel(std::string_view s) {
  if (s == "type") return Level::kType;
  if (s == "goroutine") return Level::kGoroutine;
  if (s == "site") return Level::kSite;
  return absl::InvalidArgumentError(Cat("unknown level '", s, "' (want type, goroutine or site)"));
}

std::string_view LevelName(Level l) {
  switch (l) {
    case Level::kType: return "type";
    case Level::kGoroutine: return "goroutine";
    case Level::kSite: return "site";
  }
  return "?";
}

std::string RenderToken(const Candidate& c, Level level, const Canonicalization& canon,
                        std::string_view new_child, std::string_view site) {
  std::string out(KindName(c.kind));
  if (c.kind == Kind::kGoBlock) CatAppend(out, "(", ReasonName(c.reason), ")");
  if (level == Level::kType) return out;
  switch (c.kind) {
    case Kind::kGoCreate: CatAppend(out, " ", canon.Of(c.g).path, ">", new_child); break;
    case Kind::kGoUnblock: CatAppend(out, " ", canon.Of(c.peer).path); break;
    default: CatAppend(out, " ", canon.Of(c.g).path); break;
  }
  if (level == Level::kSite && !site.empty()) CatAppend(out, " @", site);
  return out;
}

std::string StateKey(const State& s, const Canonicalization& canon) {
  std::vector<std::string> parts;
  for (const auto& [g, st] : s.goroutines()) {
    const CanonicalId& id = canon.Of(g);
    if (!id.user || st.state == GState::kDone) continue;
    std::string p = Cat(id.path, ":");
    switch (st.state) {
      case GState::kRunnable: p += "rdy"; break;
      case GState::kRunning: p += "run"; break;
      case GState::kSyscall: p += "sys"; break;
      case GState::kBlocked: CatAppend(p, "blk(", ReasonName(st.reason), st.permanent ? ",perm" : "", ")"); break;
      case GState::kDone: break;
    }
    parts.push_back(std::move(p));
  }
  std::sort(parts.begin(), parts.end());
  std::string out;
  for (const auto& p : parts) CatAppend(out, out.empty() ? "" : " ", p);
  return out;
}

absl::StatusOr<std::vector<Step>> Tokenize(const Timeline& t, const Canonicalization& canon,
                                           const TokenizeOptions& opt) {
  State st;
  for (const auto& [g, info] : t.goroutines)
    if (info.preexisting) st.AddInitial(g, info.initial, info.initial_reason);
  std::unordered_map<uint64_t, int> children;  // raw parent → children created so far
  const Level base = opt.level == Level::kSite ? Level::kGoroutine : opt.level;
  auto child_path = [&](uint64_t parent) { return Cat(canon.Of(parent).path, ".", children[parent]); };
  // Goroutine 0 ("no goroutine": the runtime itself) is never a user goroutine.
  auto is_user = [&](uint64_t g) { return opt.include_runtime || canon.Of(g).user; };

  std::vector<Step> steps;
  for (uint64_t i = 0; i < t.events.size(); ++i) {
    const Event& e = t.events[i];
    const Candidate obs = CandidateOf(e);
    const uint64_t subject = obs.kind == Kind::kGoUnblock ? obs.peer : obs.g;
    if (is_user(subject)) {
      Step step;
      step.event_index = i;
      std::string site;
      if (opt.level == Level::kSite && e.site != 0 && e.site < t.sites.size()) site = t.sites[e.site].Short();
      step.token = RenderToken(obs, opt.level, canon, child_path(obs.g), site);
      step.base_token = RenderToken(obs, base, canon, child_path(obs.g), "");
      for (const Candidate& c : st.LegalNext()) {
        const uint64_t cs = c.kind == Kind::kGoUnblock ? c.peer : c.g;
        if (!is_user(cs)) continue;
        step.candidates.push_back(RenderToken(c, base, canon, child_path(c.g), ""));
      }
      std::sort(step.candidates.begin(), step.candidates.end());
      step.candidates.erase(std::unique(step.candidates.begin(), step.candidates.end()), step.candidates.end());
      step.state_key = StateKey(st, canon);
      steps.push_back(std::move(step));
    }
    SC_RETURN_IF_ERROR(st.Apply(e, i));
    if (e.kind == Kind::kGoCreate) ++children[e.g];
    for (const auto& [g, from] : opt.permanent)
      if (i >= from) st.MarkPermanent(g);  // no-op unless g is blocked
  }
  return steps;
}

}  // namespace schedcast::sched
