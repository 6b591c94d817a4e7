#include "llm/fake_server.h"

#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <thread>

#include "common/status.h"
#include "net/http.h"

extern char** environ;

namespace schedcast::testutil {

bool FakeOpenAi::Start() {
  dir_ = (std::filesystem::temp_directory_path() / ("schedcast-fake-openai-" + std::to_string(getpid()))).string();
  std::filesystem::create_directories(dir_);
  const std::string port_file = dir_ + "/port";
  std::filesystem::remove(port_file);
  const std::string script = std::string(SCHEDCAST_SOURCE_DIR) + "/tests/llm/fake_openai.py";
  std::vector<std::string> args = {"python3", script, port_file};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  if (posix_spawnp(&pid_, "python3", nullptr, nullptr, argv.data(), environ) != 0) {
    std::cerr << "cannot start python3 " << script << "\n";
    pid_ = -1;
    return false;
  }
  for (int i = 0; i < 200; ++i) {
    auto text = ReadFileToString(port_file);
    if (text.ok() && !text->empty()) {
      port_ = std::stoi(*text);
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::cerr << "fake_openai.py did not write " << port_file << " within 10 s\n";
  Stop();
  return false;
}

void FakeOpenAi::Stop() {
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    int st = 0;
    waitpid(pid_, &st, 0);
    pid_ = -1;
  }
  if (!dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
    dir_.clear();
  }
}

std::string FakeOpenAi::Base(const std::string& mode, const std::string& tag) const {
  return Cat("http://127.0.0.1:", port_, "/", mode, "/", tag);
}

int FakeOpenAi::Requests(const std::string& mode, const std::string& tag) const {
  auto r = net::Get(Cat("http://127.0.0.1:", port_, "/stats"), 5);
  if (!r.ok() || r->status != 200) return -1;
  const auto j = nlohmann::json::parse(r->body);
  return j.value(mode + "/" + tag, 0);
}

nlohmann::json FakeOpenAi::LastRequest(const std::string& mode, const std::string& tag) const {
  auto r = net::Get(Cat("http://127.0.0.1:", port_, "/last/", mode, "/", tag), 5);
  if (!r.ok() || r->status != 200) return nullptr;
  return nlohmann::json::parse(r->body);
}

int ClosedPort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

}  // namespace schedcast::testutil
