// tests/llm/fake_server.h — starts tests/llm/fake_openai.py on a free local port and stops it.
//
// Base("normal", "t1") is the endpoint for one mode and a request-counting tag; Requests(mode, tag)
// asks the server how many requests it got there. Test-only; start/stop from one thread.
#pragma once

#include <sys/types.h>

#include <string>

#include "nlohmann/json.hpp"

namespace schedcast::testutil {

class FakeOpenAi {
 public:
  bool Start();  // false (with a message on stderr) if python3 or the script cannot start
  void Stop();
  ~FakeOpenAi() { Stop(); }

  std::string Base(const std::string& mode, const std::string& tag) const;
  int Requests(const std::string& mode, const std::string& tag) const;
  nlohmann::json LastRequest(const std::string& mode, const std::string& tag) const;
  int port() const { return port_; }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  std::string dir_;
};

// A local TCP port that nothing listens on (bound, then closed).
int ClosedPort();

}  // namespace schedcast::testutil
