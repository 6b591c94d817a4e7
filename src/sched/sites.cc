#include "sched/sites.h"

namespace schedcast::sched {

std::string GorootOf(std::string_view file) {
  const size_t at = file.rfind("/src/runtime/");
  return at == std::string_view::npos ? "" : std::string(file.substr(0, at));
}

uint32_t SiteTable::Intern(std::string_view func, std::string_view file, uint64_t line) {
  auto key = std::make_tuple(std::string(func), std::string(file), line);
  auto it = ids_.find(key);
  if (it != ids_.end()) return it->second;
  const uint32_t id = static_cast<uint32_t>(sites_->size());
  sites_->push_back(Site{std::string(func), std::string(file), line});
  ids_.emplace(std::move(key), id);
  return id;
}

uint32_t SiteTable::Chain(std::vector<uint32_t> chain) {
  auto it = chain_ids_.find(chain);
  if (it != chain_ids_.end()) return it->second;
  const uint32_t id = static_cast<uint32_t>(chains_->size());
  chains_->push_back(chain);
  chain_ids_.emplace(std::move(chain), id);
  return id;
}

}  // namespace schedcast::sched
