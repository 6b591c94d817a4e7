// common/json.h — the one way schedcast turns a JSON value into text.
//
// Strings in schedcast's JSON come from untrusted inputs (function names and file paths in a Go
// trace, program names in a store): they may hold bytes that are not valid UTF-8, which
// nlohmann::json's default dump() rejects by throwing. JsonText() never throws for that reason:
// every invalid UTF-8 sequence becomes U+FFFD (the Unicode replacement character). Every JSON
// writer in the project (files and stdout) goes through it. Thread-safe (pure function).
#pragma once

#include <string>

#include "nlohmann/json.hpp"

namespace schedcast {

// `indent` < 0: compact, one line; otherwise pretty-printed with that many spaces.
template <typename Json>
std::string JsonText(const Json& j, int indent = -1) {
  return j.dump(indent, ' ', /*ensure_ascii=*/false, nlohmann::detail::error_handler_t::replace);
}

}  // namespace schedcast
