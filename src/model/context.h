// model/context.h — reading an Example's context the way the models need it.
//
// Tokens are parsed back into (type, subject goroutine, created child, site); goroutines are renamed
// *relative to an anchor goroutine*, so that patterns learnt on one program transfer to programs it
// never saw. The scheme (docs in ngram.h refer here):
//   anchor      the goroutine that acted last: the subject of the newest context token that is not a
//               GoUnblock (a GoUnblock token names the woken goroutine, not the actor); "" if none
//   @self       the anchor itself
//   @self.N     the anchor's N-th child (N < 4; later children are @self.k)
//   @desc       a deeper descendant of the anchor
//   @parent     the anchor's creator;  @anc  a further ancestor
//   @sib        a sibling (same creator)
//   @other      anything else; @none  no anchor yet (start of the run)
// A relative token is "<type> <rel>", e.g. "GoUnblock @parent", "GoCreate @self" (the child a
// GoCreate makes is always the creator's next child, so it is implied and dropped); sites are dropped.
// Thread-safe (pure functions; views point into the Example, which must outlive them).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/hash.h"
#include "data/example.h"

namespace schedcast::model {

struct ParsedToken {
  std::string_view type;   // "GoBlock(recv)", "GoCreate", ... (kind + reason)
  std::string_view g;      // subject: the creator for GoCreate, the woken goroutine for GoUnblock
  std::string_view child;  // GoCreate: the created goroutine
  std::string_view site;   // site level: "x_test.go:34"
};
ParsedToken ParseToken(std::string_view token);

// The relation of goroutine path `g` to `anchor` (see the table above).
std::string_view Relation(std::string_view g, std::string_view anchor);

// "<type> <Relation(subject, anchor)>".
std::string RelativeToken(const ParsedToken& t, std::string_view anchor);

// The anchor of a context (see above).
std::string_view AnchorOf(const std::vector<ParsedToken>& context);

// Parsed "T:run T.0:blk(recv)" state strings; Find returns "" for goroutines not listed (done/unknown).
struct StateView {
  std::vector<std::pair<std::string_view, std::string_view>> gs;  // path → "rdy"|"run"|"sys"|"blk(x)"
  int runnable = 0, running = 0, blocked = 0, syscall = 0;
  std::string_view Find(std::string_view g) const;
};
StateView ParseState(std::string_view state);

// "go1.23/p2[/race]" → GOMAXPROCS (0 when absent) and Go version ("1.23").
int GomaxprocsOf(std::string_view config);
std::string_view GoVersionOf(std::string_view config);

// 64-bit FNV-1a, chained: stable across machines and runs (used for feature hashing).
// (common/hash.h: AddToken, AddU64.)
inline uint64_t HashBytes(uint64_t h, std::string_view s) { return Fnv1a64(h).AddToken(s).value(); }
inline uint64_t HashInt(uint64_t h, uint64_t v) { return Fnv1a64(h).AddU64(v).value(); }
inline constexpr uint64_t kHashSeed = kFnvOffsetBasis;

}  // namespace schedcast::model
