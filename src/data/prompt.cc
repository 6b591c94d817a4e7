#include "data/prompt.h"

#include <filesystem>
#include <map>

namespace schedcast::data {

std::string Letter(size_t i) {
  std::string s;
  ++i;
  while (i > 0) {
    --i;
    s.insert(s.begin(), static_cast<char>('A' + i % 26));
    i /= 26;
  }
  return s;
}

std::string ReadableToken(const std::string& token) {
  static const std::map<std::string, std::string> kBlock = {
      {"send", "blocks sending on a channel"},   {"recv", "blocks receiving from a channel"},
      {"select", "blocks in a select"},          {"sync", "blocks on a mutex or WaitGroup"},
      {"cond", "blocks in sync.Cond.Wait"},      {"sleep", "sleeps"},
      {"net", "blocks on the network poller"},   {"other", "blocks"}};
  const size_t sp = token.find(' ');
  const std::string kind = token.substr(0, sp);
  std::string rest = sp == std::string::npos ? "" : token.substr(sp + 1);
  std::string where;
  if (const size_t at = rest.find(" @"); at != std::string::npos) {
    where = " at " + rest.substr(at + 2);
    rest = rest.substr(0, at);
  }
  const std::string who = rest.empty() ? "a goroutine" : "goroutine " + rest;
  if (kind == "GoCreate") {
    const size_t gt = rest.find('>');
    return Cat("goroutine ", rest.substr(0, gt), " starts new goroutine ", gt == std::string::npos ? "?" : rest.substr(gt + 1), where);
  }
  if (kind.rfind("GoBlock(", 0) == 0) {
    const std::string reason = kind.substr(8, kind.size() - 9);
    auto it = kBlock.find(reason);
    return Cat(who, " ", it == kBlock.end() ? "blocks" : it->second, where);
  }
  if (kind == "GoStart") return Cat(who, " starts running", where);
  if (kind == "GoUnblock") return Cat(who, " is woken up", where);
  if (kind == "GoSched") return Cat(who, " yields", where);
  if (kind == "GoPreempt") return Cat(who, " is preempted", where);
  if (kind == "GoEnd") return Cat(who, " exits", where);
  if (kind == "Syscall") return Cat(who, " makes a system call", where);
  if (kind == "SyscallBlock") return Cat(who, " blocks in a system call", where);
  if (kind == "SyscallExit") return Cat(who, " returns from a blocking system call", where);
  return token;
}

std::string ReadableFacts(const std::vector<std::string>& facts) {
  static const std::map<std::string_view, std::string_view> kWords = {
      {"next", "its next sync operation: "}, {"at", "waiting in: "}, {"cap", "channel capacity: "},
      {"loop", "inside a loop: "}, {"child", "the new goroutine's first operation: "},
      {"partner", "a goroutine with the matching operation on the same object is "},
      {"partner_type", "a goroutine with the matching operation on an object of the same type is "},
      {"contend", "another goroutine is blocked on the same operation and object: "},
      {"buf", "the buffered channel is now: "},
      {"closed", "receives from a channel already closed: "},
      {"then", "the sync operation after that: "},
      {"queue", "among the goroutines blocked on it, it blocked: "},
      {"timer", "receives from a timer's channel: "},
      {"due", "its timer's deadline: "},
      {"reach", "another goroutine can still reach the matching operation: "},
      {"walk", "stepping through the source from where it stands leads to this event: "},
      {"runq", "the scheduler's run queue, replayed from the events so far, starts it: "}};
  std::string out;
  for (const std::string& f : facts) {
    const size_t colon = f.find(':');
    const std::string_view k = std::string_view(f).substr(0, colon);
    std::string v = colon == std::string::npos ? "" : f.substr(colon + 1);
    if (v == "?") v = "unknown";
    if (v == "1") v = "yes";
    if (k == "loop" && v == "0") v = "no";
    if (v == "buf") v = "buffered";
    if (k == "cap" && v == "0") v = "unbuffered";
    if (k == "buf" && v == "unknown") v = "not known (no goroutine is parked on it)";
    if (k == "reach" && v == "0") v = "no";
    if (k == "reach" && v == "type") v = "only on an object of the same type";
    if (k == "walk") {
      static const std::map<std::string_view, std::string_view> kWalk = {
          {"only", "on every path"},
          {"0", "no"},
          {"end", "only past the end of the test function (the testing package's code)"},
          {"unknown", "not on the paths followed (some left what the index covers)"},
          {"exit", "only by leaving a loop whose number of trips the source does not fix"},
          {"ext", "some path calls code the index does not see"},
          {"pipe", "possibly: a write into an in-memory pipe (which one is not known) may wake it"}};
      if (auto m = kWalk.find(v); m != kWalk.end()) v = m->second;
    }
    if (k == "runq") v = v == "next" ? "next" : v == "local" ? "later (queued behind the next one)" : v == "global" ? "later (on the global queue)" : v;
    if (k == "queue") v = v == "first" ? "first" : "after another";
    if (k == "due") v = v == "past" ? "already passed" : v == "wait" ? "not yet reached" : "the earliest of all waiting goroutines";
    auto w = kWords.find(k);
    CatAppend(out, out.empty() ? "" : "; ", w == kWords.end() ? f : Cat(w->second, v));
  }
  return out;
}

nlohmann::json RenderPrompt(const Example& e, const std::string& source) {
  std::string p =
      "You are given a concurrent Go test and the beginning of one of its executions, as scheduling events "
      "recorded by the Go execution tracer. Goroutines are named by their place in the creation tree: T is the "
      "test's goroutine, T.0 its first child, T.0.1 the second child of T.0, and so on.\n\n";
  if (!source.empty()) CatAppend(p, "Source:\n```go\n", source, source.back() == '\n' ? "" : "\n", "```\n\n");
  CatAppend(p, "Events so far (", e.context_total, " in total", e.context_total > e.context.size() ? ", the last " : "",
            e.context_total > e.context.size() ? std::to_string(e.context.size()) : "", e.context_total > e.context.size() ? " shown" : "",
            "):\n");
  for (const auto& t : e.context) CatAppend(p, "- ", ReadableToken(t), "\n");
  if (e.context.empty()) p += "- (none yet)\n";
  p += "\nWhich event happens next? Options:\n";
  nlohmann::ordered_json letters = nlohmann::ordered_json::array();
  for (size_t i = 0; i < e.candidates.size(); ++i) {
    CatAppend(p, Letter(i), ". ", ReadableToken(e.candidates[i]), "\n");
    if (i < e.facts.size() && !e.facts[i].empty()) CatAppend(p, "   (from the source and the scheduler: ", ReadableFacts(e.facts[i]), ")\n");
    letters.push_back(Letter(i));
  }
  p += "Answer with the letter of the most likely next event.\nAnswer:";
  nlohmann::ordered_json j;
  j["program"] = e.program;
  j["config"] = e.config;
  j["run_id"] = e.run_id;
  j["position"] = e.position;
  j["split"] = e.split;
  j["prompt"] = p;
  j["letters"] = letters;
  nlohmann::ordered_json target = nlohmann::ordered_json::object();
  const auto probs = e.target();
  for (size_t i = 0; i < probs.size(); ++i)
    if (probs[i] > 0) target[Letter(i)] = probs[i];
  j["target"] = target;
  j["label"] = Letter(static_cast<size_t>(std::max(0, e.label_index())));
  return j;
}

std::string TestSource(const std::string& dir, const std::string& test_name, size_t max_chars) {
  std::error_code ec;
  const std::string needle = "func " + test_name + "(";
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().extension() != ".go") continue;
    auto text = ReadFileToString(entry.path().string());
    if (!text.ok()) continue;
    const size_t at = text->find(needle);
    if (at == std::string::npos) continue;
    if (text->size() <= max_chars) return *text;
    const size_t end = text->find("\n}\n", at);
    std::string fn = text->substr(at, end == std::string::npos ? std::string::npos : end + 3 - at);
    return fn.size() > max_chars ? fn.substr(0, max_chars) + "\n// ...\n" : fn;
  }
  return "";
}

}  // namespace schedcast::data
