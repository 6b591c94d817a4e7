#include "model/structured.h"

#include <bit>
#include <algorithm>
#include <cmath>

#include "data/program_facts.h"
#include "model/context.h"

namespace schedcast::model {

namespace {

std::vector<std::string> SplitComma(const std::string& s) {
  std::vector<std::string> out;
  size_t from = 0;
  while (true) {
    const size_t comma = s.find(',', from);
    out.push_back(s.substr(from, comma == std::string::npos ? std::string::npos : comma - from));
    if (comma == std::string::npos) return out;
    from = comma + 1;
  }
}

struct GInfo {
  std::string_view g;
  int last = 0, unblocked = 0, created = 0;  // steps ago (1 = newest token); 0 = not in context
  int ready = 0;             // steps ago of what last made it runnable (unblock, create, yield, preempt)
  bool started = false;      // a GoStart of it is newer than every event looked at so far
  std::string_view last_type, prev_type;
  int events = 0;
};

GInfo* Lookup(std::vector<GInfo>& v, std::string_view g) {
  for (auto& i : v)
    if (i.g == g) return &i;
  GInfo gi;
  gi.g = g;
  v.push_back(gi);
  return &v.back();
}

int Bucket(int d) {  // 0 = never, then 1, 2, 3, 4-5, 6-8, 9-16, 17+
  if (d <= 3) return d;
  if (d <= 5) return 4;
  if (d <= 8) return 5;
  if (d <= 16) return 6;
  return 7;
}
int Cap(int n, int hi) { return n < hi ? n : hi; }

// Goroutine paths in creation order: "T.2" before "T.10", a parent before its children.
bool PathLess(std::string_view a, std::string_view b) {
  while (!a.empty() && !b.empty()) {
    const size_t da = a.find('.'), db = b.find('.');
    const std::string_view x = a.substr(0, da), y = b.substr(0, db);
    if (x != y) {
      if (x.size() != y.size() && !x.empty() && !y.empty() && x[0] >= '0' && x[0] <= '9' && y[0] >= '0' && y[0] <= '9')
        return x.size() < y.size();  // numbers without leading zeros: shorter is smaller
      return x < y;
    }
    a = da == std::string_view::npos ? std::string_view() : a.substr(da + 1);
    b = db == std::string_view::npos ? std::string_view() : b.substr(db + 1);
  }
  return a.empty() && !b.empty();
}

// What followed the earlier occurrences of the context's last n tokens (feature set v3): loops
// repeat, so "the token that came after this n-gram last time" is evidence that transfers to
// programs never seen. `recent` (and its type) is the successor of the newest earlier occurrence;
// `succ` all of them, `seen` how many occurrences there were.
struct Follow {
  int seen = 0;
  std::string_view recent, recent_type;
  std::vector<std::string_view> succ;
};
Follow FollowOf(const std::vector<std::string>& ctx, const std::vector<ParsedToken>& parsed, size_t n) {
  Follow f;
  const size_t m = ctx.size();
  if (m < n + 1) return f;
  for (size_t j = m - 1; j-- > n - 1;) {  // j: the last index of an earlier occurrence, j + 1 < m
    bool match = true;
    for (size_t k = 0; k < n && match; ++k) match = ctx[j - k] == ctx[m - 1 - k];
    if (!match) continue;
    if (f.seen++ == 0) f.recent = ctx[j + 1], f.recent_type = parsed[j + 1].type;
    f.succ.push_back(ctx[j + 1]);
  }
  return f;
}
// 0: no earlier occurrence; 1: the newest one was followed by something else; 2: by this.
int FollowFlag(const Follow& f, std::string_view recent, std::string_view x) {
  return f.seen == 0 ? 0 : recent == x ? 2 : 1;
}
int FollowShare(const std::vector<std::string_view>& succ, std::string_view x) {  // 0..4, quarters
  if (succ.empty()) return 5;
  int c = 0;
  for (auto s : succ) c += s == x;
  return static_cast<int>((4 * c + succ.size() / 2) / succ.size());
}
int Depth(std::string_view g) {
  int d = 0;
  for (char c : g) d += c == '.';
  return d;
}

}  // namespace

StructuredPredictor::StructuredPredictor(int hash_bits, std::string facts, int features)
    : hash_bits_(hash_bits), facts_(std::move(facts)), features_(features), w_(size_t{1} << hash_bits, 0.0f) {
  if (facts_ == "all") groups_ = data::FactGroups();
  else if (facts_ != "none")
    groups_ = SplitComma(facts_);
}

absl::Status StructuredPredictor::CheckFacts(const std::string& facts) {
  if (facts == "all" || facts == "none") return absl::OkStatus();
  for (const std::string& g : SplitComma(facts)) {
    const auto& known = data::FactGroups();
    if (std::find(known.begin(), known.end(), g) == known.end())
      return absl::InvalidArgumentError(
          Cat("facts '", facts, "': '", g, "' is not all, none or one of ", data::FactGroupsJoined(", ")));
  }
  return absl::OkStatus();
}

bool StructuredPredictor::UsesFact(std::string_view fact) const {
  const std::string_view g = data::FactGroup(fact);
  for (const auto& x : groups_)
    if (x == g) return true;
  return false;
}

void StructuredPredictor::Featurize(const data::Example& ex, std::vector<uint32_t>* feats,
                                    std::vector<uint32_t>* offsets) const {
  // Context view, newest last.
  std::vector<ParsedToken> ctx;
  ctx.reserve(ex.context.size());
  for (const auto& t : ex.context) ctx.push_back(ParseToken(t));
  const std::string_view anchor = AnchorOf(ctx);
  std::vector<GInfo> info;
  info.reserve(16);
  for (size_t k = ctx.size(); k-- > 0;) {
    const int d = static_cast<int>(ctx.size() - k);
    const ParsedToken& t = ctx[k];
    if (t.type == "GoUnblock") {
      GInfo* gi = Lookup(info, t.g);
      if (!gi->unblocked) gi->unblocked = d;
      if (!gi->started && !gi->ready) gi->ready = d;
      continue;
    }
    if (!t.child.empty()) {
      GInfo* ci = Lookup(info, t.child);
      if (!ci->created) ci->created = d;
      if (!ci->started && !ci->ready) ci->ready = d;
    }
    if (t.g.empty()) continue;
    GInfo* gi = Lookup(info, t.g);
    if (t.type == "GoStart") gi->started = gi->started || !gi->ready;
    if ((t.type == "GoSched" || t.type == "GoPreempt") && !gi->started && !gi->ready) gi->ready = d;
    if (!gi->last) gi->last = d, gi->last_type = t.type;
    else if (gi->prev_type.empty()) gi->prev_type = t.type;
    ++gi->events;
  }
  const StateView sv = ParseState(ex.state);
  const int procs = GomaxprocsOf(ex.config);
  const std::string_view gover = GoVersionOf(ex.config);
  const size_t nc = ex.candidates.size();
  const ParsedToken* l1 = ctx.size() >= 1 ? &ctx[ctx.size() - 1] : nullptr;
  const ParsedToken* l2 = ctx.size() >= 2 ? &ctx[ctx.size() - 2] : nullptr;
  const std::string_view l1t = l1 ? l1->type : "<s>", l2t = l2 ? l2->type : "<s>";
  const std::string_view l1rel = l1 ? Relation(l1->g, anchor) : "", l2rel = l2 ? Relation(l2->g, anchor) : "";
  const std::string_view anchor_state = sv.Find(anchor);
  const int pos = std::bit_width(ex.context_total);

  std::vector<ParsedToken> cands(nc);
  for (size_t i = 0; i < nc; ++i) cands[i] = ParseToken(ex.candidates[i]);
  // Feature set v4: the order in which the goroutines that may start became runnable. The runtime
  // starts the one its P readied last (runnext: an unblock or a go statement by the running
  // goroutine) first, then its queue in FIFO order. newest/oldest over the GoStart candidates whose
  // becoming runnable is in the context; the others became runnable earlier (older than all).
  auto ready_of = [&](std::string_view g) {
    for (const auto& x : info)
      if (x.g == g) return x.ready;
    return 0;
  };
  // Among those that became runnable before the context, the first created (lowest path: children
  // are numbered in creation order) heads the queue when they were queued as they were created.
  int newest = 0, oldest = 0, starts = 0;
  bool unknown = false;
  std::string_view first_unknown;
  if (features_ >= 4)
    for (const auto& c : cands) {
      if (c.type != "GoStart") continue;
      ++starts;
      const int r = ready_of(c.g);
      if (r == 0 && (!unknown || PathLess(c.g, first_unknown))) first_unknown = c.g;
      if (r == 0) unknown = true;
      if (r > 0 && (newest == 0 || r < newest)) newest = r;
      if (r > oldest) oldest = r;
    }
  Follow follow[3];
  if (features_ >= 3)
    for (size_t n = 1; n <= 3; ++n) follow[n - 1] = FollowOf(ex.context, ctx, n);

  const int shift = 64 - hash_bits_;
  offsets->clear();
  offsets->push_back(static_cast<uint32_t>(feats->size()));
  for (size_t i = 0; i < nc; ++i) {
    const ParsedToken& c = cands[i];
    int same_type = 0;
    for (const auto& o : cands) same_type += o.type == c.type;
    const std::string_view g = c.g;
    GInfo none;
    none.g = g;
    const GInfo* gi = &none;
    for (const auto& x : info)
      if (x.g == g) gi = &x;
    const std::string_view gstate = sv.Find(g);
    const std::string_view rel = Relation(g, anchor);
    const std::string_view l1g = l1 ? Relation(l1->g, g) : "", l2g = l2 ? Relation(l2->g, g) : "";
    const uint64_t base = HashBytes(kHashSeed, c.type);
    int tmpl = 0;
    auto add = [&](uint64_t h) { feats->push_back(static_cast<uint32_t>(h >> shift)); };
    auto T = [&]() { return HashInt(base, ++tmpl); };
    add(T());
    add(HashBytes(T(), gstate));
    add(HashBytes(T(), rel));
    add(HashBytes(HashBytes(T(), l1t), l1g));
    add(HashBytes(HashBytes(HashBytes(HashBytes(T(), l1t), l1g), l2t), l2g));
    add(HashBytes(HashBytes(HashBytes(T(), l1t), l1rel), rel));
    add(HashBytes(HashBytes(HashBytes(HashBytes(HashBytes(T(), l1t), l1rel), l2t), l2rel), rel));
    add(HashInt(T(), Bucket(gi->last)));
    add(HashBytes(T(), gi->last_type));
    add(HashBytes(HashBytes(T(), gi->last_type), gi->prev_type));
    add(HashInt(T(), Bucket(gi->events)));
    add(HashInt(T(), Bucket(gi->unblocked)));
    add(HashInt(T(), Bucket(gi->created)));
    add(HashInt(T(), Cap(sv.runnable, 6)));
    add(HashInt(T(), Cap(sv.running, 6)));
    add(HashInt(T(), Cap(sv.blocked, 6)));
    add(HashInt(T(), procs));
    add(HashInt(HashInt(T(), procs), Cap(sv.running, 6)));
    add(HashBytes(HashInt(T(), procs), gstate));
    add(HashBytes(T(), gover));
    add(HashInt(T(), pos));
    add(HashInt(T(), Cap(static_cast<int>(nc), 24)));
    add(HashInt(T(), Cap(same_type, 8)));
    add(HashInt(HashInt(T(), g == "T" || g == "M"), Cap(Depth(g), 4)));
    add(HashBytes(HashBytes(T(), anchor_state), rel));
    add(HashBytes(HashInt(HashBytes(T(), gstate), Bucket(gi->last)), l1g));
    add(HashBytes(HashInt(T(), Bucket(gi->unblocked)), gstate));
    if (features_ >= 4 && c.type == "GoStart") {
      const int r = gi->ready;  // 0 for a goroutine not in the context, as ready_of
      const int order = r == 0 ? (g == first_unknown ? 4 : 3) : r == newest ? 0 : r == oldest && !unknown ? 2 : 1;
      const uint64_t h = HashInt(HashInt(base, 3000), order);
      add(HashInt(h, procs == 1));
      add(HashInt(HashInt(h, procs == 1), Cap(starts, 3)));
      add(HashBytes(HashBytes(h, l1t), l1g));
    }
    if (features_ >= 3) {
      const std::string_view tok = ex.candidates[i];
      for (size_t n = 0; n < 3; ++n) {
        const Follow& f = follow[n];
        const uint64_t h = HashInt(HashInt(base, 2000), n);
        add(HashInt(HashInt(h, 1), FollowFlag(f, f.recent, tok)));
        add(HashInt(HashInt(h, 2), FollowFlag(f, f.recent_type, c.type)));
        add(HashInt(HashInt(h, 3), FollowShare(f.succ, tok)));
        add(HashInt(HashInt(HashInt(h, 4), FollowShare(f.succ, tok)), Cap(f.seen, 4)));
      }
    }
    if (i < ex.facts.size() && !groups_.empty()) {
      const uint64_t fb = HashInt(base, 1000), fs = HashBytes(HashInt(base, 1001), gstate);
      const uint64_t fl = HashBytes(HashBytes(HashInt(base, 1002), l1t), l1g), fp = HashInt(base, 1003);
      // v3: facts × how many goroutines could act now (running or runnable: 0, 1, more) and
      // whether one P: with nothing running, only the clock (or the network) wakes anyone.
      const uint64_t fa = HashInt(HashInt(HashInt(base, 1004), Cap(sv.running + sv.runnable, 2)), procs == 1);
      const std::vector<std::string>& fc = ex.facts[i];
      // v5: each fact alone and × c's goroutine state also without c's type, so that what a fact
      // says carries over to a candidate type training saw it on rarely ("the walk reaches this
      // event" on a system call, in code unlike the training set's).
      const uint64_t gb = HashInt(kHashSeed, 5000), gs = HashBytes(HashInt(kHashSeed, 5001), gstate);
      for (size_t a = 0; a < fc.size(); ++a) {
        if (!UsesFact(fc[a])) continue;
        add(HashBytes(fb, fc[a]));
        add(HashBytes(fs, fc[a]));
        if (features_ >= 5) {
          add(HashBytes(gb, fc[a]));
          add(HashBytes(gs, fc[a]));
        }
        if (features_ < 2) continue;
        add(HashBytes(fl, fc[a]));
        if (features_ >= 3) add(HashBytes(fa, fc[a]));
        for (size_t b = a + 1; b < fc.size(); ++b)
          if (UsesFact(fc[b])) add(HashBytes(HashBytes(fp, fc[a]), fc[b]));
      }
    }
    offsets->push_back(static_cast<uint32_t>(feats->size()));
  }
}

void StructuredPredictor::Logits(const data::Example& ex, std::vector<double>* logits) const {
  thread_local std::vector<uint32_t> feats, offsets;
  feats.clear();
  Featurize(ex, &feats, &offsets);
  const size_t nc = ex.candidates.size();
  logits->assign(nc, 0.0);
  for (size_t i = 0; i < nc; ++i) {
    double s = 0;
    for (uint32_t k = offsets[i]; k < offsets[i + 1]; ++k) s += w_[feats[k]];
    (*logits)[i] = s;
  }
}

nlohmann::json StructuredPredictor::Params() const {
  nlohmann::json w = nlohmann::json::array();
  for (size_t i = 0; i < w_.size(); ++i)
    if (w_[i] != 0.0f) w.push_back({i, w_[i]});
  // "all" is written as the groups it means today, so that a file keeps its meaning when groups are added.
  const std::string facts = facts_ == "all" ? data::FactGroupsJoined() : facts_;
  return {{"hash_bits", hash_bits_}, {"features", Cat("v", features_)}, {"facts", facts}, {"weights", std::move(w)}};
}

absl::StatusOr<std::unique_ptr<StructuredPredictor>> StructuredPredictor::FromParams(const nlohmann::json& j) {
  if (!j.contains("hash_bits") || !j["hash_bits"].is_number_integer() || !j.contains("weights") ||
      !j["weights"].is_array())
    return BadInputError("structured: want fields 'hash_bits' (int) and 'weights' (array)");
  const std::string fset = j.contains("features") && j["features"].is_string() ? j["features"].get<std::string>() : "";
  if (fset.size() != 2 || fset[0] != 'v' || fset[1] < '1' || fset[1] > '0' + kFeatures)
    return BadInputError(Cat("structured: feature set '", fset, "' is not one of v1 to v", kFeatures));
  const int bits = j["hash_bits"].get<int>();
  if (bits < 4 || bits > 26) return BadInputError(Cat("structured: hash_bits ", bits, " out of range 4..26"));
  // Model files from before program facts were trained without them.
  std::string facts = j.contains("facts") && j["facts"].is_string() ? j["facts"].get<std::string>() : "none";
  // Files that wrote "all" were written before the buffer group existed.
  if (facts == "all") facts = "next,partner,loop,create";
  SC_RETURN_IF_ERROR(CheckFacts(facts));
  auto m = std::make_unique<StructuredPredictor>(bits, facts, fset[1] - '0');
  for (const auto& e : j["weights"]) {
    if (!e.is_array() || e.size() != 2 || !e[0].is_number_unsigned() || !e[1].is_number())
      return BadInputError("structured: a weight entry is not [index, value]");
    const uint64_t i = e[0].get<uint64_t>();
    if (i >= m->w_.size()) return BadInputError(Cat("structured: weight index ", i, " out of range"));
    const double v = e[1].get<double>();
    if (!std::isfinite(v) || std::abs(v) > 1e6)
      return BadInputError(Cat("structured: weight ", i, " = ", v, " is not a finite number in -1e6..1e6"));
    m->w_[i] = static_cast<float>(v);
  }
  return m;
}

}  // namespace schedcast::model
