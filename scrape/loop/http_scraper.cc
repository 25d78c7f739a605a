#include <fstream>
#include <sstream>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/strings.h"
#include "httplib.h"
#include "scrape/loop/plain_http_client.h"
#include "scrape/loop/scraper.h"
#include "scrape/textparse/parser.h"

namespace promlet::scrape {
namespace {

std::string ReadSecretFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

// Go's http.StatusText for the codes a target plausibly returns.
std::string StatusLine(int code) {
  static constexpr std::pair<int, const char*> kText[] = {
      {400, "Bad Request"}, {401, "Unauthorized"}, {403, "Forbidden"}, {404, "Not Found"},
      {405, "Method Not Allowed"}, {406, "Not Acceptable"}, {408, "Request Timeout"},
      {429, "Too Many Requests"}, {500, "Internal Server Error"}, {501, "Not Implemented"},
      {502, "Bad Gateway"}, {503, "Service Unavailable"}, {504, "Gateway Timeout"},
      {300, "Multiple Choices"}, {301, "Moved Permanently"}, {302, "Found"}, {303, "See Other"},
      {304, "Not Modified"}, {307, "Temporary Redirect"}, {308, "Permanent Redirect"}};
  for (const auto& [c, text] : kText) {
    if (c == code) return absl::StrCat(code, " ", text);
  }
  return absl::StrCat(code);
}

// The statuses Go's http.Client follows (with a GET, 307 and 308 too).
bool IsFollowedRedirect(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

// RFC 3986 remove_dot_segments over an absolute path (no query).
std::string RemoveDotSegments(std::string_view path) {
  std::vector<std::string_view> out;
  size_t pos = 1;  // after the leading '/'
  bool trailing_slash = false;
  while (pos <= path.size()) {
    const size_t slash = std::min(path.find('/', pos), path.size());
    const std::string_view seg = path.substr(pos, slash - pos);
    trailing_slash = slash == path.size() && (seg == "." || seg == "..");
    if (seg == "..") {
      if (!out.empty()) out.pop_back();
    } else if (seg != ".") {
      out.push_back(seg);
    }
    pos = slash + 1;
  }
  std::string r;
  for (std::string_view seg : out) absl::StrAppend(&r, "/", base::Absl(seg));
  if (r.empty() || trailing_slash) r.push_back('/');
  return r;
}

}  // namespace

// scheme://host[:port]/path?query, split for the request line, the Host
// header and connect().
struct HttpScraper::Endpoint {
  std::string url, scheme_host_port, host, host_port, path;
  int port = 80;

  explicit Endpoint(std::string u) : url(std::move(u)) {
    const size_t scheme_end = url.find("://");
    const size_t path_start = url.find_first_of("/?#", scheme_end + 3);
    scheme_host_port = url.substr(0, path_start);
    path = path_start == std::string::npos ? "/" : url.substr(path_start);
    if (const size_t hash = path.find('#'); hash != std::string::npos) path.resize(hash);
    // "?q" alone gets its "/" (not with insert(): a false -Wrestrict in g++ 12).
    if (path.empty() || path[0] != '/') path = absl::StrCat("/", path);
    const std::string hp = url.substr(scheme_end + 3, path_start == std::string::npos
                                                          ? std::string::npos
                                                          : path_start - scheme_end - 3);
    if (!hp.empty() && hp[0] == '[') {
      host = hp.substr(1, hp.find(']') - 1);
    } else {
      host = hp.substr(0, hp.rfind(':') == std::string::npos ? hp.size() : hp.rfind(':'));
    }
    host_port = hp;
    if (absl::StartsWithIgnoreCase(url, "https://")) port = 443;
    const size_t colon = hp.rfind(':'), bracket = hp.rfind(']');
    if (colon != std::string::npos && (bracket == std::string::npos || colon > bracket)) {
      int p = 0;
      if (absl::SimpleAtoi(hp.substr(colon + 1), &p)) port = p;
    }
  }
};

std::string HttpScraper::ResolveRedirect(std::string_view base_url, std::string_view location) {
  return ResolveRedirect(Endpoint(std::string(base_url)), location);
}

// RFC 3986 reference resolution, like Go's url.Parse on the request URL; the
// fragment is dropped.
std::string HttpScraper::ResolveRedirect(const Endpoint& base, std::string_view location) {
  location = location.substr(0, location.find('#'));
  const size_t colon = location.find(':');
  const size_t first_special = location.find_first_of("/?");
  std::string authority;   // scheme://host[:port] when the location names one
  std::string_view rest;   // then its path and query
  if (colon != std::string_view::npos && colon > 0 &&
      (first_special == std::string_view::npos || colon < first_special)) {
    if (location.substr(colon, 3) != "://") return std::string(location);  // mailto: and the like
    const size_t end = location.find_first_of("/?", colon + 3);
    authority = std::string(location.substr(0, end));
    rest = end == std::string_view::npos ? std::string_view() : location.substr(end);
  } else if (absl::StartsWith(base::Absl(location), "//")) {
    const size_t end = location.find_first_of("/?", 2);
    authority = absl::StrCat(base.scheme_host_port.substr(0, base.scheme_host_port.find("://")), ":",
                             base::Absl(location.substr(0, end)));
    rest = end == std::string_view::npos ? std::string_view() : location.substr(end);
  }
  if (!authority.empty()) {  // Go removes dot segments from an absolute reference's path too
    const size_t q = rest.find('?');
    const std::string_view path = rest.substr(0, q);
    const std::string_view query = q == std::string_view::npos ? std::string_view() : rest.substr(q);
    return absl::StrCat(authority, path.empty() ? "" : RemoveDotSegments(path), base::Absl(query));
  }
  const std::string_view base_path = std::string_view(base.path).substr(0, base.path.find('?'));
  if (location.empty()) return absl::StrCat(base.scheme_host_port, base.path);
  if (location[0] == '?') return absl::StrCat(base.scheme_host_port, base::Absl(base_path), base::Absl(location));
  const size_t lq = location.find('?');
  const std::string_view loc_path = location.substr(0, lq);
  const std::string_view loc_query = lq == std::string_view::npos ? std::string_view() : location.substr(lq);
  std::string merged;
  if (!loc_path.empty() && loc_path[0] == '/') {
    merged = std::string(loc_path);
  } else {
    merged = absl::StrCat(base::Absl(base_path.substr(0, base_path.rfind('/') + 1)), base::Absl(loc_path));
  }
  return absl::StrCat(base.scheme_host_port, RemoveDotSegments(merged), base::Absl(loc_query));
}

HttpScraper::HttpScraper(std::string url, const HttpClientConfig& http, int64_t body_size_limit,
                         const HostMap* hosts)
    : url_(std::move(url)), http_(http), body_size_limit_(body_size_limit), hosts_(hosts) {
  target_ = std::make_unique<Endpoint>(url_);
  if (absl::StartsWith(url_, "http://")) plain_ = std::make_unique<PlainHttpClient>();
}

HttpScraper::~HttpScraper() = default;

absl::Status HttpScraper::RefusedError() const { return RefusedError(*target_); }

absl::Status HttpScraper::RefusedError(const Endpoint& e) {
  return absl::UnavailableError(absl::StrCat("Get \"", e.url, "\": dial tcp ",
                                             e.scheme_host_port.substr(e.scheme_host_port.find("://") + 3),
                                             ": connect: connection refused"));
}

absl::Status HttpScraper::Scrape(absl::Duration timeout, std::string* body, std::string* content_type) {
  return plain_ ? ScrapePlain(timeout, body, content_type) : ScrapeWithHttplib(timeout, body, content_type);
}

void HttpScraper::BuildRequest(const Endpoint& e, absl::Duration timeout) {
  request_.clear();
  absl::StrAppend(&request_, "GET ", e.path, " HTTP/1.1\r\nHost: ", e.host_port,
                  "\r\nAccept: ", base::Absl(textparse::ScrapeAcceptHeader()),
                  "\r\nAccept-Encoding: gzip\r\nUser-Agent: promlet/0.1\r\nX-Prometheus-Scrape-Timeout-Seconds: ",
                  absl::StrFormat("%g", absl::ToDoubleSeconds(timeout)), "\r\n");
  // Prometheus's auth round trippers set the header on every request,
  // redirected ones (to any host) included.
  if (!http_.authorization_type.empty()) {
    const std::string cred = http_.authorization_credentials_file.empty()
                                 ? http_.authorization_credentials
                                 : ReadSecretFile(http_.authorization_credentials_file);
    absl::StrAppend(&request_, "Authorization: ", http_.authorization_type, " ", cred, "\r\n");
  } else if (http_.has_basic_auth) {
    const std::string pass = http_.basic_auth_password_file.empty()
                                 ? http_.basic_auth_password
                                 : ReadSecretFile(http_.basic_auth_password_file);
    absl::StrAppend(&request_, "Authorization: Basic ",
                    absl::Base64Escape(absl::StrCat(http_.basic_auth_username, ":", pass)), "\r\n");
  }
  request_.append("\r\n");
}

absl::Status HttpScraper::ScrapePlain(absl::Duration timeout, std::string* body, std::string* content_type) {
  const absl::Time deadline = absl::Now() + timeout;
  content_type->clear();
  std::unique_ptr<Endpoint> redirected;  // set once a redirect was followed
  for (int redirects = 0;; ++redirects) {
    const Endpoint& e = redirected ? *redirected : *target_;
    BuildRequest(e, timeout);
    std::string connect_host = e.host;
    if (hosts_ != nullptr) {
      if (std::string addr = hosts_->Get(e.host); !addr.empty()) connect_host = std::move(addr);
    }
    PlainHttpClient::Response response;
    const PlainHttpClient::Outcome outcome =
        plain_->Get(connect_host, e.port, request_, deadline, body_size_limit_, &response, body);
    switch (outcome) {
      case PlainHttpClient::Outcome::kOk:
        break;
      case PlainHttpClient::Outcome::kConnect:
        return RefusedError(e);
      case PlainHttpClient::Outcome::kTimeout:
        return absl::DeadlineExceededError("context deadline exceeded");
      case PlainHttpClient::Outcome::kTooBig:
        return absl::ResourceExhaustedError("body size limit exceeded");
      case PlainHttpClient::Outcome::kWrite:
        return absl::UnavailableError(absl::StrCat("Get \"", e.url, "\": Write"));
      case PlainHttpClient::Outcome::kRead:
      case PlainHttpClient::Outcome::kMalformed:
        return absl::UnavailableError(absl::StrCat("Get \"", e.url, "\": Read"));
    }
    if (http_.follow_redirects && IsFollowedRedirect(response.status) && !response.location.empty()) {
      // Go's http.Client sends at most 10 requests and fails on the tenth
      // redirect, naming the URL it would have fetched next.
      std::string next = ResolveRedirect(e, response.location);
      if (redirects + 1 == 10) {
        return absl::UnavailableError(absl::StrCat("Get \"", next, "\": stopped after 10 redirects"));
      }
      if (!absl::StartsWithIgnoreCase(next, "http://")) {
        // https (or another scheme): cpp-httplib, with its TLS, follows the
        // chain from the start.
        const absl::Time now = absl::Now();
        return ScrapeWithHttplib(now < deadline ? deadline - now : absl::ZeroDuration(), body, content_type);
      }
      next.replace(0, 7, "http://");  // the scheme in lower case
      redirected = std::make_unique<Endpoint>(std::move(next));
      continue;
    }
    if (response.status != 200) {
      return absl::UnavailableError(absl::StrCat("server returned HTTP status ", StatusLine(response.status)));
    }
    *content_type = std::move(response.content_type);
    return absl::OkStatus();
  }
}

absl::Status HttpScraper::Setup() {
  client_ = std::make_unique<httplib::Client>(target_->scheme_host_port, http_.tls.cert_file, http_.tls.key_file);
  if (!client_->is_valid()) {
    client_.reset();
    return absl::InvalidArgumentError(absl::StrCat("invalid scrape URL or TLS files for ", url_));
  }
  client_->set_keep_alive(true);
  client_->set_decompress(true);
  client_->set_follow_location(http_.follow_redirects);
  if (absl::StartsWith(url_, "https")) {
    client_->enable_server_certificate_verification(!http_.tls.insecure_skip_verify);
    if (!http_.tls.ca_file.empty()) client_->set_ca_cert_path(http_.tls.ca_file.c_str());
  }
  return absl::OkStatus();
}

absl::Status HttpScraper::ScrapeWithHttplib(absl::Duration timeout, std::string* body, std::string* content_type) {
  if (!client_) {
    if (absl::Status s = Setup(); !s.ok()) return s;
  }
  if (hosts_ != nullptr) {
    if (std::string addr = hosts_->Get(target_->host); !addr.empty()) {
      client_->set_hostname_addr_map({{target_->host, addr}});
    }
  }
  const auto usec = std::chrono::microseconds(absl::ToInt64Microseconds(timeout));
  client_->set_connection_timeout(usec);
  client_->set_read_timeout(usec);
  client_->set_write_timeout(usec);
  httplib::Headers headers = {
      {"Accept", std::string(textparse::ScrapeAcceptHeader())},
      {"Accept-Encoding", "gzip"},
      {"User-Agent", "promlet/0.1"},
      {"X-Prometheus-Scrape-Timeout-Seconds", absl::StrFormat("%g", absl::ToDoubleSeconds(timeout))},
  };
  if (http_.has_basic_auth) {
    const std::string pass = http_.basic_auth_password_file.empty()
                                 ? http_.basic_auth_password
                                 : ReadSecretFile(http_.basic_auth_password_file);
    client_->set_basic_auth(http_.basic_auth_username.c_str(), pass.c_str());
  }
  if (!http_.authorization_type.empty()) {
    const std::string cred = http_.authorization_credentials_file.empty()
                                 ? http_.authorization_credentials
                                 : ReadSecretFile(http_.authorization_credentials_file);
    headers.emplace("Authorization", absl::StrCat(http_.authorization_type, " ", cred));
  }
  body->clear();
  content_type->clear();
  const absl::Time deadline = absl::Now() + timeout;
  int status = 0;
  bool too_big = false, too_slow = false;
  httplib::Result res = client_->Get(
      target_->path, headers,
      [&](const httplib::Response& r) {
        status = r.status;
        *content_type = r.get_header_value("Content-Type");
        return true;
      },
      [&](const char* data, size_t n) {
        if (status != 200) return true;  // drain error bodies
        // Prometheus: reading limit bytes (a body of exactly the limit too) fails.
        if (body_size_limit_ > 0 && static_cast<int64_t>(body->size() + n) >= body_size_limit_) {
          too_big = true;
          return false;
        }
        if (absl::Now() > deadline) {
          too_slow = true;
          return false;
        }
        body->append(data, n);
        return true;
      });
  if (too_big) {
    client_->stop();
    return absl::ResourceExhaustedError("body size limit exceeded");
  }
  if (too_slow) {
    client_->stop();
    return absl::DeadlineExceededError("context deadline exceeded");
  }
  if (!res) {
    const httplib::Error e = res.error();
    if (e == httplib::Error::Read && absl::Now() >= deadline - absl::Milliseconds(5)) {
      return absl::DeadlineExceededError("context deadline exceeded");
    }
    if (e == httplib::Error::Connection) {
      return RefusedError();
    }
    return absl::UnavailableError(absl::StrCat("Get \"", url_, "\": ", httplib::to_string(e)));
  }
  if (status != 200) {
    return absl::UnavailableError(absl::StrCat("server returned HTTP status ", StatusLine(status)));
  }
  return absl::OkStatus();
}

}  // namespace promlet::scrape
