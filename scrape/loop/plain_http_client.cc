#include "scrape/loop/plain_http_client.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/time/clock.h"
#include "base/strings.h"

namespace promlet::scrape {
namespace {

// The receive buffer grows by at least this much, so a ~1 MB body takes a
// handful of recv() calls instead of hundreds; it grows only when less than
// kMinRecvRoom is left.
constexpr size_t kRecvChunk = 256 * 1024;
constexpr size_t kMinRecvRoom = 4 * 1024;
// Room past an announced Content-Length, to notice bytes a server sends after
// the response (the connection is then dropped).
constexpr size_t kContentLengthSlack = 2 * kMinRecvRoom;
constexpr size_t kMaxHeaderBytes = 64 * 1024;
// Headers are received this much at a time into their own buffer.
constexpr size_t kHeadRecv = 4096;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool IEquals(std::string_view a, std::string_view b) { return absl::EqualsIgnoreCase(base::Absl(a), base::Absl(b)); }

}  // namespace

PlainHttpClient::PlainHttpClient() = default;
PlainHttpClient::~PlainHttpClient() { Close(); }

void PlainHttpClient::Close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

PlainHttpClient::Outcome PlainHttpClient::WaitFor(short events, absl::Time deadline) {
  for (;;) {
    const absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) return Outcome::kTimeout;
    pollfd p{fd_, events, 0};
    const int ms = static_cast<int>(absl::ToInt64Milliseconds(absl::Ceil(left, absl::Milliseconds(1))));
    const int n = ::poll(&p, 1, std::max(ms, 1));
    if (n > 0) return Outcome::kOk;  // ready, or an error the next call reports
    if (n == 0) continue;            // re-check the deadline
    if (errno != EINTR) return Outcome::kRead;
  }
}

PlainHttpClient::Outcome PlainHttpClient::Connect(const std::string& host, int port, absl::Time deadline) {
  Close();
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* addrs = nullptr;
  const std::string service = std::to_string(port);
  if (::getaddrinfo(host.c_str(), service.c_str(), &hints, &addrs) != 0) return Outcome::kConnect;
  Outcome result = Outcome::kConnect;
  for (addrinfo* a = addrs; a != nullptr; a = a->ai_next) {
    fd_ = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
    if (fd_ < 0) continue;
    if (::connect(fd_, a->ai_addr, a->ai_addrlen) != 0) {
      if (errno != EINPROGRESS) {
        Close();
        continue;
      }
      if (Outcome w = WaitFor(POLLOUT, deadline); w != Outcome::kOk) {
        Close();
        result = w;
        break;
      }
      int err = 0;
      socklen_t len = sizeof(err);
      if (::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) {
        Close();
        continue;
      }
    }
    const int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    result = Outcome::kOk;
    break;
  }
  ::freeaddrinfo(addrs);
  if (result == Outcome::kOk) {
    connected_host_ = host;
    connected_port_ = port;
    ++connects_;
  }
  return result;
}

PlainHttpClient::Outcome PlainHttpClient::SendAll(std::string_view data, absl::Time deadline) {
  while (!data.empty()) {
    const ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
    if (n > 0) {
      data.remove_prefix(static_cast<size_t>(n));
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (Outcome w = WaitFor(POLLOUT, deadline); w != Outcome::kOk) return w;
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      return Outcome::kWrite;
    }
  }
  return Outcome::kOk;
}

PlainHttpClient::Outcome PlainHttpClient::RecvSome(char* dst, size_t room, size_t* got, absl::Time deadline) {
  for (;;) {
    const ssize_t n = ::recv(fd_, dst, room, 0);
    if (n > 0) {
      *got = static_cast<size_t>(n);
      return Outcome::kOk;
    }
    if (n == 0) return Outcome::kRead;  // closed by the peer
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      if (Outcome w = WaitFor(POLLIN, deadline); w != Outcome::kOk) return w;
    } else if (errno != EINTR) {
      return Outcome::kRead;
    }
  }
}

PlainHttpClient::Outcome PlainHttpClient::RecvMore(std::string* buf, size_t* filled, absl::Time deadline) {
  // Growing a std::string zero-fills the new part, so grow only when the room
  // left is small; the buffer keeps its size from the previous scrape, and a
  // steady target's body then needs no growth (and no memset) at all.
  if (buf->size() - *filled < kMinRecvRoom) buf->resize(std::max(*filled + kRecvChunk, buf->size() * 3 / 2));
  size_t got = 0;
  if (Outcome o = RecvSome(buf->data() + *filled, buf->size() - *filled, &got, deadline); o != Outcome::kOk) return o;
  *filled += got;
  return Outcome::kOk;
}

// Decodes the chunked body that starts at buf[start] in place, to buf[0..).
// Once all received bytes are consumed, the next recv() lands right where the
// decoded data ends, so chunk payloads are mostly not moved at all.
PlainHttpClient::Outcome PlainHttpClient::ReadChunked(std::string* buf, size_t* filled, size_t start,
                                                      absl::Time deadline, int64_t limit, size_t* decoded,
                                                      bool* extra_bytes) {
  size_t r = start, w = 0;
  auto need_line = [&](size_t* eol) -> Outcome {
    for (;;) {
      const size_t pos = std::string_view(buf->data() + r, *filled - r).find("\r\n");
      if (pos != std::string_view::npos) {
        *eol = r + pos;
        return Outcome::kOk;
      }
      if (*filled - r > 4096) return Outcome::kMalformed;
      if (Outcome o = RecvMore(buf, filled, deadline); o != Outcome::kOk) return o;
    }
  };
  for (;;) {
    size_t eol = 0;
    if (Outcome o = need_line(&eol); o != Outcome::kOk) return o;
    std::string_view size_text(buf->data() + r, eol - r);
    size_text = Trim(size_text.substr(0, size_text.find(';')));
    uint64_t n = 0;
    if (size_text.empty() || !absl::SimpleHexAtoi(base::Absl(size_text), &n)) return Outcome::kMalformed;
    r = eol + 2;
    if (n == 0) {  // trailers end with an empty line
      for (;;) {
        if (Outcome o = need_line(&eol); o != Outcome::kOk) return o;
        const bool empty = eol == r;
        r = eol + 2;
        if (empty) break;
      }
      *decoded = w;
      *extra_bytes = r != *filled;  // dropped, with the connection
      return Outcome::kOk;
    }
    if (limit > 0 && static_cast<int64_t>(w + n) >= limit) return Outcome::kTooBig;
    while (n > 0) {
      if (r == *filled) r = *filled = w;  // all consumed: receive in place
      if (r == *filled) {
        if (Outcome o = RecvMore(buf, filled, deadline); o != Outcome::kOk) return o;
      }
      const size_t take = std::min<uint64_t>(n, *filled - r);
      if (w != r) std::memmove(buf->data() + w, buf->data() + r, take);
      w += take;
      r += take;
      n -= take;
    }
    while (*filled - r < 2) {
      if (Outcome o = RecvMore(buf, filled, deadline); o != Outcome::kOk) return o;
    }
    if ((*buf)[r] != '\r' || (*buf)[r + 1] != '\n') return Outcome::kMalformed;
    r += 2;
  }
}

PlainHttpClient::Outcome PlainHttpClient::Inflate(std::string_view compressed, int64_t limit, std::string* out) {
  z_stream z{};
  if (inflateInit2(&z, 15 + 32) != Z_OK) return Outcome::kMalformed;  // +32: gzip or zlib header
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  z.avail_in = static_cast<uInt>(compressed.size());
  size_t produced = 0;
  Outcome result = Outcome::kOk;
  for (;;) {
    if (out->size() - produced < kRecvChunk / 4) out->resize(std::max(produced + kRecvChunk, out->size() * 2));
    z.next_out = reinterpret_cast<Bytef*>(out->data() + produced);
    z.avail_out = static_cast<uInt>(out->size() - produced);
    const int rc = inflate(&z, Z_NO_FLUSH);
    produced = out->size() - z.avail_out;
    if (limit > 0 && static_cast<int64_t>(produced) >= limit) {
      result = Outcome::kTooBig;
      break;
    }
    if (rc == Z_STREAM_END) break;
    if (rc != Z_OK) {  // Z_BUF_ERROR here means the input ended early
      result = Outcome::kMalformed;
      break;
    }
  }
  inflateEnd(&z);
  out->resize(result == Outcome::kOk ? produced : 0);
  return result;
}

PlainHttpClient::Outcome PlainHttpClient::Exchange(std::string_view request, absl::Time deadline, int64_t body_limit,
                                                   Response* response, std::string* body, bool* got_any_byte,
                                                   bool* keep_open) {
  *got_any_byte = false;
  *keep_open = false;
  if (Outcome o = SendAll(request, deadline); o != Outcome::kOk) return o;

  // The headers go to their own small buffer, a few KiB at a time, so the
  // body does not have to be moved to the front of *body after them: only
  // the body bytes that came with the headers are copied.
  size_t head_filled = 0, header_end = std::string::npos;
  while (header_end == std::string::npos) {
    if (head_.size() < head_filled + kHeadRecv) head_.resize(head_filled + kHeadRecv);
    const size_t searched = head_filled < 3 ? 0 : head_filled - 3;
    size_t got = 0;
    if (Outcome o = RecvSome(head_.data() + head_filled, kHeadRecv, &got, deadline); o != Outcome::kOk) return o;
    head_filled += got;
    *got_any_byte = true;
    header_end = std::string_view(head_.data(), head_filled).find("\r\n\r\n", searched);
    if (header_end == std::string::npos && head_filled > kMaxHeaderBytes) return Outcome::kMalformed;
  }

  std::string_view head(head_.data(), header_end);
  size_t eol = head.find("\r\n");
  const std::string_view status_line = head.substr(0, eol);
  int status = 0;
  if (!absl::StartsWith(base::Absl(status_line), "HTTP/1.") || status_line.size() < 12 ||
      !absl::SimpleAtoi(base::Absl(status_line.substr(9, 3)), &status)) {
    return Outcome::kMalformed;
  }
  response->status = status;
  int64_t content_length = -1;
  bool chunked = false, gzip = false, close = absl::StartsWith(base::Absl(status_line), "HTTP/1.0");
  // Go's Header.Get, which Prometheus uses, takes the first of repeated
  // Content-Type, Content-Encoding and Location headers.
  bool have_type = false, have_encoding = false, have_location = false;
  while (eol != std::string_view::npos) {
    head.remove_prefix(eol + 2);
    eol = head.find("\r\n");
    const std::string_view line = head.substr(0, eol);
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    const std::string_view name = Trim(line.substr(0, colon)), value = Trim(line.substr(colon + 1));
    if (IEquals(name, "Content-Type")) {
      if (!have_type) response->content_type.assign(value);
      have_type = true;
    } else if (IEquals(name, "Content-Length")) {
      if (!absl::SimpleAtoi(base::Absl(value), &content_length) || content_length < 0) return Outcome::kMalformed;
    } else if (IEquals(name, "Transfer-Encoding")) {
      chunked = absl::EndsWithIgnoreCase(base::Absl(value), "chunked");  // the last coding must be chunked
    } else if (IEquals(name, "Content-Encoding")) {
      if (!have_encoding) gzip = IEquals(value, "gzip") || IEquals(value, "x-gzip");
      have_encoding = true;
    } else if (IEquals(name, "Connection")) {
      if (IEquals(value, "close")) close = true;
      if (IEquals(value, "keep-alive")) close = false;
    } else if (IEquals(name, "Location")) {
      if (!have_location) response->location.assign(value);
      have_location = true;
    }
  }
  std::string& raw = *body;
  if (status != 200) {  // the body is not needed; closing is simpler than draining it
    raw.clear();
    return Outcome::kOk;
  }

  // The body bytes that came with the headers start the body buffer.
  size_t filled = head_filled - (header_end + 4);
  if (raw.size() < filled + kMinRecvRoom) raw.resize(filled + kRecvChunk);
  std::memcpy(raw.data(), head_.data() + header_end + 4, filled);
  // A gzip body is limited once inflated (like Prometheus), and its
  // compressed bytes too, so a huge stream cannot grow the buffer until the
  // deadline. zlib's worst-case expansion is added: a stream over that cannot
  // come from a body under the limit.
  const int64_t raw_limit =
      !gzip || body_limit <= 0 ? body_limit : body_limit + (body_limit >> 12) + (body_limit >> 14) + 1024;
  size_t payload = 0;
  bool framed = true;
  if (chunked) {
    bool extra_bytes = false;
    if (Outcome o = ReadChunked(&raw, &filled, 0, deadline, raw_limit, &payload, &extra_bytes);
        o != Outcome::kOk) {
      return o;
    }
    framed = !extra_bytes;
  } else if (content_length >= 0) {
    if (raw_limit > 0 && content_length >= raw_limit) return Outcome::kTooBig;
    payload = static_cast<size_t>(content_length);
    // Room for the whole body up front, but do not trust a huge announced size.
    const size_t want = std::min(payload + kContentLengthSlack, filled + (size_t{64} << 20));
    if (raw.size() < want) raw.resize(want);
    while (filled < payload) {
      if (Outcome o = RecvMore(&raw, &filled, deadline); o != Outcome::kOk) return o;
    }
    framed = filled == payload;  // more than announced: use it, then drop the connection
  } else {  // no framing: the body ends when the server closes
    framed = false;
    for (;;) {
      if (raw_limit > 0 && static_cast<int64_t>(filled) >= raw_limit) return Outcome::kTooBig;
      const Outcome o = RecvMore(&raw, &filled, deadline);
      if (o == Outcome::kRead) break;  // closed (or reset) by the server: done
      if (o != Outcome::kOk) return o;
    }
    payload = filled;
  }
  raw.resize(payload);
  if (gzip) {
    body->swap(compressed_);  // both buffers keep their capacity across scrapes
    if (Outcome o = Inflate(compressed_, body_limit, body); o != Outcome::kOk) return o;
  }
  *keep_open = framed && !close;
  return Outcome::kOk;
}

PlainHttpClient::Outcome PlainHttpClient::Get(const std::string& connect_host, int port, std::string_view request,
                                              absl::Time deadline, int64_t body_limit, Response* response,
                                              std::string* body) {
  if (fd_ >= 0 && (connect_host != connected_host_ || port != connected_port_)) Close();
  for (int attempt = 0;; ++attempt) {
    *response = Response();  // *body keeps its size: a receive buffer until Exchange sizes it
    const bool reused = fd_ >= 0;
    if (!reused) {
      if (Outcome o = Connect(connect_host, port, deadline); o != Outcome::kOk) return o;
    }
    bool got_any_byte = false, keep_open = false;
    const Outcome o = Exchange(request, deadline, body_limit, response, body, &got_any_byte, &keep_open);
    if (o != Outcome::kOk || !keep_open) Close();
    if (o != Outcome::kOk) body->clear();
    // The server may have closed an idle keep-alive connection just before
    // we used it: try once more on a fresh one.
    const bool stale = reused && !got_any_byte && (o == Outcome::kRead || o == Outcome::kWrite);
    if (!stale || attempt > 0) return o;
  }
}

}  // namespace promlet::scrape
