// tests/collect/unit_test.cc — the collector's pure parts: capped capture, outcome rules,
// end-state analysis, shards and seeds, flag parsing, shim text, and discovery on the fixtures.
#include <gtest/gtest.h>

#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "collect/capture.h"
#include "collect/classify.h"
#include "collect/discover.h"
#include "collect/plan.h"
#include "collect/shim.h"
#include "common/hash.h"
#include "common/names.h"
#include "collect/toolchain.h"
#include "collect/workspace.h"

namespace schedcast::collect {
namespace {

using store::Outcome;

TEST(Capture, KeepsHeadAndTailOfHugeStreams) {
  CappedCapture c(8, 8);
  c.Append("0123456789");
  for (int i = 0; i < 1000; ++i) c.Append("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
  c.Append("ABCDEFGHIJ");
  EXPECT_TRUE(c.cut());
  EXPECT_EQ(c.total(), 10u + 31000u + 10u);
  std::string t = c.Text();
  EXPECT_EQ(t.substr(0, 8), "01234567");
  EXPECT_EQ(t.substr(t.size() - 8), "CDEFGHIJ");
  EXPECT_NE(t.find("bytes omitted"), std::string::npos);
  EXPECT_LT(t.size(), 80u);
  CappedCapture small(8, 8);
  small.Append("abc");
  small.Append("def");
  EXPECT_EQ(small.Text(), "abcdef");
  EXPECT_FALSE(small.cut());
  CappedCapture wrap(2, 4);
  for (char ch : std::string("abcdefghij")) wrap.Append(std::string(1, ch));
  EXPECT_EQ(wrap.Text(), "ab\n[schedcast: 4 bytes omitted]\ngh" "ij");
}

TEST(Classify, EndStateAnalysis) {
  const std::string deadlock =
      "schedcast-end-state: deadline\n\ngoroutine 1 [chan receive]:\nmain.main()\n\n"
      "goroutine 7 [sync.Mutex.Lock, 2 minutes]:\nx()\n\ngoroutine 8 [select (no cases)]:\ny()\n";
  EXPECT_EQ(EndStateReason(deadlock), "deadline");
  EXPECT_TRUE(AllGoroutinesBlocked(deadlock));
  EXPECT_FALSE(AllGoroutinesBlocked("goroutine 1 [chan receive]:\n\ngoroutine 9 [syscall]:\n"));
  EXPECT_FALSE(AllGoroutinesBlocked("goroutine 1 [sleep]:\n"));
  EXPECT_FALSE(AllGoroutinesBlocked("schedcast-end-state: deadline\n\n"));
  EXPECT_EQ(EndStateReason("no header"), "");
}

ProcessResult Exited(int code, const std::string& out = "", const std::string& err = "") {
  ProcessResult r;
  r.exit_code = code;
  r.out.Append(out);
  r.err.Append(err);
  return r;
}

TEST(Classify, Rules) {
  const std::string deadline_hang = "schedcast-end-state: deadline\n\ngoroutine 5 [syscall]:\n";
  const std::string deadline_dead = "schedcast-end-state: deadline\n\ngoroutine 5 [chan send]:\n";
  EXPECT_EQ(Classify(Exited(kDeadlineExitCode), deadline_hang, "TestX").outcome, Outcome::kDeadline);
  EXPECT_EQ(Classify(Exited(kDeadlineExitCode), deadline_dead, "TestX").outcome, Outcome::kDeadlock);
  ProcessResult killed;
  killed.signal = 9;
  killed.timed_out = true;
  Classification k = Classify(killed, std::nullopt, "TestX");
  EXPECT_EQ(k.outcome, Outcome::kDeadline);
  EXPECT_NE(k.note.find("hard-killed"), std::string::npos);
  EXPECT_EQ(Classify(Exited(2, "", "fatal error: all goroutines are asleep - deadlock!\n"), std::nullopt, "").outcome,
            Outcome::kDeadlock);
  EXPECT_EQ(Classify(Exited(2, "", "goroutine 1\npanic: boom\n"), std::nullopt, "TestX").outcome, Outcome::kPanic);
  EXPECT_EQ(Classify(Exited(2, "", "panic: boom [recovered]\n"), std::nullopt, "TestX").outcome, Outcome::kPanic);
  EXPECT_EQ(Classify(Exited(2, "", "fatal error: concurrent map writes\n"), std::nullopt, "TestX").outcome,
            Outcome::kCrash);
  EXPECT_EQ(Classify(Exited(66, "WARNING: DATA RACE\n"), std::nullopt, "TestX").outcome, Outcome::kRace);
  ProcessResult segv;
  segv.signal = 11;
  EXPECT_EQ(Classify(segv, std::nullopt, "TestX").outcome, Outcome::kCrash);
  EXPECT_EQ(Classify(Exited(1, "--- FAIL: TestX (0.00s)\n"), std::nullopt, "TestX").outcome, Outcome::kFail);
  EXPECT_EQ(Classify(Exited(0, "--- PASS: TestX (0.00s)\n"), std::nullopt, "TestX").outcome, Outcome::kOk);
  EXPECT_EQ(Classify(Exited(0, "--- SKIP: TestX (0.00s)\n"), std::nullopt, "TestX").outcome, Outcome::kSkip);
  EXPECT_EQ(Classify(Exited(0, "testing: warning: no tests to run\nPASS\n"), std::nullopt, "TestX").outcome,
            Outcome::kFail);
  Classification early = Classify(Exited(0, "=== RUN   TestX\n"), std::nullopt, "TestX");  // os.Exit(0) in the test
  EXPECT_EQ(early.outcome, Outcome::kFail);
  EXPECT_NE(early.note.find("os.Exit(0)"), std::string::npos) << early.note;
  EXPECT_EQ(Classify(Exited(0), std::nullopt, "").outcome, Outcome::kOk);
  EXPECT_EQ(Classify(Exited(3), std::nullopt, "").outcome, Outcome::kFail);
}

TEST(Plan, ShardsPartitionProgramsStably) {
  std::vector<std::string> keys;
  for (int i = 0; i < 500; ++i) keys.push_back(ProgramKey("example.com/p" + std::to_string(i % 17), "Test" + std::to_string(i)));
  for (int n : {1, 2, 3, 7}) {
    std::vector<int> count(n, 0);
    for (const auto& k : keys) {
      int in = 0;
      for (int i = 0; i < n; ++i) {
        if (InShard(k, {i, n})) {
          ++in;
          ++count[i];
        }
      }
      EXPECT_EQ(in, 1) << k;
    }
    for (int c : count) EXPECT_GT(c, 500 / n / 2);  // roughly balanced
  }
  // Fixed values: the partition must not change between builds or machines.
  EXPECT_EQ(Fnv("a"), 0xaf63dc4c8601ec8cULL);
}

TEST(Plan, SeedsAreReproducibleAndDistinct) {
  store::ConfigRecord c{"1.23", 2, false};
  uint64_t a = RunSeed(1, "p.TestA", c, 0);
  EXPECT_EQ(a, RunSeed(1, "p.TestA", c, 0));
  std::set<uint64_t> seen{a, RunSeed(2, "p.TestA", c, 0), RunSeed(1, "p.TestB", c, 0), RunSeed(1, "p.TestA", c, 1),
                          RunSeed(1, "p.TestA", {"1.23", 4, false}, 0), RunSeed(1, "p.TestA", {"1.23", 2, true}, 0)};
  EXPECT_EQ(seen.size(), 6u);
}

TEST(Plan, FlagParsing) {
  EXPECT_EQ(ParseShard("1/4")->index, 1);
  EXPECT_EQ(ParseShard("1/4")->count, 4);
  for (const char* bad : {"4/4", "-1/2", "1", "a/b", "0/0", "1/2/3"}) {
    auto s = ParseShard(bad);
    EXPECT_FALSE(s.ok()) << bad;
    EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
  }
  EXPECT_EQ(*ParseIntList("1,2,4,2", "--gomaxprocs"), (std::vector<int>{1, 2, 4}));
  EXPECT_FALSE(ParseIntList("1,,2", "--gomaxprocs").ok());
  EXPECT_FALSE(ParseIntList("0", "--gomaxprocs").ok());
  EXPECT_EQ(*ParseGoVersions("1.19,go1.23"), (std::vector<std::string>{"1.19", "1.23"}));
  EXPECT_FALSE(ParseGoVersions("latest").ok());
  EXPECT_TRUE(ParseGoVersions("newest")->empty());  // the collector then takes the newest installed
}

// Toolchains the go command fetched (GOTOOLCHAIN=go1.NN.P) live in the module cache; the newest
// patch of a minor version wins. The fake `go` answers `go env GOVERSION` like a real one.
TEST(Toolchain, FindsFetchedToolchainsInTheModuleCache) {
  namespace fs = std::filesystem;
  const fs::path cache = fs::temp_directory_path() / Cat("sc-modcache-", getpid());
  for (const char* patch : {"1", "12", "3"}) {
    const fs::path bin = cache / "golang.org" / Cat("toolchain@v0.0.1-go1.29.", patch, ".linux-amd64") / "bin";
    fs::create_directories(bin);
    std::ofstream(bin / "go") << "#!/bin/sh\necho go1.29." << patch << "\n";
    fs::permissions(bin / "go", fs::perms::owner_all);
  }
  const char* old = getenv("GOMODCACHE");
  const std::string saved = old ? old : "";
  setenv("GOMODCACHE", cache.c_str(), 1);
  auto t = FindToolchain("1.29");
  const auto installed = InstalledVersions();
  auto newest = NewestInstalledVersion();
  auto missing = FindToolchain("1.28");
  if (old) setenv("GOMODCACHE", saved.c_str(), 1); else unsetenv("GOMODCACHE");
  fs::remove_all(cache);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->full_version, "go1.29.12");
  EXPECT_NE(t->go_binary.find("go1.29.12.linux-amd64/bin/go"), std::string::npos) << t->go_binary;
  ASSERT_FALSE(installed.empty());
  EXPECT_EQ(installed.back(), "1.29");
  ASSERT_TRUE(newest.ok());
  EXPECT_EQ(*newest, "1.29");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(std::string(missing.status().message()).find("golang.org/toolchain@v0.0.1-go1.28"), std::string::npos)
      << missing.status();
}

// Debian's toolchains and the go on PATH (Go 1.26 on the project's machines) are found too.
TEST(Toolchain, FindsDebianAndPathToolchains) {
  auto t = FindToolchain("1.23");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->go_binary, "/usr/lib/go-1.23/bin/go");
  const auto installed = InstalledVersions();
  EXPECT_NE(std::find(installed.begin(), installed.end(), "1.26"), installed.end()) << "no go 1.26 on PATH or in /usr/local/go";
  auto t26 = FindToolchain("1.26");
  ASSERT_TRUE(t26.ok()) << t26.status();
  EXPECT_EQ(t26->full_version.rfind("go1.26", 0), 0u);
}

TEST(Shim, SourcesAndMainRenaming) {
  std::string t = TestShimSource("foo_test");
  EXPECT_NE(t.find("package foo_test"), std::string::npos);
  EXPECT_NE(t.find("func TestMain(m *schedcastTestTesting.M)"), std::string::npos);
  EXPECT_NE(t.find("schedcastTestTrace.Start"), std::string::npos);
  EXPECT_NE(t.find("schedcastTestRuntime.Stack(buf, true)"), std::string::npos);
  EXPECT_EQ(t.find("\tPMu"), std::string::npos);  // every placeholder expanded
  std::string m = MainShimSource();
  EXPECT_NE(m.find("package main"), std::string::npos);
  EXPECT_NE(m.find("schedcastMainUser()"), std::string::npos);
  auto renamed = RenameMain("package main\n\nfunc helper() {}\n\nfunc main() {\n}\n", "m.go");
  ASSERT_TRUE(renamed.ok());
  EXPECT_NE(renamed->find("func schedcastMainUser() {"), std::string::npos);
  EXPECT_FALSE(RenameMain("package main\n// func main()\n", "m.go").ok());
  // os.Exit in the rewritten file goes through the shim, which flushes first.
  auto exits = RenameMain("package main\n\nimport (\n\t\"fmt\"\n\t\"os\"\n)\n\nfunc main() {\n\tfmt.Println()\n\tos.Exit(3)\n}\n", "m.go");
  ASSERT_TRUE(exits.ok());
  EXPECT_NE(exits->find("schedcastMainExit(3)"), std::string::npos) << *exits;
  EXPECT_NE(exits->find("var _ = os.Exit"), std::string::npos) << *exits;
  auto aliased = RenameMain("package main\n\nimport xos \"os\"\n\nfunc main() { xos.Exit(1) }\n", "m.go");
  ASSERT_TRUE(aliased.ok());
  EXPECT_EQ(aliased->find("schedcastMainExit"), std::string::npos) << "aliased imports are left alone";
  auto tm = WrapTestMain("package p_test\n\nimport (\n\t\"os\"\n\t\"testing\"\n)\n\nfunc TestMain(m *testing.M) {\n\tos.Exit(m.Run())\n}\n", "p_test.go");
  ASSERT_TRUE(tm.ok());
  EXPECT_NE(tm->find("func schedcastTestUserTestMain(m *testing.M)"), std::string::npos) << *tm;
  EXPECT_NE(tm->find("schedcastTestExit(m.Run())"), std::string::npos) << *tm;
  EXPECT_NE(TestShimSource("p_test", true).find("schedcastTestUserTestMain(m)"), std::string::npos);
  EXPECT_FALSE(WrapTestMain("package p\n", "p_test.go").ok());
}

TEST(Discover, FindsFixturePackagesAndPrograms) {
  std::string root = std::string(SCHEDCAST_SOURCE_DIR) + "/tests/collect/fixtures";
  auto pkgs = Discover({root});
  ASSERT_TRUE(pkgs.ok()) << pkgs.status();
  std::map<std::string, Package> by_path;
  for (auto& p : *pkgs) by_path[p.import_path] = p;
  ASSERT_TRUE(by_path.count("schedcast.test/ok"));
  EXPECT_EQ(by_path["schedcast.test/ok"].tests, (std::vector<std::string>{"TestFails", "TestLeak", "TestPass"}));
  EXPECT_EQ(by_path["schedcast.test/ok"].module_root, root + "/ok");
  EXPECT_EQ(by_path["schedcast.test/ok"].rel, ".");
  EXPECT_TRUE(by_path["schedcast.test/mainprog"].has_main);
  EXPECT_TRUE(by_path["schedcast.test/mainprog"].tests.empty());
  std::string odd = "_" + root + "/dir with space $(x);'q'";
  ASSERT_TRUE(by_path.count(odd)) << "missing " << odd;
  EXPECT_TRUE(by_path[odd].module_root.empty());
  EXPECT_EQ(by_path[odd].tests, (std::vector<std::string>{"TestInOddDirectory"}));
  EXPECT_EQ(by_path["schedcast.test/broken"].tests, (std::vector<std::string>{"TestNeverBuilds"}));
  EXPECT_EQ(by_path["schedcast.test/ok"].source_hash.size(), 16u);
  EXPECT_FALSE(Discover({root + "/does-not-exist"}).ok());
}

// A package under <G>/src with --gopath G: import path from the directory, the upstream project
// (nearest go.mod under <G>/src) copied whole into a GOPATH that shadows G, GO111MODULE=off.
TEST(Discover, GopathPackagesBuildInGopathMode) {
  std::string g = (std::filesystem::temp_directory_path() / "schedcast-gopath-XXXXXX").string();
  ASSERT_NE(mkdtemp(g.data()), nullptr);
  const std::string proj = g + "/src/host.test/proj";
  std::filesystem::create_directories(proj + "/sub/internal/x");
  ASSERT_TRUE(WriteStringToFile(proj + "/go.mod", "module host.test/proj/v2\n\ngo 1.19\n\nrequire other.test/dep v1.2.3\n").ok());
  ASSERT_TRUE(WriteStringToFile(proj + "/sub/a_test.go", "package sub\n\nimport \"testing\"\n\nfunc TestA(t *testing.T) {}\n").ok());
  ASSERT_TRUE(WriteStringToFile(proj + "/sub/internal/x/x.go", "package x\n").ok());
  const std::string canon_g = std::filesystem::canonical(g).string();
  auto pkgs = Discover({proj + "/sub"}, {g});
  auto plain = Discover({proj + "/sub"});
  ASSERT_TRUE(pkgs.ok()) << pkgs.status();
  ASSERT_TRUE(plain.ok()) << plain.status();
  ASSERT_EQ(pkgs->size(), 2u);
  const Package& p = (*pkgs)[0];
  EXPECT_EQ(p.import_path, "host.test/proj/sub");  // the directory, not go.mod's /v2 path
  EXPECT_EQ(p.gopath, g);
  EXPECT_EQ(p.module_root, canon_g + "/src/host.test/proj");
  EXPECT_EQ(p.module_path, "host.test/proj");
  EXPECT_EQ(p.rel, "sub");
  EXPECT_EQ((*pkgs)[1].import_path, "host.test/proj/sub/internal/x");
  // Without --gopath the same directory is a module package.
  EXPECT_EQ((*plain)[0].import_path, "host.test/proj/v2/sub");
  EXPECT_TRUE((*plain)[0].gopath.empty());
  EXPECT_NE((*plain)[0].source_hash, p.source_hash);

  auto ws = Workspace::Create();
  ASSERT_TRUE(ws.ok()) << ws.status();
  auto pp = (*ws)->PreparePackage(p, "1.23");
  ASSERT_TRUE(pp.ok()) << pp.status();
  const std::string gp = (*ws)->root() + "/gopath/0";
  EXPECT_EQ(pp->dir, gp + "/src/host.test/proj/sub");
  EXPECT_TRUE(std::filesystem::exists(pp->dir + "/a_test.go"));
  EXPECT_TRUE(std::filesystem::exists(gp + "/src/host.test/proj/sub/internal/x/x.go"));
  EXPECT_EQ(pp->build_env, (std::vector<std::string>{"GO111MODULE=off", "GOFLAGS=", "GOPATH=" + gp + ":" + g}));
  // The original tree is only read.
  EXPECT_FALSE(std::filesystem::exists(proj + "/sub/" + std::string(kTestShimFile)));
  std::filesystem::remove_all(g);
}

TEST(Discover, ParsesGoModAndTestNamingRule) {
  EXPECT_EQ(ParseModulePath("// c\nmodule example.com/x // trailing\n\ngo 1.21\n"), "example.com/x");
  EXPECT_EQ(ParseModulePath("module \"example.com/q\"\n"), "example.com/q");
  EXPECT_EQ(ParseModulePath("go 1.21\n"), "");
  std::string dir = (std::filesystem::temp_directory_path() / "schedcast-discover-XXXXXX").string();
  ASSERT_NE(mkdtemp(dir.data()), nullptr);
  ASSERT_TRUE(WriteStringToFile(dir + "/go.mod", "module example.com/naming\n\ngo 1.21\n").ok());
  ASSERT_TRUE(WriteStringToFile(dir + "/a_test.go", R"go(package naming

import "testing"

func Test(t *testing.T) {}
func TestUpper(t *testing.T) {}
func Test_under(t *testing.T) {}
func Testlower(t *testing.T) {} // not a test: lowercase after "Test"
func TestBench(b *testing.B) {}  // not a test: *testing.B
/*
func TestInComment(t *testing.T) {}
*/
// func TestLineComment(t *testing.T) {}
func TestMain(m *testing.M) {}
)go").ok());
  ASSERT_TRUE(WriteStringToFile(dir + "/ignored_test.go", "//go:build ignore\n\npackage naming\n\nimport \"testing\"\n\nfunc TestIgnored(t *testing.T) {}\n").ok());
  auto pkgs = Discover({dir});
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(pkgs.ok()) << pkgs.status();
  ASSERT_EQ(pkgs->size(), 1u);
  EXPECT_EQ((*pkgs)[0].tests, (std::vector<std::string>{"Test", "TestUpper", "Test_under"}));
  EXPECT_TRUE((*pkgs)[0].has_test_main);
  EXPECT_EQ((*pkgs)[0].import_path, "example.com/naming");
}

}  // namespace
}  // namespace schedcast::collect
