// `schedcast llm predict` — zero-shot (or served fine-tuned) LLM predictions for a dataset split.
//
// Renders every example as the prompt of `dataset export --format prompt`, asks an OpenAI-compatible
// server for the top log-probabilities of the answer letter (llm/client.h), turns them into a
// distribution over the example's candidates (llm/openai.h) and writes the predictions JSONL that
// `schedcast eval --predictions FILE` scores (eval/predictions.h).
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <set>

#include "common/json.h"
#include "cli/commands.h"
#include "data/dataset.h"
#include "data/prompt.h"
#include "llm/client.h"

namespace schedcast::cli {

namespace {

std::string DefaultCacheDir() {
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x != nullptr && *x != 0) return Cat(x, "/schedcast/llm");
  if (const char* h = std::getenv("HOME"); h != nullptr && *h != 0) return Cat(h, "/.cache/schedcast/llm");
  return ".schedcast-llm-cache";
}

}  // namespace

void RegisterLlm(CLI::App& app) {
  auto* llm = app.add_subcommand("llm", "LLM baselines through an OpenAI-compatible server (docs/LLM.md)");
  llm->require_subcommand(1);
  struct P {
    std::string data, split = "test", out, cache;
    bool chat = false, no_cache = false;
    size_t limit = 0;
    llm::ClientOptions opt;
  };
  auto p = std::make_shared<P>();
  auto* pred = llm->add_subcommand("predict", "Write predictions JSONL for `schedcast eval --predictions`");
  pred->add_option("--data", p->data, "dataset directory (from dataset build)")->required();
  pred->add_option("--split", p->split, "train, validation, test or all")->capture_default_str();
  pred->add_option("--out", p->out, "predictions JSONL to write")->required();
  pred->add_option("--limit", p->limit, "predict only the first N examples of the split (0 = all)")->capture_default_str();
  pred->add_option("--endpoint", p->opt.endpoint,
                   Cat("server base URL (default: $", llm::kEnvEndpoint, " or ", llm::kDefaultEndpoint, ")"));
  pred->add_option("--model", p->opt.model, Cat("model name as the server lists it (default: $", llm::kEnvModel, ")"));
  pred->add_option("--api-key", p->opt.api_key, Cat("bearer token (default: $", llm::kEnvApiKey, ")"));
  pred->add_flag("--chat", p->chat, "use /v1/chat/completions instead of /v1/completions");
  pred->add_option("--concurrency", p->opt.concurrency, "requests in flight")->capture_default_str();
  pred->add_option("--cache", p->cache, "response cache directory (default: $XDG_CACHE_HOME/schedcast/llm)");
  pred->add_flag("--no-cache", p->no_cache, "neither read nor write the response cache");
  pred->add_option("--timeout", p->opt.timeout_s, "seconds per request")->capture_default_str();
  pred->add_option("--retries", p->opt.retries, "extra attempts on 429/5xx/timeouts/connection errors")->capture_default_str();
  pred->add_option("--backoff", p->opt.backoff_s, "first wait between attempts in seconds (doubles each time)")
      ->capture_default_str();
  pred->add_option("--top-logprobs", p->opt.top_logprobs, "K of the top-K log-probabilities asked for")->capture_default_str();
  pred->callback([p] {
    llm::ClientOptions opt = p->opt;
    opt.api = p->chat ? llm::Api::kChat : llm::Api::kCompletions;
    opt.cache_dir = p->no_cache ? "" : (p->cache.empty() ? DefaultCacheDir() : p->cache);
    if (auto s = llm::ResolveOptions(&opt); !s.ok()) return Fail(s);
    auto examples = data::LoadExamples(p->data, p->split);
    if (!examples.ok()) return Fail(examples.status());
    if (p->limit > 0 && examples->size() > p->limit) examples->resize(p->limit);
    auto programs = data::LoadPrograms(p->data);
    if (!programs.ok()) return Fail(programs.status());
    std::map<std::string, std::string> sources;
    std::vector<std::string> prompts;
    std::vector<std::vector<std::string>> letters;
    for (const auto& ex : *examples) {
      auto it = sources.find(ex.program);
      if (it == sources.end()) {
        const auto& m = (*programs)[ex.program];
        it = sources.emplace(ex.program, m.dir.empty() ? "" : data::TestSource(m.dir, m.name)).first;
      }
      const auto j = data::RenderPrompt(ex, it->second);
      prompts.push_back(j["prompt"].get<std::string>());
      letters.push_back(j["letters"].get<std::vector<std::string>>());
    }
    // Written beside the target and renamed at the end: a failed run leaves any earlier file as it was.
    const std::string tmp = p->out + ".tmp";
    std::ofstream out(tmp, std::ios::trunc);
    if (!out) return Fail(absl::PermissionDeniedError(Cat(tmp, ": cannot create")));
    llm::Client client(opt);
    const size_t distinct = std::set<std::string>(prompts.begin(), prompts.end()).size();
    std::cerr << "llm: " << prompts.size() << " prompts (" << p->split << ", " << distinct << " distinct) → " << client.url() << " model "
              << opt.model << ", " << opt.concurrency << " in flight"
              << (opt.cache_dir.empty() ? ", no cache" : ", cache " + opt.cache_dir) << "\n";
    const bool tty = isatty(2);
    auto last = std::chrono::steady_clock::now();
    auto top = client.QueryAll(prompts, [&](size_t done, size_t total) {
      const auto now = std::chrono::steady_clock::now();
      if (done != total && now - last < std::chrono::seconds(tty ? 0 : 5)) return;
      last = now;
      const auto s = client.stats();
      if (tty) std::cerr << "\r\033[K";
      std::cerr << "llm: " << done << "/" << total << " (cache hits " << s.cache_hits << ", requests " << s.requests
                << ", retries " << s.retries << ")" << (tty ? "" : "\n") << std::flush;
    });
    if (tty) std::cerr << "\n";
    if (!top.ok()) {
      out.close();
      std::remove(tmp.c_str());
      return Fail(top.status());
    }
    for (size_t i = 0; i < examples->size(); ++i) {
      const auto& ex = (*examples)[i];
      const auto probs = llm::LetterProbs((*top)[i], letters[i]);
      nlohmann::ordered_json j;
      j["program"] = ex.program;
      j["config"] = ex.config;
      j["run_id"] = ex.run_id;
      j["position"] = ex.position;
      j["probs"] = nlohmann::ordered_json::object();
      for (size_t k = 0; k < probs.size(); ++k) j["probs"][letters[i][k]] = probs[k];
      out << JsonText(j) << "\n";
    }
    out.close();
    if (!out) return Fail(absl::DataLossError(Cat(tmp, ": write failed")));
    if (std::rename(tmp.c_str(), p->out.c_str()) != 0)
      return Fail(absl::PermissionDeniedError(Cat(p->out, ": cannot rename ", tmp, " to it")));
    const auto s = client.stats();
    std::cout << "llm: wrote " << examples->size() << " predictions to " << p->out << " (requests=" << s.requests
              << " cache_hits=" << s.cache_hits << " retries=" << s.retries << ")\n";
  });
}

}  // namespace schedcast::cli
