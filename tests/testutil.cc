#include "testutil.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>

extern char** environ;

namespace schedcast::testutil {

CommandResult RunCommand(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env) {
  CommandResult res;
  int out_pipe[2], err_pipe[2];
  if (pipe(out_pipe) != 0 || pipe(err_pipe) != 0) return res;
  pid_t pid = fork();
  if (pid == 0) {
    dup2(out_pipe[1], 1);
    dup2(err_pipe[1], 2);
    close(out_pipe[0]); close(out_pipe[1]); close(err_pipe[0]); close(err_pipe[1]);
    for (const auto& kv : extra_env) putenv(strdup(kv.c_str()));
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  close(out_pipe[1]);
  close(err_pipe[1]);
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  int open_fds = 2;
  char buf[1 << 16];
  while (open_fds > 0) {
    if (poll(fds, 2, -1) < 0) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t n = read(fds[i].fd, buf, sizeof buf);
      if (n <= 0) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      } else {
        (i == 0 ? res.out : res.err).append(buf, n);
      }
    }
  }
  int status = 0;
  waitpid(pid, &status, 0);
  res.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return res;
}

std::vector<std::string> GeneratedTraces() {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(SCHEDCAST_TRACE_DIR, ec)) {
    if (e.path().extension() == ".trace") out.push_back(e.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string GoVersionOfTraceName(const std::string& path) {
  static const std::regex re("-go(1\\.[0-9]+)-");
  std::smatch m;
  return std::regex_search(path, m, re) ? m[1].str() : "";
}

std::string GoBinary(const std::string& version) {
  static std::map<std::string, std::string> cache;
  auto it = cache.find(version);
  if (it != cache.end()) return it->second;
  auto r = RunCommand({std::string(SCHEDCAST_SOURCE_DIR) + "/scripts/gobin.sh", "--no-fetch", version}, {});
  std::string path = r.exit_code == 0 ? r.out : "";
  while (!path.empty() && (path.back() == '\n' || path.back() == ' ')) path.pop_back();
  cache[version] = path;
  return path;
}

std::vector<std::string> GeneratedVersions() {
  std::vector<std::string> out;
  std::ifstream in(std::string(SCHEDCAST_TRACE_DIR) + "/versions");
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(line);
  return out;
}

std::string GoTraceDumpFlag(const std::string& version) {
  const int minor = std::stoi(version.substr(2));
  return minor <= 21 ? "-d" : minor <= 23 ? "-d=1" : "-d=parsed";
}

}  // namespace schedcast::testutil
