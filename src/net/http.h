// net/http.h — a small blocking HTTP client: POST a JSON body (or GET), get the status code and the body.
//
// Contract: PostJson returns the server's answer for any HTTP status (the caller decides what a 4xx
// or 5xx means); it returns an error only when no answer came back: kUnavailable when the server
// cannot be reached (connection refused, unknown host, reset), kDeadlineExceeded when the whole
// exchange took longer than `timeout_s`. Error messages name the URL and the transport's reason.
// Built on libcurl (loaded with dlopen on the first request; a missing libcurl is a FailedPrecondition
// naming it), whose types stay in http.cc. Thread-safe: each call uses its own handle; the
// library's global initialisation happens once, on first use.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"

namespace schedcast::net {

struct HttpResponse {
  long status = 0;   // HTTP status code, e.g. 200, 429
  std::string body;  // the response body as received
};

// `headers` are extra "Name: value" lines (Content-Type: application/json is always sent).
absl::StatusOr<HttpResponse> PostJson(const std::string& url, const std::string& body,
                                      const std::vector<std::string>& headers, double timeout_s);

// GET `url`; the same error contract as PostJson.
absl::StatusOr<HttpResponse> Get(const std::string& url, double timeout_s);

}  // namespace schedcast::net
