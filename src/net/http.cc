#include "net/http.h"

#include <curl/curl.h>

#include <mutex>

namespace schedcast::net {
namespace {

size_t Append(char* data, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

absl::StatusOr<HttpResponse> Perform(const char* method, const std::string& url, const std::string* body,
                                     const std::vector<std::string>& headers, double timeout_s) {
  GlobalInit();
  CURL* h = curl_easy_init();
  if (h == nullptr) return absl::InternalError(Cat(method, " ", url, ": cannot create a libcurl handle"));
  curl_slist* list = body == nullptr ? nullptr : curl_slist_append(nullptr, "Content-Type: application/json");
  for (const auto& line : headers) list = curl_slist_append(list, line.c_str());
  HttpResponse resp;
  char err[CURL_ERROR_SIZE] = {0};
  const long timeout_ms = timeout_s > 0 ? static_cast<long>(timeout_s * 1000) : 0;
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, list);
  if (body != nullptr) {
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body->data());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body->size()));
  }
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &Append);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &resp.body);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms > 0 && timeout_ms < 10000 ? timeout_ms : 10000L);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);  // required for timeouts in multi-threaded programs
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, err);
  const CURLcode rc = curl_easy_perform(h);
  if (rc == CURLE_OK) curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp.status);
  curl_slist_free_all(list);
  curl_easy_cleanup(h);
  if (rc == CURLE_OK) return resp;
  const std::string reason = err[0] != 0 ? std::string(err) : std::string(curl_easy_strerror(rc));
  if (rc == CURLE_OPERATION_TIMEDOUT)
    return absl::DeadlineExceededError(Cat(method, " ", url, ": no answer within ", timeout_s, " s (", reason, ")"));
  return absl::UnavailableError(Cat(method, " ", url, ": ", reason));
}

}  // namespace

absl::StatusOr<HttpResponse> PostJson(const std::string& url, const std::string& body,
                                      const std::vector<std::string>& headers, double timeout_s) {
  return Perform("POST", url, &body, headers, timeout_s);
}

absl::StatusOr<HttpResponse> Get(const std::string& url, double timeout_s) {
  return Perform("GET", url, nullptr, {}, timeout_s);
}

}  // namespace schedcast::net
