// A minimal HTTP/1.1 GET client for plain-http scrapes. Why not cpp-httplib:
// Debian's build reads 4 KiB per recv() with a poll() before each, and a scrape
// body is ~1 MB, so the body read cost ~8% of promlet's CPU. This client keeps
// one keep-alive connection, recv()s the headers into a small buffer and the
// body straight into the caller's string (which keeps its size between
// scrapes: no zero-fill, no move), and polls only on EAGAIN. It understands Content-Length, chunked,
// read-until-close, gzip and Connection: close; nothing else (no redirects,
// no TLS: HttpScraper uses cpp-httplib for those).
#ifndef PROMLET_SCRAPE_LOOP_PLAIN_HTTP_CLIENT_H_
#define PROMLET_SCRAPE_LOOP_PLAIN_HTTP_CLIENT_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/time/time.h"

namespace promlet::scrape {

// Thread-compatible.
class PlainHttpClient {
 public:
  enum class Outcome {
    kOk,         // a response arrived; see `status`
    kConnect,    // connect() failed (refused, unreachable, unresolvable)
    kTimeout,    // the deadline passed
    kTooBig,     // decoded body over the limit
    kWrite,      // sending the request failed
    kRead,       // the connection failed or closed mid-response
    kMalformed,  // not HTTP, or a broken chunked/gzip encoding
  };
  struct Response {
    int status = 0;
    std::string content_type;
    std::string location;  // for redirects
  };

  PlainHttpClient();
  ~PlainHttpClient();
  PlainHttpClient(const PlainHttpClient&) = delete;
  PlainHttpClient& operator=(const PlainHttpClient&) = delete;

  // Sends `request` (a complete GET request) to connect_host:port, reusing
  // the open connection if it goes to the same place. The body of a 200
  // response replaces *body (keeping its capacity); other statuses leave it
  // empty. body_limit <= 0 means no limit.
  Outcome Get(const std::string& connect_host, int port, std::string_view request, absl::Time deadline,
              int64_t body_limit, Response* response, std::string* body);

  // Connections opened so far (for tests).
  int connects() const { return connects_; }

 private:
  Outcome Connect(const std::string& host, int port, absl::Time deadline);
  Outcome SendAll(std::string_view data, absl::Time deadline);
  // One recv() of up to `room` bytes (waiting for them until the deadline);
  // kRead on orderly close.
  Outcome RecvSome(char* dst, size_t room, size_t* got, absl::Time deadline);
  // Receives more bytes into buf at *filled, growing it when nearly full.
  Outcome RecvMore(std::string* buf, size_t* filled, absl::Time deadline);
  Outcome WaitFor(short events, absl::Time deadline);
  Outcome Exchange(std::string_view request, absl::Time deadline, int64_t body_limit, Response* response,
                   std::string* body, bool* got_any_byte, bool* keep_open);
  Outcome ReadChunked(std::string* buf, size_t* filled, size_t start, absl::Time deadline, int64_t limit,
                      size_t* decoded, bool* extra_bytes);
  Outcome Inflate(std::string_view compressed, int64_t limit, std::string* out);
  void Close();

  int fd_ = -1;
  std::string connected_host_;
  int connected_port_ = 0;
  int connects_ = 0;
  std::string compressed_;  // raw gzip body, reused between scrapes
  std::string head_;        // response headers, reused between scrapes
};

}  // namespace promlet::scrape

#endif  // PROMLET_SCRAPE_LOOP_PLAIN_HTTP_CLIENT_H_
