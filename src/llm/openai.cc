#include "llm/openai.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>

namespace schedcast::llm {

const char* ApiName(Api api) { return api == Api::kChat ? "chat" : "completions"; }
const char* ApiPath(Api api) { return api == Api::kChat ? "/v1/chat/completions" : "/v1/completions"; }

std::string ApiUrl(const std::string& base, Api api) {
  std::string b = base;
  while (!b.empty() && b.back() == '/') b.pop_back();
  if (b.size() >= 3 && b.compare(b.size() - 3, 3, "/v1") == 0) b.resize(b.size() - 3);
  return b + ApiPath(api);
}

nlohmann::json BuildRequest(Api api, const std::string& model, const std::string& prompt, int top_logprobs) {
  nlohmann::ordered_json j;
  j["model"] = model;
  if (api == Api::kChat) {
    j["messages"] = nlohmann::ordered_json::array({{{"role", "user"}, {"content", prompt}}});
  } else {
    j["prompt"] = prompt;
  }
  j["max_tokens"] = 1;
  j["temperature"] = 0;
  if (api == Api::kChat) {
    j["logprobs"] = true;
    j["top_logprobs"] = top_logprobs;
  } else {
    j["logprobs"] = top_logprobs;
  }
  return j;
}

std::string Excerpt(const std::string& body, size_t n) {
  std::string s = body.substr(0, n);
  for (char& c : s)
    if (std::iscntrl(static_cast<unsigned char>(c))) c = ' ';
  if (body.size() > n) s += "…";
  return s.empty() ? "(empty body)" : s;
}

absl::StatusOr<TopLogprobs> ParseResponse(Api api, const std::string& body, const std::string& url) {
  auto bad = [&](const std::string& what) {
    return absl::DataLossError(Cat(url, ": ", what, "; body: ", Excerpt(body)));
  };
  const nlohmann::json j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return bad("the response is not valid JSON");
  if (!j.is_object()) return bad("the response is not a JSON object");
  if (j.contains("error") && !j["error"].is_null()) return bad("the server answered with an error object");
  if (!j.contains("choices") || !j["choices"].is_array() || j["choices"].empty())
    return bad("the response has no \"choices\" array");
  const auto& c = j["choices"][0];
  if (!c.is_object() || !c.contains("logprobs") || !c["logprobs"].is_object())
    return bad("choices[0] has no \"logprobs\" object (does the server support logprobs for this endpoint?)");
  const auto& lp = c["logprobs"];
  TopLogprobs out;
  auto number = [](const nlohmann::json& v) { return v.is_number() ? v.get<double>() : NAN; };
  if (api == Api::kCompletions) {
    if (!lp.contains("top_logprobs") || !lp["top_logprobs"].is_array() || lp["top_logprobs"].empty() ||
        !lp["top_logprobs"][0].is_object())
      return bad("choices[0].logprobs.top_logprobs[0] is missing or not an object");
    for (auto it = lp["top_logprobs"][0].begin(); it != lp["top_logprobs"][0].end(); ++it) {
      const double v = number(it.value());
      if (std::isnan(v)) return bad(Cat("the logprob of token \"", it.key(), "\" is not a number"));
      out.emplace_back(it.key(), v);
    }
  } else {
    if (!lp.contains("content") || !lp["content"].is_array() || lp["content"].empty() || !lp["content"][0].is_object() ||
        !lp["content"][0].contains("top_logprobs") || !lp["content"][0]["top_logprobs"].is_array())
      return bad("choices[0].logprobs.content[0].top_logprobs is missing or not a list");
    for (const auto& e : lp["content"][0]["top_logprobs"]) {
      if (!e.is_object() || !e.contains("token") || !e["token"].is_string())
        return bad("an entry of top_logprobs has no string \"token\"");
      const double v = e.contains("logprob") ? number(e["logprob"]) : NAN;
      if (std::isnan(v)) return bad(Cat("the logprob of token \"", e["token"].get<std::string>(), "\" is not a number"));
      out.emplace_back(e["token"].get<std::string>(), v);
    }
  }
  if (out.empty()) return bad("top_logprobs is empty");
  return out;
}

std::string TokenLetter(const std::string& token) {
  size_t b = 0, e = token.size();
  auto skip = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  while (b < e && skip(token[b])) ++b;
  if (b < e && token[b] == '(') ++b;
  while (e > b && (skip(token[e - 1]) || token[e - 1] == ')' || token[e - 1] == '.' || token[e - 1] == ':' ||
                   token[e - 1] == ','))
    --e;
  if (b == e || e - b > 3) return "";
  for (size_t i = b; i < e; ++i)
    if (token[i] < 'A' || token[i] > 'Z') return "";
  return token.substr(b, e - b);
}

std::vector<double> LetterProbs(const TopLogprobs& top, const std::vector<std::string>& letters) {
  std::map<std::string, double> mass;
  for (const auto& [tok, lp] : top) {
    const std::string l = TokenLetter(tok);
    if (!l.empty() && std::isfinite(lp)) mass[l] += std::exp(lp);
  }
  std::vector<double> p(letters.size());
  double sum = 0;
  for (size_t i = 0; i < letters.size(); ++i) {
    auto it = mass.find(letters[i]);
    p[i] = it == mass.end() ? kLetterFloor : std::max(it->second, kLetterFloor);
    sum += p[i];
  }
  for (double& x : p) x /= sum;
  return p;
}

}  // namespace schedcast::llm
