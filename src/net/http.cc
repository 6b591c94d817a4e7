#include "net/http.h"

#include <curl/curl.h>  // types and constants only: the library itself is loaded on first use
#include <dlfcn.h>


namespace schedcast::net {
namespace {

size_t Append(char* data, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

// libcurl, opened with dlopen on the first request instead of linked: linking it loads ~25 shared
// libraries (TLS, Kerberos, LDAP, SSH, ...) into every schedcast process, ~4.6 MB of RSS for commands
// that never make a request (`trace dump` included: docs/BENCHMARKS.md, parser memory).
struct Curl {
  absl::Status status;
  CURLcode (*global_init)(long) = nullptr;
  CURL* (*easy_init)() = nullptr;
  CURLcode (*easy_setopt)(CURL*, CURLoption, ...) = nullptr;
  CURLcode (*easy_perform)(CURL*) = nullptr;
  CURLcode (*easy_getinfo)(CURL*, CURLINFO, ...) = nullptr;
  void (*easy_cleanup)(CURL*) = nullptr;
  const char* (*easy_strerror)(CURLcode) = nullptr;
  curl_slist* (*slist_append)(curl_slist*, const char*) = nullptr;
  void (*slist_free_all)(curl_slist*) = nullptr;
};

template <typename F>
bool Resolve(void* lib, const char* name, F& fn) {
  fn = reinterpret_cast<F>(dlsym(lib, name));
  return fn != nullptr;
}

Curl LoadCurl() {
  Curl c;
  void* lib = nullptr;
  std::string why;
  for (const char* name : {"libcurl.so.4", "libcurl.so"}) {
    lib = dlopen(name, RTLD_NOW | RTLD_LOCAL);
    if (lib != nullptr) break;
    const char* e = dlerror();
    why += Cat(why.empty() ? "" : "; ", e ? e : name);
  }
  if (lib == nullptr) {
    c.status = absl::FailedPreconditionError(Cat("HTTP needs libcurl, which could not be loaded (", why,
                                                 "); install it: apt-get install libcurl4"));
    return c;
  }
  if (!(Resolve(lib, "curl_global_init", c.global_init) && Resolve(lib, "curl_easy_init", c.easy_init) &&
        Resolve(lib, "curl_easy_setopt", c.easy_setopt) && Resolve(lib, "curl_easy_perform", c.easy_perform) &&
        Resolve(lib, "curl_easy_getinfo", c.easy_getinfo) && Resolve(lib, "curl_easy_cleanup", c.easy_cleanup) &&
        Resolve(lib, "curl_easy_strerror", c.easy_strerror) && Resolve(lib, "curl_slist_append", c.slist_append) &&
        Resolve(lib, "curl_slist_free_all", c.slist_free_all))) {
    c.status = absl::FailedPreconditionError("the libcurl that was loaded lacks the easy interface");
    return c;
  }
  c.global_init(CURL_GLOBAL_DEFAULT);
  return c;
}

// Loaded (and globally initialised) once, on first use.
const Curl& GetCurl() {
  static const Curl c = LoadCurl();
  return c;
}

absl::StatusOr<HttpResponse> Perform(const char* method, const std::string& url, const std::string* body,
                                     const std::vector<std::string>& headers, double timeout_s) {
  const Curl& api = GetCurl();
  if (!api.status.ok()) return absl::Status(api.status.code(), Cat(method, " ", url, ": ", std::string(api.status.message())));
  CURL* h = api.easy_init();
  if (h == nullptr) return absl::InternalError(Cat(method, " ", url, ": cannot create a libcurl handle"));
  curl_slist* list = body == nullptr ? nullptr : api.slist_append(nullptr, "Content-Type: application/json");
  for (const auto& line : headers) list = api.slist_append(list, line.c_str());
  HttpResponse resp;
  char err[CURL_ERROR_SIZE] = {0};
  const long timeout_ms = timeout_s > 0 ? static_cast<long>(timeout_s * 1000) : 0;
  api.easy_setopt(h, CURLOPT_URL, url.c_str());
  api.easy_setopt(h, CURLOPT_HTTPHEADER, list);
  if (body != nullptr) {
    api.easy_setopt(h, CURLOPT_POST, 1L);
    api.easy_setopt(h, CURLOPT_POSTFIELDS, body->data());
    api.easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body->size()));
  }
  api.easy_setopt(h, CURLOPT_WRITEFUNCTION, &Append);
  api.easy_setopt(h, CURLOPT_WRITEDATA, &resp.body);
  api.easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
  api.easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms > 0 && timeout_ms < 10000 ? timeout_ms : 10000L);
  api.easy_setopt(h, CURLOPT_NOSIGNAL, 1L);  // required for timeouts in multi-threaded programs
  api.easy_setopt(h, CURLOPT_ERRORBUFFER, err);
  const CURLcode rc = api.easy_perform(h);
  if (rc == CURLE_OK) api.easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp.status);
  api.slist_free_all(list);
  api.easy_cleanup(h);
  if (rc == CURLE_OK) return resp;
  const std::string reason = err[0] != 0 ? std::string(err) : std::string(api.easy_strerror(rc));
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
