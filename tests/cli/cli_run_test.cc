// `schedcast run` (the main job, job/run_job.h) end to end on one corpus package: collect →
// dataset → train → eval → report, then a second run that tops up nothing.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <set>

#include "common/status.h"
#include "nlohmann/json.hpp"
#include "testutil.h"

namespace schedcast::cli {
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
}  // namespace schedcast::cli
