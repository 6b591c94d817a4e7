// gotrace/v2/text.h — Go's text form of new-format trace events (`go tool trace -d=1`).
//
// AppendEventText appends exactly what Go's `fmt.Println(ev.String())` prints for the event
// (internal/trace Event.String of Go 1.22 / 1.23: context, kind, time, kind-specific fields,
// transition stack, event stack, blank line after stacks). AppendGoQuoted appends a string as
// Go's %q / strconv.Quote does. DumpReader streams all remaining events of a reader to `out`
// through a large buffer, and on a parse error writes what came before it and returns the error.
// DumpFile does the same reading the file with pread (bounded memory, see gotrace/v2/source.h).
// Thread-safe (pure functions; the stream and reader belong to the caller).
#pragma once

#include <ostream>
#include <string>
#include <string_view>

#include "common/status.h"
#include "gotrace/v2/event.h"
#include "gotrace/v2/reader.h"
#include "gotrace/v2/table.h"

namespace schedcast::gotrace::v2 {

void AppendEventText(const Event& ev, const Table& table, std::string& out);
void AppendGoQuoted(std::string_view s, std::string& out);

absl::Status DumpReader(Reader& reader, std::ostream& out);
absl::Status DumpFile(const std::string& path, std::ostream& out);

}  // namespace schedcast::gotrace::v2
