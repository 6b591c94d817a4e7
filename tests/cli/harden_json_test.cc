// tests/cli/harden_json_test.cc — issue 21 item 1: a trace whose function name holds a byte that
// is not UTF-8 is exported (U+FFFD in its place) instead of aborting schedcast, from a file and
// from a store; JsonText never throws.
#include <gtest/gtest.h>

#include "common/json.h"
#include "common/status.h"
#include "harden_util.h"
#include "nlohmann/json.hpp"

namespace schedcast::harden {
namespace {

// The go1.23 trace of a TestX run with one byte of "TestX.func1" set to 0xff.
std::string CorruptedTrace(const std::string& db, int64_t* run) {
  *run = RunWithTrace(db, "TestX");
  EXPECT_GT(*run, 0);
  std::string t = TraceOf(db, *run);
  const size_t at = t.find("TestX.func1");
  EXPECT_NE(at, std::string::npos) << "the trace names TestX.func1";
  if (at != std::string::npos) t[at + 4] = static_cast<char>(0xff);  // "Test\xff.func1"
  return t;
}

void ExpectReplacedName(const std::string& json_text) {
  nlohmann::json j = nlohmann::json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  ASSERT_FALSE(j.is_discarded()) << "output is valid JSON (and valid UTF-8)";
  EXPECT_NE(json_text.find("Test\xEF\xBF\xBD.func1"), std::string::npos) << "0xff became U+FFFD";
}

TEST(HardenJson, InvalidUtf8FunctionNameInATraceFileIsExported) {
  TempDir dir;
  int64_t run;
  const std::string trace = CorruptedTrace(HardenDb(), &run);
  ASSERT_TRUE(WriteStringToFile(dir.path() + "/bad.trace", trace).ok());
  auto r = Schedcast({"export", "perfetto", dir.path() + "/bad.trace", "-o", dir.path() + "/out.json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;  // was 134: uncaught nlohmann type_error 316
  ExpectReplacedName(*ReadFileToString(dir.path() + "/out.json"));
  // The text writers too.
  auto s = Schedcast({"trace", "stats", dir.path() + "/bad.trace", "--json"});
  EXPECT_EQ(s.exit_code, 0) << s.err;
  EXPECT_FALSE(nlohmann::json::parse(s.out, nullptr, false).is_discarded()) << s.out;
}

TEST(HardenJson, InvalidUtf8FunctionNameInAStoredRunIsExported) {
  TempDir dir;
  const std::string db = CopyStore(dir.path());
  int64_t run;
  const std::string trace = CorruptedTrace(db, &run);
  SetTrace(db, run, trace);
  auto r = Schedcast({"export", "perfetto", "--store", db, "--run", std::to_string(run)});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ExpectReplacedName(r.out);
}

TEST(HardenJson, JsonTextReplacesInvalidUtf8AndNeverThrows) {
  nlohmann::ordered_json j = {{"name", std::string("a\xff\xfe" "b")}, {"ok", "caf\xC3\xA9"}};
  std::string text;
  ASSERT_NO_THROW(text = JsonText(j));
  EXPECT_EQ(text, "{\"name\":\"a\xEF\xBF\xBD\xEF\xBF\xBD" "b\",\"ok\":\"caf\xC3\xA9\"}");
  EXPECT_THROW((void)j.dump(), nlohmann::json::type_error) << "what every writer did before";
}

}  // namespace
}  // namespace schedcast::harden
