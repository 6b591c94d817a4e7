// common/strings.h — Cat(): concatenate strings and numbers into a std::string.
//
// Debian's abseil is built with its own absl::string_view (not std::string_view), so absl::StrCat
// does not accept std::string_view arguments; schedcast code uses Cat() instead everywhere.
// Thread-safe (pure function).
#pragma once

#include <charconv>
#include <concepts>
#include <string>
#include <string_view>
#include <type_traits>

namespace schedcast {

namespace strings_internal {
inline void AppendOne(std::string& out, std::string_view s) { out.append(s); }
inline void AppendOne(std::string& out, const char* s) { out.append(s); }
inline void AppendOne(std::string& out, const std::string& s) { out.append(s); }
inline void AppendOne(std::string& out, char c) { out.push_back(c); }
inline void AppendOne(std::string& out, bool b) { out.append(b ? "true" : "false"); }
template <typename T>
  requires(std::is_arithmetic_v<T> && !std::same_as<T, char> && !std::same_as<T, bool>)
inline void AppendOne(std::string& out, T v) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}
}  // namespace strings_internal

template <typename... Args>
std::string Cat(const Args&... args) {
  std::string out;
  (strings_internal::AppendOne(out, args), ...);
  return out;
}

template <typename... Args>
void CatAppend(std::string& out, const Args&... args) {
  (strings_internal::AppendOne(out, args), ...);
}

}  // namespace schedcast
