#include "gotrace/v2/table.h"

#include "gotrace/bytes.h"
#include "gotrace/v2/spec.h"

namespace schedcast::gotrace::v2 {

bool IdIndex::Insert(uint64_t id, uint32_t index) {
  if (!dense_.empty()) {  // only before Finalize in practice; keep it correct anyway
    if (id < dense_.size()) {
      if (dense_[id] != 0) return false;
      dense_[id] = index + 1;
      return true;
    }
  }
  auto [it, inserted] = sparse_.emplace(id, index);
  if (inserted && id > max_id_) max_id_ = id;
  return inserted;
}

void IdIndex::Finalize() {
  if (!dense_.empty() || sparse_.empty()) return;
  const uint64_t n = sparse_.size();
  if (max_id_ > 2 * n + 64) return;  // too sparse: keep the hash map
  dense_.assign(max_id_ + 1, 0);
  for (const auto& [id, index] : sparse_) dense_[id] = index + 1;
  sparse_.clear();
}

void IdIndex::Clear() {
  dense_.clear();
  sparse_.clear();
  max_id_ = 0;
}

std::string_view Table::string(uint64_t id) const {
  if (id == 0) return {};
  int64_t i = strings_.Find(id);
  if (i < 0) return {};
  auto [off, len] = string_spans_[i];
  return std::string_view(string_bytes_).substr(off, len);
}

std::span<const uint32_t> Table::stack(uint64_t id) const {
  if (id == 0) return {};
  int64_t i = stacks_.Find(id);
  if (i < 0) return {};
  auto [off, n] = stack_spans_[i];
  return std::span<const uint32_t>(stack_frames_).subspan(off, n);
}

ResolvedFrame Table::resolve(uint32_t index) const {
  const Frame& f = frames_[index];
  return ResolvedFrame{f.pc, string(f.func), string(f.file), f.line};
}

std::string_view Table::extra_string(uint64_t id) const {
  if (id == 0 || id > extra_strings_.size()) return {};
  return extra_strings_[id - 1];
}

uint64_t Table::AddExtraString(std::string_view s) {
  if (s.empty()) return 0;
  auto it = extra_ids_.find(std::string(s));
  if (it != extra_ids_.end()) return it->second;
  extra_strings_.emplace_back(s);
  const uint64_t id = extra_strings_.size();
  extra_ids_.emplace(std::string(s), id);
  return id;
}

void Table::Reset(uint64_t gen) {
  gen_ = gen;
  has_snapshot_ = false;
  strings_.Clear();
  string_bytes_.clear();
  string_spans_.clear();
  stacks_.Clear();
  stack_frames_.clear();
  stack_spans_.clear();
  stack_ids_.clear();
  stack_offsets_.clear();
  frames_.clear();
  frame_by_pc_.clear();
  extra_strings_.clear();
  extra_ids_.clear();
  experimental_.clear();
}

absl::Status Table::AddStrings(std::string_view body, uint64_t base) {
  ByteReader r(body, base);
  while (!r.done()) {
    const uint64_t at = r.offset();
    SC_ASSIGN_OR_RETURN(uint8_t t, r.Byte());
    if (t != kEvString)
      return DataErrorAt(at, Cat("expected a string record (type ", int{kEvString}, ") in a strings batch, got type ",
                                 int{t}));
    SC_ASSIGN_OR_RETURN(uint64_t id, r.Uvarint());
    const uint64_t len_at = r.offset();
    SC_ASSIGN_OR_RETURN(uint64_t len, r.Uvarint());
    if (len > kMaxStringSize)
      return DataErrorAt(len_at, Cat("string ", id, " is ", len, " bytes, more than the maximum ", kMaxStringSize));
    SC_ASSIGN_OR_RETURN(std::string_view s, r.Bytes(len));
    if (id == 0 || !strings_.Insert(id, static_cast<uint32_t>(string_spans_.size())))
      return DataErrorAt(at, Cat("duplicate string id ", id, " in generation ", gen_));
    string_spans_.emplace_back(static_cast<uint32_t>(string_bytes_.size()), static_cast<uint32_t>(s.size()));
    string_bytes_.append(s);
  }
  return absl::OkStatus();
}

absl::Status Table::AddStacks(std::string_view body, uint64_t base) {
  ByteReader r(body, base);
  while (!r.done()) {
    const uint64_t at = r.offset();
    SC_ASSIGN_OR_RETURN(uint8_t t, r.Byte());
    if (t != kEvStack)
      return DataErrorAt(at, Cat("expected a stack record (type ", int{kEvStack}, ") in a stacks batch, got type ",
                                 int{t}));
    SC_ASSIGN_OR_RETURN(uint64_t id, r.Uvarint());
    const uint64_t n_at = r.offset();
    SC_ASSIGN_OR_RETURN(uint64_t nframes, r.Uvarint());
    if (nframes > kMaxFramesPerStack)
      return DataErrorAt(n_at, Cat("stack ", id, " has ", nframes, " frames, more than the maximum ",
                                   kMaxFramesPerStack));
    const uint32_t first = static_cast<uint32_t>(stack_frames_.size());
    for (uint64_t i = 0; i < nframes; ++i) {
      Frame f;
      SC_ASSIGN_OR_RETURN(f.pc, r.Uvarint());
      SC_ASSIGN_OR_RETURN(f.func, r.Uvarint());
      SC_ASSIGN_OR_RETURN(f.file, r.Uvarint());
      SC_ASSIGN_OR_RETURN(f.line, r.Uvarint());
      uint32_t index;
      auto it = frame_by_pc_.find(f.pc);
      if (it != frame_by_pc_.end() &&
          (version_ >= 1023 || (frames_[it->second].func == f.func && frames_[it->second].file == f.file &&
                                frames_[it->second].line == f.line))) {
        index = it->second;  // Go 1.23: the first description of a pc wins; 1.22: identical frame
      } else {
        index = static_cast<uint32_t>(frames_.size());
        frames_.push_back(f);
        frame_by_pc_.emplace(f.pc, index);
      }
      stack_frames_.push_back(index);
    }
    if (id == 0 || !stacks_.Insert(id, static_cast<uint32_t>(stack_spans_.size())))
      return DataErrorAt(at, Cat("duplicate stack id ", id, " in generation ", gen_));
    stack_spans_.emplace_back(first, static_cast<uint32_t>(nframes));
    stack_ids_.push_back(id);
    stack_offsets_.push_back(at);
  }
  return absl::OkStatus();
}

void Table::AddExperimental(uint8_t experiment, int64_t thread, std::string_view data) {
  experimental_.push_back(ExperimentalBatch{experiment, thread, std::string(data)});
}

absl::Status Table::Finish(uint64_t offset) {
  strings_.Finalize();
  stacks_.Finalize();
  for (size_t s = 0; s < stack_spans_.size(); ++s) {
    auto [off, n] = stack_spans_[s];
    for (uint32_t i = 0; i < n; ++i) {
      const Frame& f = frames_[stack_frames_[off + i]];
      if (!has_string(f.func))
        return DataErrorAt(stack_offsets_[s], Cat("stack ", stack_ids_[s], " of generation ", gen_,
                                                  " names function string id ", f.func, ", which is not in the string table"));
      if (!has_string(f.file))
        return DataErrorAt(stack_offsets_[s], Cat("stack ", stack_ids_[s], " of generation ", gen_,
                                                  " names file string id ", f.file, ", which is not in the string table"));
    }
  }
  return absl::OkStatus();
}

}  // namespace schedcast::gotrace::v2
