// collect/subprocess.cc — fork/execve with process groups, capped capture and deadlines
// (see subprocess.h).
#include "collect/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <sstream>
#include <thread>

extern char** environ;

namespace schedcast::collect {
namespace {

using Clock = std::chrono::steady_clock;

struct Fd {
  int fd = -1;
  Fd() = default;
  explicit Fd(int f) : fd(f) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { Close(); }
  void Close() {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
};

bool LeaderExited(pid_t pid) {
  siginfo_t info{};
  return waitid(P_PID, pid, &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == pid;
}

// Reaps group members re-parented to us (only possible when we are a subreaper).
void ReapGroup(pid_t pgid) {
  auto until = Clock::now() + std::chrono::milliseconds(300);
  while (Clock::now() < until) {
    int st;
    pid_t r = waitpid(-pgid, &st, WNOHANG);
    if (r < 0) return;  // ECHILD: none of our children is left in that group
    if (r == 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

}  // namespace

std::vector<std::string> EnvironWith(const std::vector<std::string>& overrides) {
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) {
    std::string kv(*e);
    std::string key = kv.substr(0, kv.find('='));
    bool replaced = false;
    for (const auto& o : overrides) replaced |= o.substr(0, o.find('=')) == key;
    if (!replaced) env.push_back(std::move(kv));
  }
  env.insert(env.end(), overrides.begin(), overrides.end());
  return env;
}

void BecomeSubreaper() { prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); }

int KillStrayChildren() {
  int killed = 0;
  pid_t self = getpid();
  DIR* d = opendir("/proc");
  if (!d) return 0;
  std::vector<pid_t> kids;
  while (dirent* e = readdir(d)) {
    char* end;
    long pid = std::strtol(e->d_name, &end, 10);
    if (*end || pid <= 0) continue;
    auto stat = ReadFileToString(Cat("/proc/", pid, "/stat"));  // error if it exited meanwhile
    if (!stat.ok()) continue;
    const std::string& line = *stat;
    size_t rp = line.rfind(')');
    if (rp == std::string::npos) continue;
    std::istringstream rest(line.substr(rp + 2));
    char state;
    long ppid;
    rest >> state >> ppid;
    if (ppid == self) kids.push_back(static_cast<pid_t>(pid));
  }
  closedir(d);
  for (pid_t k : kids) {
    if (kill(k, SIGKILL) == 0) ++killed;
    int st;
    waitpid(k, &st, 0);
  }
  return killed;
}

absl::StatusOr<ProcessResult> RunProcess(const ProcessSpec& spec) {
  if (spec.argv.empty() || spec.argv[0].empty() || spec.argv[0][0] != '/') {
    return absl::InvalidArgumentError(Cat("not an absolute program path: '", spec.argv.empty() ? "" : spec.argv[0], "'"));
  }
  // Everything the child needs is prepared before fork: after fork only async-signal-safe calls.
  std::vector<char*> argv, envp;
  for (const auto& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  for (const auto& e : spec.env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  const char* cwd = spec.cwd.empty() ? nullptr : spec.cwd.c_str();

  int out_p[2], err_p[2] = {-1, -1}, exec_p[2];
  if (pipe2(out_p, O_CLOEXEC) != 0) return absl::ResourceExhaustedError(Cat("pipe: ", std::strerror(errno)));
  Fd out_r(out_p[0]), out_w(out_p[1]);
  Fd err_r, err_w;
  if (!spec.merge_stderr) {
    if (pipe2(err_p, O_CLOEXEC) != 0) return absl::ResourceExhaustedError(Cat("pipe: ", std::strerror(errno)));
    err_r.fd = err_p[0];
    err_w.fd = err_p[1];
  }
  // Bigger pipes: a child printing a lot is drained with fewer wake-ups (best effort).
  fcntl(out_r.fd, F_SETPIPE_SZ, 1 << 20);
  if (err_r.fd >= 0) fcntl(err_r.fd, F_SETPIPE_SZ, 1 << 20);
  if (pipe2(exec_p, O_CLOEXEC) != 0) return absl::ResourceExhaustedError(Cat("pipe: ", std::strerror(errno)));
  Fd exec_r(exec_p[0]), exec_w(exec_p[1]);
  Fd devnull(open("/dev/null", O_RDONLY | O_CLOEXEC));

  pid_t parent = getpid();
  auto start = Clock::now();
  pid_t pid = fork();
  if (pid < 0) return absl::ResourceExhaustedError(Cat("fork for ", spec.argv[0], ": ", std::strerror(errno)));
  if (pid == 0) {
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    for (int sig : {SIGINT, SIGTERM, SIGPIPE, SIGCHLD, SIGQUIT, SIGHUP}) sigaction(sig, &dfl, nullptr);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    if (devnull.fd >= 0) dup2(devnull.fd, 0);
    dup2(out_w.fd, 1);
    dup2(spec.merge_stderr ? out_w.fd : err_w.fd, 2);
    if (cwd && chdir(cwd) != 0) {
      int e = errno;
      (void)!write(exec_w.fd, &e, sizeof e);
      _exit(127);
    }
    execve(argv[0], argv.data(), envp.data());
    int e = errno;
    (void)!write(exec_w.fd, &e, sizeof e);
    _exit(127);
  }
  setpgid(pid, pid);  // also from the parent: no window where the child is in our group
  out_w.Close();
  err_w.Close();
  exec_w.Close();
  int child_errno = 0;
  ssize_t n = read(exec_r.fd, &child_errno, sizeof child_errno);
  if (n == sizeof child_errno) {
    int st;
    waitpid(pid, &st, 0);
    return absl::FailedPreconditionError(
        Cat("cannot start ", spec.argv[0], cwd ? Cat(" in ", cwd) : "", ": ", std::strerror(child_errno)));
  }

  ProcessResult res;
  res.out = CappedCapture(spec.capture_head, spec.capture_tail);
  res.err = CappedCapture(spec.capture_head, spec.capture_tail);
  Fd pidfd(static_cast<int>(syscall(SYS_pidfd_open, pid, 0)));
  auto deadline = spec.hard_timeout.count() > 0 ? start + spec.hard_timeout : Clock::time_point::max();
  std::optional<Clock::time_point> drain_until;  // set once the leader has exited
  bool killed = false;
  std::vector<char> buf(1 << 20);
  auto kill_group = [&] {
    if (!killed) kill(-pid, SIGKILL);
    killed = true;
  };

  while (true) {
    bool exited = LeaderExited(pid);
    if (exited && !drain_until) {
      res.wall_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
      // The leader is a zombie until we reap it, so its pid (= the group id) cannot be reused yet.
      kill(-pid, SIGKILL);
      drain_until = Clock::now() + std::chrono::milliseconds(500);
    }
    if (!exited) {
      if (spec.cancel && spec.cancel->load()) {
        res.cancelled = true;
        kill_group();
      } else if (Clock::now() >= deadline) {
        res.timed_out = true;
        kill_group();
      }
    }
    if (out_r.fd < 0 && err_r.fd < 0 && exited) break;
    if (drain_until && Clock::now() >= *drain_until) break;  // a process outside the group holds a pipe

    pollfd fds[3];
    int nf = 0;
    int out_i = -1, err_i = -1;
    if (out_r.fd >= 0) { out_i = nf; fds[nf++] = {out_r.fd, POLLIN, 0}; }
    if (err_r.fd >= 0) { err_i = nf; fds[nf++] = {err_r.fd, POLLIN, 0}; }
    if (pidfd.fd >= 0 && !exited) fds[nf++] = {pidfd.fd, POLLIN, 0};
    int wait_ms = pidfd.fd >= 0 ? 100 : 20;
    if (deadline != Clock::time_point::max() && !exited) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count() + 1;
      wait_ms = static_cast<int>(std::max<long>(0, std::min<long>(wait_ms, left)));
    }
    if (nf == 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(wait_ms));
      continue;
    }
    if (poll(fds, nf, wait_ms) < 0 && errno != EINTR) break;
    for (auto [idx, fd, cap] : {std::tuple{out_i, &out_r, &res.out}, std::tuple{err_i, &err_r, &res.err}}) {
      if (idx < 0 || !(fds[idx].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t r = read(fd->fd, buf.data(), buf.size());
      if (r > 0) {
        cap->Append(std::string_view(buf.data(), r));
      } else if (r == 0 || (errno != EINTR && errno != EAGAIN)) {
        fd->Close();
      }
    }
  }
  int st = 0;
  while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
  }
  if (!drain_until) res.wall_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  if (WIFEXITED(st)) res.exit_code = WEXITSTATUS(st);
  if (WIFSIGNALED(st)) res.signal = WTERMSIG(st);
  ReapGroup(pid);
  return res;
}

}  // namespace schedcast::collect
