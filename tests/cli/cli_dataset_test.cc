// `schedcast dataset export` end to end on the dataset the build_corpus_dataset fixture made from
// the corpus store with the CLI: JSONL and prompt formats, and the error for a missing dataset.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "data/example.h"
#include "nlohmann/json.hpp"
#include "testutil.h"

namespace schedcast::data {
namespace {

TEST(CliDataset, ExportsJsonlAndPrompts) {
  const std::filesystem::path dir_ = SCHEDCAST_CORPUS_DATASET;
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

}  // namespace
}  // namespace schedcast::data
