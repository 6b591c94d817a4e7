#include "common/json.h"
#include "gotrace/stats.h"

#include "common/strings.h"
#include "nlohmann/json.hpp"

namespace schedcast::gotrace {

std::string StatsToText(const TraceStats& s) {
  std::string out = Cat("format:      ", s.format, " (go 1.", s.version - 1000, ")\n",
                                 "bytes:       ", s.bytes, "\n", "events:      ", s.events, "\n",
                                 "goroutines:  ", s.goroutines, "\n", "procs:       ", s.procs, "\n",
                                 "time span:   ", s.max_ts - s.min_ts, " ns (", s.min_ts, " .. ", s.max_ts, ")\n",
                                 "stacks:      ", s.stacks, "\n", "strings:     ", s.strings, "\n");
  if (s.format == "v2") CatAppend(out, "generations: ", s.generations, "\n");
  CatAppend(out, "events by type:\n");
  for (const auto& [name, n] : s.events_by_type) CatAppend(out, "  ", name, " ", n, "\n");
  return out;
}

std::string StatsToJson(const TraceStats& s) {
  nlohmann::ordered_json j;
  j["format"] = s.format;
  j["version"] = Cat("1.", s.version - 1000);
  j["bytes"] = s.bytes;
  j["events"] = s.events;
  j["goroutines"] = s.goroutines;
  j["procs"] = s.procs;
  j["min_ts"] = s.min_ts;
  j["max_ts"] = s.max_ts;
  j["time_span_ns"] = s.max_ts - s.min_ts;
  j["stacks"] = s.stacks;
  j["strings"] = s.strings;
  if (s.format == "v2") j["generations"] = s.generations;
  j["events_by_type"] = s.events_by_type;
  return JsonText(j, 2) + "\n";
}

}  // namespace schedcast::gotrace
