// gotrace/stats.h — summary numbers of one parsed trace (`schedcast trace stats`).
//
// Filled by the format-specific parsers (v1::ComputeStats, v2::ComputeStats); rendered here as text
// or JSON. Plain data; thread-compatible.
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace schedcast::gotrace {

struct TraceStats {
  int version = 0;                               // 1019, 1021, 1022, 1023, ...
  std::string format;                            // "v1" or "v2"
  uint64_t bytes = 0;                            // file size
  uint64_t events = 0;                           // events after ordering (as Go's parser emits them)
  std::map<std::string, uint64_t> events_by_type;  // event type name (Go's name) -> count
  uint64_t goroutines = 0;                       // distinct goroutine ids seen
  uint64_t procs = 0;                            // distinct P ids seen
  int64_t min_ts = 0, max_ts = 0;                // timestamps as Go's parser reports them (ns)
  uint64_t stacks = 0;                           // entries in the stack table
  uint64_t strings = 0;                          // entries in the string table
  uint64_t generations = 0;                      // v2 only: number of generations
};

std::string StatsToText(const TraceStats& s);
std::string StatsToJson(const TraceStats& s);

}  // namespace schedcast::gotrace
