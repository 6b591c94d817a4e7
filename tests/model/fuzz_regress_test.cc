// Regression tests for the crashes the fuzz campaign found (scripts/fuzz.sh FUZZ_MODE=fast, issue 21
// item 15). Each reads the crashing input itself, kept in the seed corpus (fuzz/corpus/), and
// checks that it is now a clean bad-input error.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "data/example.h"
#include "model/io.h"

namespace schedcast {
namespace {

std::string Read(const std::string& rel) {
  std::ifstream f(std::string(SCHEDCAST_SOURCE_DIR) + "/" + rel);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// jsonl_fuzz: "position": 4.6e92 was converted to uint64_t (undefined behaviour, UBSan abort); the
// first line of the file is not JSON, the second is a real dataset line with that position.
TEST(FuzzRegress, DatasetLineWithAFloatPositionIsABadExample) {
  std::istringstream in(Read("fuzz/corpus/jsonl/regress-float-position.jsonl"));
  std::string line;
  int checked = 0;
  while (std::getline(in, line)) {
    const nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded()) continue;
    ASSERT_TRUE(j["position"].is_number_float());
    auto e = data::FromJson(j);
    ASSERT_FALSE(e.ok());
    EXPECT_NE(e.status().message().find("'position' is not a non-negative integer"), std::string::npos)
        << e.status();
    // The same line with an integer position is a good example: only the position was wrong.
    nlohmann::json fixed = j;
    fixed["position"] = 3;
    EXPECT_TRUE(data::FromJson(fixed).ok());
    fixed["position"] = -3;
    EXPECT_FALSE(data::FromJson(fixed).ok());
    ++checked;
  }
  EXPECT_EQ(checked, 1);
}

// model_fuzz: a model file whose "format" is an object made json::value throw type_error 302 out of
// model::FromFileJson (std::terminate).
TEST(FuzzRegress, ModelFileWithANonStringFieldIsABadModelFile) {
  const nlohmann::json j = nlohmann::json::parse(Read("fuzz/corpus/model/regress-format-object.json"), nullptr, false);
  ASSERT_FALSE(j.is_discarded());
  ASSERT_TRUE(j["format"].is_object());
  auto m = model::FromFileJson(j);
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find("not a schedcast model file"), std::string::npos) << m.status();
  // Other fields of the wrong type are bad model files too, not exceptions.
  nlohmann::json other = j;
  other["format"] = 7;
  EXPECT_FALSE(model::FromFileJson(other).ok());
}

// model_fuzz: "data": {"train_examples": 6.7e39} went through json::value's get<uint64_t>
// (undefined behaviour: a float out of range).
TEST(FuzzRegress, ModelFileWithAFloatExampleCountIsABadModelFile) {
  const nlohmann::json j =
      nlohmann::json::parse(Read("fuzz/corpus/model/regress-float-train-examples.json"), nullptr, false);
  ASSERT_FALSE(j.is_discarded());
  ASSERT_TRUE(j["data"]["train_examples"].is_number_float());
  auto m = model::FromFileJson(j);
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find("data.train_examples is not a non-negative integer"), std::string::npos)
      << m.status();
  nlohmann::json fixed = j;
  fixed["data"]["train_examples"] = 40u;
  EXPECT_TRUE(model::FromFileJson(fixed).ok()) << model::FromFileJson(fixed).status();
}

}  // namespace
}  // namespace schedcast
