// `schedcast llm predict` end to end on the dataset the build_corpus_dataset fixture made from real
// runs, against tests/llm/fake_openai.py: one line per example of the split (first --limit), probs
// over exactly the example's candidate letters summing to 1 and equal to what the fake server's
// logprobs give after the floor; the second run answers from the cache with zero requests; chat
// mode; retries on 429 through the CLI; `schedcast eval --predictions` scores the file; an
// unreachable server fails with a clear message, exit code 3 and no output file.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "common/status.h"
#include "data/dataset.h"
#include "data/prompt.h"
#include "llm/fake_server.h"
#include "llm/openai.h"
#include "testutil.h"

namespace schedcast::llm {
namespace {

using testutil::RunCommand;

constexpr size_t kLimit = 30;

class LlmPredictE2E : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new testutil::FakeOpenAi;
    ASSERT_TRUE(server_->Start());
    dir_ = std::filesystem::temp_directory_path() / ("schedcast-llm-e2e-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir_);
    auto ex = data::LoadExamples(SCHEDCAST_CORPUS_DATASET, "test");
    ASSERT_TRUE(ex.ok()) << ex.status();
    examples_ = std::move(*ex);
    ASSERT_GT(examples_.size(), kLimit);
    // The prompts `dataset export --format prompt` renders for the first kLimit test examples.
    const auto exported = RunCommand({SCHEDCAST_BIN, "dataset", "export", "--data", SCHEDCAST_CORPUS_DATASET,
                                      "--split", "test", "--format", "prompt"});
    ASSERT_EQ(exported.exit_code, 0) << exported.err;
    std::istringstream lines(exported.out);
    std::string line;
    for (size_t i = 0; i < kLimit && std::getline(lines, line); ++i)
      prompts_.insert(nlohmann::json::parse(line)["prompt"].get<std::string>());
    distinct_ = prompts_.size();
    ASSERT_GT(distinct_, 1u);
  }
  static void TearDownTestSuite() {
    delete server_;
    std::filesystem::remove_all(dir_);
  }

  static testutil::CommandResult Predict(const std::string& endpoint, const std::string& out, const std::string& cache,
                                         std::vector<std::string> extra = {}) {
    std::vector<std::string> argv = {SCHEDCAST_BIN, "llm",     "predict", "--data",    SCHEDCAST_CORPUS_DATASET,
                                     "--split",     "test",    "--limit", std::to_string(kLimit), "--out", out,
                                     "--endpoint",  endpoint,  "--model", "fake-model", "--backoff", "0.01",
                                     "--concurrency", "4"};
    if (cache.empty()) argv.push_back("--no-cache");
    else argv.insert(argv.end(), {"--cache", cache});
    argv.insert(argv.end(), extra.begin(), extra.end());
    return RunCommand(argv);
  }

  // Checks every line of `path` against the first kLimit examples.
  static void CheckFile(const std::string& path) {
    std::ifstream in(path);
    ASSERT_TRUE(in) << path;
    std::string line;
    size_t n = 0;
    while (std::getline(in, line)) {
      ASSERT_LT(n, kLimit);
      const auto j = nlohmann::json::parse(line);
      const auto& ex = examples_[n];
      EXPECT_EQ(j["program"], ex.program);
      EXPECT_EQ(j["config"], ex.config);
      EXPECT_EQ(j["run_id"], ex.run_id);
      EXPECT_EQ(j["position"], ex.position);
      const auto& probs = j["probs"];
      ASSERT_EQ(probs.size(), ex.candidates.size()) << line;
      // The fake server names A (0.5), B (0.2), C (0.1) and Z (0.05: an option only for an example
      // with 26 candidates or more, which a collection may or may not put among the first kLimit);
      // the rest get the floor.
      std::vector<double> want(ex.candidates.size(), kLetterFloor);
      const double named[3] = {0.5, 0.2, 0.1};
      double ws = 0;
      for (size_t i = 0; i < want.size(); ++i) ws += (want[i] = i < 3 ? named[i] : i == 25 ? 0.05 : kLetterFloor);
      double sum = 0;
      for (size_t i = 0; i < ex.candidates.size(); ++i) {
        const std::string l = data::Letter(i);
        ASSERT_TRUE(probs.contains(l)) << line;
        const double p = probs[l].get<double>();
        EXPECT_NEAR(p, want[i] / ws, 1e-9) << line;
        sum += p;
      }
      EXPECT_NEAR(sum, 1.0, 1e-9);
      ++n;
    }
    EXPECT_EQ(n, kLimit);
  }

  static inline testutil::FakeOpenAi* server_ = nullptr;
  static inline std::filesystem::path dir_;
  static inline std::vector<data::Example> examples_;
  static inline std::set<std::string> prompts_;  // distinct prompts of the first kLimit examples
  static inline size_t distinct_ = 0;
};

TEST_F(LlmPredictE2E, PredictsCachesAndScores) {
  const std::string out = (dir_ / "llm.jsonl").string(), cache = (dir_ / "cache").string();
  auto r = Predict(server_->Base("normal", "e2e"), out, cache);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // Identical prompts (one prefix seen in several runs) are asked once.
  EXPECT_NE(r.out.find(Cat("wrote ", kLimit, " predictions")), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(Cat("requests=", distinct_, " cache_hits=0 retries=0")), std::string::npos) << r.out;
  EXPECT_NE(r.err.find(Cat("llm: ", distinct_, "/", distinct_)), std::string::npos) << r.err;  // progress on stderr
  EXPECT_EQ(server_->Requests("normal", "e2e"), static_cast<int>(distinct_));
  CheckFile(out);
  // What was sent is what `dataset export --format prompt` renders.
  EXPECT_TRUE(prompts_.count(server_->LastRequest("normal", "e2e")["prompt"].get<std::string>()));

  // Second run: everything from the cache, no request reaches the server, same file.
  const std::string out2 = (dir_ / "llm2.jsonl").string();
  r = Predict(server_->Base("normal", "e2e"), out2, cache);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find(Cat("requests=0 cache_hits=", distinct_)), std::string::npos) << r.out;
  EXPECT_EQ(server_->Requests("normal", "e2e"), static_cast<int>(distinct_));
  EXPECT_EQ(ReadFileToString(out).value(), ReadFileToString(out2).value());

  // eval scores it (examples past --limit count as uniform; coverage says so).
  const std::string json = (dir_ / "eval.json").string();
  r = RunCommand({SCHEDCAST_BIN, "eval", "--data", SCHEDCAST_CORPUS_DATASET, "--predictions", out, "--name", "llm",
                  "--bootstrap", "0", "--json", json});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto e = nlohmann::json::parse(ReadFileToString(json).value());
  bool found = false;
  for (const auto& m : e["models"]) {
    if (m["name"] != "llm") continue;
    found = true;
    EXPECT_EQ(m["coverage"]["covered"], kLimit);
    EXPECT_EQ(m["coverage"]["examples"], examples_.size());
  }
  EXPECT_TRUE(found) << e["models"].dump();
}

TEST_F(LlmPredictE2E, ChatEndpointAndRetriesThroughTheCli) {
  const std::string out = (dir_ / "chat.jsonl").string();
  auto r = Predict(server_->Base("flaky", "chat"), out, "", {"--chat", "--retries", "2"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find(Cat("requests=", 2 * distinct_, " cache_hits=0 retries=", distinct_)), std::string::npos) << r.out;
  EXPECT_TRUE(server_->LastRequest("flaky", "chat").contains("messages"));
  CheckFile(out);
}

// libcurl is loaded on the first HTTP request (net/http.cc), not linked: a command that makes none
// does not map it (it pulled ~25 libraries, ~4.6 MB of RSS, into every process).
TEST_F(LlmPredictE2E, LibcurlIsLoadedOnlyByCommandsThatMakeRequests) {
  const std::string trace = std::string(SCHEDCAST_TRACE_DIR) + "/select-go1.23-p1.trace";
  auto r = RunCommand({SCHEDCAST_BIN, "trace", "stats", trace}, {"LD_DEBUG=files"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.err.find("libsqlite3"), std::string::npos) << "LD_DEBUG listed no libraries:\n" << r.err;
  EXPECT_EQ(r.err.find("libcurl"), std::string::npos) << "trace stats loaded libcurl";
  const std::string out = (dir_ / "ld_debug.jsonl").string();
  r = RunCommand({SCHEDCAST_BIN, "llm", "predict", "--data", SCHEDCAST_CORPUS_DATASET, "--split", "test", "--limit", "2",
                  "--out", out, "--endpoint", server_->Base("normal", "ld"), "--model", "fake-model", "--no-cache"},
                 {"LD_DEBUG=files"});
  ASSERT_EQ(r.exit_code, 0) << r.err.substr(r.err.size() > 4000 ? r.err.size() - 4000 : 0);
  EXPECT_NE(r.err.find("libcurl.so.4"), std::string::npos);
  EXPECT_GE(server_->Requests("normal", "ld"), 1);
}

TEST_F(LlmPredictE2E, ClearErrors) {
  const std::string out = (dir_ / "none.jsonl").string();
  auto r = Predict("http://127.0.0.1:" + std::to_string(testutil::ClosedPort()), out, "", {"--retries", "1"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("cannot reach the LLM server"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(out));
  // A failed run keeps an earlier file as it was.
  ASSERT_TRUE(WriteStringToFile(out, "earlier\n").ok());
  r = Predict(server_->Base("malformed", "cli"), out, "");
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("not valid JSON"), std::string::npos) << r.err;
  EXPECT_EQ(ReadFileToString(out).value(), "earlier\n");
  EXPECT_FALSE(std::filesystem::exists(out + ".tmp"));
  r = RunCommand({SCHEDCAST_BIN, "llm", "predict", "--data", SCHEDCAST_CORPUS_DATASET, "--out", out, "--no-cache"},
                 {"SCHEDCAST_LLM_MODEL="});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--model"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace schedcast::llm
