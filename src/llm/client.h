// llm/client.h — asking an OpenAI-compatible server for next-letter log-probabilities, with a disk
// cache, bounded concurrency, timeouts and retries.
//
// Contract: Query(prompt) returns the top-K (token, logprob) pairs of the first answer token
// (llm/openai.h). Answers are cached on disk under cache_dir, one file per key, the key being a
// hash of (API kind, model, K, prompt); the file also holds the prompt, so a hash collision is a
// miss, never a wrong answer. A cached prompt makes no request. Requests that get 429 or a 5xx
// status, time out, or cannot connect are retried up to `retries` more times, waiting backoff_s,
// 2·backoff_s, 4·backoff_s, … (at most 30 s) between attempts; other 4xx answers, malformed bodies
// and missing logprobs fail at once. Errors name the URL and say what to do (an unreachable server
// says so, with the flag/environment variable that sets the endpoint).
// QueryAll runs Query over the distinct prompts of a list (identical prompts are asked once) on
// `concurrency` threads and stops at the first error.
// Thread-safety: Query and stats() are thread-safe; the options are fixed at construction.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/status.h"
#include "llm/openai.h"

namespace schedcast::llm {

inline constexpr const char* kEnvEndpoint = "SCHEDCAST_LLM_ENDPOINT";
inline constexpr const char* kEnvModel = "SCHEDCAST_LLM_MODEL";
inline constexpr const char* kEnvApiKey = "OPENAI_API_KEY";
inline constexpr const char* kDefaultEndpoint = "http://localhost:8000";

struct ClientOptions {
  std::string endpoint;         // base URL, e.g. http://localhost:8000 ("" = $SCHEDCAST_LLM_ENDPOINT or the default)
  std::string model;            // model name the server knows ("" = $SCHEDCAST_LLM_MODEL; required)
  std::string api_key;          // sent as "Authorization: Bearer …" ("" = $OPENAI_API_KEY; may stay empty)
  Api api = Api::kCompletions;
  std::string cache_dir;        // "" = no cache
  int concurrency = 4;          // worker threads in QueryAll
  double timeout_s = 60;        // per request
  int retries = 3;              // extra attempts after the first
  double backoff_s = 0.5;       // first wait between attempts
  int top_logprobs = kTopLogprobs;
};

// Fills endpoint, model and api_key from the environment where empty; checks the ranges.
absl::Status ResolveOptions(ClientOptions* o);

struct ClientStats {
  uint64_t requests = 0;    // HTTP requests sent (attempts, retries included)
  uint64_t retries = 0;     // attempts after a retryable failure
  uint64_t cache_hits = 0;  // prompts answered from the cache
};

class Client {
 public:
  explicit Client(ClientOptions o);

  absl::StatusOr<TopLogprobs> Query(const std::string& prompt);
  // `progress(done, total)` is called (serialised) after each distinct prompt; total = distinct prompts.
  absl::StatusOr<std::vector<TopLogprobs>> QueryAll(const std::vector<std::string>& prompts,
                                                     const std::function<void(size_t, size_t)>& progress = nullptr);

  ClientStats stats() const;
  const ClientOptions& options() const { return opt_; }
  const std::string& url() const { return url_; }
  std::string CachePath(const std::string& prompt) const;  // "" without a cache

 private:
  absl::StatusOr<TopLogprobs> Fetch(const std::string& prompt);
  bool ReadCache(const std::string& path, const std::string& prompt, TopLogprobs* out) const;
  void WriteCache(const std::string& path, const std::string& prompt, const TopLogprobs& top) const;

  ClientOptions opt_;
  std::string url_;
  std::atomic<uint64_t> requests_{0}, retries_{0}, cache_hits_{0};
};

}  // namespace schedcast::llm
