#include "common/json.h"
#include "llm/client.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <sstream>
#include <thread>
#include <unordered_map>

#include "common/hash.h"
#include "net/http.h"

namespace schedcast::llm {
namespace {

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? "" : v;
}

bool Retryable(long status) { return status == 429 || status == 408 || status >= 500; }

}  // namespace

absl::Status ResolveOptions(ClientOptions* o) {
  if (o->endpoint.empty()) o->endpoint = Env(kEnvEndpoint);
  if (o->endpoint.empty()) o->endpoint = kDefaultEndpoint;
  if (o->model.empty()) o->model = Env(kEnvModel);
  if (o->api_key.empty()) o->api_key = Env(kEnvApiKey);
  if (o->model.empty())
    return absl::InvalidArgumentError(Cat("no model name: give --model or set ", kEnvModel,
                                          " (the name the server lists under /v1/models)"));
  if (o->endpoint.rfind("http://", 0) != 0 && o->endpoint.rfind("https://", 0) != 0)
    return absl::InvalidArgumentError(Cat("endpoint '", o->endpoint, "' is not an http:// or https:// URL"));
  if (o->concurrency < 1 || o->concurrency > 256) return absl::InvalidArgumentError("concurrency must be in 1..256");
  if (!(o->timeout_s > 0)) return absl::InvalidArgumentError("timeout must be > 0 seconds");
  if (o->retries < 0) return absl::InvalidArgumentError("retries must be >= 0");
  if (o->top_logprobs < 1) return absl::InvalidArgumentError("top_logprobs must be >= 1");
  return absl::OkStatus();
}

Client::Client(ClientOptions o) : opt_(std::move(o)), url_(ApiUrl(opt_.endpoint, opt_.api)) {}

ClientStats Client::stats() const { return {requests_.load(), retries_.load(), cache_hits_.load()}; }

std::string Client::CachePath(const std::string& prompt) const {
  if (opt_.cache_dir.empty()) return "";
  const uint64_t h =
      Fnv1a64().AddToken(ApiName(opt_.api)).AddToken(opt_.model).AddToken(std::to_string(opt_.top_logprobs)).AddToken(prompt).value();
  char name[32];
  std::snprintf(name, sizeof name, "%016llx.json", static_cast<unsigned long long>(h));
  return (std::filesystem::path(opt_.cache_dir) / name).string();
}

bool Client::ReadCache(const std::string& path, const std::string& prompt, TopLogprobs* out) const {
  auto text = ReadFileToString(path);
  if (!text.ok()) return false;
  const auto j = nlohmann::json::parse(*text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || j.value("prompt", "") != prompt || j.value("model", "") != opt_.model ||
      j.value("api", "") != ApiName(opt_.api) || j.value("top_logprobs_k", 0) != opt_.top_logprobs ||
      !j.contains("top_logprobs") || !j["top_logprobs"].is_array())
    return false;
  out->clear();
  for (const auto& e : j["top_logprobs"]) {
    if (!e.is_array() || e.size() != 2 || !e[0].is_string() || !e[1].is_number()) return false;
    out->emplace_back(e[0].get<std::string>(), e[1].get<double>());
  }
  return !out->empty();
}

void Client::WriteCache(const std::string& path, const std::string& prompt, const TopLogprobs& top) const {
  nlohmann::ordered_json j;
  j["api"] = ApiName(opt_.api);
  j["model"] = opt_.model;
  j["top_logprobs_k"] = opt_.top_logprobs;
  j["prompt"] = prompt;
  j["top_logprobs"] = nlohmann::ordered_json::array();
  for (const auto& [t, lp] : top) j["top_logprobs"].push_back({t, lp});
  std::ostringstream tid;
  tid << std::this_thread::get_id();
  const std::string tmp = Cat(path, ".tmp", getpid(), "-", tid.str());
  // A cache that cannot be written only costs requests next time: ignore failures.
  if (WriteStringToFile(tmp, JsonText(j)).ok()) {
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) std::filesystem::remove(tmp, ec);
  }
}

absl::StatusOr<TopLogprobs> Client::Fetch(const std::string& prompt) {
  const std::string body = JsonText(BuildRequest(opt_.api, opt_.model, prompt, opt_.top_logprobs));
  std::vector<std::string> headers;
  if (!opt_.api_key.empty()) headers.push_back("Authorization: Bearer " + opt_.api_key);
  absl::Status last;
  for (int attempt = 0; attempt <= opt_.retries; ++attempt) {
    if (attempt > 0) {
      ++retries_;
      const double wait = std::min(30.0, opt_.backoff_s * static_cast<double>(1ULL << std::min(attempt - 1, 20)));
      std::this_thread::sleep_for(std::chrono::duration<double>(wait));
    }
    ++requests_;
    auto resp = net::PostJson(url_, body, headers, opt_.timeout_s);
    if (!resp.ok()) {
      last = resp.status();
      continue;  // unreachable or timed out: retry
    }
    if (resp->status == 200) return ParseResponse(opt_.api, resp->body, url_);
    last = absl::UnavailableError(Cat(url_, ": HTTP ", resp->status, "; body: ", Excerpt(resp->body)));
    if (Retryable(resp->status)) continue;
    if (resp->status == 401 || resp->status == 403)
      return absl::PermissionDeniedError(Cat(url_, ": HTTP ", resp->status, " (set the API key with ", kEnvApiKey,
                                             " or --api-key); body: ", Excerpt(resp->body)));
    if (resp->status == 404)
      return absl::NotFoundError(Cat(url_, ": HTTP 404 (wrong --endpoint, or the server has no ", ApiPath(opt_.api),
                                     "; try ", opt_.api == Api::kChat ? "without" : "with", " --chat); body: ",
                                     Excerpt(resp->body)));
    return absl::FailedPreconditionError(Cat(url_, ": HTTP ", resp->status, " (the server rejected the request; is model '",
                                          opt_.model, "' served there?); body: ", Excerpt(resp->body)));
  }
  const std::string tries = Cat(" (", opt_.retries + 1, opt_.retries == 0 ? " attempt)" : " attempts)");
  if (absl::IsUnavailable(last) && std::string(last.message()).find(": HTTP ") == std::string::npos)
    return absl::UnavailableError(Cat("cannot reach the LLM server: ", std::string(last.message()), tries,
                                      ". Start an OpenAI-compatible server (vLLM, llama.cpp server, Ollama) or point "
                                      "--endpoint / ", kEnvEndpoint, " at one"));
  return absl::Status(last.code(), Cat(std::string(last.message()), tries));
}

absl::StatusOr<TopLogprobs> Client::Query(const std::string& prompt) {
  const std::string path = CachePath(prompt);
  TopLogprobs top;
  if (!path.empty() && ReadCache(path, prompt, &top)) {
    ++cache_hits_;
    return top;
  }
  SC_ASSIGN_OR_RETURN(top, Fetch(prompt));
  if (!path.empty()) WriteCache(path, prompt, top);
  return top;
}

absl::StatusOr<std::vector<TopLogprobs>> Client::QueryAll(const std::vector<std::string>& prompts,
                                                          const std::function<void(size_t, size_t)>& progress) {
  if (!opt_.cache_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(opt_.cache_dir, ec);
    if (ec) return absl::PermissionDeniedError(Cat(opt_.cache_dir, ": cannot create the cache directory: ", ec.message()));
  }
  // Identical prompts (the same prefix seen in several runs) are asked once.
  std::vector<size_t> unique, slot(prompts.size());
  {
    std::unordered_map<std::string_view, size_t> seen;
    for (size_t i = 0; i < prompts.size(); ++i) {
      auto [it, fresh] = seen.emplace(prompts[i], unique.size());
      if (fresh) unique.push_back(i);
      slot[i] = it->second;
    }
  }
  std::vector<TopLogprobs> answers(unique.size());
  std::atomic<size_t> next{0};
  std::atomic<bool> stop{false};
  std::mutex mu;
  absl::Status first_error;
  size_t done = 0;
  auto worker = [&] {
    while (!stop.load()) {
      const size_t u = next.fetch_add(1);
      if (u >= unique.size()) return;
      auto r = Query(prompts[unique[u]]);
      std::lock_guard<std::mutex> lock(mu);
      if (!r.ok()) {
        if (first_error.ok()) first_error = WithContext(r.status(), Cat("prompt ", unique[u] + 1, " of ", prompts.size()));
        stop = true;
        return;
      }
      answers[u] = std::move(*r);
      ++done;
      if (progress) progress(done, unique.size());
    }
  };
  const size_t n = std::min<size_t>(static_cast<size_t>(opt_.concurrency), std::max<size_t>(unique.size(), 1));
  std::vector<std::thread> threads;
  for (size_t t = 0; t < n; ++t) threads.emplace_back(worker);
  for (auto& t : threads) t.join();
  if (!first_error.ok()) return first_error;
  std::vector<TopLogprobs> out(prompts.size());
  for (size_t i = 0; i < prompts.size(); ++i) out[i] = answers[slot[i]];
  return out;
}

}  // namespace schedcast::llm
