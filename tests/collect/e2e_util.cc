// tests/collect/e2e_util.cc — see e2e_util.h.
#include "e2e_util.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "common/status.h"
#include "store/sqlite.h"
#include "store/store.h"

namespace schedcast::collect::e2e {

std::string Bin() { return SCHEDCAST_BIN; }
std::string Fixture(const std::string& name) {
  return std::string(SCHEDCAST_SOURCE_DIR) + "/tests/collect/fixtures/" + name;
}

TempDir::TempDir() {
  std::string t = (std::filesystem::temp_directory_path() / "schedcast-e2e-XXXXXX").string();
  path_ = mkdtemp(t.data());
}
TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

testutil::CommandResult Schedcast(const std::vector<std::string>& args) {
  std::vector<std::string> argv{Bin()};
  argv.insert(argv.end(), args.begin(), args.end());
  return testutil::RunCommand(argv);
}

pid_t SpawnSchedcast(const std::vector<std::string>& args, const std::string& log) {
  std::vector<std::string> argv{Bin()};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<char*> cargv;
  for (auto& a : argv) cargv.push_back(a.data());
  cargv.push_back(nullptr);
  int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(fd, 1);
    dup2(fd, 2);
    execv(cargv[0], cargv.data());
    _exit(127);
  }
  close(fd);
  return pid;
}

std::vector<store::StoredRun> Runs(const std::string& db) {
  auto s = store::Store::OpenExisting(db);
  EXPECT_TRUE(s.ok()) << s.status();
  if (!s.ok()) return {};
  auto runs = (*s)->ListRuns();
  EXPECT_TRUE(runs.ok()) << runs.status();
  return runs.ok() ? *runs : std::vector<store::StoredRun>{};
}

int64_t QueryInt(const std::string& db, const std::string& sql) {
  struct stat sb;
  if (stat(db.c_str(), &sb) != 0) return -1;
  auto d = store::Database::Open(db, false);
  if (!d.ok()) return -1;
  sqlite3_busy_timeout(d->raw(), 5000);
  auto v = d->QueryInt(sql);
  return v.ok() ? *v : -1;
}

std::string IntegrityCheck(const std::string& db) {
  auto d = store::Database::Open(db, false);
  if (!d.ok()) return std::string(d.status().message());
  auto st = d->Prepare("PRAGMA integrity_check");
  if (!st.ok()) return std::string(st.status().message());
  auto row = st->Step();
  if (!row.ok() || !*row) return "no result";
  return st->Text(0);
}

std::vector<pid_t> LiveProcesses(const std::string& needle) {
  std::vector<pid_t> out;
  DIR* d = opendir("/proc");
  if (!d) return out;
  while (dirent* e = readdir(d)) {
    char* end;
    long pid = std::strtol(e->d_name, &end, 10);
    if (*end || pid <= 0 || pid == getpid()) continue;
    // A process may exit between readdir and the read (ESRCH): ReadFileToString returns an error
    // then, where an istreambuf_iterator over an ifstream would throw from underflow.
    auto cmd = ReadFileToString(Cat("/proc/", pid, "/cmdline"));
    if (!cmd.ok()) continue;
    std::string c = *std::move(cmd);
    for (char& ch : c) if (ch == '\0') ch = ' ';
    if (c.find(needle) == std::string::npos) continue;
    auto stat = ReadFileToString(Cat("/proc/", pid, "/stat"));
    if (!stat.ok()) continue;
    const std::string line = *stat;
    size_t rp = line.rfind(')');
    char state = rp != std::string::npos && rp + 2 < line.size() ? line[rp + 2] : '?';
    if (state != 'Z' && state != 'X') out.push_back(static_cast<pid_t>(pid));
  }
  closedir(d);
  return out;
}

const FixtureCollection& FixturesStore() {
  static FixtureCollection fc = [] {
    struct stat sb {};
    stat(Bin().c_str(), &sb);
    std::string stamp = Cat("v5 ", sb.st_mtim.tv_sec, ".", sb.st_mtim.tv_nsec, " ", sb.st_size);
    // ... and the fixtures: any edited file invalidates the shared store.
    for (const auto& e : std::filesystem::recursive_directory_iterator(Fixture(""))) {
      struct stat fs {};
      if (stat(e.path().c_str(), &fs) == 0 && S_ISREG(fs.st_mode)) {
        CatAppend(stamp, "\n", e.path().string(), " ", fs.st_size, " ", fs.st_mtim.tv_sec, ".", fs.st_mtim.tv_nsec);
      }
    }
    std::string dir = Cat(std::filesystem::temp_directory_path().string(), "/schedcast-e2e-fixtures-", getuid(), "-",
                          std::hash<std::string>()(Bin()));
    std::filesystem::create_directories(dir);
    FixtureCollection out{dir + "/fixtures.db", dir + "/collect.log"};
    int lock = open((dir + "/lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    flock(lock, LOCK_EX);
    auto old = ReadFileToString(dir + "/stamp");
    if (!old.ok() || *old != stamp) {
      for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(out.db + suffix);
      testutil::CommandResult r = Schedcast({"collect", Fixture(""), "--store", out.db, "--runs", "1", "--gomaxprocs", "2",
                                             "--timeout", "3s", "--jobs", "2", "--go", "1.21,1.23", "--progress", "lines"});
      (void)WriteStringToFile(out.log, r.err);
      if (r.exit_code == 0) (void)WriteStringToFile(dir + "/stamp", stamp);
      EXPECT_EQ(r.exit_code, 0) << r.err;
    }
    flock(lock, LOCK_UN);
    close(lock);
    return out;
  }();
  return fc;
}

}  // namespace schedcast::collect::e2e
