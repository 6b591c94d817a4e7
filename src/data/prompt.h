// data/prompt.h — an example rendered as an LLM prompt (dataset export --format prompt).
//
// The prompt holds the Go source of the test, the prefix rendered as readable lines, and the legal
// candidates lettered A, B, C, … (Z, then AA, AB, …); the answer is the target distribution over the
// letters and the observed letter. The same rendering is used to score served models (issue: LLM
// baselines), so letters map back to candidates by position. A candidate with facts
// (Example::facts: the program's and the run queue's) gets them in words on the line below it,
// "(from the source and the scheduler: …)", so an LLM sees what the structured model sees. Thread-safe (pure functions).
#pragma once

#include <string>
#include <vector>

#include "data/example.h"
#include "nlohmann/json.hpp"

namespace schedcast::data {

std::string Letter(size_t i);                        // 0 → "A", 25 → "Z", 26 → "AA"
std::string ReadableToken(const std::string& token);  // "GoBlock(recv) T.1" → "T.1 blocks receiving from a channel"

// Program facts of one candidate (Example::facts) as a short English phrase for the prompt.
std::string ReadableFacts(const std::vector<std::string>& facts);
// `source` is the Go source to show (may be empty). Returns {"prompt", "letters", "target", "label"}.
nlohmann::json RenderPrompt(const Example& e, const std::string& source);

// The Go source of `test_name` in the .go files of `dir`: the file that declares it (whole, when short)
// or the function alone. Empty string if not found.
std::string TestSource(const std::string& dir, const std::string& test_name, size_t max_chars = 6000);

}  // namespace schedcast::data
