// LLM client tests: the OpenAI wire format (request fields, both response schemas, token → letter,
// the floor and renormalisation, errors that name the endpoint), then the client against
// tests/llm/fake_openai.py, a real local HTTP server: answers for /v1/completions and
// /v1/chat/completions, the disk cache (a second client makes zero requests), retries on 429,
// 500 after all retries, timeouts on slow answers, malformed bodies, missing logprobs, API keys,
// and an unreachable server.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>

#include "llm/client.h"
#include "llm/fake_server.h"
#include "llm/openai.h"

namespace schedcast::llm {
namespace {

const std::string kPrompt4 =
    "Which event happens next? Options:\nA. T.0 starts running\nB. T.1 starts running\nC. T exits\nD. T.2 yields\n"
    "Answer with the letter of the most likely next event.\nAnswer:";
const std::vector<std::string> kLetters4 = {"A", "B", "C", "D"};

// What fake_openai.py's answer() gives for a prompt with these letters, after the floor and renormalisation.
std::vector<double> Expected(size_t k) {
  std::vector<double> p(k, kLetterFloor);
  const double named[3] = {0.5, 0.2, 0.1};
  for (size_t i = 0; i < k && i < 3; ++i) p[i] = named[i];
  double s = 0;
  for (double x : p) s += x;
  for (double& x : p) x /= s;
  return p;
}

void ExpectNear(const std::vector<double>& a, const std::vector<double>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(a[i], b[i], 1e-9) << "letter " << i;
}

TEST(LlmOpenAi, TokenLetters) {
  EXPECT_EQ(TokenLetter(" A"), "A");
  EXPECT_EQ(TokenLetter("A"), "A");
  EXPECT_EQ(TokenLetter("A)"), "A");
  EXPECT_EQ(TokenLetter("(B"), "B");
  EXPECT_EQ(TokenLetter(" C."), "C");
  EXPECT_EQ(TokenLetter("D:"), "D");
  EXPECT_EQ(TokenLetter("AB"), "AB");
  EXPECT_EQ(TokenLetter("a"), "");
  EXPECT_EQ(TokenLetter("The"), "");
  EXPECT_EQ(TokenLetter(" "), "");
  EXPECT_EQ(TokenLetter("ABCD"), "");
}

TEST(LlmOpenAi, RequestsFollowTheSchema) {
  const auto c = BuildRequest(Api::kCompletions, "m", "p");
  EXPECT_EQ(c["model"], "m");
  EXPECT_EQ(c["prompt"], "p");
  EXPECT_EQ(c["max_tokens"], 1);
  EXPECT_EQ(c["temperature"], 0);
  EXPECT_EQ(c["logprobs"], 20);
  EXPECT_FALSE(c.contains("messages"));
  const auto h = BuildRequest(Api::kChat, "m", "p", 5);
  EXPECT_EQ(h["messages"][0]["role"], "user");
  EXPECT_EQ(h["messages"][0]["content"], "p");
  EXPECT_EQ(h["logprobs"], true);
  EXPECT_EQ(h["top_logprobs"], 5);
  EXPECT_FALSE(h.contains("prompt"));
  EXPECT_EQ(ApiUrl("http://h:8000", Api::kCompletions), "http://h:8000/v1/completions");
  EXPECT_EQ(ApiUrl("http://h:8000/v1/", Api::kChat), "http://h:8000/v1/chat/completions");
}

TEST(LlmOpenAi, ParsesBothSchemasAndRenormalises) {
  const std::string comp =
      R"j({"choices":[{"text":" A","logprobs":{"tokens":[" A"],"top_logprobs":[{" A":-0.6931471805599453,"A)":-2.302585092994046,"B":-1.6094379124341003,"Hello":-3}]}}]})j";
  auto top = ParseResponse(Api::kCompletions, comp, "http://x/v1/completions");
  ASSERT_TRUE(top.ok()) << top.status();
  ASSERT_EQ(top->size(), 4u);
  // A: 0.5 + 0.1, B: 0.2, C: absent → floor; renormalised over A, B, C only.
  const auto p = LetterProbs(*top, {"A", "B", "C"});
  const double s = 0.6 + 0.2 + kLetterFloor;
  ExpectNear(p, {0.6 / s, 0.2 / s, kLetterFloor / s});
  const std::string chat =
      R"j({"choices":[{"message":{"content":"B"},"logprobs":{"content":[{"token":"B","logprob":-0.1,"top_logprobs":[{"token":"B","logprob":-0.2231435513142097},{"token":" A","logprob":-2.995732273553991}]}]}}]})j";
  top = ParseResponse(Api::kChat, chat, "http://x/v1/chat/completions");
  ASSERT_TRUE(top.ok()) << top.status();
  ExpectNear(LetterProbs(*top, {"A", "B"}), {0.05 / 0.85, 0.8 / 0.85});
  // One candidate: certainty, whatever the model said. A letter below the floor is raised to it.
  ExpectNear(LetterProbs(*top, {"A"}), {1.0});
  ExpectNear(LetterProbs({{"A", -30}, {"B", std::log(0.5)}}, {"A", "B"}), {kLetterFloor / (0.5 + kLetterFloor), 0.5 / (0.5 + kLetterFloor)});
}

TEST(LlmOpenAi, MalformedBodiesNameTheEndpoint) {
  const std::string url = "http://x/v1/completions";
  for (const auto& [body, what] : std::vector<std::pair<std::string, std::string>>{
           {"{oops", "not valid JSON"},
           {"[]", "not a JSON object"},
           {R"j({"error":{"message":"model not found"}})j", "error object"},
           {R"j({"choices":[]})j", "\"choices\""},
           {R"j({"choices":[{"text":"A","logprobs":null}]})j", "logprobs"},
           {R"j({"choices":[{"logprobs":{"top_logprobs":[]}}]})j", "top_logprobs[0]"},
           {R"j({"choices":[{"logprobs":{"top_logprobs":[{"A":"x"}]}}]})j", "not a number"}}) {
    auto r = ParseResponse(Api::kCompletions, body, url);
    ASSERT_FALSE(r.ok()) << body;
    const std::string m(r.status().message());
    EXPECT_NE(m.find(url), std::string::npos) << m;
    EXPECT_NE(m.find(what), std::string::npos) << m;
    EXPECT_NE(m.find("body: "), std::string::npos) << m;
  }
  auto r = ParseResponse(Api::kChat, R"j({"choices":[{"logprobs":{"content":[{"token":"A"}]}}]})j", "u");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(std::string(r.status().message()).find("content[0].top_logprobs"), std::string::npos) << r.status();
}

class LlmClientTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new testutil::FakeOpenAi;
    ASSERT_TRUE(server_->Start());
    cache_ = std::filesystem::temp_directory_path() / ("schedcast-llm-cache-" + std::to_string(getpid()));
  }
  static void TearDownTestSuite() {
    delete server_;
    std::filesystem::remove_all(cache_);
  }
  ClientOptions Opt(const std::string& mode, const std::string& tag) {
    ClientOptions o;
    o.endpoint = server_->Base(mode, tag);
    o.model = "fake-model";
    o.backoff_s = 0.01;
    o.timeout_s = 10;
    o.retries = 2;
    return o;
  }
  static inline testutil::FakeOpenAi* server_ = nullptr;
  static inline std::filesystem::path cache_;
};

TEST_F(LlmClientTest, CompletionsAndChatAnswers) {
  for (Api api : {Api::kCompletions, Api::kChat}) {
    const std::string tag = ApiName(api);
    auto o = Opt("normal", tag);
    o.api = api;
    Client c(o);
    auto top = c.Query(kPrompt4);
    ASSERT_TRUE(top.ok()) << top.status();
    ExpectNear(LetterProbs(*top, kLetters4), Expected(4));
    EXPECT_EQ(server_->Requests("normal", tag), 1);
    const auto req = server_->LastRequest("normal", tag);
    EXPECT_EQ(req["model"], "fake-model");
    EXPECT_EQ(req["max_tokens"], 1);
    if (api == Api::kChat) EXPECT_EQ(req["messages"][0]["content"], kPrompt4);
    else EXPECT_EQ(req["prompt"], kPrompt4);
  }
}

TEST_F(LlmClientTest, CacheMakesTheSecondRunRequestNothing) {
  std::vector<std::string> prompts;
  for (int i = 0; i < 12; ++i) prompts.push_back(kPrompt4 + std::string(i, ' '));
  auto o = Opt("normal", "cache");
  o.cache_dir = cache_.string();
  o.concurrency = 4;
  {
    Client c(o);
    auto all = c.QueryAll(prompts);
    ASSERT_TRUE(all.ok()) << all.status();
    EXPECT_EQ(c.stats().requests, 12u);
    EXPECT_EQ(c.stats().cache_hits, 0u);
  }
  EXPECT_EQ(server_->Requests("normal", "cache"), 12);
  Client c(o);
  auto all = c.QueryAll(prompts);
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_EQ(c.stats().requests, 0u);
  EXPECT_EQ(c.stats().cache_hits, 12u);
  EXPECT_EQ(server_->Requests("normal", "cache"), 12);
  for (const auto& top : *all) ExpectNear(LetterProbs(top, kLetters4), Expected(4));
  // Another model name is another key.
  o.model = "other-model";
  Client d(o);
  ASSERT_TRUE(d.Query(prompts[0]).ok());
  EXPECT_EQ(d.stats().requests, 1u);
}

TEST_F(LlmClientTest, IdenticalPromptsAreAskedOnce) {
  Client c(Opt("normal", "dedupe"));
  auto all = c.QueryAll({kPrompt4, kPrompt4 + " ", kPrompt4, kPrompt4});
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(all->size(), 4u);
  EXPECT_EQ(c.stats().requests, 2u);
  EXPECT_EQ(server_->Requests("normal", "dedupe"), 2);
  for (const auto& top : *all) ExpectNear(LetterProbs(top, kLetters4), Expected(4));
}

TEST_F(LlmClientTest, RetriesAfter429) {
  auto o = Opt("flaky", "t");
  o.concurrency = 3;
  Client c(o);
  auto all = c.QueryAll({kPrompt4, kPrompt4 + " ", kPrompt4 + "  "});
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_EQ(c.stats().retries, 3u);
  EXPECT_EQ(c.stats().requests, 6u);
  EXPECT_EQ(server_->Requests("flaky", "t"), 6);
  for (const auto& top : *all) ExpectNear(LetterProbs(top, kLetters4), Expected(4));
}

TEST_F(LlmClientTest, ServerErrorAfterAllRetries) {
  Client c(Opt("error500", "t"));
  auto r = c.Query(kPrompt4);
  ASSERT_FALSE(r.ok());
  const std::string m(r.status().message());
  EXPECT_NE(m.find("HTTP 500"), std::string::npos) << m;
  EXPECT_NE(m.find("internal failure"), std::string::npos) << m;
  EXPECT_NE(m.find("3 attempts"), std::string::npos) << m;
  EXPECT_NE(m.find("/error500/t/v1/completions"), std::string::npos) << m;
  EXPECT_EQ(server_->Requests("error500", "t"), 3);
}

TEST_F(LlmClientTest, SlowAnswersTimeOut) {
  auto o = Opt("slow", "t");
  o.timeout_s = 0.5;
  o.retries = 1;
  Client c(o);
  const auto t0 = std::chrono::steady_clock::now();
  auto r = c.Query(kPrompt4);
  const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kDeadlineExceeded) << r.status();
  EXPECT_NE(std::string(r.status().message()).find("no answer within 0.5 s"), std::string::npos) << r.status();
  EXPECT_LT(took, 2.5);  // two attempts of 0.5 s, not the server's 3 s
  EXPECT_EQ(c.stats().requests, 2u);
}

TEST_F(LlmClientTest, MalformedBodyAndMissingLogprobs) {
  Client c(Opt("malformed", "t"));
  auto r = c.Query(kPrompt4);
  ASSERT_FALSE(r.ok());
  std::string m(r.status().message());
  EXPECT_NE(m.find("/malformed/t/v1/completions: the response is not valid JSON"), std::string::npos) << m;
  EXPECT_NE(m.find("body: {\"choices\""), std::string::npos) << m;
  EXPECT_EQ(server_->Requests("malformed", "t"), 1);  // not retried
  for (Api api : {Api::kCompletions, Api::kChat}) {
    auto o = Opt("nologprobs", ApiName(api));
    o.api = api;
    Client d(o);
    r = d.Query(kPrompt4);
    ASSERT_FALSE(r.ok());
    m = std::string(r.status().message());
    EXPECT_NE(m.find("choices[0] has no \"logprobs\" object"), std::string::npos) << m;
  }
}

TEST_F(LlmClientTest, ApiKey) {
  Client c(Opt("auth", "t"));
  auto r = c.Query(kPrompt4);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kPermissionDenied) << r.status();
  EXPECT_NE(std::string(r.status().message()).find("OPENAI_API_KEY"), std::string::npos) << r.status();
  auto o = Opt("auth", "t");
  o.api_key = "test-key";
  Client d(o);
  EXPECT_TRUE(d.Query(kPrompt4).ok());
}

TEST_F(LlmClientTest, UnreachableServer) {
  ClientOptions o;
  o.endpoint = "http://127.0.0.1:" + std::to_string(testutil::ClosedPort());
  o.model = "m";
  o.retries = 1;
  o.backoff_s = 0.01;
  Client c(o);
  auto r = c.QueryAll({kPrompt4, kPrompt4 + " "});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable);
  const std::string m(r.status().message());
  EXPECT_NE(m.find("cannot reach the LLM server"), std::string::npos) << m;
  EXPECT_NE(m.find(o.endpoint + "/v1/completions"), std::string::npos) << m;
  EXPECT_NE(m.find("SCHEDCAST_LLM_ENDPOINT"), std::string::npos) << m;
  EXPECT_NE(m.find("2 attempts"), std::string::npos) << m;
}

TEST(LlmOptions, EnvironmentAndChecks) {
  ClientOptions o;
  setenv("SCHEDCAST_LLM_ENDPOINT", "http://e:1", 1);
  setenv("SCHEDCAST_LLM_MODEL", "envmodel", 1);
  setenv("OPENAI_API_KEY", "k", 1);
  ASSERT_TRUE(ResolveOptions(&o).ok());
  EXPECT_EQ(o.endpoint, "http://e:1");
  EXPECT_EQ(o.model, "envmodel");
  EXPECT_EQ(o.api_key, "k");
  ClientOptions f;
  f.model = "flag";
  ASSERT_TRUE(ResolveOptions(&f).ok());
  EXPECT_EQ(f.model, "flag");  // flags win
  unsetenv("SCHEDCAST_LLM_MODEL");
  ClientOptions none;
  auto s = ResolveOptions(&none);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(std::string(s.message()).find("--model"), std::string::npos);
  ClientOptions bad;
  bad.model = "m";
  bad.endpoint = "localhost:8000";
  EXPECT_FALSE(ResolveOptions(&bad).ok());
  unsetenv("SCHEDCAST_LLM_ENDPOINT");
  unsetenv("OPENAI_API_KEY");
}

}  // namespace
}  // namespace schedcast::llm
