// report/pages.cc — index.html and programs/<slug>.html of the static report.
#include "report/pages.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "common/strings.h"
#include "report/html.h"
#include "report/svg.h"

namespace schedcast::report {
namespace {

std::string Swatch(const std::string& color) {
  return Cat("<span class=\"swatch\" style=\"background:", color, "\"></span>");
}

std::string ModelCell(const Eval& e, size_t i) { return Swatch(SeriesColor(i)) + Escape(e.models[i].name); }

// Index of the model called `name`, or models.size().
size_t ModelIndex(const Eval& e, const std::string& name) {
  for (size_t i = 0; i < e.models.size(); ++i)
    if (e.models[i].name == name) return i;
  return e.models.size();
}

std::string Header(const Eval& e) {
  std::string out = "<h1>schedcast evaluation</h1>\n";
  out += Cat("<p class=\"meta\">split <b>", Escape(e.split), "</b> of <code>", Escape(e.data_dir), "</code> · ",
             Count(e.examples), " examples from ", Count(e.programs), " programs");
  if (!e.level.empty()) out += Cat(" · level ", Escape(e.level));
  if (!e.key.empty()) out += Cat(" · key ", Escape(e.key));
  out += "</p>\n";
  if (!e.created.empty()) out += Cat("<p class=\"meta\">created ", Escape(e.created), "</p>\n");
  if (!e.command.empty()) out += Cat("<p class=\"meta\">command <code>", Escape(e.command), "</code></p>\n");
  return out;
}

bool HasMacro(const Eval& e) { return !e.models.empty() && e.models[0].macro.present; }

// The macro table (every held-out program weighs 1): first, because a few long programs cannot move it.
std::string MacroSummary(const Eval& e) {
  if (!HasMacro(e)) return "";
  Table t;
  t.id = "summary-macro";
  t.caption = Cat("Per program (macro): every one of the ", Count(e.programs),
                  " held-out programs weighs 1, whatever its number of examples; [lo–hi] = 95 % bootstrap interval "
                  "over programs. ECE: 15 bins, each program's examples weighted 1/n<sub>program</sub>.");
  t.header = {"model", "source", "accuracy", "top-3", "NLL", "Brier", "ECE", "gap to oracle"};
  t.numeric = {false, false, true, true, true, true, true, true};
  for (size_t i = 0; i < e.models.size(); ++i) {
    const ModelResult& m = e.models[i];
    const MetricSet& s = m.macro;
    t.rows.push_back({ModelCell(e, i), Escape(m.source), PercentWithInterval(s.accuracy.value, s.accuracy.lo, s.accuracy.hi),
                      Percent(s.top3.value), Fixed(s.nll.value, 3), Fixed(s.brier.value, 3),
                      PercentWithInterval(s.ece.value, s.ece.lo, s.ece.hi), PercentPoints(m.gap_macro_accuracy)});
  }
  return RenderTable(t);
}

std::string UncertainSection(const Eval& e) {
  if (e.models.empty() || !e.models[0].uncertain_macro.present) return "";
  const ModelResult& m0 = e.models[0];
  Table t;
  t.id = "uncertain";
  t.caption = Cat("Examples whose target puts mass on at least two candidates: ", Percent(m0.uncertain_share), " of the "
                  "examples, from ", Count(m0.uncertain_macro.programs), " programs. The oracle's accuracy here is ",
                  Percent(m0.uncertain_oracle_macro), " (macro) and ", Percent(m0.uncertain_oracle_pooled), " (pooled).");
  t.header = {"model", "macro accuracy", "macro NLL", "macro ECE", "pooled accuracy", "pooled ECE"};
  t.numeric = {false, true, true, true, true, true};
  for (size_t i = 0; i < e.models.size(); ++i) {
    const ModelResult& m = e.models[i];
    t.rows.push_back({ModelCell(e, i),
                      PercentWithInterval(m.uncertain_macro.accuracy.value, m.uncertain_macro.accuracy.lo, m.uncertain_macro.accuracy.hi),
                      Fixed(m.uncertain_macro.nll.value, 3), Percent(m.uncertain_macro.ece.value),
                      Percent(m.uncertain_pooled.accuracy.value), Percent(m.uncertain_pooled.ece.value)});
  }
  return "<h2 id=\"uncertain-slice\">Where the schedule is uncertain</h2>\n" + RenderTable(t);
}

std::string EveryStepSection(const Eval& e) {
  Table t;
  t.id = "every-step";
  t.caption = "Every step of every held-out run, scored against the event the run produced next (no key, no "
              "minimum visits): the regime of a new program. Macro: every program weighs 1.";
  t.header = {"model", "macro NLL", "macro accuracy", "macro top-3", "macro ECE", "pooled NLL", "pooled accuracy", "steps"};
  t.numeric = {false, true, true, true, true, true, true, true};
  for (size_t i = 0; i < e.models.size(); ++i) {
    const ModelResult& m = e.models[i];
    if (!m.every_step_macro.present) continue;
    const MetricSet& a = m.every_step_macro;
    const MetricSet& b = m.every_step_pooled;
    t.rows.push_back({ModelCell(e, i), Cat(Fixed(a.nll.value, 3), " [", Fixed(a.nll.lo, 3), "–", Fixed(a.nll.hi, 3), "]"),
                      Percent(a.accuracy.value), Percent(a.top3.value), Percent(a.ece.value), Fixed(b.nll.value, 3),
                      Percent(b.accuracy.value), Count(a.n)});
  }
  if (t.rows.empty()) return "";
  return "<h2 id=\"every-step-likelihood\">Every-step likelihood</h2>\n" + RenderTable(t);
}

std::string PaperSection(const Eval& e) {
  const PaperResult& p = e.paper;
  if (!p.present) return "";
  Table t;
  t.id = "paper";
  t.caption = Cat("The source paper's protocol: event-type level, prefixes cut at 25/50/75 % of each run, at most 5 runs "
                  "per program: ", Count(p.positions), " predictions from ", Count(p.runs), " runs of ", Count(p.programs),
                  " programs; group ECE over ", Count(p.groups), " (program, cut) groups; 10 bins. Per-type columns: "
                  "accuracy on the positions whose next event has that type (count in the header).");
  t.header = {"row", "accuracy", "ECE", "group ECE"};
  t.numeric = {false, true, true, true};
  for (const auto& [type, n] : p.type_counts) t.header.push_back(Cat(Escape(type), " (", n, ")")), t.numeric.push_back(true);
  for (const PaperRow& r : p.rows) {
    std::vector<std::string> row = {Escape(r.name), Percent(r.accuracy), Fixed(r.ece, 3), Fixed(r.group_ece, 3)};
    for (const auto& [type, n] : p.type_counts) {
      auto it = r.by_type.find(type);
      row.push_back(it == r.by_type.end() ? "—" : Percent(it->second));
    }
    t.rows.push_back(std::move(row));
  }
  Table m;
  m.id = "mcnemar";
  m.caption = "McNemar's test between each pair of rows: positions only A / only B gets right, exact two-sided p.";
  m.header = {"A", "B", "only A", "only B", "p"};
  m.numeric = {false, false, true, true, true};
  for (const auto& x : p.mcnemar)
    m.rows.push_back({Escape(x.a), Escape(x.b), Count(x.only_a), Count(x.only_b), Fixed(x.p, 4)});
  return "<h2 id=\"paper-protocol\">The source paper's protocol</h2>\n" + RenderTable(t) + RenderTable(m);
}

std::string Summary(const Eval& e) {
  Table t;
  t.id = "summary";
  t.caption = Cat(HasMacro(e) ? "Pooled: every one of the " : "Overall results on ", Count(e.examples),
                  " examples; [lo–hi] = 95 % bootstrap interval over programs; the oracle (the empirical "
                  "distribution itself) is the ceiling",
                  e.metrics_doc.empty() ? "" : Cat("; definitions in <code>", Escape(e.metrics_doc), "</code>"), ".");
  t.header = {"model", "source", "accuracy", "top-3", "mode agreement", "NLL", "Brier", "ECE", "gap to oracle"};
  t.numeric = {false, false, true, true, true, true, true, true, true};
  for (size_t i = 0; i < e.models.size(); ++i) {
    const ModelResult& m = e.models[i];
    t.rows.push_back({ModelCell(e, i), Escape(m.source), PercentWithInterval(m.accuracy.value, m.accuracy.lo, m.accuracy.hi),
                      Percent(m.top3.value), Percent(m.mode_agreement.value), Fixed(m.nll.value, 3),
                      Fixed(m.brier.value, 3), PercentWithInterval(m.ece.value, m.ece.lo, m.ece.hi),
                      PercentPoints(m.gap_accuracy)});
  }
  return "<h2 id=\"results\">Results</h2>\n" + MacroSummary(e) + RenderTable(t) + UncertainSection(e) +
         EveryStepSection(e) + PaperSection(e);
}

std::string ComparisonSection(const Eval& e) {
  std::string out = "<h2 id=\"kl-vs-ce\">KL vs cross-entropy training</h2>\n";
  if (e.comparison.empty()) return out + "<p>No model was trained with both objectives.</p>\n";
  Table t;
  t.id = "comparison";
  t.caption = "The same model kind trained against the empirical distribution (KL) and against sampled labels (CE).";
  t.header = {"kind", "accuracy KL", "accuracy CE", "Δ accuracy", "ECE KL", "ECE CE", "Δ ECE"};
  t.numeric = {false, true, true, true, true, true, true};
  for (const Comparison& c : e.comparison)
    t.rows.push_back({Escape(c.kind), Percent(c.kl_accuracy), Percent(c.ce_accuracy),
                      PercentPoints(c.kl_accuracy - c.ce_accuracy), Percent(c.kl_ece), Percent(c.ce_ece),
                      PercentPoints(c.kl_ece - c.ce_ece)});
  return out + RenderTable(t);
}

std::string ReliabilitySection(const Eval& e) {
  std::string out =
      "<h2 id=\"reliability\">Reliability</h2>\n<p>Per confidence bin (the model's highest probability): bars reach "
      "the bin's accuracy, dots sit at its mean confidence; on the dashed diagonal a model is calibrated. Numbers are "
      "the examples per bin.</p>\n<div class=\"reliability\">\n";
  for (size_t i = 0; i < e.models.size(); ++i) {
    const ModelResult& m = e.models[i];
    out += Cat("<figure class=\"reliability\"><figcaption>", Escape(m.name), " — ECE ", Percent(m.ece.value),
               "</figcaption>\n", ReliabilityDiagram(m.reliability, m.name, SeriesColor(i)), "</figure>\n");
  }
  return out + "</div>\n";
}

std::string RolloutSection(const Eval& e) {
  std::string out = "<h2 id=\"rollouts\">Multi-step rollouts</h2>\n";
  std::vector<LineSeries> tv, legal;
  for (size_t i = 0; i < e.models.size(); ++i) {
    const ModelResult& m = e.models[i];
    if (m.rollouts.empty()) continue;
    LineSeries t{m.name, SeriesColor(i), {}}, l{m.name, SeriesColor(i), {}};
    for (const RolloutPoint& p : m.rollouts) {
      t.points.push_back(LinePoint{double(p.k), p.tv, p.tv_lo, p.tv_hi});
      l.points.push_back(LinePoint{double(p.k), p.legality, NAN, NAN});
    }
    tv.push_back(std::move(t));
    legal.push_back(std::move(l));
  }
  if (tv.empty())
    return out + "<p id=\"no-rollouts\">Rollouts were not computed (they need the run store, <code>--store</code>, and "
                 "a model file; prediction files have none).</p>\n";
  out += "<p>Each model continues a prefix k events on its own; TV(k) is the total-variation distance between its "
         "k-th event distribution and the empirical one (shaded: 95 % interval), legality the fraction of rollouts "
         "whose events are all legal scheduler moves.</p>\n";
  // TV axis: the smallest of 0.2, 0.4, … 1 that holds every value and interval end.
  double tv_max = 0;
  for (const auto& s : tv)
    for (const auto& p : s.points)
      for (double v : {p.y, p.hi})
        if (std::isfinite(v)) tv_max = std::max(tv_max, v);
  const double tv_top = std::min(1.0, std::max(0.2, std::ceil(tv_max * 5 - 1e-9) / 5));
  out += "<figure class=\"rollout\">" + LineChart("TV(k) to the empirical distribution", "steps ahead k", "TV", tv, 0, tv_top) +
         "</figure>\n";
  out += "<figure class=\"rollout\">" + LineChart("legality by k", "steps ahead k", "legal rollouts", legal, 0, 1) +
         "</figure>\n";
  // Against the sampling floor: TV between two halves of the held-out continuations (the oracle row).
  Table f;
  f.id = "rollout-floor";
  f.caption = "TV above the sampling floor (the TV between two disjoint halves of the held-out runs' own continuations, "
              "the oracle row), at the same sample size; survival: mean steps before a sampled rollout leaves every "
              "continuation seen in the held-out runs.";
  f.header = {"model"};
  f.numeric = {false};
  std::vector<int> ks;
  for (const ModelResult& m : e.models)
    for (const RolloutPoint& p : m.rollouts)
      if ((p.k == 1 || p.k == 2 || p.k == 5 || p.k == 10) && std::find(ks.begin(), ks.end(), p.k) == ks.end()) ks.push_back(p.k);
  std::sort(ks.begin(), ks.end());
  for (int k : ks) f.header.push_back(Cat("k=", k, " TV − floor")), f.numeric.push_back(true);
  f.header.push_back("survival (steps)");
  f.numeric.push_back(true);
  for (size_t i = 0; i < e.models.size(); ++i) {
    const ModelResult& m = e.models[i];
    if (m.rollouts.empty() || !std::isfinite(m.rollout_survival)) continue;
    std::vector<std::string> row = {ModelCell(e, i)};
    for (int k : ks) {
      std::string cell = "—";
      for (const RolloutPoint& p : m.rollouts)
        if (p.k == k) cell = m.source == "oracle" ? Cat("floor ", Fixed(p.floor, 3)) : Fixed(p.above_floor, 3);
      row.push_back(cell);
    }
    row.push_back(Fixed(m.rollout_survival, 2));
    f.rows.push_back(std::move(row));
  }
  if (!f.rows.empty()) out += RenderTable(f);
  return out;
}

std::string BreakdownSection(const Eval& e) {
  std::vector<std::string> dims = {"category", "bug", "primitive"};
  for (const auto& m : e.models)
    for (const auto& [d, v] : m.breakdown)
      if (std::find(dims.begin(), dims.end(), d) == dims.end()) dims.push_back(d);
  std::string out = "<h2 id=\"breakdowns\">Breakdowns</h2>\n";
  bool any = false;
  for (const std::string& dim : dims) {
    std::set<std::string> keys;
    for (const auto& m : e.models)
      if (auto it = m.breakdown.find(dim); it != m.breakdown.end())
        for (const auto& [k, v] : it->second) keys.insert(k);
    if (keys.empty()) continue;
    any = true;
    Table t;
    t.id = "breakdown-" + SafeFileName(dim);
    t.caption = Cat("Accuracy and ECE by ", Escape(dim), ".");
    t.header = {Escape(dim), "n"};
    t.numeric = {false, true};
    for (size_t i = 0; i < e.models.size(); ++i) {
      t.header.push_back(Cat(ModelCell(e, i), " accuracy"));
      t.header.push_back("ECE");
      t.numeric.push_back(true);
      t.numeric.push_back(true);
    }
    for (const std::string& k : keys) {
      std::vector<std::string> row = {Escape(k.empty() ? "(none)" : k), "—"};
      for (const auto& m : e.models) {
        auto d = m.breakdown.find(dim);
        const BreakdownCell* c = nullptr;
        if (d != m.breakdown.end())
          if (auto it = d->second.find(k); it != d->second.end()) c = &it->second;
        if (c != nullptr && row[1] == "—" && c->n > 0) row[1] = Count(c->n);
        row.push_back(c ? Percent(c->accuracy) : "—");
        row.push_back(c ? Percent(c->ece) : "—");
      }
      t.rows.push_back(std::move(row));
    }
    out += RenderTable(t);
  }
  if (!any) out += "<p>No breakdowns in this evaluation.</p>\n";
  return out;
}

std::string DatasetSection(const Eval& e) {
  std::string out = "<h2 id=\"dataset\">Dataset</h2>\n";
  Table s;
  s.id = "splits";
  s.header = {"split", "examples", "programs"};
  s.numeric = {false, true, true};
  for (const auto& [name, st] : e.splits) s.rows.push_back({Escape(name), Count(st.examples), Count(st.programs)});
  out += RenderTable(s);
  if (!e.configs.empty()) {
    Table c;
    c.id = "configs";
    c.header = {"configuration", "examples"};
    c.numeric = {false, true};
    for (const auto& [name, n] : e.configs) c.rows.push_back({Escape(name), Count(n)});
    out += RenderTable(c);
  }
  out += Cat("<p>Uncertain examples (the target puts mass on more than one candidate): ", Percent(e.uncertain_fraction),
             " · mean number of legal candidates: ", Fixed(e.candidates_mean, 2), "</p>\n");
  return out;
}

std::string ProgramIndex(const Eval& e, const std::vector<std::string>& files) {
  std::string out = "<h2 id=\"programs\">Programs</h2>\n";
  if (e.programs_list.empty()) return out + "<p>No per-program results in this evaluation.</p>\n";
  std::vector<size_t> cols;  // models with a per-program accuracy somewhere
  for (size_t i = 0; i < e.models.size(); ++i)
    for (const auto& p : e.programs_list)
      if (p.accuracy.count(e.models[i].name)) {
        cols.push_back(i);
        break;
      }
  Table t;
  t.id = "program-index";
  t.caption = "Accuracy per program; each links to its samples.";
  t.header = {"program", "category", "bug", "examples"};
  t.numeric = {false, false, false, true};
  for (size_t i : cols) {
    t.header.push_back(ModelCell(e, i));
    t.numeric.push_back(true);
  }
  for (size_t k = 0; k < e.programs_list.size(); ++k) {
    const Program& p = e.programs_list[k];
    std::vector<std::string> row = {Cat("<a href=\"", Escape(files[k]), "\">", Escape(p.program), "</a>"),
                                    Escape(p.category), Escape(p.bug), Count(p.examples)};
    for (size_t i : cols) {
      auto it = p.accuracy.find(e.models[i].name);
      row.push_back(it == p.accuracy.end() ? "—" : Percent(it->second));
    }
    t.rows.push_back(std::move(row));
  }
  return out + RenderTable(t);
}

std::string Nav() {
  return "<p class=\"meta\"><a href=\"#results\">results</a> · <a href=\"#kl-vs-ce\">KL vs CE</a> · <a "
         "href=\"#reliability\">reliability</a> · <a href=\"#rollouts\">rollouts</a> · <a "
         "href=\"#breakdowns\">breakdowns</a> · <a href=\"#dataset\">dataset</a> · <a href=\"#programs\">programs</a></p>\n";
}

}  // namespace

std::string IndexPage(const Eval& e, const std::vector<std::string>& program_files) {
  std::string out = PageStart("schedcast evaluation");
  out += Header(e) + Nav() + Summary(e) + ComparisonSection(e) + ReliabilitySection(e) + RolloutSection(e) +
         BreakdownSection(e) + DatasetSection(e) + ProgramIndex(e, program_files);
  return out + PageEnd();
}

std::string ProgramPage(const Eval& e, const Program& p) {
  std::string out = PageStart(p.program);
  out += "<p class=\"meta\"><a href=\"../index.html\">← evaluation report</a></p>\n";
  out += Cat("<h1>", Escape(p.program), "</h1>\n<p class=\"meta\">category ", Escape(p.category.empty() ? "—" : p.category),
             " · ", p.bug.empty() ? "no known bug" : Cat("bug ", Escape(p.bug)), " · ", Count(p.examples), " ",
             Escape(e.split), " examples</p>\n");
  if (!p.accuracy.empty()) {
    Table t;
    t.id = "program-accuracy";
    t.header = {"model", "accuracy on this program"};
    t.numeric = {false, true};
    for (size_t i = 0; i < e.models.size(); ++i)  // headline order first
      if (auto it = p.accuracy.find(e.models[i].name); it != p.accuracy.end())
        t.rows.push_back({ModelCell(e, i), Percent(it->second)});
    for (const auto& [name, acc] : p.accuracy)
      if (ModelIndex(e, name) == e.models.size()) t.rows.push_back({Escape(name), Percent(acc)});
    out += RenderTable(t);
  }
  if (p.samples.empty()) return out + "<p>No samples of this program in the evaluation.</p>\n" + PageEnd();
  for (size_t k = 0; k < p.samples.size(); ++k) {
    const Sample& s = p.samples[k];
    // Series: the empirical target, then the models in the headline order, then any other predictions.
    std::vector<BarSeries> series = {{"empirical", kTargetColor, s.target}};
    std::vector<std::pair<size_t, const std::pair<std::string, std::vector<double>>*>> preds;
    for (const auto& pr : s.predictions) preds.emplace_back(ModelIndex(e, pr.first), &pr);
    std::stable_sort(preds.begin(), preds.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    std::string legend = Cat("<p class=\"legend\"><span>", Swatch(kTargetColor), "empirical target</span>");
    for (size_t j = 0; j < preds.size(); ++j) {
      const std::string color = preds[j].first < e.models.size() ? SeriesColor(preds[j].first) : SeriesColor(e.models.size() + j);
      series.push_back({preds[j].second->first, color, preds[j].second->second});
      legend += Cat("<span>", Swatch(color), Escape(preds[j].second->first), "</span>");
    }
    legend += "</p>\n";
    const auto it = std::find(s.candidates.begin(), s.candidates.end(), s.label);
    const int marked = it == s.candidates.end() ? -1 : static_cast<int>(it - s.candidates.begin());
    out += Cat("<section class=\"sample\"><h3>Sample ", k + 1, ": ", Escape(s.config), " · run ", s.run_id,
               " · position ", s.position, "</h3>\n");
    if (s.context.empty()) {
      out += "<p>Context: empty (the program's first event).</p>\n";
    } else {
      out += Cat("<p>Context (", s.context.size(), " events, oldest first):</p>\n<ol class=\"context\">");
      for (const auto& tok : s.context) out += Cat("<li>", Escape(tok), "</li>");
      out += "</ol>\n";
    }
    out += Cat("<p>Next event: ", s.candidates.size(), " legal candidates; observed <code>", Escape(s.label), "</code>",
               marked < 0 ? " (not among the candidates)" : " (marked ▶)", ".</p>\n");
    out += legend + ProbabilityBars(s.candidates, series, marked) + "</section>\n";
  }
  return out + PageEnd();
}

}  // namespace schedcast::report
