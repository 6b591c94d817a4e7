// tests/cli/harden_exit_test.cc — issue 21 items 6, 7, 8, 9: one exit-code rule for every command
// (0 ok, 1 finding, 2 usage, 3 bad input/failure) documented in --help; flags that were accepted
// silently; model files that give NaN; one manifest validation for `leaks` and `dataset build`.
#include <filesystem>

#include <gtest/gtest.h>

#include "common/status.h"
#include "harden_util.h"
#include "nlohmann/json.hpp"

namespace schedcast::harden {
namespace {

struct Case {
  std::string what;
  std::vector<std::string> args;
  int code;
  std::string says;  // stderr contains
};

void Check(const std::vector<Case>& cases) {
  for (const Case& c : cases) {
    auto r = Schedcast(c.args);
    EXPECT_EQ(r.exit_code, c.code) << c.what << "\n" << r.err;
    EXPECT_NE(r.err.find(c.says), std::string::npos) << c.what << ": stderr lacks '" << c.says << "':\n" << r.err;
  }
}

// A dataset built from the shared store, and an ngram and a freq model trained on it.
class Models : public ::testing::Test {
 protected:
  void SetUp() override {
    data_ = dir_.path() + "/data";
    auto b = Schedcast({"dataset", "build", "--store", HardenDb(), "--out", data_, "--min-visits", "1"});
    ASSERT_EQ(b.exit_code, 0) << b.err;
    for (const char* kind : {"ngram", "freq"}) {
      auto t = Schedcast({"train", "--data", data_, "--model", kind, "--out", Model(kind)});
      ASSERT_EQ(t.exit_code, 0) << t.err;
    }
  }
  std::string Model(const std::string& kind) { return dir_.path() + "/" + kind + ".json"; }
  // Writes a copy of model `kind` changed by `edit` and returns its path.
  std::string Edited(const std::string& kind, const std::function<void(nlohmann::json&)>& edit) {
    nlohmann::json j = nlohmann::json::parse(*ReadFileToString(Model(kind)));
    edit(j);
    const std::string p = dir_.path() + "/" + kind + "-edited.json";
    EXPECT_TRUE(WriteStringToFile(p, j.dump()).ok());
    return p;
  }
  TempDir dir_;
  std::string data_;
};

TEST(HardenExit, HelpDocumentsTheRule) {
  auto r = Schedcast({"--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("Exit codes: 0 ok; 1 a finding"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("2 usage error"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("3 bad input"), std::string::npos) << r.out;
}

TEST_F(Models, BadInputExitsThreeUsageExitsTwo) {
  const std::string d = dir_.path();
  ASSERT_TRUE(WriteStringToFile(d + "/truncated.json", "{\"format\": \"schedcast-eval\", \"version\": 1, \"mod").ok());
  const std::string bad_field = Edited("ngram", [](nlohmann::json& j) { j["params"]["order"] = "two"; });
  // A dataset whose train split has a malformed line.
  std::filesystem::create_directories(d + "/baddata");
  for (const char* f : {"validation.jsonl", "test.jsonl", "programs.json", "meta.json"})
    std::filesystem::copy_file(data_ + "/" + f, d + "/baddata/" + f);
  ASSERT_TRUE(WriteStringToFile(d + "/baddata/train.jsonl", "{\"program\": 3, \"candidates\": \"x\"}\n").ok());
  ASSERT_TRUE(WriteStringToFile(d + "/manifest.json", "{\"version\": 1, \"tests\": [{\"package\": \"p\"}]}").ok());
  Check({
      {"truncated eval JSON", {"report", "--eval", d + "/truncated.json", "--out", d + "/rep"}, 3, "truncated.json"},
      {"bad model field", {"model", "info", bad_field}, 3, "ngram"},
      {"bad model field in eval", {"eval", "--data", data_, "--split", "all", "--model", bad_field}, 3, "ngram"},
      {"malformed dataset line", {"dataset", "export", "--data", d + "/baddata", "--split", "train"}, 3, "train.jsonl"},
      {"bad manifest (leaks)", {"leaks", "--store", HardenDb(), "--manifest", d + "/manifest.json"}, 3, "manifest.json"},
      {"bad manifest (dataset)", {"dataset", "build", "--store", HardenDb(), "--out", d + "/x", "--manifest", d + "/manifest.json"},
       3, "manifest.json"},
      {"missing store", {"runs", "--store", d + "/nope.db"}, 3, "nope.db"},
      {"unknown flag", {"runs", "--store", HardenDb(), "--bogus"}, 2, "--bogus"},
      {"missing required flag", {"dataset", "build", "--out", d + "/y"}, 2, "--store"},
      {"bad flag value (library)", {"dataset", "build", "--store", HardenDb(), "--out", d + "/z", "--key", "bogus"}, 2,
       "unknown key 'bogus'"},
      {"no input given", {"trace", "dump"}, 2, "give FILE"},
      {"no input given (export)", {"export", "perfetto"}, 2, "give FILE"},
      {"not a trace", {"trace", "stats", d + "/truncated.json"}, 3, "truncated.json"},
      {"missing dataset", {"train", "--data", d + "/nodata", "--model", "freq", "--out", d + "/m.json"}, 3, "nodata"},
      {"bad --split value", {"model", "eval", Model("freq"), "--data", data_, "--split", "holdout"}, 2, "holdout"},
  });
  auto ok = Schedcast({"runs", "--store", HardenDb()});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
}

TEST(HardenExit, CollectFlagsAreChecked) {
  TempDir dir;
  const std::string db = dir.path() + "/s.db", basic = ProgsDir("basic");
  auto collect = [&](std::vector<std::string> extra, const std::string& path) {
    std::vector<std::string> a = {"collect", path, "--store", db, "--runs", "0", "--go", "1.23", "--gomaxprocs", "2"};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  };
  std::filesystem::create_directories(dir.path() + "/empty/sub");
  Check({
      {"--progress bogus", collect({"--progress", "bogus"}, basic), 2, "--progress"},
      {"-j 0", collect({"-j", "0"}, basic), 2, "-j"},
      {"-j -3", collect({"-j", "-3"}, basic), 2, "-j"},
      {"go.mod", collect({}, basic + "/go.mod"), 2, "go.mod: not a directory or a .go file"},
      {"empty PATH", collect({}, ""), 2, "empty PATH"},
      {"no Go files", collect({}, dir.path() + "/empty"), 3, "empty: no Go packages"},
      {"missing file", collect({}, basic + "/x_test.go"), 3, "x_test.go"},
  });
  EXPECT_FALSE(std::filesystem::exists(db)) << "nothing was collected";
}

TEST(HardenExit, CollectOfOneGoFileTakesOnlyItsPrograms) {
  TempDir dir;
  const std::string pkg = dir.path() + "/twofiles";
  WriteFiles(pkg, {{"go.mod", "module example.com/twofiles\n\ngo 1.19\n"},
                   {"a_test.go", "package twofiles\n\nimport \"testing\"\n\nfunc TestA(t *testing.T) {}\n"},
                   {"b_test.go", "package twofiles\n\nimport \"testing\"\n\nfunc TestB(t *testing.T) {}\n"}});
  const std::string db = dir.path() + "/s.db";
  auto r = Schedcast({"collect", pkg + "/a_test.go", "--store", db, "--runs", "0", "--go", "1.23", "--gomaxprocs", "2"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(collect::e2e::QueryInt(db, "SELECT count(*) FROM programs WHERE name = 'TestA'"), 1);
  EXPECT_EQ(collect::e2e::QueryInt(db, "SELECT count(*) FROM programs"), 1) << "TestB is in b_test.go, not a_test.go";
}

TEST_F(Models, ParametersThatGiveNaNAreRefusedOnLoad) {
  const std::string neg_beta = Edited("ngram", [](nlohmann::json& j) { j["params"]["beta"] = -1.0; });
  const std::string huge = Edited("freq", [](nlohmann::json& j) {
    for (auto& [k, v] : j["params"]["type_counts"].items()) v = 1e308;
  });
  for (const std::string& m : {neg_beta, huge}) {
    const std::string out = dir_.path() + "/eval.json";
    auto r = Schedcast({"eval", "--data", data_, "--split", "all", "--model", m, "--json", out, "--bootstrap", "10"});
    EXPECT_EQ(r.exit_code, 3) << m << "\n" << r.out << r.err;
    EXPECT_FALSE(std::filesystem::exists(out)) << "no eval JSON with NaN in it";
    auto info = Schedcast({"model", "info", m});
    EXPECT_EQ(info.exit_code, 3) << info.out;
  }
  auto good = Schedcast({"model", "info", Model("ngram")});
  EXPECT_EQ(good.exit_code, 0) << good.err;
  const std::string out = dir_.path() + "/good-eval.json";
  auto ev = Schedcast({"eval", "--data", data_, "--split", "all", "--model", Model("ngram"), "--model", Model("freq"),
                       "--json", out, "--bootstrap", "10"});
  EXPECT_EQ(ev.exit_code, 0) << ev.err;
  EXPECT_TRUE(std::filesystem::exists(out));
}

TEST(HardenExit, OneManifestValidationForLeaksAndDataset) {
  TempDir dir;
  const std::string d = dir.path();
  nlohmann::json good = nlohmann::json::parse(*ReadFileToString(std::string(SCHEDCAST_SOURCE_DIR) + "/corpus/MANIFEST.json"));
  auto variant = [&](const std::string& name, const std::function<void(nlohmann::json&)>& edit) {
    nlohmann::json j = good;
    edit(j);
    EXPECT_TRUE(WriteStringToFile(d + "/" + name, j.dump()).ok());
    return d + "/" + name;
  };
  const std::vector<std::pair<std::string, std::string>> bad = {
      {variant("version.json", [](auto& j) { j["version"] = 7; }), "manifest version 7"},
      {variant("noname.json", [](auto& j) { j["tests"][3].erase("name"); }), "tests[3] lacks \"name\""},
      {variant("split.json", [](auto& j) { j["tests"][5]["split"] = "holdout"; }), "unknown split 'holdout'"},
      {variant("sites.json", [](auto& j) { j["tests"][0]["block_sites"] = "a.go:3"; }), "block_sites is not an array"},
      {variant("dup.json", [](auto& j) { j["tests"].push_back(j["tests"][2]); }), "repeats"},
  };
  for (const auto& [path, says] : bad) {
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"leaks", "--store", HardenDb(), "--manifest", path},
          std::vector<std::string>{"dataset", "build", "--store", HardenDb(), "--out", d + "/ds", "--manifest", path}}) {
      auto r = Schedcast(args);
      EXPECT_EQ(r.exit_code, 3) << args[0] << " " << path << "\n" << r.out << r.err;
      EXPECT_NE(r.err.find(says), std::string::npos) << args[0] << " " << path << ": " << r.err;
    }
  }
  auto ok = Schedcast({"leaks", "--store", HardenDb(), "--manifest", variant("same.json", [](auto&) {})});
  EXPECT_NE(ok.exit_code, 3) << ok.err;
}

}  // namespace
}  // namespace schedcast::harden
