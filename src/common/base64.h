// common/base64.h — base64 (RFC 4648, standard alphabet, with padding), for binary data inside
// JSON files (the neural model's weights).
// Base64Decode accepts exactly what Base64Encode writes (length a multiple of 4, padding only at the
// end) and returns false otherwise. Thread-safe (pure functions).
#pragma once

#include <string>
#include <string_view>

namespace schedcast {

std::string Base64Encode(std::string_view bytes);
bool Base64Decode(std::string_view text, std::string* out);

}  // namespace schedcast
