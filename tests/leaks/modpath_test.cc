// Standard library by fact (sched/stdlib.h, common/std_packages.h): the same leaking tests collected
// under a dotless module path, a dotted one, a directory without go.mod and a GOPATH package built
// with GO111MODULE=off (make_modpath_store.sh),
// with Go 1.19 and 1.23, must give the same sites, canonical ids and leak proofs, including frames of
// generic functions, inlined frames and a vendored dependency.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <tuple>

#include "common/std_packages.h"
#include "leaks/prove.h"
#include "leaks/source.h"
#include "pipeline/run.h"
#include "sched/canon.h"
#include "sched/stdlib.h"
#include "sched/timeline.h"
#include "store/store.h"
#include "store/toolchain_std.h"

namespace schedcast::leaks {
namespace {

// Layout (the directory make_modpath_store.sh made) → the import path the collector records.
const std::map<std::string, std::string> kLayouts = {
    {"dotless", "app"}, {"dotted", "modpath.test/app"}, {"nomod", ""}, {"app", "gp.test/app"}};

// What must not depend on the module path, for one (layout, test, Go version).
struct Facts {
  std::set<std::string> canonical;   // "path@file.go:line" of every user goroutine
  std::set<std::string> findings;    // "site rule" of every blocked user goroutine ("-" = suspected)
  int unknown_sites = 0;             // blocked user goroutines without a site
  int runs = 0;
};

std::map<std::tuple<std::string, std::string, std::string>, Facts>& All() {
  static auto* all = [] {
    auto* out = new std::map<std::tuple<std::string, std::string, std::string>, Facts>;
    auto st = store::Store::OpenExisting(SCHEDCAST_MODPATH_DB);
    EXPECT_TRUE(st.ok()) << st.status().message();
    if (!st.ok()) return out;
    auto runs = (*st)->ListRuns();
    EXPECT_TRUE(runs.ok());
    for (const auto& r : *runs) {
      auto layout = kLayouts.find(std::string(BaseName(r.program.dir)));
      EXPECT_NE(layout, kLayouts.end()) << r.program.dir;
      if (layout == kLayouts.end()) continue;
      if (!layout->second.empty()) {
        EXPECT_EQ(r.program.package, layout->second);
      }
      auto trace = (*st)->LoadTrace(r.id);
      EXPECT_TRUE(trace.ok()) << "run " << r.id;
      if (!trace.ok()) continue;
      const pipeline::RunInput in = pipeline::InputOf(r, *trace);
      auto parsed = pipeline::Parse(in.trace);
      EXPECT_TRUE(parsed.ok()) << "run " << r.id << ": " << parsed.status().message();
      if (!parsed.ok()) continue;
      const sched::Canonicalization& canon = parsed->canon;
      auto res = pipeline::AnalyzeLeaks(*parsed, in);
      EXPECT_TRUE(res.ok()) << "run " << r.id << ": " << res.status().message();
      if (!res.ok()) continue;
      const RunAnalysis* an = &res->analysis;
      Facts& f = (*out)[{layout->first, r.program.name, r.config.go_version}];
      ++f.runs;
      for (const auto& [raw, id] : canon.ids)
        if (id.user) f.canonical.insert(id.path + "@" + std::string(BaseName(id.create_site)));
      for (const AliveGoroutine* g : an->Blocked()) {
        f.findings.insert(g->site + " " + (g->proved ? g->rule : "-"));
        f.unknown_sites += g->site.empty();
      }
    }
    return out;
  }();
  return *all;
}

const Facts& Of(const std::string& layout, const std::string& test, const std::string& go) {
  static const Facts kNone;
  auto it = All().find({layout, test, go});
  EXPECT_NE(it, All().end()) << layout << " " << test << " go" << go;
  return it == All().end() ? kNone : it->second;
}

void ExpectSameEverywhere(const std::string& test, const std::set<std::string>& want_findings,
                          bool nomod = true) {
  for (const std::string go : {"1.19", "1.23"}) {
    const Facts& dotted = Of("dotted", test, go);
    EXPECT_EQ(dotted.runs, 3) << test << " go" << go;
    EXPECT_EQ(dotted.findings, want_findings) << test << " go" << go;
    EXPECT_EQ(dotted.unknown_sites, 0);
    for (const std::string layout : {"dotless", "nomod", "app"}) {
      if (layout == "nomod" && !nomod) continue;
      const Facts& f = Of(layout, test, go);
      EXPECT_EQ(f.runs, 3) << layout << " " << test << " go" << go;
      EXPECT_EQ(f.findings, dotted.findings) << layout << " " << test << " go" << go;
      EXPECT_EQ(f.canonical, dotted.canonical) << layout << " " << test << " go" << go;
      EXPECT_EQ(f.unknown_sites, 0) << layout << " " << test << " go" << go;
    }
  }
}

TEST(ModulePath, StoreKeepsEachToolchainsStdList) {
  auto st = store::Store::OpenExisting(SCHEDCAST_MODPATH_DB);
  ASSERT_TRUE(st.ok()) << st.status().message();
  auto lists = store::GetStdPackageLists((*st)->db());
  ASSERT_TRUE(lists.ok()) << lists.status().message();
  ASSERT_EQ(lists->size(), 2u);  // go1.19.x and go1.23.x
  for (const auto& [version, text] : *lists) {
    StdPackages std = StdPackages::Parse(text);
    EXPECT_GT(std.size(), 150u) << version;
    for (const char* p : {"runtime", "sync", "testing", "internal/poll", "net/http"}) EXPECT_TRUE(std.Contains(p)) << version << " " << p;
    EXPECT_FALSE(std.Contains("app")) << version;
  }
  // Opening the store registered the union.
  auto reg = RegisteredStdPackages();
  ASSERT_NE(reg, nullptr);
  EXPECT_TRUE(reg->Contains("runtime"));
}

TEST(ModulePath, PackageOfFunc) {
  using sched::PackageOfFunc;
  EXPECT_EQ(PackageOfFunc("app.TestX.func1"), "app");
  EXPECT_EQ(PackageOfFunc("app.(*T).M"), "app");
  EXPECT_EQ(PackageOfFunc("app.startSend[...].func1"), "app");
  EXPECT_EQ(PackageOfFunc("app.(*G[go.shape.*example.com/a.T]).M"), "app");
  EXPECT_EQ(PackageOfFunc("modpath.test/app.startSend[go.shape.int].func1"), "modpath.test/app");
  EXPECT_EQ(PackageOfFunc("gopkg.in/yaml.v3.(*parser).parse"), "gopkg.in/yaml");  // not std either way
  EXPECT_EQ(PackageOfFunc("vendor/golang.org/x/net/dns/dnsmessage.(*Parser).Start"),
            "vendor/golang.org/x/net/dns/dnsmessage");
  EXPECT_EQ(PackageOfFunc("internal/poll.(*FD).Read"), "internal/poll");
  EXPECT_EQ(PackageOfFunc("_/tmp/x.TestA"), "_/tmp/x");
  EXPECT_EQ(PackageOfFunc("main.main"), "main");
  EXPECT_EQ(PackageOfFunc("runtime.gopark"), "runtime");
}

TEST(ModulePath, DotlessModuleFramesAreUserFrames) {
  auto st = store::Store::OpenExisting(SCHEDCAST_MODPATH_DB);  // registers the std lists
  ASSERT_TRUE(st.ok());
  EXPECT_FALSE(sched::IsStdFrame("app.TestGenericOrphan", "app/app_test.go", ""));
  EXPECT_FALSE(sched::IsStdFrame("dep.test/lib.run", "dep.test/lib/lib.go", ""));
  EXPECT_FALSE(sched::IsStdFrame("main.main", "app/main.go", ""));
  EXPECT_TRUE(sched::IsStdFrame("testing.tRunner", "testing/testing.go", ""));
  EXPECT_TRUE(sched::IsStdFrame("sync.(*Mutex).Lock", "sync/mutex.go", ""));
  EXPECT_TRUE(sched::IsStdFrame("internal/poll.runtime_pollWait", "runtime/netpoll.go", ""));
  // Without the lists, the spelling rule takes the dotless module for standard library.
  ClearStdPackages();
  EXPECT_TRUE(sched::IsStdFrame("app.TestGenericOrphan", "app/app_test.go", ""));
  ASSERT_TRUE(store::Store::OpenExisting(SCHEDCAST_MODPATH_DB).ok());  // registers them again
  EXPECT_FALSE(sched::IsStdFrame("app.TestGenericOrphan", "app/app_test.go", ""));
}

TEST(ModulePath, GenericGoroutinesProveTheSameEverywhere) {
  ExpectSameEverywhere("TestGenericOrphan", {"app_test.go:15 R2b"});
}
TEST(ModulePath, InlinedFrameProvesTheSameEverywhere) {
  ExpectSameEverywhere("TestInlinedOrphan", {"app_test.go:26 R2a"});
}
TEST(ModulePath, LockCycleProvesTheSameEverywhere) {
  ExpectSameEverywhere("TestLockCycle", {"app_test.go:43 R2b", "app_test.go:49 R2b"});
}
TEST(ModulePath, CorrectProgramHasNoFindingEverywhere) { ExpectSameEverywhere("TestNoLeak", {}); }
TEST(ModulePath, VendoredDependencyCreatesUserGoroutines) {
  ExpectSameEverywhere("TestVendoredSpawn", {"vendored_test.go:13 R2a"}, /*nomod=*/false);
  // The goroutine's creation site is the go statement inside the vendored package.
  for (const std::string go : {"1.19", "1.23"}) {
    EXPECT_TRUE(Of("dotless", "TestVendoredSpawn", go).canonical.count("T.0@lib.go:6")) << go;
    EXPECT_TRUE(Of("app", "TestVendoredSpawn", go).canonical.count("T.0@lib.go:6")) << go;  // GOPATH vendor/
  }
}

// `collect --run/--skip` select tests by name (on the dotted copy the fixture made).
TEST(ModulePath, CollectRunAndSkipSelectTests) {
  const std::string dir = std::filesystem::path(SCHEDCAST_MODPATH_DB).parent_path() / "modpath-src" / "dotted";
  const std::string db = std::filesystem::path(SCHEDCAST_MODPATH_DB).parent_path() / "modpath-runskip.db";
  std::filesystem::remove(db);
  const std::string cmd = std::string(SCHEDCAST_BIN) + " collect '" + dir + "' --store '" + db +
                          "' --runs 1 --go 1.23 --gomaxprocs 1 --timeout 2s --progress lines --run 'Orphan|Lock' --skip Inlined 2>/dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  auto st = store::Store::OpenExisting(db);
  ASSERT_TRUE(st.ok()) << st.status().message();
  auto runs = (*st)->ListRuns();
  ASSERT_TRUE(runs.ok());
  std::set<std::string> names;
  for (const auto& r : *runs) names.insert(r.program.name);
  EXPECT_EQ(names, (std::set<std::string>{"TestGenericOrphan", "TestLockCycle"}));
  const std::string bad = std::string(SCHEDCAST_BIN) + " collect '" + dir + "' --store '" + db + "' --runs 1 --run '(' 2>/dev/null";
  EXPECT_NE(std::system(bad.c_str()), 0);
}

}  // namespace
}  // namespace schedcast::leaks
