#include "common/std_packages.h"

#include <mutex>

namespace schedcast {

StdPackages StdPackages::Parse(std::string_view text) {
  StdPackages out;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    if (!line.empty()) out.Add(line);
  }
  return out;
}

std::string StdPackages::Serialize() const {
  std::string out;
  for (const auto& p : paths_) {
    out += p;
    out += '\n';
  }
  return out;
}

namespace {
std::mutex registry_mu;
std::shared_ptr<const StdPackages>& Registry() {
  static std::shared_ptr<const StdPackages> r;
  return r;
}
}  // namespace

void RegisterStdPackages(const StdPackages& std) {
  std::lock_guard<std::mutex> lock(registry_mu);
  auto merged = std::make_shared<StdPackages>(Registry() ? *Registry() : StdPackages());
  merged->Merge(std);
  Registry() = std::move(merged);
}

std::shared_ptr<const StdPackages> RegisteredStdPackages() {
  std::lock_guard<std::mutex> lock(registry_mu);
  return Registry();
}

void ClearStdPackages() {
  std::lock_guard<std::mutex> lock(registry_mu);
  Registry().reset();
}

}  // namespace schedcast
