// gotrace/v2/text.h — Go's text form of new-format trace events (`go tool trace -d=1`).
//
// EventFormatter appends exactly what Go's `fmt.Println(ev.String())` prints for an event
// (internal/trace Event.String of the Go version that wrote the trace, 1.22 - 1.27: context, kind, time, kind-specific fields,
// transition stack, event stack, blank line after stacks) to an internal buffer. It caches the
// text of each stack and quoted string of the current generation, so repeated stacks cost one
// copy. AppendEventText is the one-off form (strings are quoted by gotrace/v2/quote.h).
// DumpReader streams all remaining events of a reader to `out` through a 64 KiB buffer; on a parse
// error it writes what came before the error and returns it. DumpFile does the same reading the
// file with pread (bounded memory, see gotrace/v2/source.h).
// EventFormatter is not thread-safe; the free functions are (the stream and reader belong to the
// caller).
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "gotrace/v2/event.h"
#include "gotrace/v2/quote.h"
#include "gotrace/v2/reader.h"
#include "gotrace/v2/table.h"

namespace schedcast::gotrace::v2 {

class EventFormatter {
 public:
  // Appends the text of `ev`, whose generation's tables are `table`.
  void Format(const Event& ev, const Table& table);
  std::string_view text() const { return std::string_view(buf_.data(), len_); }
  size_t size() const { return len_; }
  void Clear() { len_ = 0; }

 private:
  char* Reserve(size_t n) {
    if (len_ + n > buf_.size()) Grow(n);
    return buf_.data() + len_;
  }
  void Grow(size_t n);
  void Put(std::string_view s) {
    char* p = Reserve(s.size());
    __builtin_memcpy(p, s.data(), s.size());
    len_ += s.size();
  }
  void PutChar(char c) {
    *Reserve(1) = c;
    ++len_;
  }
  void PutInt(int64_t v);
  void PutUint(uint64_t v);
  void PutResource(ResourceKind k, int64_t id);
  void PutQuoted(std::string_view s);
  void PutQuotedId(const Table& t, uint64_t string_id);  // cached per generation
  void PutStack(const Table& t, uint64_t stack_id);      // cached per generation
  void SyncCache(const Table& t);

  std::string buf_;
  size_t len_ = 0;
  const Table* cache_table_ = nullptr;
  uint64_t cache_gen_ = 0;
  size_t cache_nstrings_ = 0, cache_nstacks_ = 0;
  std::vector<std::string> stack_text_;
  std::vector<uint8_t> stack_done_;
  std::vector<std::string> quoted_text_;
  std::vector<uint8_t> quoted_done_;
  std::string scratch_;
};

// Go's time.Unix(sec, nsec).Format(RFC3339 or, with `nanos`, RFC3339Nano) in the local zone.
std::string WallClockText(uint64_t sec, uint64_t nsec, bool nanos);

void AppendEventText(const Event& ev, const Table& table, std::string& out);

absl::Status DumpReader(Reader& reader, std::ostream& out);
absl::Status DumpFile(const std::string& path, std::ostream& out);

}  // namespace schedcast::gotrace::v2
