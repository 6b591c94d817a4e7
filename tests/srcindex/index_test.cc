// Tests of the source index: the real helper (tools/srcindex) on a fixture package, read by
// srcindex::Index; malformed documents.
#include "srcindex/index.h"

#include <gtest/gtest.h>

#include "collect/srcindex.h"

namespace schedcast {
namespace {

std::string FixtureDir() { return std::string(SCHEDCAST_SOURCE_DIR) + "/tools/srcindex/testdata/fixture"; }

srcindex::Index IndexFixture() {
  const std::string helper = collect::SrcIndexHelper();
  EXPECT_FALSE(helper.empty()) << "the build makes tools/srcindex";
  collect::Package p;
  p.dir = FixtureDir();
  p.import_path = "fixture";
  p.source_hash = "h";
  store::SourceIndexRecord r = collect::IndexPackage(helper, p, nullptr);
  EXPECT_TRUE(r.ok) << r.error;
  EXPECT_GT(r.wall_ms, 0);
  absl::StatusOr<srcindex::Index> idx = srcindex::Index::Parse(r.data, "fixture");
  EXPECT_TRUE(idx.ok()) << idx.status();
  return idx.ok() ? std::move(*idx) : srcindex::Index();
}

std::vector<std::string> Kinds(const srcindex::Index& idx, const std::vector<int>& ids) {
  std::vector<std::string> out;
  for (int id : ids) out.push_back(idx.op(id).kind);
  std::sort(out.begin(), out.end());
  return out;
}

TEST(SourceIndex, HelperFindsTheFixturesStatements) {
  const srcindex::Index idx = IndexFixture();
  // A trace frame's file may carry a directory (-trimpath: the import path); base names match.
  auto send = idx.At("example.com/fixture/fixture.go", 33);
  ASSERT_EQ(send.size(), 1u);
  EXPECT_EQ(send[0]->kind, "send");
  EXPECT_EQ(send[0]->cap, 4);
  EXPECT_TRUE(send[0]->loop);
  EXPECT_EQ(Kinds(idx, send[0]->next), (std::vector<std::string>{"close", "send"}));
  auto go = idx.At("fixture.go", 26);
  ASSERT_EQ(go.size(), 1u);
  ASSERT_GE(go[0]->starts, 0);
  const srcindex::Func& worker = idx.funcs()[go[0]->starts];
  EXPECT_EQ(worker.name, "worker");
  EXPECT_EQ(Kinds(idx, worker.first), (std::vector<std::string>{"recv"}));
  auto sel = idx.At("fixture.go", 40);
  ASSERT_EQ(sel.size(), 1u);
  EXPECT_EQ(sel[0]->kind, "select");
  EXPECT_EQ(sel[0]->cases.size(), 3u);
  // Constant durations in nanoseconds: time.After(time.Millisecond) in the select, time.Sleep(time.Microsecond).
  ASSERT_EQ(sel[0]->cases.size(), 3u);
  EXPECT_EQ(sel[0]->cases[1].dur, 1'000'000);
  EXPECT_EQ(sel[0]->cases[0].dur, 0);
  auto sleep = idx.At("fixture.go", 46);
  ASSERT_EQ(sleep.size(), 1u);
  EXPECT_EQ(sleep[0]->kind, "sleep");
  EXPECT_EQ(sleep[0]->dur, 1'000);
  const srcindex::Func* f = idx.FuncAt("fixture.go", 29);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->name, "pipeline.func1");
  // A line that is no op (sum := 0): the next op in its function is the range receive.
  auto after = idx.After("fixture.go", 36);
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0]->kind, "recv");
  EXPECT_EQ(after[0]->line, 37);
  EXPECT_TRUE(idx.At("fixture.go", 1).empty());
  EXPECT_EQ(idx.FuncAt("other.go", 29), nullptr);
}

TEST(SourceIndex, MalformedDocumentsAreRefusedWithTheirName) {
  // A version newer than the reader's.
  const std::string newer = "{\"version\":" + std::to_string(srcindex::Index::kVersion + 1) + ",\"ops\":[],\"funcs\":[]}";
  for (const char* bad : {"", "[]", newer.c_str(),
                          // version 6: a loop id that names no loop, a loop out of order
                          "{\"version\":6,\"funcs\":[{\"id\":0}],\"loops\":[],\"ops\":[{\"id\":0,\"file\":\"a.go\",\"kind\":\"go\",\"func\":0,\"loop_id\":1}]}",
                          "{\"version\":6,\"funcs\":[],\"ops\":[],\"loops\":[{\"id\":2,\"parent\":0,\"trips\":3}]}",
                          "{\"version\":0,\"ops\":[],\"funcs\":[]}", "{\"version\":1}",
                          "{\"version\":1,\"funcs\":[],\"ops\":[{\"id\":0,\"file\":\"a.go\",\"kind\":\"send\",\"func\":0}]}",
                          "{\"version\":1,\"funcs\":[{\"id\":0,\"first\":[3]}],\"ops\":[]}"}) {
    absl::StatusOr<srcindex::Index> idx = srcindex::Index::Parse(bad, "pkg/x");
    ASSERT_FALSE(idx.ok()) << bad;
    if (std::string_view(bad).find("version") == std::string_view::npos) EXPECT_EQ(srcindex::VersionOf(bad), 0) << bad;
    EXPECT_NE(std::string(idx.status().message()).find("pkg/x"), std::string::npos) << idx.status();
  }
}

// Version 7 holds the package's dependencies beside it: their files are named by their path below
// the module root and match a stack frame's file by suffix (at a path boundary); a file of theirs
// is never the package's own file of the same base name.
TEST(SourceIndex, DependencyFilesMatchTheirPathBySuffix) {
  auto idx = srcindex::Index::Parse(
      "{\"version\":7,\"deps\":[\"example.com/m/libs/kv\"],"
      "\"funcs\":[{\"id\":0,\"name\":\"TestX\",\"file\":\"kv.go\",\"start\":1,\"end\":9},"
      "{\"id\":1,\"name\":\"*Store.Put\",\"file\":\"libs/kv/kv.go\",\"start\":3,\"end\":7}],"
      "\"ops\":[{\"id\":0,\"file\":\"kv.go\",\"line\":5,\"kind\":\"send\",\"func\":0},"
      "{\"id\":1,\"file\":\"libs/kv/kv.go\",\"line\":5,\"kind\":\"lock\",\"func\":1}]}",
      "pkg/x");
  ASSERT_TRUE(idx.ok()) << idx.status();
  EXPECT_EQ(idx->version(), 7);
  EXPECT_EQ(idx->deps(), std::vector<std::string>{"example.com/m/libs/kv"});
  auto kinds = [&](std::string_view file) {
    std::string out;
    for (const srcindex::Op* o : idx->At(file, 5)) out += o->kind + " ";
    return out;
  };
  EXPECT_EQ(kinds("/work/m/libs/kv/kv.go"), "lock ");            // the dependency's file
  EXPECT_EQ(kinds("example.com/m/libs/kv/kv.go"), "lock ");      // as -trimpath writes it
  EXPECT_EQ(kinds("/work/m/kv.go"), "send ");                    // the package's own
  EXPECT_EQ(kinds("/work/m/xlibs/kv/kv.go"), "send ");           // not at a path boundary
  EXPECT_EQ(kinds("libs/kv/kv.go"), "lock ");
  ASSERT_NE(idx->FuncAt("/work/m/libs/kv/kv.go", 4), nullptr);
  EXPECT_EQ(idx->FuncAt("/work/m/libs/kv/kv.go", 4)->name, "*Store.Put");
  EXPECT_EQ(idx->FuncAt("/work/m/kv.go", 4)->name, "TestX");
  EXPECT_EQ(idx->FuncAt("/work/m/libs/kv/kv.go", 8), nullptr);  // past Put: not the package's kv.go
  ASSERT_EQ(idx->After("/work/m/libs/kv/kv.go", 4).size(), 1u);
  EXPECT_EQ(idx->After("/work/m/libs/kv/kv.go", 4)[0]->kind, "lock");
}

// Version 6 adds loops (their parent and static trip count) and each op's innermost loop; older
// documents parse without them.
TEST(SourceIndex, ParsesLoopsOfVersionSix) {
  const std::string doc =
      "{\"version\":6,\"funcs\":[{\"id\":0,\"name\":\"TestX\",\"file\":\"a.go\",\"start\":1,\"end\":9}],"
      "\"loops\":[{\"id\":1,\"parent\":0,\"line\":3,\"trips\":4},{\"id\":2,\"parent\":1,\"line\":4,\"trips\":0}],"
      "\"ops\":[{\"id\":0,\"file\":\"a.go\",\"line\":5,\"kind\":\"go\",\"func\":0,\"loop_id\":2,\"next\":[0,1]},"
      "{\"id\":1,\"file\":\"a.go\",\"line\":8,\"kind\":\"return\",\"func\":0}]}";
  absl::StatusOr<srcindex::Index> idx = srcindex::Index::Parse(doc, "pkg/x");
  ASSERT_TRUE(idx.ok()) << idx.status();
  EXPECT_EQ(idx->version(), 6);
  EXPECT_EQ(idx->op(0).loop_id, 2);
  EXPECT_EQ(idx->op(1).loop_id, 0);
  ASSERT_NE(idx->loop(2), nullptr);
  EXPECT_EQ(idx->loop(2)->parent, 1);
  EXPECT_EQ(idx->loop(1)->trips, 4);
  EXPECT_EQ(idx->loop(1)->line, 3);
  EXPECT_EQ(idx->loop(0), nullptr);
  EXPECT_EQ(idx->loop(3), nullptr);
  auto v5 = srcindex::Index::Parse("{\"version\":5,\"funcs\":[{\"id\":0}],\"ops\":[{\"id\":0,\"file\":\"a.go\","
                                   "\"kind\":\"go\",\"func\":0}]}",
                                   "pkg/y");
  ASSERT_TRUE(v5.ok()) << v5.status();
  EXPECT_EQ(v5->op(0).loop_id, 0);
  EXPECT_EQ(v5->loop(1), nullptr);
}

// Version 2 (parameters followed to their arguments) adds `aliases` to ops and select cases;
// version 1 documents, stored before it, still parse, without aliases.
TEST(SourceIndex, ParsesAliasesAndVersionOneDocuments) {
  const std::string op = "{\"id\":0,\"file\":\"a.go\",\"line\":3,\"kind\":\"send\",\"obj\":\"out@2\",\"func\":0,"
                         "\"aliases\":[\"a@9\",\"b@10\"]},"
                         "{\"id\":1,\"file\":\"a.go\",\"line\":4,\"kind\":\"select\",\"func\":0,"
                         "\"cases\":[{\"kind\":\"recv\",\"obj\":\"out@2\",\"aliases\":[\"a@9\"]}]}";
  const std::string funcs = "\"funcs\":[{\"id\":0,\"name\":\"feed\",\"file\":\"a.go\",\"start\":2,\"end\":5}]";
  for (int version : {1, 2, 3, 4}) {
    const std::string doc = "{\"version\":" + std::to_string(version) + ",\"ops\":[" + op + "]," + funcs + "}";
    absl::StatusOr<srcindex::Index> idx = srcindex::Index::Parse(doc, "pkg/x");
    ASSERT_TRUE(idx.ok()) << idx.status();
    EXPECT_EQ(idx->version(), version);
    EXPECT_EQ(srcindex::VersionOf(doc), version);
    EXPECT_EQ(idx->op(0).aliases, (std::vector<std::string>{"a@9", "b@10"}));
    ASSERT_EQ(idx->op(1).cases.size(), 1u);
    EXPECT_EQ(idx->op(1).cases[0].aliases, (std::vector<std::string>{"a@9"}));
  }
  // The fixture's index: version 2; its worker acts on the pipeline's channels (every call passes them).
  const srcindex::Index fix = IndexFixture();
  auto recv = fix.At("fixture.go", 52);
  ASSERT_EQ(recv.size(), 1u);
  EXPECT_EQ(recv[0]->obj, "jobs@21");
  EXPECT_EQ(recv[0]->cap, 4);
  EXPECT_TRUE(recv[0]->aliases.empty());
}

}  // namespace
}  // namespace schedcast
