// The report opened in a real headless Chromium (Debian's chromium): `schedcast report` writes it
// from SCHEDCAST_REPORT_SAMPLE (the hand-written sample, or real `schedcast eval` output when the
// environment variable SCHEDCAST_REPORT_SAMPLE names such a file: ctest's report_chromium_real_eval); Chromium screenshots index.html (decoded with libpng: right
// size, not one flat colour) and dumps the DOM, in which the summary table has one row per model,
// there is one non-empty reliability diagram per model, rollout charts or the sentence saying
// there are none, and a program page has its probability bars. Skipped only without chromium.
#include <gtest/gtest.h>
#include <png.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>

#include "nlohmann/json.hpp"
#include "report/html.h"
#include "report/svg.h"
#include "testutil.h"

namespace schedcast::report {
namespace {

// The eval JSON to render: $SCHEDCAST_REPORT_SAMPLE if set, else the build's default sample.
std::string Sample() {
  const char* env = std::getenv("SCHEDCAST_REPORT_SAMPLE");
  return env != nullptr && *env != '\0' ? env : SCHEDCAST_REPORT_SAMPLE;
}


namespace fs = std::filesystem;

std::string FindChromium() {
  for (const char* name : {"chromium", "chromium-browser"}) {
    const char* path = std::getenv("PATH");
    std::string dirs = path ? path : "/usr/bin:/bin";
    size_t start = 0;
    while (start <= dirs.size()) {
      const size_t end = std::min(dirs.find(':', start), dirs.size());
      const fs::path cand = fs::path(dirs.substr(start, end - start)) / name;
      if (access(cand.c_str(), X_OK) == 0) return cand.string();
      start = end + 1;
    }
  }
  return "";
}

size_t CountOf(const std::string& hay, const std::string& needle) {
  size_t n = 0;
  for (size_t pos = hay.find(needle); pos != std::string::npos; pos = hay.find(needle, pos + needle.size())) ++n;
  return n;
}

// The text between the first `open` (from `from`) and the next `close`, or "".
std::string Between(const std::string& s, const std::string& open, const std::string& close, size_t from = 0) {
  const size_t a = s.find(open, from);
  if (a == std::string::npos) return "";
  const size_t b = s.find(close, a);
  return b == std::string::npos ? "" : s.substr(a, b - a);
}

// Text as Chromium's DOM serializer writes it in text nodes (it leaves quotes alone).
std::string DomText(const std::string& s) {
  std::string out;
  for (char c : s) out += c == '&' ? "&amp;" : c == '<' ? "&lt;" : c == '>' ? "&gt;" : std::string(1, c);
  return out;
}

// Every `name="number"` attribute value in `s`.
std::vector<double> Attr(const std::string& s, const std::string& name) {
  std::vector<double> out;
  const std::regex re(" " + name + "=\"([-0-9.]+)\"");
  for (auto it = std::sregex_iterator(s.begin(), s.end(), re); it != std::sregex_iterator(); ++it)
    out.push_back(std::stod((*it)[1].str()));
  return out;
}

class ChromiumReport : public ::testing::Test {
 protected:
  void SetUp() override {
    chromium_ = FindChromium();
    if (chromium_.empty()) GTEST_SKIP() << "chromium is not installed (scripts/install-deps.sh installs it)";
    dir_ = fs::temp_directory_path() / ("schedcast-chromium-" + std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    std::ifstream in(Sample());
    ASSERT_TRUE(in.good()) << Sample();
    eval_ = nlohmann::json::parse(in);
    auto r = testutil::RunCommand({SCHEDCAST_BIN, "report", "--eval", Sample(), "--out", (dir_ / "rep").string()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  // Runs headless Chromium on a page with a fresh profile; `timeout` kills it (and, after 10 s
  // more, SIGKILLs it) if it hangs.
  testutil::CommandResult Chromium(const std::vector<std::string>& args, const fs::path& page) {
    std::vector<std::string> argv = {"timeout", "-k", "10", "120", chromium_, "--headless", "--no-sandbox",
                                     "--disable-gpu", "--no-first-run", "--disable-extensions",
                                     "--user-data-dir=" + (dir_ / ("profile" + std::to_string(runs_++))).string()};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.push_back("file://" + fs::absolute(page).string());
    return testutil::RunCommand(argv);
  }

  std::string chromium_;
  fs::path dir_;
  nlohmann::json eval_;
  int runs_ = 0;
};

TEST_F(ChromiumReport, ScreenshotIsAFullNonBlankPage) {
  const fs::path png = dir_ / "index.png";
  auto r = Chromium({"--screenshot=" + png.string(), "--window-size=1280,2000", "--hide-scrollbars"},
                    dir_ / "rep" / "index.html");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_TRUE(fs::exists(png)) << r.err;

  png_image img{};
  img.version = PNG_IMAGE_VERSION;
  ASSERT_NE(png_image_begin_read_from_file(&img, png.c_str()), 0) << "not a valid PNG: " << img.message;
  EXPECT_EQ(img.width, 1280u);
  EXPECT_EQ(img.height, 2000u);
  img.format = PNG_FORMAT_RGB;
  std::vector<unsigned char> px(PNG_IMAGE_SIZE(img));
  ASSERT_NE(png_image_finish_read(&img, nullptr, px.data(), 0, nullptr), 0) << img.message;

  // Not one flat colour: many distinct colours (text, chart fills), and a real share of the
  // pixels differ from the page background (the top-left pixel).
  std::set<uint32_t> colours;
  size_t differ = 0;
  const size_t n = size_t(img.width) * img.height;
  for (size_t i = 0; i < n; ++i) {
    const uint32_t c = (px[3 * i] << 16) | (px[3 * i + 1] << 8) | px[3 * i + 2];
    colours.insert(c);
    differ += c != ((px[0] << 16) | (px[1] << 8) | px[2]);
  }
  EXPECT_GE(colours.size(), 20u);
  EXPECT_GT(double(differ) / n, 0.02) << differ << " of " << n << " pixels differ from the background";
  // Every model's series colour is on screen (its swatch in the summary, the dots of its diagram).
  for (size_t i = 0; i < eval_["models"].size(); ++i) {
    const uint32_t c = std::stoul(SeriesColor(i).substr(1), nullptr, 16);
    EXPECT_TRUE(colours.count(c)) << "colour " << SeriesColor(i) << " of model " << i << " not in the screenshot";
  }
}

TEST_F(ChromiumReport, IndexHasSummaryDiagramsAndCharts) {
  auto r = Chromium({"--dump-dom"}, dir_ / "rep" / "index.html");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string& dom = r.out;
  ASSERT_NE(dom.find("</html>"), std::string::npos) << "truncated DOM: " << dom.substr(0, 500);

  // Summary: one body row per model, in order, each naming its model.
  const std::string summary = Between(dom, "<table id=\"summary\">", "</table>");
  ASSERT_FALSE(summary.empty());
  const std::string body = Between(summary, "<tbody>", "</tbody>");
  EXPECT_EQ(CountOf(body, "<tr>"), eval_["models"].size());
  size_t at = 0;
  for (const auto& m : eval_["models"]) {
    at = body.find(DomText(m["name"].get<std::string>()), at);
    EXPECT_NE(at, std::string::npos) << m["name"];
  }
  EXPECT_EQ(CountOf(body, "<td"), eval_["models"].size() * 9) << "nine columns per model";

  // Newer eval JSON leads with the macro table (every program weighs 1), before the pooled one.
  if (eval_["models"][0].contains("macro")) {
    const size_t macro_at = dom.find("<table id=\"summary-macro\">");
    ASSERT_NE(macro_at, std::string::npos);
    EXPECT_LT(macro_at, dom.find("<table id=\"summary\">"));
    const std::string mbody = Between(Between(dom, "<table id=\"summary-macro\">", "</table>"), "<tbody>", "</tbody>");
    EXPECT_EQ(CountOf(mbody, "<tr>"), eval_["models"].size());
    const std::string ubody = Between(Between(dom, "<table id=\"uncertain\">", "</table>"), "<tbody>", "</tbody>");
    EXPECT_EQ(CountOf(ubody, "<tr>"), eval_["models"].size());
  }
  if (eval_.contains("paper")) {
    const std::string pbody = Between(Between(dom, "<table id=\"paper\">", "</table>"), "<tbody>", "</tbody>");
    EXPECT_EQ(CountOf(pbody, "<tr>"), eval_["paper"]["rows"].size());
    EXPECT_NE(dom.find(DomText(eval_["paper"]["rows"][0]["name"].get<std::string>())), std::string::npos);
  }

  // One reliability diagram per model, each with the diagonal and at least one bin bar of positive height.
  EXPECT_EQ(CountOf(dom, "<svg class=\"reliability\""), eval_["models"].size());
  size_t pos = 0;
  for (size_t i = 0; i < eval_["models"].size(); ++i) {
    const std::string svg = Between(dom, "<svg class=\"reliability\"", "</svg>", pos);
    pos = dom.find("<svg class=\"reliability\"", pos) + 1;
    EXPECT_EQ(CountOf(svg, "class=\"diagonal\""), 1u);
    std::vector<double> heights;
    for (size_t p = svg.find("<rect class=\"bin\""); p != std::string::npos; p = svg.find("<rect class=\"bin\"", p + 1))
      for (double h : Attr(svg.substr(p, svg.find('>', p) - p + 1), "height")) heights.push_back(h);
    size_t nonempty = 0;
    for (const auto& b : eval_["models"][i]["reliability"]) nonempty += b["count"].get<double>() > 0;
    EXPECT_EQ(heights.size(), nonempty) << "one bar per non-empty bin, model " << i;
    double total = 0;
    for (double h : heights) total += h;
    EXPECT_GT(total, 0) << "the diagram of model " << i << " draws no bar";
  }

  // Rollout curves: one line per model with rollouts in each of the two charts, or the sentence.
  size_t with_rollouts = 0;
  for (const auto& m : eval_["models"]) with_rollouts += m.contains("rollouts") && !m["rollouts"].empty();
  if (with_rollouts > 0) {
    EXPECT_EQ(CountOf(dom, "<svg class=\"lines\""), 2u);
    EXPECT_EQ(CountOf(dom, "<polyline class=\"series\""), 2 * with_rollouts);
    EXPECT_EQ(CountOf(dom, "<g class=\"legend\">"), 2 * with_rollouts);
  } else {
    EXPECT_NE(dom.find("id=\"no-rollouts\""), std::string::npos);
  }

  // Dataset statistics and the program index, linking every program page.
  EXPECT_NE(dom.find("<table id=\"splits\">"), std::string::npos);
  const std::string programs = Between(dom, "<table id=\"program-index\">", "</table>");
  EXPECT_EQ(CountOf(Between(programs, "<tbody>", "</tbody>"), "<tr>"), eval_["programs"].size());
  EXPECT_EQ(CountOf(programs, "<a href=\"programs/"), eval_["programs"].size());
}

TEST_F(ChromiumReport, ProgramPageHasBarsPerSample) {
  // The first program with samples.
  const nlohmann::json* prog = nullptr;
  for (const auto& p : eval_["programs"])
    if (!p["samples"].empty()) {
      prog = &p;
      break;
    }
  if (prog == nullptr) GTEST_SKIP() << Sample() << " has no program samples";
  const fs::path page = dir_ / "rep" / "programs" / (SafeFileName((*prog)["slug"].get<std::string>()) + ".html");
  ASSERT_TRUE(fs::exists(page)) << page;
  auto r = Chromium({"--dump-dom"}, page);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string& dom = r.out;
  ASSERT_NE(dom.find("</html>"), std::string::npos);

  EXPECT_EQ(CountOf(dom, "<svg class=\"bars\""), (*prog)["samples"].size());
  size_t bars = 0, observed = 0, context = 0;
  for (const auto& s : (*prog)["samples"]) {
    bars += s["candidates"].size() * (1 + s["predictions"].size());
    for (const auto& c : s["candidates"]) observed += c == s["label"];
    context += s["context"].size();
  }
  EXPECT_EQ(CountOf(dom, "<rect class=\"bar\""), bars);
  EXPECT_EQ(CountOf(dom, "class=\"observed\""), observed);
  EXPECT_EQ(CountOf(dom, "<li>"), context);
  // The empirical bars of each sample sum to its target's mass (≈ 1): widths in the DOM.
  std::vector<double> widths;
  double full = 0;
  size_t pos = 0;
  for (const auto& s : (*prog)["samples"]) {
    const std::string svg = Between(dom, "<svg class=\"bars\"", "</svg>", pos);
    pos = dom.find("<svg class=\"bars\"", pos) + 1;
    double sum = 0, mass = 0, max_w = 0;
    for (size_t p = svg.find("data-series=\"empirical\""); p != std::string::npos;
         p = svg.find("data-series=\"empirical\"", p + 1)) {
      const auto w = Attr(svg.substr(p, svg.find('>', p) - p), "width");
      ASSERT_EQ(w.size(), 1u);
      sum += w[0];
      max_w = std::max(max_w, w[0]);
    }
    for (const auto& t : s["target"]) mass += t.get<double>();
    EXPECT_GT(max_w, 0);
    widths.push_back(sum / mass);
    full = widths.front();
  }
  for (double w : widths) EXPECT_NEAR(w, full, 0.5) << "the target bars of every sample span the same full width";
}

}  // namespace
}  // namespace schedcast::report
