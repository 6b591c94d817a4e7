// llm/openai.h — the OpenAI-compatible wire format for asking a model which candidate letter comes next.
//
// Requests (as served by vLLM, llama.cpp's server, Ollama, the OpenAI API):
//   /v1/completions       {"model", "prompt", "max_tokens": 1, "temperature": 0, "logprobs": K}
//   /v1/chat/completions  {"model", "messages": [{"role": "user", "content": prompt}], "max_tokens": 1,
//                          "temperature": 0, "logprobs": true, "top_logprobs": K}
// Responses: the top-K log-probabilities of the first generated token, read from
//   completions: choices[0].logprobs.top_logprobs[0]            (an object token → logprob)
//   chat:        choices[0].logprobs.content[0].top_logprobs     (a list of {"token", "logprob"})
// LetterProbs maps tokens to candidate letters (" A", "A", "A)", "(A", "A." all mean A; lower case and
// other text do not count), sums the probability of tokens naming the same letter, raises every
// legal letter to at least kLetterFloor (so a letter outside the top-K gets exactly the floor, and
// none gets less), and renormalises over the legal letters: the
// result is a distribution over exactly the example's candidates. Errors (malformed JSON, missing
// fields, a server error object) name the endpoint and quote the start of the body.
// Thread-safe (pure functions).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "nlohmann/json.hpp"

namespace schedcast::llm {

enum class Api { kCompletions, kChat };

// Probability given to a legal letter absent from the top-K tokens, before renormalising.
inline constexpr double kLetterFloor = 1e-4;
inline constexpr int kTopLogprobs = 20;

using TopLogprobs = std::vector<std::pair<std::string, double>>;  // (token, natural-log probability)

const char* ApiName(Api api);  // "completions" | "chat"
const char* ApiPath(Api api);  // "/v1/completions" | "/v1/chat/completions"

// The full URL for `base` ("http://host:8000", with or without a trailing "/" or "/v1").
std::string ApiUrl(const std::string& base, Api api);

nlohmann::json BuildRequest(Api api, const std::string& model, const std::string& prompt, int top_logprobs = kTopLogprobs);

// Parses a 200 response body. `url` names the endpoint in errors.
absl::StatusOr<TopLogprobs> ParseResponse(Api api, const std::string& body, const std::string& url);

// "A" for " A", "A)", "(A", "A.", "A:"; "" when the token does not name a letter.
std::string TokenLetter(const std::string& token);

// One probability per letter (same order), summing to 1.
std::vector<double> LetterProbs(const TopLogprobs& top, const std::vector<std::string>& letters);

// The first `n` bytes of `body`, with control characters shown as spaces, and "…" when cut.
std::string Excerpt(const std::string& body, size_t n = 200);

}  // namespace schedcast::llm
