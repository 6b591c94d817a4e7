// Perfetto export: on real stored runs of the corpus (both trace formats), the Chrome trace-event JSON
// is structurally valid for the Perfetto UI: metadata names every track, slices on a track never
// overlap and have non-negative durations, every flow has exactly one start and one end, each flow
// endpoint lies inside a slice of its own track, and the slices reproduce the run's goroutines.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "export/perfetto.h"
#include "nlohmann/json.hpp"
#include "sched/canon.h"
#include "sched/timeline.h"
#include "store/store.h"
#include "testutil.h"

namespace schedcast {
namespace {

using nlohmann::json;

struct Slice {
  double ts, end;
  std::string name;
};

// Validates the structure; returns the number of flows per category.
std::map<std::string, int> Validate(const json& doc) {
  std::map<std::string, int> flows;
  EXPECT_TRUE(doc.contains("traceEvents") && doc["traceEvents"].is_array());
  std::map<uint64_t, std::string> names;
  std::map<uint64_t, std::vector<Slice>> slices;
  std::map<uint64_t, std::vector<json>> flow_ends;
  for (const json& e : doc["traceEvents"]) {
    const std::string ph = e.at("ph");
    EXPECT_EQ(e.at("pid"), 1);
    const uint64_t tid = e.at("tid");
    if (ph == "M") {
      if (e.at("name") == "thread_name") names[tid] = e.at("args").at("name");
      continue;
    }
    const double ts = e.at("ts");
    EXPECT_GE(ts, 0.0);
    if (ph == "X") {
      const double dur = e.at("dur");
      EXPECT_GE(dur, 0.0) << e.dump();
      slices[tid].push_back({ts, ts + dur, e.at("name")});
    } else if (ph == "s" || ph == "f") {
      flow_ends[e.at("id")].push_back(e);
    } else {
      EXPECT_EQ(ph, "i") << e.dump();
    }
  }
  for (auto& [tid, v] : slices) {
    EXPECT_TRUE(names.contains(tid)) << "track " << tid << " has slices but no thread_name";
    std::sort(v.begin(), v.end(), [](const Slice& a, const Slice& b) { return a.ts < b.ts; });
    for (size_t i = 1; i < v.size(); ++i)
      EXPECT_LE(v[i - 1].end, v[i].ts + 1e-6) << "overlapping slices on track " << tid << ": " << v[i - 1].name
                                              << " and " << v[i].name;
  }
  auto inside = [&](uint64_t tid, double ts) {
    for (const Slice& s : slices[tid])
      if (s.ts <= ts + 1e-6 && ts <= s.end + 1e-6) return true;
    return false;
  };
  for (const auto& [id, v] : flow_ends) {
    EXPECT_EQ(v.size(), 2u) << "flow " << id;
    if (v.size() != 2) continue;
    const json& s = v[0]["ph"] == "s" ? v[0] : v[1];
    const json& f = v[0]["ph"] == "s" ? v[1] : v[0];
    EXPECT_EQ(s["ph"], "s");
    EXPECT_EQ(f["ph"], "f");
    EXPECT_EQ(f["bp"], "e");
    EXPECT_LE(s["ts"].get<double>(), f["ts"].get<double>());
    EXPECT_TRUE(inside(s["tid"], s["ts"])) << "flow start outside a slice: " << s.dump();
    EXPECT_TRUE(inside(f["tid"], f["ts"])) << "flow end outside a slice: " << f.dump();
    ++flows[s["cat"]];
  }
  return flows;
}

TEST(PerfettoExport, StoredRunsOfBothFormatsAreValid) {
  auto st = store::Store::OpenExisting(SCHEDCAST_CORPUS_DB);
  ASSERT_TRUE(st.ok()) << st.status();
  auto runs = (*st)->ListRuns();
  ASSERT_TRUE(runs.ok());
  std::set<std::string> versions;
  int checked = 0, with_unblock = 0;
  for (const auto& r : *runs) {
    if (r.trace_bytes == 0 || versions.contains(r.config.go_version + r.program.name)) continue;
    versions.insert(r.config.go_version + r.program.name);
    auto data = (*st)->LoadTrace(r.id);
    ASSERT_TRUE(data.ok());
    auto t = sched::BuildTimeline(*data);
    ASSERT_TRUE(t.ok()) << t.status();
    const auto canon = sched::Canonicalize(*t);
    const json doc = exporter::ToChromeTrace(*t, canon, {});
    SCOPED_TRACE(r.program.name + " go" + r.config.go_version + " run " + std::to_string(r.id));
    auto flows = Validate(doc);
    // Every goroutine the program created is a track, and each creation is a flow.
    int creates = 0;
    for (const auto& e : t->events) creates += e.kind == sched::Kind::kGoCreate && e.g != 0 && e.peer != 0;
    EXPECT_EQ(flows["create"], creates);
    with_unblock += flows["unblock"] > 0;
    bool root_named = false;
    for (const json& e : doc["traceEvents"])
      if (e["ph"] == "M" && e["name"] == "thread_name" && e["tid"] == canon.root)
        root_named = e["args"]["name"].get<std::string>().rfind("T ", 0) == 0;
    EXPECT_TRUE(root_named) << "the test goroutine's track is not named T";
    ++checked;
  }
  EXPECT_GE(checked, 6);
  EXPECT_GE(with_unblock, 3);
}

TEST(PerfettoExport, CliWritesLoadableJsonAndNamesBadRuns) {
  auto st = store::Store::OpenExisting(SCHEDCAST_CORPUS_DB);
  ASSERT_TRUE(st.ok());
  auto runs = (*st)->ListRuns();
  ASSERT_TRUE(runs.ok() && !runs->empty());
  const int64_t id = runs->front().id;
  auto r = testutil::RunCommand({SCHEDCAST_BIN, "export", "perfetto", "--store", SCHEDCAST_CORPUS_DB, "--run",
                                 std::to_string(id), "--user-only"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json doc = json::parse(r.out);
  Validate(doc);
  bool title = false;
  for (const json& e : doc["traceEvents"])
    if (e["name"] == "process_name") title = e["args"]["name"].get<std::string>().find(runs->front().program.name) != std::string::npos;
  EXPECT_TRUE(title);
  for (const json& e : doc["traceEvents"])
    if (e["name"] == "thread_name") EXPECT_EQ(e["args"]["name"].get<std::string>().rfind("rt:", 0), std::string::npos);

  r = testutil::RunCommand({SCHEDCAST_BIN, "export", "perfetto", "--store", SCHEDCAST_CORPUS_DB, "--run", "999999"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("999999"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace schedcast
