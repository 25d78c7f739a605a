#include <fstream>
#include <sstream>

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
      {301, "Moved Permanently"}, {302, "Found"}, {304, "Not Modified"}};
  for (const auto& [c, text] : kText) {
    if (c == code) return absl::StrCat(code, " ", text);
  }
  return absl::StrCat(code);
}

}  // namespace

HttpScraper::HttpScraper(std::string url, const HttpClientConfig& http, int64_t body_size_limit,
                         const HostMap* hosts)
    : url_(std::move(url)), http_(http), body_size_limit_(body_size_limit), hosts_(hosts) {
  // url_ = scheme://host[:port]/path?query
  const size_t scheme_end = url_.find("://");
  const size_t path_start = url_.find('/', scheme_end + 3);
  scheme_host_port_ = url_.substr(0, path_start);
  path_ = path_start == std::string::npos ? "/" : url_.substr(path_start);
  std::string hp = url_.substr(scheme_end + 3, path_start - scheme_end - 3);
  if (!hp.empty() && hp[0] == '[') {
    host_ = hp.substr(1, hp.find(']') - 1);
  } else {
    host_ = hp.substr(0, hp.rfind(':') == std::string::npos ? hp.size() : hp.rfind(':'));
  }
  host_port_ = hp;
  const size_t colon = hp.rfind(':'), bracket = hp.rfind(']');
  if (colon != std::string::npos && (bracket == std::string::npos || colon > bracket)) {
    int port = 0;
    if (absl::SimpleAtoi(hp.substr(colon + 1), &port)) port_ = port;
  }
  if (absl::StartsWith(url_, "http://")) plain_ = std::make_unique<PlainHttpClient>();
}

HttpScraper::~HttpScraper() = default;

absl::Status HttpScraper::RefusedError() const {
  return absl::UnavailableError(absl::StrCat("Get \"", url_, "\": dial tcp ",
                                             scheme_host_port_.substr(scheme_host_port_.find("://") + 3),
                                             ": connect: connection refused"));
}

absl::Status HttpScraper::Scrape(absl::Duration timeout, std::string* body, std::string* content_type) {
  return plain_ ? ScrapePlain(timeout, body, content_type) : ScrapeWithHttplib(timeout, body, content_type);
}

absl::Status HttpScraper::ScrapePlain(absl::Duration timeout, std::string* body, std::string* content_type) {
  const absl::Time deadline = absl::Now() + timeout;
  request_.clear();
  absl::StrAppend(&request_, "GET ", path_, " HTTP/1.1\r\nHost: ", host_port_,
                  "\r\nAccept: ", base::Absl(textparse::ScrapeAcceptHeader()),
                  "\r\nAccept-Encoding: gzip\r\nUser-Agent: promlet/0.1\r\nX-Prometheus-Scrape-Timeout-Seconds: ",
                  absl::StrFormat("%g", absl::ToDoubleSeconds(timeout)), "\r\n");
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
  std::string connect_host = host_;
  if (hosts_ != nullptr) {
    if (std::string addr = hosts_->Get(host_); !addr.empty()) connect_host = std::move(addr);
  }
  PlainHttpClient::Response response;
  const PlainHttpClient::Outcome outcome =
      plain_->Get(connect_host, port_, request_, deadline, body_size_limit_, &response, body);
  content_type->clear();
  switch (outcome) {
    case PlainHttpClient::Outcome::kOk:
      break;
    case PlainHttpClient::Outcome::kConnect:
      return RefusedError();
    case PlainHttpClient::Outcome::kTimeout:
      return absl::DeadlineExceededError("context deadline exceeded");
    case PlainHttpClient::Outcome::kTooBig:
      return absl::ResourceExhaustedError("body size limit exceeded");
    case PlainHttpClient::Outcome::kWrite:
      return absl::UnavailableError(absl::StrCat("Get \"", url_, "\": Write"));
    case PlainHttpClient::Outcome::kRead:
    case PlainHttpClient::Outcome::kMalformed:
      return absl::UnavailableError(absl::StrCat("Get \"", url_, "\": Read"));
  }
  if (response.status >= 300 && response.status < 400 && http_.follow_redirects && !response.location.empty()) {
    return ScrapeWithHttplib(absl::Now() < deadline ? deadline - absl::Now() : absl::ZeroDuration(), body,
                             content_type);
  }
  if (response.status != 200) {
    return absl::UnavailableError(absl::StrCat("server returned HTTP status ", StatusLine(response.status)));
  }
  *content_type = std::move(response.content_type);
  return absl::OkStatus();
}

absl::Status HttpScraper::Setup() {
  client_ = std::make_unique<httplib::Client>(scheme_host_port_, http_.tls.cert_file, http_.tls.key_file);
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
    if (std::string addr = hosts_->Get(host_); !addr.empty()) client_->set_hostname_addr_map({{host_, addr}});
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
      path_, headers,
      [&](const httplib::Response& r) {
        status = r.status;
        *content_type = r.get_header_value("Content-Type");
        return true;
      },
      [&](const char* data, size_t n) {
        if (status != 200) return true;  // drain error bodies
        if (body_size_limit_ > 0 && static_cast<int64_t>(body->size() + n) > body_size_limit_) {
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
