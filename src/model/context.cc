#include "model/context.h"

#include <charconv>

namespace schedcast::model {

ParsedToken ParseToken(std::string_view tok) {
  ParsedToken t;
  const size_t sp = tok.find(' ');
  t.type = tok.substr(0, sp);
  if (sp == std::string_view::npos) return t;
  std::string_view rest = tok.substr(sp + 1);
  const size_t at = rest.find(" @");
  if (at != std::string_view::npos) {
    t.site = rest.substr(at + 2);
    rest = rest.substr(0, at);
  }
  const size_t gt = rest.find('>');
  if (gt != std::string_view::npos) {
    t.g = rest.substr(0, gt);
    t.child = rest.substr(gt + 1);
  } else {
    t.g = rest;
  }
  return t;
}

namespace {
std::string_view ParentOf(std::string_view g) {
  const size_t dot = g.rfind('.');
  return dot == std::string_view::npos ? std::string_view() : g.substr(0, dot);
}
bool IsPrefixPath(std::string_view anc, std::string_view g) {  // g strictly below anc
  return g.size() > anc.size() + 1 && g.substr(0, anc.size()) == anc && g[anc.size()] == '.';
}
}  // namespace

std::string_view Relation(std::string_view g, std::string_view anchor) {
  if (anchor.empty()) return "@none";
  if (g == anchor) return "@self";
  if (IsPrefixPath(anchor, g)) {
    std::string_view rest = g.substr(anchor.size() + 1);
    if (rest.find('.') != std::string_view::npos) return "@desc";
    int n = 0;
    auto r = std::from_chars(rest.data(), rest.data() + rest.size(), n);
    if (r.ec != std::errc()) return "@desc";
    static constexpr std::string_view kChild[] = {"@self.0", "@self.1", "@self.2", "@self.3"};
    return n < 4 ? kChild[n] : "@self.k";
  }
  const std::string_view parent = ParentOf(anchor);
  if (!parent.empty() && g == parent) return "@parent";
  if (IsPrefixPath(g, anchor)) return "@anc";
  if (!parent.empty() && ParentOf(g) == parent) return "@sib";
  return "@other";
}

std::string RelativeToken(const ParsedToken& t, std::string_view anchor) {
  std::string out(t.type);
  if (!t.g.empty()) {
    out += ' ';
    out += Relation(t.g, anchor);
  }
  return out;
}

std::string_view AnchorOf(const std::vector<ParsedToken>& context) {
  for (size_t i = context.size(); i-- > 0;)
    if (context[i].type != "GoUnblock") return context[i].g;
  return {};
}

StateView ParseState(std::string_view s) {
  StateView v;
  while (!s.empty()) {
    const size_t sp = s.find(' ');
    std::string_view part = s.substr(0, sp);
    s = sp == std::string_view::npos ? std::string_view() : s.substr(sp + 1);
    const size_t colon = part.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view st = part.substr(colon + 1);
    v.gs.emplace_back(part.substr(0, colon), st);
    if (st == "rdy") ++v.runnable;
    else if (st == "run") ++v.running;
    else if (st == "sys") ++v.syscall;
    else ++v.blocked;
  }
  return v;
}

std::string_view StateView::Find(std::string_view g) const {
  for (const auto& [p, st] : gs)
    if (p == g) return st;
  return {};
}

int GomaxprocsOf(std::string_view config) {
  const size_t p = config.find("/p");
  if (p == std::string_view::npos) return 0;
  int n = 0;
  std::from_chars(config.data() + p + 2, config.data() + config.size(), n);
  return n;
}

std::string_view GoVersionOf(std::string_view config) {
  std::string_view v = config.substr(0, config.find('/'));
  if (v.substr(0, 2) == "go") v.remove_prefix(2);
  return v;
}

}  // namespace schedcast::model
