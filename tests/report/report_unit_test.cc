// Unit tests of the report stage on the sample eval JSON (tests/report/testdata/eval_sample.json,
// or the file SCHEDCAST_REPORT_SAMPLE points at): escaping and number formats, chart geometry
// (bars sum to the probability mass, reliability bins land at their coordinates, line charts span
// the axes), errors that name the missing field, and `schedcast report` end to end.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

#include "common/status.h"
#include "report/html.h"
#include "report/input.h"
#include "report/report.h"
#include "report/svg.h"
#include "testutil.h"

namespace schedcast::report {
namespace {

nlohmann::json LoadSample() {
  std::ifstream in(SCHEDCAST_REPORT_SAMPLE);
  EXPECT_TRUE(in.good()) << SCHEDCAST_REPORT_SAMPLE;
  return nlohmann::json::parse(in);
}

std::string Slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

size_t CountOf(const std::string& hay, const std::string& needle) {
  size_t n = 0;
  for (size_t pos = hay.find(needle); pos != std::string::npos; pos = hay.find(needle, pos + needle.size())) ++n;
  return n;
}

class TempDir {
 public:
  TempDir() : path_(std::filesystem::temp_directory_path() / ("schedcast-report-" + std::to_string(getpid()) + "-" +
                                                             std::to_string(counter_++))) {
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::filesystem::path& path() const { return path_; }

 private:
  static inline int counter_ = 0;
  std::filesystem::path path_;
};

TEST(Html, EscapesMarkupCharacters) {
  EXPECT_EQ(Escape("GoBlock(send) T.0 <chan&int> \"x\" 'y'"),
            "GoBlock(send) T.0 &lt;chan&amp;int&gt; &quot;x&quot; &#39;y&#39;");
  EXPECT_EQ(Escape(""), "");
  EXPECT_EQ(Escape("&amp;"), "&amp;amp;");  // escaping is not idempotent: data is escaped exactly once
}

TEST(Html, FormatsNumbers) {
  EXPECT_EQ(Percent(0.7123), "71.2 %");
  EXPECT_EQ(Percent(1.0), "100.0 %");
  EXPECT_EQ(Percent(NAN), "—");
  EXPECT_EQ(Percent(INFINITY), "—");
  EXPECT_EQ(Fixed(0.68149, 3), "0.681");
  EXPECT_EQ(Fixed(-0.0001, 2), "0.00");
  EXPECT_EQ(PercentPoints(-0.27), "−27.0 pp");
  EXPECT_EQ(PercentPoints(0.0123), "+1.2 pp");
  EXPECT_EQ(PercentPoints(0), "0.0 pp");
  EXPECT_EQ(PercentWithInterval(0.71, 0.66, 0.75), "71.0 % <span class=\"ci\">[66.0–75.0]</span>");
  EXPECT_EQ(PercentWithInterval(0.71, NAN, NAN), "71.0 %");
  EXPECT_EQ(Count(12345), "12\u2009345");
  EXPECT_EQ(Count(999), "999");
}

TEST(Html, SafeFileNames) {
  EXPECT_EQ(SafeFileName("chans.TestX"), "chans.TestX");
  EXPECT_EQ(SafeFileName("../etc/passwd"), ".._etc_passwd");
  EXPECT_EQ(SafeFileName(".."), "_..");
  EXPECT_EQ(SafeFileName(""), "_");
  EXPECT_EQ(SafeFileName("a<b>&c d"), "a_b__c_d");
}

TEST(Html, TableHasOneRowPerEntryAndAlignsNumbers) {
  Table t;
  t.id = "t";
  t.header = {"name", "value"};
  t.numeric = {false, true};
  t.rows = {{Escape("a<b"), "1"}, {"c", "2"}, {"d", "3"}};
  const std::string html = RenderTable(t);
  EXPECT_EQ(CountOf(html, "<tr>"), 4u);  // header + 3
  EXPECT_EQ(CountOf(html, "<td class=\"num\">"), 3u);
  EXPECT_NE(html.find("a&lt;b"), std::string::npos);
}

TEST(Svg, BarsOfEachSeriesSumToItsProbabilityMass) {
  std::vector<BarSeries> series = {{"empirical", kTargetColor, {0.2, 0.5, 0.3}},
                                   {"m", SeriesColor(0), {0.6, 0.1, 0.3}},
                                   {"half", SeriesColor(1), {0.25, 0.25, 0.0}}};
  const BarsLayout l = LayoutBars(3, series);
  ASSERT_EQ(l.boxes.size(), 3u);
  for (size_t s = 0; s < series.size(); ++s) {
    double sum = 0, mass = 0;
    for (size_t c = 0; c < 3; ++c) {
      sum += l.boxes[s][c].w;
      mass += series[s].probs[c];
      EXPECT_DOUBLE_EQ(l.boxes[s][c].x, l.bar_x);
      EXPECT_NEAR(l.boxes[s][c].w, series[s].probs[c] * l.full_width, 1e-9);
    }
    EXPECT_NEAR(sum, mass * l.full_width, 1e-9) << series[s].name;
  }
  // Rows do not overlap: every bar of candidate c lies above every bar of candidate c+1.
  for (size_t c = 0; c + 1 < 3; ++c)
    for (size_t s = 0; s < series.size(); ++s) EXPECT_LE(l.boxes[s][c].y + l.boxes[s][c].h, l.row_top[c + 1]);
  EXPECT_LE(l.boxes.back().back().y + l.boxes.back().back().h, l.svg_height);
  const std::string svg = ProbabilityBars({"GoStart T", "GoBlock <chan&int>", "GoEnd T.0"}, series, 1);
  EXPECT_EQ(CountOf(svg, "<rect class=\"bar\""), 9u);
  EXPECT_EQ(CountOf(svg, "class=\"observed\""), 1u);
  EXPECT_NE(svg.find("▶ GoBlock &lt;chan&amp;int&gt;"), std::string::npos);
  EXPECT_EQ(svg.find("<chan&int>"), std::string::npos);
}

TEST(Svg, ProbabilitiesOutsideTheUnitIntervalAreClamped) {
  const BarsLayout l = LayoutBars(2, {{"x", "#000", {1.7, -0.2}}});
  EXPECT_DOUBLE_EQ(l.boxes[0][0].w, l.full_width);
  EXPECT_DOUBLE_EQ(l.boxes[0][1].w, 0);
}

TEST(Svg, ReliabilityBinsMapToTheirCoordinates) {
  auto e = ParseEval(LoadSample());
  ASSERT_TRUE(e.ok()) << e.status();
  for (const ModelResult& m : e->models) {
    const ReliabilityLayout l = LayoutReliability(m.reliability);
    const Axes& a = l.axes;
    size_t nonempty = 0;
    for (const auto& b : m.reliability) nonempty += b.count > 0;
    ASSERT_EQ(l.bars.size(), nonempty) << m.name;
    ASSERT_GT(nonempty, 0u) << m.name;
    for (size_t i = 0; i < l.bars.size(); ++i) {
      const ReliabilityBin& b = m.reliability[l.bin_of[i]];
      EXPECT_NEAR(l.bars[i].x, a.X(b.lo), 1e-9);
      EXPECT_NEAR(l.bars[i].x + l.bars[i].w, a.X(b.hi), 1e-9);
      EXPECT_NEAR(l.bars[i].y, a.Y(b.accuracy), 1e-9);
      EXPECT_NEAR(l.bars[i].y + l.bars[i].h, a.Y(0), 1e-9);  // bars stand on the x axis
      EXPECT_NEAR(l.points[i].x, a.X(b.confidence), 1e-9);
      EXPECT_NEAR(l.points[i].y, a.Y(b.accuracy), 1e-9);
    }
    const std::string svg = ReliabilityDiagram(m.reliability, m.name, SeriesColor(0));
    EXPECT_EQ(CountOf(svg, "<rect class=\"bin\""), nonempty);
    EXPECT_EQ(CountOf(svg, "class=\"diagonal\""), 1u);
    for (size_t i = 0; i < l.bars.size(); ++i)
      EXPECT_NE(svg.find(Cat(">", m.reliability[l.bin_of[i]].count, "</text>")), std::string::npos);
  }
  // The axes themselves: (0,0) is the bottom-left corner, (1,1) the top-right.
  const Axes a = LayoutReliability({}).axes;
  EXPECT_DOUBLE_EQ(a.X(0), a.left);
  EXPECT_DOUBLE_EQ(a.X(1), a.left + a.width);
  EXPECT_DOUBLE_EQ(a.Y(0), a.top + a.height);
  EXPECT_DOUBLE_EQ(a.Y(1), a.top);
  // A bin [0.2, 0.4) with accuracy 0.5 covers the middle fifth horizontally and half the height.
  const ReliabilityLayout one = LayoutReliability({{0.2, 0.4, 7, 0.31, 0.5}});
  ASSERT_EQ(one.bars.size(), 1u);
  EXPECT_NEAR(one.bars[0].w, a.width / 5, 1e-9);
  EXPECT_NEAR(one.bars[0].h, a.height / 2, 1e-9);
}

TEST(Svg, LineChartSpansTheStepsAndHasALegend) {
  std::vector<LineSeries> s = {{"a<1>", SeriesColor(0), {}}, {"b", SeriesColor(1), {}}};
  for (int k = 10; k >= 1; --k) {  // unsorted on purpose
    s[0].points.push_back({double(k), 0.1 * k, 0.1 * k - 0.02, 0.1 * k + 0.02});
    s[1].points.push_back({double(k), 1.0, NAN, NAN});
  }
  const LineLayout l = LayoutLines(s, 0, 1);
  ASSERT_EQ(l.lines.size(), 2u);
  ASSERT_EQ(l.lines[0].size(), 10u);
  EXPECT_DOUBLE_EQ(l.lines[0].front().x, l.axes.left);
  EXPECT_DOUBLE_EQ(l.lines[0].back().x, l.axes.left + l.axes.width);
  EXPECT_NEAR(l.lines[0].back().y, l.axes.top, 1e-9);  // tv 1.0 at k=10 is the top
  for (size_t i = 1; i < 10; ++i) EXPECT_GT(l.lines[0][i].x, l.lines[0][i - 1].x);
  const std::string svg = LineChart("TV", "k", "TV", s, 0, 1);
  EXPECT_EQ(CountOf(svg, "<polyline class=\"series\""), 2u);
  EXPECT_EQ(CountOf(svg, "<polygon class=\"band\""), 1u);  // only the series with lo/hi
  EXPECT_EQ(CountOf(svg, "<g class=\"legend\">"), 2u);
  EXPECT_NE(svg.find("a&lt;1&gt;"), std::string::npos);
}

TEST(Input, ParsesTheSample) {
  const nlohmann::json j = LoadSample();
  auto e = ParseEval(j);
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->models.size(), j["models"].size());
  EXPECT_EQ(e->programs_list.size(), j["programs"].size());
  bool oracle = false, uniform = false;
  for (const auto& m : e->models) {
    oracle |= m.source == "oracle";
    uniform |= m.name == "uniform";
  }
  EXPECT_TRUE(oracle && uniform) << "the contract has an oracle and a uniform row";
}

TEST(Report, LeadsWithMacroThenPooledAndRendersTheNewSections) {
  const nlohmann::json j = LoadSample();
  auto e = ParseEval(j);
  ASSERT_TRUE(e.ok()) << e.status();
  ASSERT_TRUE(e->models[0].macro.present);
  EXPECT_DOUBLE_EQ(e->models[0].macro.accuracy.value, j["models"][0]["macro"]["accuracy"]["value"].get<double>());
  EXPECT_DOUBLE_EQ(e->models[0].uncertain_share, j["models"][0]["uncertain"]["share"].get<double>());
  ASSERT_TRUE(e->paper.present);
  EXPECT_EQ(e->paper.rows.size(), j["paper"]["rows"].size());
  EXPECT_EQ(e->paper.mcnemar.size(), j["paper"]["mcnemar"].size());
  TempDir dir;
  ASSERT_TRUE(WriteReport(j, (dir.path() / "rep").string()).ok());
  const std::string html = Slurp(dir.path() / "rep" / "index.html");
  const size_t macro = html.find("<table id=\"summary-macro\">"), pooled = html.find("<table id=\"summary\">");
  ASSERT_NE(macro, std::string::npos);
  ASSERT_NE(pooled, std::string::npos);
  EXPECT_LT(macro, pooled);
  EXPECT_NE(html.find(PercentWithInterval(0.604, 0.554, 0.654)), std::string::npos);  // structured-kl macro accuracy
  const std::string un = html.substr(html.find("<table id=\"uncertain\">"));
  EXPECT_EQ(CountOf(un.substr(0, un.find("</table>")), "<tr>"), 1 + e->models.size());  // header + one per row
  // Every-step rows only for rows that have them (models and uniform, not the oracle).
  const std::string es = html.substr(html.find("<table id=\"every-step\">"));
  EXPECT_EQ(CountOf(es.substr(0, es.find("</table>")), "<tr>"), 1 + 3u);  // header + 3 rows
  EXPECT_NE(html.find("<table id=\"paper\">"), std::string::npos);
  EXPECT_NE(html.find("GoStart (33)"), std::string::npos);
  EXPECT_NE(html.find("<table id=\"mcnemar\">"), std::string::npos);
}

// Each mutation breaks one field; the error must name it.
TEST(Input, ErrorsNameTheMissingOrBadField) {
  struct Case {
    std::string what;
    std::function<void(nlohmann::json&)> mutate;
    std::string expect;
  };
  const std::vector<Case> cases = {
      {"no models", [](nlohmann::json& j) { j.erase("models"); }, "`models` missing"},
      {"empty models", [](nlohmann::json& j) { j["models"] = nlohmann::json::array(); }, "`models` is empty"},
      {"no ece", [](nlohmann::json& j) { j["models"][1]["overall"].erase("ece"); }, "`models[1].overall.ece` missing"},
      {"no value", [](nlohmann::json& j) { j["models"][0]["overall"]["accuracy"].erase("value"); },
       "`models[0].overall.accuracy.value` missing"},
      {"string count", [](nlohmann::json& j) { j["models"][2]["reliability"][3]["count"] = "ten"; },
       "`models[2].reliability[3].count` is string, expected a number"},
      {"no name", [](nlohmann::json& j) { j["models"][0].erase("name"); }, "`models[0].name` missing"},
      {"no data", [](nlohmann::json& j) { j.erase("data"); }, "`data` missing"},
      {"no split", [](nlohmann::json& j) { j["data"].erase("split"); }, "`data.split` missing"},
      {"no target", [](nlohmann::json& j) { j["programs"][0]["samples"][1].erase("target"); },
       "`programs[0].samples[1].target` missing"},
      {"short prediction",
       [](nlohmann::json& j) { j["programs"][1]["samples"][0]["predictions"]["uniform"] = {1.0}; },
       "`programs[1].samples[0].predictions.uniform` has 1 values for"},
      {"no slug", [](nlohmann::json& j) { j["programs"][2].erase("slug"); }, "`programs[2].slug` missing"},
      {"format", [](nlohmann::json& j) { j["format"] = "other"; }, "expected \"schedcast-eval\""},
      {"version", [](nlohmann::json& j) { j["version"] = 2; }, "version 2 is not supported"},
  };
  for (const auto& c : cases) {
    nlohmann::json j = LoadSample();
    c.mutate(j);
    TempDir dir;
    const absl::Status s = WriteReport(j, (dir.path() / "rep").string());
    EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss) << c.what << ": " << s;
    EXPECT_NE(std::string(s.message()).find(c.expect), std::string::npos) << c.what << ": " << s;
    EXPECT_FALSE(std::filesystem::exists(dir.path() / "rep" / "index.html")) << c.what;
  }
}

TEST(Input, NullMetricsRenderAsDashes) {
  nlohmann::json j = LoadSample();
  j["models"][0]["overall"]["nll"]["value"] = nullptr;  // how nlohmann writes inf/NaN
  j["models"][0].erase("rollouts");
  j["models"][1].erase("rollouts");
  j["models"][3].erase("rollouts");
  j.erase("comparison");
  TempDir dir;
  ASSERT_TRUE(WriteReport(j, dir.path().string()).ok());
  const std::string html = Slurp(dir.path() / "index.html");
  EXPECT_NE(html.find("<td class=\"num\">—</td>"), std::string::npos);
  EXPECT_NE(html.find("Rollouts were not computed"), std::string::npos);
  EXPECT_NE(html.find("No model was trained with both objectives"), std::string::npos);
}

TEST(Report, WritesEscapedPagesForEveryProgram) {
  const nlohmann::json j = LoadSample();
  TempDir dir;
  ASSERT_TRUE(WriteReport(j, dir.path().string()).ok());
  const std::string index = Slurp(dir.path() / "index.html");
  EXPECT_EQ(index.find("<script"), std::string::npos);
  EXPECT_EQ(CountOf(index, "http"), CountOf(index, "http://www.w3.org/2000/svg")) << "no external assets";
  for (const auto& p : j["programs"]) {
    const std::string slug = p["slug"].get<std::string>(), name = p["program"].get<std::string>();
    const auto file = dir.path() / "programs" / (SafeFileName(slug) + ".html");
    ASSERT_TRUE(std::filesystem::exists(file)) << file;
    EXPECT_NE(index.find(Cat("href=\"programs/", Escape(SafeFileName(slug)), ".html\"")), std::string::npos);
    EXPECT_NE(index.find(Escape(name)), std::string::npos) << name;
    const std::string page = Slurp(file);
    for (const auto& s : p["samples"]) {
      for (const auto& tok : s["context"]) {
        EXPECT_NE(page.find(Cat("<li>", Escape(tok.get<std::string>()), "</li>")), std::string::npos) << tok;
        if (tok.get<std::string>().find_first_of("<&") != std::string::npos)
          EXPECT_EQ(page.find(tok.get<std::string>()), std::string::npos) << "unescaped " << tok;
      }
    }
  }
}

TEST(Report, DuplicateSlugsGetTheirOwnPages) {
  nlohmann::json j = LoadSample();
  j["programs"][1]["slug"] = j["programs"][0]["slug"];
  TempDir dir;
  ASSERT_TRUE(WriteReport(j, dir.path().string()).ok());
  size_t pages = 0;
  for (const auto& f : std::filesystem::directory_iterator(dir.path() / "programs")) pages += f.is_regular_file();
  EXPECT_EQ(pages, j["programs"].size());
}

TEST(Cli, ReportCommandPrintsTheIndexPath) {
  TempDir dir;
  const auto out = dir.path() / "rep";
  auto r = testutil::RunCommand({SCHEDCAST_BIN, "report", "--eval", SCHEDCAST_REPORT_SAMPLE, "--out", out.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, (std::filesystem::absolute(out) / "index.html").string() + "\n");
  EXPECT_TRUE(std::filesystem::exists(out / "index.html"));

  const auto bad = dir.path() / "bad.json";
  nlohmann::json j = LoadSample();
  j["models"][0]["overall"].erase("brier");
  std::ofstream(bad) << j.dump();
  r = testutil::RunCommand({SCHEDCAST_BIN, "report", "--eval", bad.string(), "--out", (dir.path() / "r2").string()});
  EXPECT_EQ(r.exit_code, 3);  // bad input (the eval JSON), not a usage error
  EXPECT_NE(r.err.find(bad.string()), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("models[0].overall.brier"), std::string::npos) << r.err;

  r = testutil::RunCommand({SCHEDCAST_BIN, "report", "--eval", (dir.path() / "missing.json").string(), "--out",
                            (dir.path() / "r3").string()});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("missing.json"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace schedcast::report
