// common/status.h — the one error convention of schedcast.
//
// Library code returns absl::Status / absl::StatusOr<T>; only the CLI turns them into exit codes.
// Messages name the thing that failed (file, byte offset, program, run) so that a user can find it.
// These helpers keep the wording uniform. Thread-safe (pure functions).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#include "common/strings.h"

namespace schedcast {

// "offset N: reason" — for malformed binary input. Callers prefix the file name via WithContext.
inline absl::Status DataErrorAt(uint64_t offset, std::string_view reason) {
  return absl::DataLossError(Cat("offset ", offset, ": ", reason));
}

// The two kinds of error the CLI tells apart (cli/common.cc maps every status to an exit code by
// its code alone; see `schedcast --help`):
//   UsageError    — the command line is wrong: a flag's value, a missing or conflicting argument
//                   (absl InvalidArgument → exit 2, like a flag CLI11 rejects).
//   BadInputError — an input's content is malformed: a model file, manifest, dataset line, eval
//                   JSON, trace (absl DataLoss → exit 3, like every other failure).
inline absl::Status UsageError(std::string_view message) { return absl::InvalidArgumentError(std::string(message)); }
inline absl::Status BadInputError(std::string_view message) { return absl::DataLossError(std::string(message)); }

// Prefixes `context` (e.g. a file path or "run 17") to a non-OK status, keeping its code.
inline absl::Status WithContext(const absl::Status& s, std::string_view context) {
  if (s.ok()) return s;
  return absl::Status(s.code(), Cat(context, ": ", std::string_view(s.message().data(), s.message().size())));
}

// Reads a whole file into memory. Errors name the path.
absl::StatusOr<std::string> ReadFileToString(const std::string& path);

// Writes a whole file (truncating). Errors name the path.
absl::Status WriteStringToFile(const std::string& path, std::string_view data);

}  // namespace schedcast

#define SC_RETURN_IF_ERROR(expr)              \
  do {                                        \
    absl::Status sc_status__ = (expr);        \
    if (!sc_status__.ok()) return sc_status__; \
  } while (0)

#define SC_CONCAT_INNER_(a, b) a##b
#define SC_CONCAT_(a, b) SC_CONCAT_INNER_(a, b)
#define SC_ASSIGN_OR_RETURN(lhs, expr) SC_ASSIGN_OR_RETURN_IMPL_(SC_CONCAT_(sc_or_, __LINE__), lhs, expr)
#define SC_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                              \
  if (!tmp.ok()) return tmp.status();             \
  lhs = std::move(*tmp)
