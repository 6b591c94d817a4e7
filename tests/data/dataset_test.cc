// Dataset tests on real collected runs (a slice of the corpus under go1.19 and go1.23, made by the
// collect_corpus_store fixture): the legality invariant over every stored trace, leave-one-run-out
// targets, program-level splits, and the JSONL / prompt exports through the CLI.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "data/dataset.h"
#include "data/prompt.h"
#include "sched/canon.h"
#include "sched/timeline.h"
#include "sched/token.h"
#include "store/store.h"
#include "testutil.h"

namespace schedcast::data {
namespace {

std::unique_ptr<store::Store> OpenCorpus() {
  auto st = store::Store::OpenExisting(SCHEDCAST_CORPUS_DB);
  EXPECT_TRUE(st.ok()) << st.status();
  return st.ok() ? std::move(*st) : nullptr;
}

TEST(StoredRuns, EveryEventOfEveryStoredTraceIsLegal) {
  auto st = OpenCorpus();
  ASSERT_TRUE(st);
  auto runs = st->ListRuns();
  ASSERT_TRUE(runs.ok()) << runs.status();
  size_t traces = 0, steps = 0;
  std::set<std::string> versions;
  for (const auto& r : *runs) {
    if (r.trace_bytes == 0) continue;
    auto data = st->LoadTrace(r.id);
    ASSERT_TRUE(data.ok()) << "run " << r.id << ": " << data.status();
    auto t = sched::BuildTimeline(*data);
    if (!t.ok()) {
      // Only runs that crashed mid-write may have a cut trace; the shim flushes every other run's
      // trace completely (deadline and deadlock runs included), so those must always parse.
      EXPECT_TRUE(r.outcome == store::Outcome::kPanic || r.outcome == store::Outcome::kCrash)
          << "run " << r.id << " (" << store::OutcomeName(r.outcome) << "): " << t.status();
      continue;
    }
    sched::TokenizeOptions opt;
    opt.include_runtime = true;
    auto s = sched::Tokenize(*t, sched::Canonicalize(*t), opt);
    ASSERT_TRUE(s.ok()) << "run " << r.id << " (" << r.program.name << "): " << s.status();
    ++traces;
    steps += s->size();
    versions.insert(r.config.go_version);
  }
  EXPECT_GE(traces, 200u);
  EXPECT_EQ(versions, (std::set<std::string>{"1.19", "1.23"}));
  std::cout << "legal: " << steps << " steps in " << traces << " stored traces\n";
}

TEST(StoredRuns, TestGoroutineIsTheRootAndUserGoroutinesAreItsDescendants) {
  auto st = OpenCorpus();
  ASSERT_TRUE(st);
  auto runs = st->ListRuns();
  ASSERT_TRUE(runs.ok());
  int checked = 0;
  for (const auto& r : *runs) {
    if (r.outcome != store::Outcome::kOk || r.trace_bytes == 0 || checked >= 40) continue;
    auto data = st->LoadTrace(r.id);
    ASSERT_TRUE(data.ok());
    auto t = sched::BuildTimeline(*data);
    ASSERT_TRUE(t.ok()) << t.status();
    auto canon = sched::Canonicalize(*t);
    ASSERT_NE(canon.root, 0u) << "run " << r.id;
    EXPECT_EQ(canon.Of(canon.root).path, "T");
    for (const auto& [raw, id] : canon.ids)
      if (id.user && id.path != "T") {
        EXPECT_EQ(id.path.rfind("T.", 0), 0u) << id.path;
        EXPECT_NE(id.create_site.find("_test.go:"), std::string::npos) << "run " << r.id << " " << id.Full();
      }
    ++checked;
  }
  EXPECT_GE(checked, 40);
}

// The dataset the build_corpus_dataset fixture made from the corpus store with the CLI.
class Built : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = SCHEDCAST_CORPUS_DATASET;
    auto meta = ReadFileToString((dir_ / "meta.json").string());
    ASSERT_TRUE(meta.ok()) << meta.status();
    meta_ = nlohmann::json::parse(*meta);
    auto ex = LoadExamples(dir_.string(), "all");
    ASSERT_TRUE(ex.ok()) << ex.status();
    examples_ = std::move(*ex);
  }
  static inline std::filesystem::path dir_;
  static inline nlohmann::json meta_;
  static inline std::vector<Example> examples_;
};

TEST_F(Built, ExamplesAreWellFormed) {
  ASSERT_GT(examples_.size(), 1000u);
  EXPECT_EQ(meta_.at("runs_skipped").get<int>(), 0) << meta_.at("errors").dump();
  EXPECT_EQ(meta_.at("key"), "prefix");
  for (const Example& e : examples_) {
    ASSERT_GE(e.label_index(), 0) << e.program << " run " << e.run_id << " @" << e.position;
    ASSERT_TRUE(std::is_sorted(e.candidates.begin(), e.candidates.end()));
    ASSERT_GE(e.target_total(), 2u);  // --min-visits default
    double sum = 0;
    for (double p : e.target()) sum += p;
    ASSERT_NEAR(sum, 1.0, 1e-9);
    ASSERT_EQ(e.context.size(), std::min<uint64_t>(e.context_total, 32));
  }
}

TEST_F(Built, TargetsLeaveTheExamplesOwnRunOut) {
  // At position 0 every run of a program/config shares the empty prefix: the target counts the
  // other runs only, so its total is (runs of that program/config) - 1.
  std::map<std::pair<std::string, std::string>, std::set<int64_t>> runs;
  for (const Example& e : examples_) runs[{e.program, e.config}].insert(e.run_id);
  size_t checked = 0;
  for (const Example& e : examples_) {
    if (e.position != 0) continue;
    const size_t n = runs[{e.program, e.config}].size();
    EXPECT_EQ(e.target_total() + 1, n) << e.program << " " << e.config;
    ++checked;
  }
  EXPECT_GT(checked, 50u);
}

TEST_F(Built, SplitsAreByProgramAndFollowTheManifest) {
  std::map<std::string, std::set<std::string>> splits;
  for (const Example& e : examples_) splits[e.program].insert(e.split);
  std::set<std::string> seen;
  for (const auto& [p, s] : splits) {
    EXPECT_EQ(s.size(), 1u) << p << " appears in several splits";
    seen.insert(*s.begin());
  }
  EXPECT_TRUE(seen.count("train"));
  EXPECT_TRUE(seen.count("test"));
}

TEST_F(Built, SomeTargetsAreGenuinelyUncertain) {
  size_t multi = 0;
  for (const Example& e : examples_) {
    size_t support = 0;
    for (uint64_t c : e.target_counts) support += c > 0;
    multi += support > 1;
  }
  EXPECT_GT(multi, examples_.size() / 50) << "expected real nondeterminism in the corpus slice";
}

TEST_F(Built, CliExportsJsonlAndPrompts) {
  const std::string out = (std::filesystem::temp_directory_path() / ("schedcast-export-" + std::to_string(getpid()))).string();
  auto r = testutil::RunCommand({SCHEDCAST_BIN, "dataset", "export", "--data", dir_.string(), "--format", "jsonl",
                                 "--split", "test", "--out", out});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::ifstream in(out);
  std::string line;
  size_t n = 0;
  while (std::getline(in, line)) {
    auto j = nlohmann::json::parse(line);
    ASSERT_EQ(j.at("split"), "test");
    ASSERT_TRUE(FromJson(j).ok());
    ++n;
  }
  EXPECT_GT(n, 0u);
  r = testutil::RunCommand({SCHEDCAST_BIN, "dataset", "export", "--data", dir_.string(), "--format", "prompt",
                            "--split", "test"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto first = nlohmann::json::parse(r.out.substr(0, r.out.find('\n')));
  const std::string prompt = first.at("prompt");
  EXPECT_NE(prompt.find("func Test"), std::string::npos) << "the Go source of the test is in the prompt";
  EXPECT_NE(prompt.find("\nA. "), std::string::npos);
  EXPECT_TRUE(first.at("letters").size() >= 1);
  double total = 0;
  for (auto& [k, v] : first.at("target").items()) total += v.get<double>();
  EXPECT_NEAR(total, 1.0, 1e-9);
  std::filesystem::remove(out);
  r = testutil::RunCommand({SCHEDCAST_BIN, "dataset", "export", "--data", "/nonexistent", "--format", "jsonl"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("/nonexistent"), std::string::npos) << r.err;
}

TEST(Prompt, LettersAndReadableTokens) {
  EXPECT_EQ(Letter(0), "A");
  EXPECT_EQ(Letter(25), "Z");
  EXPECT_EQ(Letter(26), "AA");
  EXPECT_EQ(Letter(27), "AB");
  EXPECT_EQ(ReadableToken("GoBlock(recv) T.1"), "goroutine T.1 blocks receiving from a channel");
  EXPECT_EQ(ReadableToken("GoCreate T>T.2"), "goroutine T starts new goroutine T.2");
  EXPECT_EQ(ReadableToken("GoUnblock T.0 @x_test.go:3"), "goroutine T.0 is woken up at x_test.go:3");
}

}  // namespace
}  // namespace schedcast::data

namespace schedcast::data {
namespace {

// The main job end to end on one corpus package: collect → dataset → train → eval → report, then a
// second run that tops up nothing (and trains nothing: --models "").
TEST(MainJob, RunCollectsBuildsTheDatasetAndWritesASummary) {
  const auto out = std::filesystem::temp_directory_path() / ("schedcast-run-" + std::to_string(getpid()));
  auto r = testutil::RunCommand({SCHEDCAST_BIN, "run", std::string(SCHEDCAST_SOURCE_DIR) + "/corpus/chans", "--out",
                                 out.string(), "--runs", "4", "--gomaxprocs", "1,2", "--timeout", "2s"},
                                {"GOTOOLCHAIN=local"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("ceiling"), std::string::npos) << r.out;
  auto text = ReadFileToString((out / "summary.json").string());
  ASSERT_TRUE(text.ok()) << text.status();
  auto j = nlohmann::json::parse(*text);
  EXPECT_EQ(j.at("dataset_runs").get<int>(), 14 * 2 * 4);  // 14 tests in corpus/chans
  EXPECT_GT(j.at("splits").at("train").at("examples").get<int>(), 0);
  const double ceiling = j.at("splits").at("train").at("oracle_accuracy");
  const double uniform = j.at("splits").at("train").at("uniform_accuracy");
  EXPECT_GT(ceiling, uniform);
  // Every requested model was trained (neural only where libtorch is built in), evaluated and reported.
  std::set<std::string> trained;
  for (const auto& m : j.at("models")) trained.insert(m.at("kind").get<std::string>() + "-" + m.at("objective").get<std::string>());
  for (const char* want : {"freq-kl", "ngram-kl", "structured-kl", "structured-ce"}) EXPECT_TRUE(trained.count(want)) << want;
  auto ev = ReadFileToString((out / "eval.json").string());
  ASSERT_TRUE(ev.ok()) << ev.status();
  std::set<std::string> rows;
  const auto eval_json = nlohmann::json::parse(*ev);
  for (const auto& m : eval_json.at("models")) rows.insert(m.at("name").get<std::string>());
  for (const auto& t : trained) EXPECT_TRUE(rows.count(t)) << t;
  EXPECT_TRUE(rows.count("oracle") && rows.count("uniform"));
  // The main job leads with macro metrics and reports the uncertain slice, every-step likelihood and
  // the rollout floor (the oracle's rollout row).
  for (const char* section : {"per program (macro", "pooled (every example", "uncertain slice",
                              "every step of every held-out run", "floor"})
    EXPECT_NE(r.out.find(section), std::string::npos) << section << "\n" << r.out;
  EXPECT_LT(r.out.find("per program (macro"), r.out.find("pooled (every example"));
  for (const auto& m : eval_json.at("models")) {
    EXPECT_TRUE(m.contains("macro") && m.contains("uncertain")) << m.at("name");
    if (m.at("source") == "model") EXPECT_TRUE(m.contains("every_step")) << m.at("name");
    if (m.at("source") == "oracle") EXPECT_FALSE(m.at("rollouts").empty());
  }
  EXPECT_TRUE(std::filesystem::file_size(out / "report" / "index.html") > 1000);
  EXPECT_NE(r.out.find("report: "), std::string::npos) << r.out;
  // Running again tops up nothing and gives the same dataset size.
  r = testutil::RunCommand({SCHEDCAST_BIN, "run", std::string(SCHEDCAST_SOURCE_DIR) + "/corpus/chans", "--out",
                            out.string(), "--runs", "4", "--gomaxprocs", "1,2", "--timeout", "2s", "--models", ""},
                           {"GOTOOLCHAIN=local"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j2 = nlohmann::json::parse(*ReadFileToString((out / "summary.json").string()));
  EXPECT_EQ(j2.at("runs_stored_now").get<int>(), 0);
  EXPECT_EQ(j2.at("dataset_runs"), j.at("dataset_runs"));
  std::filesystem::remove_all(out);
}

}  // namespace
}  // namespace schedcast::data
