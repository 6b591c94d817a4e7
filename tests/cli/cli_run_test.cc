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
  // calibrated is a default model, but one package is one family: skipped with the reason, not an error.
  EXPECT_FALSE(trained.count("calibrated-kl"));
  EXPECT_NE(r.err.find("skipping calibrated: calibrated: the training data has 1 package family"), std::string::npos)
      << r.err;
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
  // The default real-world manifest is relative to the repository root: from elsewhere the family
  // is skipped with a line saying why, not a failure.
  EXPECT_NE(r.out.find("real-world family: not scored: realworld/MANIFEST.json not found"), std::string::npos) << r.out;
  EXPECT_EQ(j.at("realworld").at("status"), "skipped");
  // Running again tops up nothing and gives the same dataset size.
  r = testutil::RunCommand({SCHEDCAST_BIN, "run", std::string(SCHEDCAST_SOURCE_DIR) + "/corpus/chans", "--out",
                            out.string(), "--runs", "4", "--gomaxprocs", "1,2", "--timeout", "2s", "--models", ""},
                           {"GOTOOLCHAIN=local"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j2 = nlohmann::json::parse(*ReadFileToString((out / "summary.json").string()));
  EXPECT_EQ(j2.at("runs_stored_now").get<int>(), 0);
  EXPECT_EQ(j2.at("dataset_runs"), j.at("dataset_runs"));

  // A real-world manifest whose packages are not installed: skipped with the reason, exit 0.
  const std::string manifest = (out / "rw.json").string();
  const std::string absent = R"({"debian": "golang-absent-dev", "family": "absent.test/x", "dir": "/nonexistent/absent", "job_run": "."})";
  ASSERT_TRUE(WriteStringToFile(manifest, std::string(R"({"version": 1, "packages": [)") + absent + "]}").ok());
  r = testutil::RunCommand({SCHEDCAST_BIN, "run", std::string(SCHEDCAST_SOURCE_DIR) + "/corpus/chans", "--out",
                            out.string(), "--runs", "4", "--gomaxprocs", "1,2", "--timeout", "2s", "--models", "",
                            "--no-every-step", "--realworld", manifest},
                           {"GOTOOLCHAIN=local"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("real-world family: not scored: none of the 1 Debian packages it selects is installed"),
            std::string::npos) << r.out;

  // One installed package (a corpus directory stands in for a third-party suite) and one missing:
  // the installed one is collected into its own store, every program in the test split, scored.
  const std::string present = std::string(R"({"debian": "golang-present-dev", "family": "present.test/ctxs", "dir": ")") +
                              SCHEDCAST_SOURCE_DIR + R"j(/corpus/ctxs", "job_run": "^Test(Crawlers|Geocoder|SpellCheck)", "skip": "Geocoder"})j";
  ASSERT_TRUE(WriteStringToFile(manifest, std::string(R"({"version": 1, "packages": [)") + present + ", " + absent + "]}").ok());
  r = testutil::RunCommand({SCHEDCAST_BIN, "run", std::string(SCHEDCAST_SOURCE_DIR) + "/corpus/chans", "--out",
                            out.string(), "--runs", "4", "--gomaxprocs", "1,2", "--timeout", "2s", "--models", "",
                            "--no-every-step", "--realworld", manifest, "--realworld-runs", "3"},
                           {"GOTOOLCHAIN=local"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("not installed, left out: golang-absent-dev"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("real-world family (third-party suites, held out of training entirely"), std::string::npos) << r.out;
  auto j3 = nlohmann::json::parse(*ReadFileToString((out / "summary.json").string()));
  const auto& rw = j3.at("realworld");
  EXPECT_EQ(rw.at("status"), "evaluated") << rw.dump();
  EXPECT_EQ(rw.at("not_installed"), nlohmann::json::array({"golang-absent-dev"}));
  EXPECT_EQ(rw.at("families"), nlohmann::json::array({"present.test/ctxs"}));
  const int rw_programs = rw.at("programs").get<int>();
  EXPECT_GT(rw_programs, 0);
  EXPECT_EQ(j3.at("dataset_runs"), j.at("dataset_runs"));  // the main dataset holds none of them
  auto rw_eval = nlohmann::json::parse(*ReadFileToString((out / "realworld" / "eval.json").string()));
  EXPECT_EQ(rw_eval.at("data").at("split"), "test");
  EXPECT_EQ(rw_eval.at("data").at("programs").get<int>(), rw_programs);
  auto rw_meta = nlohmann::json::parse(*ReadFileToString((out / "realworld" / "dataset" / "meta.json").string()));
  EXPECT_EQ(rw_meta.at("examples").value("train", 0), 0);
  EXPECT_EQ(rw_meta.at("examples").value("validation", 0), 0);
  EXPECT_GT(rw_meta.at("examples").value("test", 0), 0);
  auto rw_progs = nlohmann::json::parse(*ReadFileToString((out / "realworld" / "dataset" / "programs.json").string()));
  std::set<std::string> names;
  for (const auto& [key, prog] : rw_progs.items()) {
    EXPECT_EQ(prog.at("split"), "test") << key;
    names.insert(prog.at("name").get<std::string>());
  }
  // job_run selected three, skip left one out.
  EXPECT_EQ(names, (std::set<std::string>{"TestCrawlersStopOnCancel", "TestSpellCheckInTime"}));
  EXPECT_EQ(rw_programs, 2);
  std::filesystem::remove_all(out);
}

}  // namespace
}  // namespace schedcast::cli
