// tests/test_paths.h — where the tests find their inputs: the test traces, the source tree, the schedcast
// binary and the fixtures' stores and datasets, as this build tree configured them. tests/CMakeLists.txt
// forces this header into every test source (-include); the values live in the build tree's generated
// test_paths.cc (one small object), not in compile flags, so that no test object depends on where the
// checkout is and ccache reuses them from another clone (CI builds a fresh clone every time: with the
// paths in -D flags every test object missed the cache).
#pragma once

namespace schedcast::testpaths {
extern const char* const kTraceDir;       // gen_traces' output (fixture `traces`)
extern const char* const kSourceDir;      // the repository root
extern const char* const kBin;            // the schedcast executable of this tree
extern const char* const kCorpusDb;       // fixture `corpus_store`
extern const char* const kCorpusDataset;  // fixture `corpus_dataset`
extern const char* const kReportSample;   // the eval JSON the report tests render
extern const char* const kLeakDb;         // fixture `leak_store`
extern const char* const kCompareDb;      // fixture `compare_store`
extern const char* const kModpathDb;      // fixture `modpath_store`
extern const char* const kHardenDb;       // the hardening tests' store
extern const char* const kParamsDb;       // fixture `params_store`
}  // namespace schedcast::testpaths

#define SCHEDCAST_TRACE_DIR ::schedcast::testpaths::kTraceDir
#define SCHEDCAST_SOURCE_DIR ::schedcast::testpaths::kSourceDir
#define SCHEDCAST_BIN ::schedcast::testpaths::kBin
#define SCHEDCAST_CORPUS_DB ::schedcast::testpaths::kCorpusDb
#define SCHEDCAST_CORPUS_DATASET ::schedcast::testpaths::kCorpusDataset
#define SCHEDCAST_REPORT_SAMPLE ::schedcast::testpaths::kReportSample
#define SCHEDCAST_LEAK_DB ::schedcast::testpaths::kLeakDb
#define SCHEDCAST_COMPARE_DB ::schedcast::testpaths::kCompareDb
#define SCHEDCAST_MODPATH_DB ::schedcast::testpaths::kModpathDb
#define SCHEDCAST_HARDEN_DB ::schedcast::testpaths::kHardenDb
#define SCHEDCAST_PARAMS_DB ::schedcast::testpaths::kParamsDb
