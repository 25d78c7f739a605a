// HttpScraper's plain-http path (PlainHttpClient) against a tiny loopback
// server on raw sockets that answers each request with scripted bytes, so
// framing, keep-alive and connection-closing cases are exact.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include <atomic>
#include <functional>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "scrape/loop/scraper.h"

namespace promlet::scrape {
namespace {

using ::testing::HasSubstr;

struct Reply {
  std::string bytes;
  bool close_after = false;      // close without saying so (an idle timeout)
  absl::Duration delay;          // before answering
};

// Serves one connection at a time; each request gets handler(request).
class LoopbackServer {
 public:
  explicit LoopbackServer(std::function<Reply(const std::string&)> handler) : handler_(std::move(handler)) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    EXPECT_EQ(::listen(listen_fd_, 8), 0);
    socklen_t len = sizeof(addr);
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Run(); });
  }
  ~LoopbackServer() {
    stopping_ = true;
    ::shutdown(listen_fd_, SHUT_RDWR);
    if (int fd = conn_fd_.load(); fd >= 0) ::shutdown(fd, SHUT_RDWR);
    thread_.join();
    ::close(listen_fd_);
  }
  int port() const { return port_; }
  std::string url(const std::string& path = "/metrics") const { return absl::StrCat("http://127.0.0.1:", port_, path); }
  int connections() const { return connections_; }
  std::vector<std::string> requests() {
    absl::MutexLock l(&mu_);
    return requests_;
  }

 private:
  void Run() {
    while (!stopping_) {
      const int fd = ::accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) return;
      ++connections_;
      conn_fd_ = fd;
      Serve(fd);
      conn_fd_ = -1;
      ::close(fd);
    }
  }
  void Serve(int fd) {
    std::string in;
    char buf[4096];
    for (;;) {
      size_t end;
      while ((end = in.find("\r\n\r\n")) == std::string::npos) {
        const ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
        if (n <= 0) return;
        in.append(buf, static_cast<size_t>(n));
      }
      const std::string request = in.substr(0, end + 4);
      in.erase(0, end + 4);
      {
        absl::MutexLock l(&mu_);
        requests_.push_back(request);
      }
      const Reply reply = handler_(request);
      if (reply.delay > absl::ZeroDuration()) absl::SleepFor(reply.delay);
      std::string_view out = reply.bytes;
      while (!out.empty()) {
        const ssize_t n = ::send(fd, out.data(), out.size(), MSG_NOSIGNAL);
        if (n <= 0) return;
        out.remove_prefix(static_cast<size_t>(n));
      }
      if (reply.close_after) return;
    }
  }

  std::function<Reply(const std::string&)> handler_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> conn_fd_{-1};
  std::atomic<int> connections_{0};
  absl::Mutex mu_;
  std::vector<std::string> requests_ ABSL_GUARDED_BY(mu_);
};

std::string Ok(const std::string& body, const std::string& extra_headers = "") {
  return absl::StrCat("HTTP/1.1 200 OK\r\ncontent-type: text/plain; version=0.0.4\r\n", extra_headers,
                      "Content-Length: ", body.size(), "\r\n\r\n", body);
}

std::string Gzip(const std::string& in) {
  z_stream z{};
  deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&z, in.size()) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

// A body of `n` bytes, not compressible to nothing and not all one byte.
std::string Exposition(size_t n) {
  std::string s;
  for (int i = 0; s.size() < n; ++i) absl::StrAppend(&s, "metric_", i, "{a=\"b\"} ", i * 7, "\n");
  s.resize(n);
  return s;
}

struct Result {
  absl::Status status;
  std::string body, content_type;
};

Result ScrapeOnce(HttpScraper& scraper, absl::Duration timeout = absl::Seconds(10)) {
  Result r;
  r.status = scraper.Scrape(timeout, &r.body, &r.content_type);
  return r;
}

TEST(PlainHttpClientTest, ContentLengthBodyAndRequestHeaders) {
  const std::string body = Exposition(3 << 20);  // several large recv()s
  LoopbackServer server([&](const std::string&) { return Reply{Ok(body)}; });
  HttpScraper scraper(server.url(), HttpClientConfig(), 0, nullptr);
  Result r = ScrapeOnce(scraper);
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_EQ(r.body, body);
  EXPECT_EQ(r.content_type, "text/plain; version=0.0.4");
  const std::string request = server.requests().at(0);
  EXPECT_THAT(request, HasSubstr("GET /metrics HTTP/1.1\r\n"));
  EXPECT_THAT(request, HasSubstr(absl::StrCat("\r\nHost: 127.0.0.1:", server.port(), "\r\n")));
  EXPECT_THAT(request, HasSubstr("\r\nAccept-Encoding: gzip\r\n"));
  EXPECT_THAT(request, HasSubstr("\r\nAccept: "));
  EXPECT_THAT(request, HasSubstr("\r\nX-Prometheus-Scrape-Timeout-Seconds: 10\r\n"));
}

TEST(PlainHttpClientTest, ChunkedBody) {
  const std::string body = Exposition(700000);
  std::string chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/plain\r\n\r\n";
  for (size_t pos = 0, size = 1; pos < body.size(); pos += size, size = size * 3 + 1) {
    const std::string piece = body.substr(pos, size);
    absl::StrAppend(&chunked, absl::Hex(piece.size()), ";ext=1\r\n", piece, "\r\n");
  }
  absl::StrAppend(&chunked, "0\r\nX-Trailer: yes\r\n\r\n");
  LoopbackServer server([&](const std::string&) { return Reply{chunked}; });
  HttpScraper scraper(server.url(), HttpClientConfig(), 0, nullptr);
  for (int i = 0; i < 2; ++i) {
    Result r = ScrapeOnce(scraper);
    ASSERT_TRUE(r.status.ok()) << r.status;
    EXPECT_EQ(r.body, body);
    EXPECT_EQ(r.content_type, "text/plain");
  }
  EXPECT_EQ(server.connections(), 1);
}

TEST(PlainHttpClientTest, GzipBodyChunkedAndNot) {
  const std::string body = Exposition(900000);
  const std::string gz = Gzip(body);
  bool chunked = false;
  LoopbackServer server([&](const std::string&) {
    if (!chunked) return Reply{Ok(gz, "Content-Encoding: gzip\r\n")};
    return Reply{absl::StrCat("HTTP/1.1 200 OK\r\ncontent-encoding: GZIP\r\ntransfer-encoding: chunked\r\n\r\n",
                              absl::Hex(gz.size()), "\r\n", gz, "\r\n0\r\n\r\n")};
  });
  HttpScraper scraper(server.url(), HttpClientConfig(), 0, nullptr);
  for (bool c : {false, true, false}) {
    chunked = c;
    Result r = ScrapeOnce(scraper);
    ASSERT_TRUE(r.status.ok()) << r.status;
    EXPECT_EQ(r.body, body);
  }
}

TEST(PlainHttpClientTest, KeepAliveReusesOneConnection) {
  LoopbackServer server([](const std::string&) { return Reply{Ok("up 1\n")}; });
  HttpScraper scraper(server.url(), HttpClientConfig(), 0, nullptr);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(ScrapeOnce(scraper).body, "up 1\n");
  EXPECT_EQ(server.connections(), 1);
}

TEST(PlainHttpClientTest, ServerClosingIdleConnectionIsRetried) {
  LoopbackServer server([](const std::string&) { return Reply{Ok("up 1\n"), /*close_after=*/true}; });
  HttpScraper scraper(server.url(), HttpClientConfig(), 0, nullptr);
  for (int i = 0; i < 3; ++i) {
    Result r = ScrapeOnce(scraper);
    ASSERT_TRUE(r.status.ok()) << i << ": " << r.status;
    EXPECT_EQ(r.body, "up 1\n");
  }
  EXPECT_EQ(server.connections(), 3);
}

TEST(PlainHttpClientTest, ConnectionCloseHeaderAndUnframedBody) {
  LoopbackServer server([](const std::string&) {
    return Reply{"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nup 1\n", true};
  });
  HttpScraper scraper(server.url(), HttpClientConfig(), 0, nullptr);
  for (int i = 0; i < 2; ++i) EXPECT_EQ(ScrapeOnce(scraper).body, "up 1\n");
  EXPECT_EQ(server.connections(), 2);
}

TEST(PlainHttpClientTest, BytesAfterTheResponseDropTheConnection) {
  LoopbackServer server([](const std::string&) {
    return Reply{absl::StrCat(Ok("up 1\n"), "junk"), /*close_after=*/true};
  });
  HttpScraper scraper(server.url(), HttpClientConfig(), 0, nullptr);
  for (int i = 0; i < 2; ++i) EXPECT_EQ(ScrapeOnce(scraper).body, "up 1\n");
  EXPECT_EQ(server.connections(), 2);
}

TEST(PlainHttpClientTest, TimeoutIsContextDeadlineExceeded) {
  LoopbackServer server([](const std::string&) { return Reply{Ok("up 1\n"), false, absl::Milliseconds(300)}; });
  HttpScraper scraper(server.url(), HttpClientConfig(), 0, nullptr);
  Result r = ScrapeOnce(scraper, absl::Milliseconds(50));
  EXPECT_EQ(r.status, absl::DeadlineExceededError("context deadline exceeded"));
}

TEST(PlainHttpClientTest, BodyOverLimit) {
  const std::string body = Exposition(5000);
  const std::string gz = Gzip(body);
  int n = 0;
  LoopbackServer server([&](const std::string&) {
    switch (n++) {
      case 0: return Reply{Ok(body)};
      case 1: return Reply{Ok(gz, "Content-Encoding: gzip\r\n")};  // small on the wire, big inflated
      default: return Reply{absl::StrCat("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", absl::Hex(body.size()),
                                         "\r\n", body, "\r\n0\r\n\r\n")};
    }
  });
  HttpScraper scraper(server.url(), HttpClientConfig(), /*body_size_limit=*/1000, nullptr);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(ScrapeOnce(scraper).status, absl::ResourceExhaustedError("body size limit exceeded")) << i;
  }
}

TEST(PlainHttpClientTest, BodyOfExactlyTheLimitIsOverIt) {
  // Prometheus reads through io.LimitReader(body, limit) and fails when it
  // got limit bytes: a body of exactly the limit fails too.
  const std::string body = Exposition(1000);
  LoopbackServer server([&](const std::string&) { return Reply{Ok(body)}; });
  HttpScraper at_limit(server.url(), HttpClientConfig(), /*body_size_limit=*/1000, nullptr);
  EXPECT_EQ(ScrapeOnce(at_limit).status, absl::ResourceExhaustedError("body size limit exceeded"));
}

TEST(PlainHttpClientTest, GzipCompressedBytesAreCappedToo) {
  // A gzip stream with no framing that goes on and on (4 MiB of garbage
  // after a valid start): the client gives up once the compressed bytes
  // alone exceed what a body under the limit compresses to, instead of
  // reading to the end (and then failing to inflate: a Read error).
  std::string endless = Gzip(Exposition(200));
  endless.resize(endless.size() - 8);  // no trailer: the stream goes on
  std::string filler(64 << 10, 'x');
  for (int i = 0; i < 64; ++i) endless += filler;  // 4 MiB of garbage after a valid start
  LoopbackServer server([&](const std::string&) {
    return Reply{absl::StrCat("HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n\r\n", endless), true};
  });
  HttpScraper scraper(server.url(), HttpClientConfig(), /*body_size_limit=*/100000, nullptr);
  EXPECT_EQ(ScrapeOnce(scraper).status, absl::ResourceExhaustedError("body size limit exceeded"));
}

TEST(PlainHttpClientTest, GzipUnderTheLimitWithIncompressibleBody) {
  // Incompressible data grows a little when deflated: a body just under the
  // limit must still pass the compressed-bytes cap.
  std::string body;
  uint32_t x = 12345;
  for (int i = 0; i < 99000; ++i) {
    x = x * 1103515245 + 12345;
    body.push_back(static_cast<char>(x >> 24));
  }
  const std::string gz = Gzip(body);
  ASSERT_GT(gz.size(), body.size());
  LoopbackServer server([&](const std::string&) { return Reply{Ok(gz, "Content-Encoding: gzip\r\n")}; });
  HttpScraper scraper(server.url(), HttpClientConfig(), /*body_size_limit=*/99001, nullptr);
  Result r = ScrapeOnce(scraper);
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_EQ(r.body, body);
}

TEST(PlainHttpClientTest, RepeatedHeadersKeepTheFirstLikeGo) {
  const std::string body = "up 1\n";
  const std::string gz = Gzip(body);
  int n = 0;
  LoopbackServer server([&](const std::string&) {
    if (n++ == 0) {
      return Reply{absl::StrCat("HTTP/1.1 200 OK\r\nContent-Type: application/openmetrics-text; version=1.0.0\r\n",
                                "Content-Type: text/plain; version=0.0.4\r\nContent-Length: ", body.size(), "\r\n\r\n",
                                body)};
    }
    return Reply{absl::StrCat("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Encoding: gzip\r\n",
                              "Content-Encoding: identity\r\nContent-Length: ", gz.size(), "\r\n\r\n", gz)};
  });
  HttpScraper scraper(server.url(), HttpClientConfig(), 0, nullptr);
  Result r = ScrapeOnce(scraper);
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_EQ(r.content_type, "application/openmetrics-text; version=1.0.0");
  r = ScrapeOnce(scraper);
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_EQ(r.body, body);
}

TEST(PlainHttpClientTest, BodyBufferIsReusedAcrossSizes) {
  // The receive buffer keeps its size between scrapes (no zero-fill): a
  // smaller body after a larger one, and a larger one again, come out exact.
  const std::vector<std::string> bodies = {Exposition(600000), Exposition(1000), Exposition(900000), "up 1\n"};
  size_t n = 0;
  LoopbackServer server([&](const std::string&) { return Reply{Ok(bodies[n++ % bodies.size()])}; });
  HttpScraper scraper(server.url(), HttpClientConfig(), 0, nullptr);
  std::string reused_body, content_type;
  for (size_t i = 0; i < 2 * bodies.size(); ++i) {
    ASSERT_TRUE(scraper.Scrape(absl::Seconds(10), &reused_body, &content_type).ok());
    EXPECT_EQ(reused_body, bodies[i % bodies.size()]) << i;
  }
  EXPECT_EQ(server.connections(), 1);
}

TEST(PlainHttpClientTest, HeadersLongerThanOneReceive) {
  // Headers arrive a few KiB per recv() into their own buffer; the body
  // bytes that came with them start the body.
  const std::string body = Exposition(300000);
  const std::string padding = absl::StrCat("X-Padding: ", std::string(20000, 'p'), "\r\n");
  LoopbackServer server([&](const std::string&) { return Reply{Ok(body, padding)}; });
  HttpScraper scraper(server.url(), HttpClientConfig(), 0, nullptr);
  for (int i = 0; i < 2; ++i) {
    Result r = ScrapeOnce(scraper);
    ASSERT_TRUE(r.status.ok()) << r.status;
    EXPECT_EQ(r.body, body);
    EXPECT_EQ(r.content_type, "text/plain; version=0.0.4");
  }
  LoopbackServer endless_headers([&](const std::string&) {
    return Reply{absl::StrCat("HTTP/1.1 200 OK\r\n", std::string(100000, 'h')), true};
  });
  HttpScraper broken(endless_headers.url(), HttpClientConfig(), 0, nullptr);
  EXPECT_EQ(ScrapeOnce(broken).status,
            absl::UnavailableError(absl::StrCat("Get \"", endless_headers.url(), "\": Read")));
}

TEST(PlainHttpClientTest, Status500) {
  LoopbackServer server([](const std::string&) {
    return Reply{"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 5\r\n\r\noops\n"};
  });
  HttpScraper scraper(server.url(), HttpClientConfig(), 0, nullptr);
  Result r = ScrapeOnce(scraper);
  EXPECT_EQ(r.status, absl::UnavailableError("server returned HTTP status 500 Internal Server Error"));
  EXPECT_EQ(r.body, "");
}

TEST(PlainHttpClientTest, ConnectionRefused) {
  int port;
  {
    LoopbackServer server([](const std::string&) { return Reply{}; });
    port = server.port();
  }
  const std::string url = absl::StrCat("http://127.0.0.1:", port, "/metrics");
  HttpScraper scraper(url, HttpClientConfig(), 0, nullptr);
  EXPECT_EQ(ScrapeOnce(scraper).status,
            absl::UnavailableError(absl::StrCat("Get \"", url, "\": dial tcp 127.0.0.1:", port,
                                                ": connect: connection refused")));
}

TEST(PlainHttpClientTest, HostMapOverridesAddressButNotHostHeader) {
  LoopbackServer server([](const std::string&) { return Reply{Ok("up 1\n")}; });
  HostMap hosts;
  hosts.Set("target.invalid", "127.0.0.1");
  HttpScraper scraper(absl::StrCat("http://target.invalid:", server.port(), "/m?x=1"), HttpClientConfig(), 0, &hosts);
  Result r = ScrapeOnce(scraper);
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_THAT(server.requests().at(0),
              HasSubstr(absl::StrCat("GET /m?x=1 HTTP/1.1\r\nHost: target.invalid:", server.port(), "\r\n")));
}

TEST(PlainHttpClientTest, AuthorizationHeaders) {
  LoopbackServer server([](const std::string&) { return Reply{Ok("up 1\n")}; });
  HttpClientConfig basic;
  basic.has_basic_auth = true;
  basic.basic_auth_username = "user";
  basic.basic_auth_password = "pass";
  {  // the server serves one connection at a time: close this one first
    HttpScraper with_basic(server.url(), basic, 0, nullptr);
    ASSERT_TRUE(ScrapeOnce(with_basic).status.ok());
  }
  EXPECT_THAT(server.requests().back(), HasSubstr("\r\nAuthorization: Basic dXNlcjpwYXNz\r\n"));
  HttpClientConfig bearer;
  bearer.authorization_type = "Bearer";
  bearer.authorization_credentials = "tok";
  HttpScraper with_bearer(server.url(), bearer, 0, nullptr);
  ASSERT_TRUE(ScrapeOnce(with_bearer).status.ok());
  EXPECT_THAT(server.requests().back(), HasSubstr("\r\nAuthorization: Bearer tok\r\n"));
}

TEST(PlainHttpClientTest, RedirectIsFollowedOrReported) {
  LoopbackServer server([](const std::string& request) {
    if (request.find("GET /old ") == 0) return Reply{"HTTP/1.1 302 Found\r\nLocation: /new\r\nContent-Length: 0\r\n\r\n"};
    return Reply{Ok("up 1\n")};
  });
  {  // the server serves one connection at a time: close this one first
    HttpScraper follows(server.url("/old"), HttpClientConfig(), 0, nullptr);
    Result r = ScrapeOnce(follows);
    ASSERT_TRUE(r.status.ok()) << r.status;
    EXPECT_EQ(r.body, "up 1\n");
  }
  HttpClientConfig no_follow;
  no_follow.follow_redirects = false;
  HttpScraper stays(server.url("/old"), no_follow, 0, nullptr);
  EXPECT_EQ(ScrapeOnce(stays).status, absl::UnavailableError("server returned HTTP status 302 Found"));
}

}  // namespace
}  // namespace promlet::scrape

namespace promlet::scrape {
namespace {

TEST(PlainHttpClientTest, RedirectsAreFollowedByThePlainClient) {
  // Relative, absolute-path and absolute-URL locations, across two servers;
  // the request headers (auth included, like Prometheus's round trippers)
  // go to every hop, and no cpp-httplib fallback is needed.
  LoopbackServer other([](const std::string& request) {
    if (request.find("GET /b/c?x=1 ") == 0) return Reply{Ok("up 2\n")};
    return Reply{"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"};
  });
  const std::string other_url = other.url("/b/../b/c?x=1");
  LoopbackServer server([&](const std::string& request) {
    if (request.find("GET /a/old ") == 0) return Reply{"HTTP/1.1 301 Moved Permanently\r\nLocation: next\r\n\r\n"};
    if (request.find("GET /a/next ") == 0) {
      return Reply{"HTTP/1.1 307 Temporary Redirect\r\nLocation: /final\r\nLocation: /not-this\r\n\r\n"};
    }
    if (request.find("GET /final ") == 0) {
      return Reply{absl::StrCat("HTTP/1.1 302 Found\r\nLocation: ", other_url, "\r\n\r\n")};
    }
    return Reply{"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"};
  });
  HttpClientConfig bearer;
  bearer.authorization_type = "Bearer";
  bearer.authorization_credentials = "tok";
  HttpScraper scraper(server.url("/a/old"), bearer, 0, nullptr);
  Result r = ScrapeOnce(scraper);
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_EQ(r.body, "up 2\n");
  const std::vector<std::string> hops = server.requests();
  ASSERT_EQ(hops.size(), 3u);
  EXPECT_THAT(hops[1], HasSubstr("GET /a/next HTTP/1.1\r\n"));
  EXPECT_THAT(hops[2], HasSubstr("GET /final HTTP/1.1\r\n"));
  const std::string last = other.requests().at(0);
  EXPECT_THAT(last, HasSubstr(absl::StrCat("GET /b/c?x=1 HTTP/1.1\r\nHost: 127.0.0.1:", other.port(), "\r\n")));
  EXPECT_THAT(last, HasSubstr("\r\nAuthorization: Bearer tok\r\n"));
  EXPECT_THAT(last, HasSubstr("\r\nX-Prometheus-Scrape-Timeout-Seconds: 10\r\n"));
}

TEST(PlainHttpClientTest, RedirectLoopStopsAfterTenLikeGo) {
  LoopbackServer server([](const std::string&) { return Reply{"HTTP/1.1 302 Found\r\nLocation: /loop\r\n\r\n"}; });
  HttpScraper scraper(server.url("/loop"), HttpClientConfig(), 0, nullptr);
  EXPECT_EQ(ScrapeOnce(scraper).status,
            absl::UnavailableError(absl::StrCat("Get \"", server.url("/loop"), "\": stopped after 10 redirects")));
  EXPECT_EQ(server.requests().size(), 10u);
}

TEST(PlainHttpClientTest, RedirectWithoutLocationOrNotFollowedStatusIsTheResponse) {
  LoopbackServer server([](const std::string& request) {
    if (request.find("GET /300 ") == 0) return Reply{"HTTP/1.1 300 Multiple Choices\r\nLocation: /x\r\n\r\n"};
    return Reply{"HTTP/1.1 302 Found\r\nContent-Length: 0\r\n\r\n"};
  });
  {
    HttpScraper no_location(server.url("/302"), HttpClientConfig(), 0, nullptr);
    EXPECT_EQ(ScrapeOnce(no_location).status, absl::UnavailableError("server returned HTTP status 302 Found"));
  }
  HttpScraper multiple(server.url("/300"), HttpClientConfig(), 0, nullptr);
  EXPECT_EQ(ScrapeOnce(multiple).status, absl::UnavailableError("server returned HTTP status 300 Multiple Choices"));
}

TEST(PlainHttpClientTest, ResolveRedirectLikeGoUrlParse) {
  const std::string base = "http://h:1/a/b/c?q=1";
  EXPECT_EQ(HttpScraper::ResolveRedirect(base, "http://o:2/x"), "http://o:2/x");
  EXPECT_EQ(HttpScraper::ResolveRedirect(base, "HTTPS://o/x"), "HTTPS://o/x");
  EXPECT_EQ(HttpScraper::ResolveRedirect(base, "//o:3/y?z"), "http://o:3/y?z");
  EXPECT_EQ(HttpScraper::ResolveRedirect(base, "/abs#frag"), "http://h:1/abs");
  EXPECT_EQ(HttpScraper::ResolveRedirect(base, "d"), "http://h:1/a/b/d");
  EXPECT_EQ(HttpScraper::ResolveRedirect(base, "../d?x=2"), "http://h:1/a/d?x=2");
  EXPECT_EQ(HttpScraper::ResolveRedirect(base, "./"), "http://h:1/a/b/");
  EXPECT_EQ(HttpScraper::ResolveRedirect(base, "../../../.."), "http://h:1/");
  EXPECT_EQ(HttpScraper::ResolveRedirect(base, "?r=2"), "http://h:1/a/b/c?r=2");
  EXPECT_EQ(HttpScraper::ResolveRedirect("http://h", "x"), "http://h/x");
  EXPECT_EQ(HttpScraper::ResolveRedirect(base, "http://o/p/./q/../r?s=../t"), "http://o/p/r?s=../t");
  EXPECT_EQ(HttpScraper::ResolveRedirect(base, "//o?z"), "http://o?z");
}

}  // namespace
}  // namespace promlet::scrape
