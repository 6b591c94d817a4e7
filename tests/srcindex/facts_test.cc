// Tests of the stored source index and the program facts: the store migration (a store made
// before the source_index table), real indexes of the collected corpus packages, facts on real
// examples, and a structured model whose predictions they change.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <iostream>
#include <array>
#include <map>
#include <set>

#include "collect/srcindex.h"
#include "data/dataset.h"
#include "data/program_facts.h"
#include "pipeline/run.h"
#include "model/objective.h"
#include "model/registry.h"
#include "store/source_index.h"
#include "testutil.h"

namespace schedcast {
namespace {

namespace fs = std::filesystem;

class SourceIndexStore : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("schedcast-srcindex-" + std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    db_ = (dir_ / "old.db").string();
    fs::copy_file(SCHEDCAST_CORPUS_DB, db_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  // Every package the store has runs of, indexed now by the helper this build made.
  static std::map<std::string, store::SourceIndexRecord> IndexEveryPackage(store::Store& st) {
    auto runs = st.ListRuns();
    EXPECT_TRUE(runs.ok()) << runs.status();
    if (!runs.ok()) return {};
    std::vector<const store::StoredRun*> all;
    for (const auto& r : *runs) all.push_back(&r);
    return IndexPackagesOf(all);
  }
  static std::map<std::string, store::SourceIndexRecord> IndexPackagesOf(const std::vector<const store::StoredRun*>& runs) {
    std::map<std::string, store::SourceIndexRecord> out;
    const std::string helper = collect::SrcIndexHelper();
    EXPECT_FALSE(helper.empty());
    if (helper.empty()) return out;
    for (const store::StoredRun* rp : runs) {
      const store::StoredRun& r = *rp;
      if (out.count(r.program.package)) continue;
      EXPECT_TRUE(fs::exists(r.program.dir)) << r.program.dir;
      collect::Package p;
      p.dir = r.program.dir;
      p.import_path = r.program.package;
      p.source_hash = r.program.source_hash;
      out.emplace(p.import_path, collect::IndexPackage(helper, p, nullptr));
    }
    return out;
  }
  // Every step of the store's runs that `which` picks, with a fact tracker on the package's index
  // made now (runs whose trace does not parse are the dataset tests' business). Returns how many
  // runs were visited.
  size_t ForEachStep(const std::function<bool(const store::StoredRun&)>& which,
                     const std::function<void(const pipeline::RunInput&, const sched::Step&, data::FactTracker&)>& visit) {
    auto st = store::Store::Open(db_);
    EXPECT_TRUE(st.ok()) << st.status();
    if (!st.ok()) return 0;
    auto runs = (*st)->ListRuns();
    EXPECT_TRUE(runs.ok());
    if (!runs.ok()) return 0;
    std::vector<const store::StoredRun*> picked;
    std::map<int64_t, std::string> package_of;
    for (const auto& r : *runs)
      if (which(r)) picked.push_back(&r), package_of[r.id] = r.program.package;
    std::map<std::string, srcindex::Index> indexes;
    for (const auto& [package, rec] : IndexPackagesOf(picked)) {
      EXPECT_TRUE(rec.ok) << package << ": " << rec.error;
      auto idx = srcindex::Index::Parse(rec.data, package);
      EXPECT_TRUE(idx.ok()) << idx.status();
      if (!idx.ok()) return 0;
      EXPECT_EQ(idx->version(), srcindex::Index::kVersion);
      indexes.emplace(package, std::move(*idx));
    }
    pipeline::LoadedRuns loaded = pipeline::LoadInputs(**st, picked);
    size_t visited = 0;
    for (const pipeline::RunInput& in : loaded.inputs) {
      auto tok = pipeline::Tokenize(in, {});
      if (!tok.ok()) continue;
      ++visited;
      data::FactTracker tracker(&indexes.at(package_of.at(in.run_id)), tok->parsed.timeline, tok->parsed.canon, in.name);
      for (const sched::Step& step : tok->steps) {
        tracker.AdvanceTo(step.event_index);
        visit(in, step, tracker);
      }
    }
    return visited;
  }
  fs::path dir_;
  std::string db_;
};

// A store written before the table existed: readers find no index; the first writer adds the
// table; rows round-trip and a failed index never replaces a good one.
TEST_F(SourceIndexStore, OldStoresReadWithoutIndexAndGainTheTableOnOpen) {
  {
    // The corpus store the tests share may already carry the table (collected by this build):
    // make it an old store.
    auto st = store::Store::Open(db_);
    ASSERT_TRUE(st.ok()) << st.status();
    ASSERT_TRUE((*st)->db().Exec("DROP TABLE source_index").ok());
  }
  {
    auto st = store::Store::OpenExisting(db_);
    ASSERT_TRUE(st.ok()) << st.status();
    auto rec = store::GetSourceIndex(**st, "x", "y");
    ASSERT_TRUE(rec.ok()) << rec.status();
    EXPECT_FALSE(rec->has_value());
  }
  auto st = store::Store::Open(db_);
  ASSERT_TRUE(st.ok()) << st.status();
  auto tables = (*st)->db().QueryInt("SELECT count(*) FROM sqlite_schema WHERE name = 'source_index'");
  ASSERT_TRUE(tables.ok());
  EXPECT_EQ(*tables, 1);
  store::SourceIndexRecord good{"pkg", "h1", true, "{\"version\":1}", "", 12.5};
  ASSERT_TRUE(store::PutSourceIndex(**st, good).ok());
  store::SourceIndexRecord bad{"pkg", "h1", false, "", "helper failed", 1};
  ASSERT_TRUE(store::PutSourceIndex(**st, bad).ok());
  auto back = store::GetSourceIndex(**st, "pkg", "h1");
  ASSERT_TRUE(back.ok() && back->has_value());
  EXPECT_TRUE((*back)->ok);
  EXPECT_EQ((*back)->data, good.data);
  EXPECT_DOUBLE_EQ((*back)->wall_ms, 12.5);
}

// An index of an older version than the helper writes lacks fields (version 3 added the durations
// the clock facts read): `collect` with the store's own plan runs nothing new but makes that index
// again, and leaves current ones alone.
TEST_F(SourceIndexStore, CollectMakesOlderIndexesAgain) {
  const std::string pkg = "schedcast.dev/corpus/chans";
  {
    auto st = store::Store::Open(db_);
    ASSERT_TRUE(st.ok()) << st.status();
    auto runs = (*st)->ListRuns();
    ASSERT_TRUE(runs.ok());
    std::string hash;
    for (const auto& r : *runs)
      if (r.program.package == pkg) hash = r.program.source_hash;
    ASSERT_FALSE(hash.empty()) << "the corpus store has no runs of " << pkg;
    store::SourceIndexRecord old{pkg, hash, true, "{\"version\":2,\"ops\":[],\"funcs\":[]}", "", 1};
    ASSERT_TRUE((*st)->db().Exec("DELETE FROM source_index").ok());
    ASSERT_TRUE(store::PutSourceIndex(**st, old).ok());
  }
  // The plan tests/data/make_corpus_store.sh collected chans with: every run is already there.
  auto r = testutil::RunCommand({SCHEDCAST_BIN, "collect", std::string(SCHEDCAST_SOURCE_DIR) + "/corpus/chans", "--store", db_,
                                 "--runs", "8", "--gomaxprocs", "1,2", "--go", "1.19,1.23", "--timeout", "3s", "--seed",
                                 "7", "--progress", "lines"},
                                {"GOTOOLCHAIN=local"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto st = store::Store::Open(db_);
  ASSERT_TRUE(st.ok()) << st.status();
  auto n = (*st)->db().QueryInt("SELECT count(*) FROM source_index");
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 1) << "only the package collected is indexed";
  auto runs = (*st)->ListRuns();
  ASSERT_TRUE(runs.ok());
  for (const auto& run : *runs) {
    if (run.program.package != pkg) continue;
    auto rec = store::GetSourceIndex(**st, pkg, run.program.source_hash);
    ASSERT_TRUE(rec.ok() && rec->has_value()) << rec.status();
    EXPECT_TRUE((*rec)->ok);
    EXPECT_EQ(srcindex::VersionOf((*rec)->data), srcindex::Index::kVersion) << (*rec)->data.substr(0, 200);
    break;
  }
}

// Indexes every package of the corpus store with the real helper, builds the dataset, and checks
// that facts are there, mostly resolved, and that a model trained on them predicts differently
// with and without them.
TEST_F(SourceIndexStore, CorpusExamplesCarryFactsThatChangePredictions) {
  auto st = store::Store::Open(db_);
  ASSERT_TRUE(st.ok()) << st.status();
  const auto indexes = IndexEveryPackage(**st);
  ASSERT_FALSE(indexes.empty());
  for (const auto& [package, r] : indexes) {
    ASSERT_TRUE(r.ok) << package << ": " << r.error;
    ASSERT_TRUE(store::PutSourceIndex(**st, r).ok());
  }
  data::DatasetOptions opt;
  opt.manifest = std::string(SCHEDCAST_SOURCE_DIR) + "/corpus/MANIFEST.json";
  const std::string out = (dir_ / "ds").string();
  auto sum = data::BuildDataset(**st, opt, out, [](size_t, size_t, const std::string&) {});
  ASSERT_TRUE(sum.ok()) << sum.status();
  auto train = data::LoadExamples(out, "train");
  auto test = data::LoadExamples(out, "test");
  ASSERT_TRUE(train.ok() && test.ok());
  ASSERT_FALSE(train->empty());
  size_t cands = 0, known = 0, partner = 0, create = 0, then = 0;
  for (const auto& e : *train) {
    ASSERT_EQ(e.facts.size(), e.candidates.size()) << e.program;
    for (size_t i = 0; i < e.candidates.size(); ++i) {
      ++cands;
      bool unknown = false, at = false, after = false;
      for (const auto& f : e.facts[i]) {
        unknown |= f == "next:?";
        partner += f.rfind("partner:", 0) == 0;
        create += f.rfind("child:", 0) == 0 && f != "child:?";
        at |= f.rfind("at:", 0) == 0;
        after |= f.rfind("then:", 0) == 0;
      }
      known += !unknown;
      then += after;
      // "then:" is where a goroutine that is not blocked may already be: never beside "at:".
      EXPECT_FALSE(at && after) << e.program << " " << e.candidates[i];
    }
  }
  EXPECT_GT(then, 0u);
  // Most candidates' goroutines stand at a site of their own package.
  EXPECT_GT(known, cands / 2) << known << " of " << cands;
  EXPECT_GT(partner, 0u);
  EXPECT_GT(create, 0u);

  auto kind = model::FindKind("structured");
  ASSERT_TRUE(kind.ok());
  auto options = model::ResolveOptions(**kind, {{"epochs", 3}, {"facts", "all"}});
  ASSERT_TRUE(options.ok()) << options.status();
  auto objective = model::MakeObjective("kl");
  ASSERT_TRUE(objective.ok());
  auto validation = data::LoadExamples(out, "validation");
  ASSERT_TRUE(validation.ok());
  auto m = (*kind)->train({*train, *validation, **objective, nullptr}, *options);
  ASSERT_TRUE(m.ok()) << m.status();
  size_t changed = 0;
  for (data::Example e : *test) {
    const std::vector<double> with = (*m)->Predict(e);
    e.facts.clear();
    const std::vector<double> without = (*m)->Predict(e);
    for (size_t i = 0; i < with.size(); ++i)
      if (std::abs(with[i] - without[i]) > 1e-3) {
        ++changed;
        break;
      }
  }
  EXPECT_GT(changed, test->size() / 2) << changed << " of " << test->size();
}

// Buffer occupancy on a real run of a corpus program whose buffered channel fills:
// TestConveyorBackpressure (corpus/chans) sends 15 values through `make(chan int, 2)` to a slow
// receiver. The facts of the receiver (T) and the sender (T.0) must agree with the scheduler state
// the tokenizer replays independently: "buf:full" exactly while the sender is parked in a send,
// "buf:empty" exactly while the receiver is parked in a receive, "buf:?" otherwise.
TEST_F(SourceIndexStore, BufferOccupancyFollowsParkedSendersAndReceivers) {
  auto st = store::Store::Open(db_);
  ASSERT_TRUE(st.ok()) << st.status();
  auto runs = (*st)->ListRuns();
  ASSERT_TRUE(runs.ok());
  std::vector<const store::StoredRun*> mine;
  for (const auto& r : *runs)
    if (r.program.name == "TestConveyorBackpressure" && r.outcome == store::Outcome::kOk) mine.push_back(&r);
  ASSERT_GE(mine.size(), 2u) << "the corpus store has no runs of TestConveyorBackpressure";
  // The index the collector stored for the package (the source may have moved since).
  auto rec = store::GetSourceIndex(**st, mine[0]->program.package, mine[0]->program.source_hash);
  ASSERT_TRUE(rec.ok()) << rec.status();
  ASSERT_TRUE(rec->has_value() && (*rec)->ok) << "the corpus store holds no source index of " << mine[0]->program.package;
  auto index = srcindex::Index::Parse((*rec)->data, mine[0]->program.package);
  ASSERT_TRUE(index.ok()) << index.status();

  pipeline::LoadedRuns loaded = pipeline::LoadInputs(**st, mine);
  ASSERT_TRUE(loaded.failures.empty());
  size_t full = 0, empty = 0, unknown = 0, steps = 0;
  for (const pipeline::RunInput& in : loaded.inputs) {
    auto tok = pipeline::Tokenize(in, {});
    ASSERT_TRUE(tok.ok()) << tok.status();
    data::FactTracker tracker(&*index, tok->parsed.timeline, tok->parsed.canon, in.name);
    for (const sched::Step& step : tok->steps) {
      tracker.AdvanceTo(step.event_index);
      const auto facts = tracker.Facts(step.candidates);
      ASSERT_EQ(facts.size(), step.candidates.size());
      // Independent of the index: the replayed scheduler state ("T:run T.0:blk(send)").
      const std::string& state = step.state_key;
      const bool sender_parked = state.find("blk(send") != std::string::npos;
      const bool receiver_parked = state.find("blk(recv") != std::string::npos;
      ++steps;
      for (size_t i = 0; i < facts.size(); ++i)
        for (const std::string& f : facts[i]) {
          if (f == "buf:full") {
            ++full;
            EXPECT_TRUE(sender_parked) << "run " << in.run_id << " " << state << " " << step.candidates[i];
          } else if (f == "buf:empty") {
            ++empty;
            EXPECT_TRUE(receiver_parked) << "run " << in.run_id << " " << state << " " << step.candidates[i];
          } else if (f == "buf:?") {
            ++unknown;
            EXPECT_FALSE(sender_parked || receiver_parked)
                << "run " << in.run_id << " " << state << " " << step.candidates[i];
          }
        }
    }
  }
  // The conveyor fills in real runs (the sender parks), empties (the receiver parks), and between
  // those the occupancy is left unknown rather than guessed.
  EXPECT_GT(full, 0u) << steps << " steps";
  EXPECT_GT(empty, 0u) << steps << " steps";
  EXPECT_GT(unknown, 0u) << steps << " steps";
}

// The wake facts against what the runtime did, on every run of the corpus store (indexed afresh
// by the helper this build made): a goroutine woken while it waits for a constant-duration sleep
// or time.After is, as a rule, the one whose deadline comes first (timers fire in deadline order);
// among goroutines parked on one object, the one woken is, as a rule, the one that parked first
// (FIFO wait queues); a parked goroutine that no other goroutine can reach a matching op for
// (reach:0) is woken far more rarely than one that some goroutine can (reach:1). The due and queue
// facts only ever sit on goroutines the replayed scheduler state has blocked.
TEST_F(SourceIndexStore, WakeFactsAgreeWithTheWakeUps) {
  size_t due = 0, due_first = 0, queued = 0, queue_first = 0, clock_facts = 0;
  size_t offered[2] = {0, 0}, woken[2] = {0, 0};  // GoUnblock candidates with reach:0 / reach:1, and taken
  const size_t runs = ForEachStep([](const store::StoredRun&) { return true; }, [&](const pipeline::RunInput& in,
                                                                                    const sched::Step& step,
                                                                                    data::FactTracker& tracker) {
      const auto facts = tracker.Facts(step.candidates);
      for (size_t i = 0; i < facts.size(); ++i) {
        const std::string& c = step.candidates[i];
        const std::string g = c.substr(c.rfind(' ') + 1);
        auto has = [&](std::string_view f) { return std::find(facts[i].begin(), facts[i].end(), f) != facts[i].end(); };
        const bool d = has("due:past") || has("due:wait"), q = has("queue:first") || has("queue:later");
        if (d || q) {
          ++clock_facts;
          // The state key lists "g:blk(reason)" for blocked goroutines.
          EXPECT_NE((" " + step.state_key).find(" " + g + ":blk("), std::string::npos)
              << in.name << " run " << in.run_id << ": " << c << " carries a wait fact but the state is " << step.state_key;
        }
        EXPECT_FALSE(has("due:first") && !d) << in.name << " " << c;
        if (c.rfind("GoUnblock ", 0) == 0 && (has("reach:0") || has("reach:1"))) {
          const int r = has("reach:1");
          ++offered[r];
          woken[r] += c == step.base_token;
        }
        if (c != step.base_token || c.rfind("GoUnblock ", 0) != 0) continue;
        due += d, due_first += d && has("due:first");
        queued += q, queue_first += q && has("queue:first");
      }
  });
  ASSERT_GT(runs, 0u);
  std::cout << "GoUnblock candidates: reach:0 " << woken[0] << " taken of " << offered[0] << ", reach:1 " << woken[1]
            << " of " << offered[1] << "\n";
  ASSERT_GT(offered[0], 100u);
  ASSERT_GT(offered[1], 100u);
  // Taken at most a quarter as often (rates compared as woken0/offered0 <= woken1/offered1 / 4).
  EXPECT_LE(woken[0] * offered[1] * 4, woken[1] * offered[0]);
  EXPECT_LE(woken[0] * 50, offered[0]) << "a goroutine nobody can reach was woken in over 2 % of its chances";
  std::cout << "wake-ups of timed waits: " << due << " (" << due_first << " the first deadline); of queued "
            << "waiters: " << queued << " (" << queue_first << " the first parked); " << clock_facts << " facts\n";
  ASSERT_GT(due, 20u);
  ASSERT_GT(queued, 20u);
  EXPECT_GE(due_first, due * 9 / 10);
  EXPECT_GE(queue_first, queued * 7 / 10);
}

// The walk group names a goroutine's own next event: a candidate no walk ends in is almost never
// what happened, one every walk ends in mostly is; a GoUnblock a running goroutine's walk performs
// is taken more often than one no walk performs.
TEST_F(SourceIndexStore, WalkFactsNameTheOwnNextEvent) {
  std::map<std::string, std::array<size_t, 2>> seen;  // "own walk:only" etc. → {offered, taken}
  const size_t runs = ForEachStep([](const store::StoredRun&) { return true; }, [&](const pipeline::RunInput&,
                                                                                    const sched::Step& step,
                                                                                    data::FactTracker& tracker) {
      const auto facts = tracker.Facts(step.candidates);
      for (size_t i = 0; i < facts.size(); ++i) {
        const std::string& c = step.candidates[i];
        const std::string kind = c.rfind("GoUnblock ", 0) == 0 ? "unblock" : "own";
        std::string walk = "none";
        for (const std::string& f : facts[i])
          if (f.rfind("walk:", 0) == 0 && walk != "walk:only") walk = f;
        if (kind == "own" && walk == "none") continue;  // GoStart, syscalls: no walk facts
        auto& n = seen[kind + " " + walk];
        ++n[0];
        n[1] += c == step.base_token;
      }
  });
  ASSERT_GT(runs, 0u);
  for (const auto& [k, n] : seen) std::cout << k << ": " << n[1] << " taken of " << n[0] << "\n";
  auto rate = [&](const std::string& k) { return double(seen[k][1]) / std::max<size_t>(seen[k][0], 1); };
  ASSERT_GT(seen["own walk:only"][0], 100u);
  ASSERT_GT(seen["own walk:0"][0], 1000u);
  ASSERT_GT(seen["unblock walk:1"][0], 100u);
  // When written 0.53 and 0.009; 0.89 and 0.0006 once an unblocker stands after the op that readied
  // its peer and locks held where a goroutine stands block the walk. Own candidates are taken 6 %
  // of the time.
  EXPECT_GE(rate("own walk:only"), 0.7);
  EXPECT_LE(rate("own walk:0"), 0.005);
  EXPECT_GE(rate("own walk:1"), 10 * rate("own walk:0"));
  // Past the test function's end (the testing package reports, then the goroutine ends): a weaker
  // claim than walk:1, far from walk:0 (0.14 when written).
  ASSERT_GT(seen["own walk:end"][0], 100u);
  EXPECT_GE(rate("own walk:end"), 10 * rate("own walk:0"));
  EXPECT_GE(rate("unblock walk:1"), 1.5 * rate("unblock none"));  // 2.1x when written
}

// A loop whose trip count the index does not know (a `for` on a condition, a range over a channel):
// an event a walk reaches only by leaving such a loop (walk:exit beside walk:1) is the loop's one
// exit, where the walks that stay come round again — a goroutine takes it far less often than an
// event a walk reaches within its loops.
TEST_F(SourceIndexStore, AnUnknownLoopsExitIsTakenOnce) {
  std::array<std::array<size_t, 2>, 2> own{};  // [walk:exit?] → {walk:1 candidates offered, taken}
  ForEachStep([](const store::StoredRun&) { return true; },
              [&](const pipeline::RunInput&, const sched::Step& step, data::FactTracker& tracker) {
                const auto facts = tracker.Facts(step.candidates);
                for (size_t i = 0; i < facts.size(); ++i) {
                  const auto& f = facts[i];
                  if (std::find(f.begin(), f.end(), "walk:1") == f.end() || step.candidates[i].starts_with("GoUnblock"))
                    continue;
                  auto& n = own[std::find(f.begin(), f.end(), "walk:exit") != f.end()];
                  ++n[0];
                  n[1] += step.candidates[i] == step.base_token;
                }
              });
  std::cout << "own walk:1 candidates: staying in their loops " << own[0][1] << " taken of " << own[0][0]
            << "; only by leaving an unknown loop (walk:exit) " << own[1][1] << " taken of " << own[1][0] << "\n";
  ASSERT_GT(own[1][0], 200u);
  ASSERT_GT(own[0][0], 1000u);
  // When written: 482 taken of 5,513 (0.087) against 20,343 of 74,850 (0.27).
  const double stay = double(own[0][1]) / own[0][0], exit = double(own[1][1]) / own[1][0];
  EXPECT_LE(exit, stay / 2);
}

// Loops with a static trip count (index version 6): after a go statement inside
// `for i := 0; i < N; i++`, the test goroutine's walk goes back for another go statement until it
// has made N of them, then leaves the loop — so one of its candidates is walk:only where, before,
// the walk reached both the next go statement and what follows the loop. Where the test goroutine
// acts right after such a go statement, the walk:only candidate is what it does.
TEST_F(SourceIndexStore, CountedLoopsTellAnotherTripFromTheExit) {
  size_t after_go = 0, with_only = 0, taken = 0, acted = 0;
  int64_t run = -1;
  std::string prev;
  ForEachStep([](const store::StoredRun& r) { return r.program.package.ends_with("/chans"); },
              [&](const pipeline::RunInput& in, const sched::Step& step, data::FactTracker& tracker) {
                if (in.run_id != run) run = in.run_id, prev.clear();
                const bool root_created = prev.starts_with("GoCreate T>");
                prev = step.base_token;
                if (!root_created) return;
                const auto facts = tracker.Facts(step.candidates);
                std::string only;
                for (size_t i = 0; i < facts.size(); ++i) {
                  const std::string& c = step.candidates[i];
                  const bool root = c.ends_with(" T") || c.starts_with("GoCreate T>");
                  if (root && std::find(facts[i].begin(), facts[i].end(), "walk:only") != facts[i].end()) only = c;
                }
                const bool root_acts = step.base_token.ends_with(" T") || step.base_token.starts_with("GoCreate T>");
                ++after_go;
                if (only.empty()) return;
                ++with_only;
                if (!root_acts) return;
                ++acted;
                taken += step.base_token == only;
              });
  std::cout << after_go << " steps right after the test goroutine's go statement; " << with_only
            << " with a walk:only candidate of it; it acted in " << acted << ", as marked in " << taken << "\n";
  ASSERT_GT(after_go, 100u);
  EXPECT_GE(with_only, after_go / 2);
  ASSERT_GT(acted, 50u);
  EXPECT_GE(taken, acted * 9 / 10);
}

// Calls are followed (index version 4): in TestRouteTableRecursiveRLock the test goroutine calls
// lookup, a function literal that read-locks the table, while the updater waits to write-lock it.
// Where the test goroutine blocks there, its facts name the read lock inside lookup as its next op
// and the walk ends in that GoBlock(sync) — the call's line holds no op of its own.
TEST_F(SourceIndexStore, CallsAreFollowedIntoTheCalledFunction) {
  // Every run: the first step after the test goroutine's sleep at which it can block again.
  size_t woke = 0, named = 0, blocked = 0, walked = 0;
  bool slept = false;
  int64_t run = -1;
  const size_t runs = ForEachStep(
      [](const store::StoredRun& r) { return r.program.name == "TestRouteTableRecursiveRLock"; },
      [&](const pipeline::RunInput& in, const sched::Step& step, data::FactTracker& tracker) {
        if (in.run_id != run) slept = false, run = in.run_id;
        const auto at = std::find(step.candidates.begin(), step.candidates.end(), "GoBlock(sync) T") - step.candidates.begin();
        if (slept && at < static_cast<long>(step.candidates.size())) {
          const auto f = tracker.Facts(step.candidates)[at];
          auto has = [&](std::string_view x) { return std::find(f.begin(), f.end(), x) != f.end(); };
          ++woke;
          named += has("next:rlock");
          if (step.base_token == "GoBlock(sync) T") ++blocked, walked += has("walk:1");  // the bug
          slept = false;
        }
        if (step.base_token == "GoBlock(sleep) T") slept = true;
      });
  ASSERT_GT(runs, 0u) << "the fixture store has no runs of TestRouteTableRecursiveRLock";
  std::cout << "the test goroutine ran after its sleep in " << woke << " of " << runs << " runs (next:rlock in "
            << named << "); it blocked then in " << blocked << " (walk:1 in " << walked << ")\n";
  ASSERT_GT(woke, 0u);
  EXPECT_EQ(named, woke);
  EXPECT_EQ(walked, blocked);
}

// A lock another goroutine holds blocks the walk even while that goroutine sleeps: in
// TestLedgerReconcileInversion the compactor locks the journal and sleeps; the test goroutine locks
// the ledger, and its select's case locks the journal. Every time it blocks in a lock, its facts
// said so (walk:1; before locks were held by dominance: walk:0, the compactor has no unlock pending
// while it sleeps).
TEST_F(SourceIndexStore, LocksHeldWhereAGoroutineStandsBlockTheWalk) {
  size_t blocked = 0, walked = 0, denied = 0;
  const size_t runs = ForEachStep(
      [](const store::StoredRun& r) { return r.program.name == "TestLedgerReconcileInversion"; },
      [&](const pipeline::RunInput&, const sched::Step& step, data::FactTracker& tracker) {
        if (step.base_token != "GoBlock(sync) T") return;
        const auto at = std::find(step.candidates.begin(), step.candidates.end(), step.base_token) - step.candidates.begin();
        const auto f = tracker.Facts(step.candidates)[at];
        ++blocked;
        walked += std::find(f.begin(), f.end(), "walk:1") != f.end();
        denied += std::find(f.begin(), f.end(), "walk:0") != f.end();
      });
  ASSERT_GT(runs, 0u) << "the fixture store has no runs of TestLedgerReconcileInversion";
  std::cout << "the test goroutine blocked in a lock " << blocked << " times in " << runs << " runs (walk:1 " << walked
            << ", walk:0 " << denied << ")\n";
  ASSERT_GT(blocked, 0u) << "no run of TestLedgerReconcileInversion in the fixture store (tests/data/make_corpus_store.sh) "
                            "had its test goroutine block in a lock: the select never picked the reconciliation case "
                            "while the compactor held the journal";
  EXPECT_EQ(denied, 0u);
  EXPECT_EQ(walked, blocked);
}

// Calls that reach the operating system (index version 5, "io" ops): in the io/sockets programs
// (the fixture store's three) the goroutines read and write loopback connections, directly and
// through the wire package — a package of the same module, indexed with sockets since version 7
// (its calls are "call" ops into its code, and a goroutine standing in it has a place). Per
// goroutine and step: when its walk reaches an io call (its Syscall, SyscallBlock and GoBlock(net)
// candidates are marked walk:1), one of those is the step's event as a rule (0.68 on the CI
// fixture; the share moves with how often other goroutines act first); when the walk reaches none,
// seldom (0.00). Nearly every such event was marked (0.99; with wire unseen, 0.62: a goroutine
// standing in wire had no place, and calls into it were "ext" ops), and no goroutine stands where
// the index has no place for it. A walk that reaches the test function's end marks them walk:end
// instead (the testing package reports there).
TEST_F(SourceIndexStore, IoCallsMarkTheSystemCallsTheyMake) {
  // [walk:1, walk:ext only, neither, no place known (next:?), walk:end] → {goroutine-steps, one of them taken}
  std::array<std::array<size_t, 2>, 5> seen{};
  size_t events = 0, marked = 0;
  const size_t runs = ForEachStep(
      [](const store::StoredRun& r) { return r.program.package.ends_with("/io/sockets"); },
      [&](const pipeline::RunInput&, const sched::Step& step, data::FactTracker& tracker) {
        const auto facts = tracker.Facts(step.candidates);
        std::map<std::string, std::array<bool, 5>> by_g;  // goroutine → (walk:1, walk:ext, taken, next:?, walk:end)
        for (size_t i = 0; i < facts.size(); ++i) {
          const std::string& c = step.candidates[i];
          if (!c.starts_with("Syscall ") && !c.starts_with("SyscallBlock ") && !c.starts_with("GoBlock(net) ")) continue;
          auto has = [&](std::string_view f) { return std::find(facts[i].begin(), facts[i].end(), f) != facts[i].end(); };
          auto& g = by_g[c.substr(c.rfind(' ') + 1)];
          g[0] |= has("walk:1");
          g[1] |= has("walk:ext");
          g[2] |= c == step.base_token;
          g[3] |= has("next:?");
          g[4] |= has("walk:end");
          if (c == step.base_token) ++events, marked += has("walk:1");
        }
        for (const auto& [who, g] : by_g) {
          const int k = g[0] ? 0 : g[1] ? 1 : g[4] ? 4 : g[3] ? 3 : 2;
          ++seen[k][0];
          seen[k][1] += g[2];
        }
      });
  ASSERT_GT(runs, 0u) << "the fixture store has no runs of corpus/io/sockets";
  const char* names[] = {"walk:1", "walk:ext only", "neither", "no place known", "walk:end"};
  for (int k = 0; k < 5; ++k)
    std::cout << names[k] << ": a system call / network wait next in " << seen[k][1] << " of " << seen[k][0]
              << " goroutine-steps\n";
  std::cout << events << " such events, " << marked << " marked walk:1\n";
  auto rate = [&](int k) { return double(seen[k][1]) / std::max<size_t>(seen[k][0], 1); };
  ASSERT_GT(seen[0][0], 100u);
  ASSERT_GT(seen[2][0], 100u);
  ASSERT_GT(events, 100u);
  EXPECT_GE(rate(0), 0.6);
  EXPECT_LE(rate(2), 0.1);
  // The wire package is indexed with sockets: no call into it is unseen, no goroutine in it placeless.
  const size_t steps = seen[0][0] + seen[1][0] + seen[2][0] + seen[3][0] + seen[4][0];
  EXPECT_LE(seen[1][0] + seen[3][0], steps / 50);
  EXPECT_GE(double(marked) / events, 0.9);
}

// Reads and writes of in-memory pipes (index version 10, `pipe` io ops): the io/mempipe programs
// (the fixture store's two) talk over net.Pipe and io.Pipe ends handed to the package's client and
// server through parameters and fields. Such a read or write blocks on the pipe's channels and
// mutex, never in a system call: a walk that reaches one marks the goroutine's GoBlock(select),
// (recv), (send) and (sync) candidates "walk:1" (before version 10 it marked its system calls and
// nothing else), claims nothing against its other kinds (no "walk:0"), and those GoBlocks are next
// far more often than the goroutine's system calls. A goroutine parked in such an op is woken more
// often while another's walk reaches one ("walk:pipe"), and more often still while another's walk
// reaches a write at the other end of its pipe ("walk:1": the pipe's end channels).
TEST_F(SourceIndexStore, PipeIoBlocksOnChannelsNotInSystemCalls) {
  size_t steps = 0, denied = 0, blocked = 0, syscalled = 0, syscall_marked = 0;
  std::array<std::array<size_t, 2>, 2> wake{};  // [walk:pipe?] → {GoUnblock candidates at:io, taken}
  std::array<std::array<size_t, 2>, 2> woken{};  // [walk:1?] → {GoUnblock candidates at:io, taken}
  const size_t runs = ForEachStep(
      [](const store::StoredRun& r) { return r.program.package.ends_with("/io/mempipe"); },
      [&](const pipeline::RunInput&, const sched::Step& step, data::FactTracker& tracker) {
        const auto facts = tracker.Facts(step.candidates);
        auto has = [&](size_t i, std::string_view f) { return std::find(facts[i].begin(), facts[i].end(), f) != facts[i].end(); };
        auto who = [](const std::string& c) { return c.substr(c.rfind(' ') + 1); };
        for (size_t i = 0; i < facts.size(); ++i)
          if (step.candidates[i].starts_with("GoUnblock ") && has(i, "at:io")) {
            auto& k = wake[has(i, "walk:pipe")];
            ++k[0];
            k[1] += step.candidates[i] == step.base_token;
            auto& w = woken[has(i, "walk:1")];
            ++w[0];
            w[1] += step.candidates[i] == step.base_token;
          }
        // goroutine → how many of the four pipe blocks its walk marks
        std::map<std::string, int> marks;
        for (size_t i = 0; i < facts.size(); ++i) {
          const std::string& c = step.candidates[i];
          for (std::string_view b : {"GoBlock(select) ", "GoBlock(recv) ", "GoBlock(send) ", "GoBlock(sync) "})
            if (c.starts_with(b) && has(i, "walk:1")) ++marks[who(c)];
        }
        std::set<std::string> piped;
        for (const auto& [g, n] : marks)
          if (n == 4) piped.insert(g);
        steps += piped.size();
        for (size_t i = 0; i < facts.size(); ++i) {
          const std::string& c = step.candidates[i];
          if (!piped.count(who(c))) continue;
          denied += has(i, "walk:0");
          const bool taken = c == step.base_token;
          if (c.starts_with("GoBlock(")) blocked += taken;
          if (c.starts_with("Syscall")) syscalled += taken, syscall_marked += has(i, "walk:1");
        }
      });
  ASSERT_GT(runs, 0u) << "the fixture store has no runs of corpus/io/mempipe";
  std::cout << steps << " goroutine-steps whose walk reached a pipe op: a GoBlock next in " << blocked
            << ", a system call in " << syscalled << "; " << syscall_marked << " system-call candidates walk:1, "
            << denied << " candidates walk:0\n";
  ASSERT_GT(steps, 50u);
  EXPECT_EQ(denied, 0u);
  EXPECT_GT(blocked, 10 * std::max<size_t>(syscalled, 1));
  EXPECT_LE(syscall_marked, steps / 10);
  // A goroutine parked in a pipe read or write is woken next more often while another goroutine's
  // walk reaches a read or write of its own ("walk:pipe": a pipe's other end may be it).
  std::cout << "GoUnblock of goroutines parked in indirect io: with walk:pipe " << wake[1][1] << " of " << wake[1][0]
            << " taken, without " << wake[0][1] << " of " << wake[0][0] << "\n";
  ASSERT_GT(wake[1][0], 50u);
  ASSERT_GT(wake[0][0], 50u);
  EXPECT_GT(double(wake[1][1]) / wake[1][0], 2.0 * wake[0][1] / wake[0][0]);
  // A pipe's reads and writes act on its ends' channels: the walk of a goroutine about to write
  // readies the one parked reading at the other end of that pipe ("walk:1"), not any pipe's.
  std::cout << "GoUnblock of goroutines parked in pipe io: with walk:1 " << woken[1][1] << " of " << woken[1][0]
            << " taken, without " << woken[0][1] << " of " << woken[0][0] << "\n";
  ASSERT_GT(woken[1][0], 50u);
  // (when written: 2,230 of 7,469 = 0.30 with walk:1, 329 of 17,190 = 0.02 without; walk:pipe 0.19)
  EXPECT_GT(double(woken[1][1]) / woken[1][0], 5.0 * woken[0][1] / woken[0][0]);
  EXPECT_GT(double(woken[1][1]) / woken[1][0], 1.3 * wake[1][1] / wake[1][0]);
}

}  // namespace
}  // namespace schedcast
