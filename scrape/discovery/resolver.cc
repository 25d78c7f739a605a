#include "scrape/discovery/resolver.h"

#include <arpa/inet.h>
#include <ares.h>
#include <netinet/in.h>
#include <poll.h>

#include <mutex>

#include "absl/strings/str_cat.h"

namespace promlet::scrape {
namespace {

constexpr int kClassIn = 1;
constexpr int kTypeA = 1;
constexpr int kTypeAaaa = 28;
constexpr int kTypeSrv = 33;

void InitLibrary() {
  static std::once_flag once;
  std::call_once(once, [] { ares_library_init(ARES_LIB_INIT_ALL); });
}

std::string TrimDot(std::string s) {
  while (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

}  // namespace

struct Resolver::Answer {
  bool done = false;
  int status = ARES_SUCCESS;
  std::string message;
  int type = 0;
  std::vector<SrvRecord> srv;
  std::vector<std::string> addrs;
};

absl::StatusOr<std::unique_ptr<Resolver>> Resolver::Create(std::string server, absl::Duration timeout) {
  InitLibrary();
  std::unique_ptr<Resolver> r(new Resolver(std::move(server), timeout));
  if (!r->server_.empty()) {
    // Validate the server string once so a bad flag fails at startup.
    ares_channel ch;
    if (ares_init(&ch) != ARES_SUCCESS) return absl::InternalError("c-ares: init failed");
    const int rc = ares_set_servers_ports_csv(ch, r->server_.c_str());
    ares_destroy(ch);
    if (rc != ARES_SUCCESS) {
      return absl::InvalidArgumentError(absl::StrCat("invalid DNS server \"", r->server_, "\": ", ares_strerror(rc)));
    }
  }
  return r;
}

absl::Status Resolver::Query(const std::string& name, int type, Answer* out) const {
  ares_options opts{};
  opts.timeout = static_cast<int>(absl::ToInt64Milliseconds(timeout_));
  opts.tries = 2;
  int mask = ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES;
  ares_channel ch;
  if (int rc = ares_init_options(&ch, &opts, mask); rc != ARES_SUCCESS) {
    return absl::UnavailableError(absl::StrCat("c-ares init: ", ares_strerror(rc)));
  }
  if (!server_.empty()) ares_set_servers_ports_csv(ch, server_.c_str());
  out->type = type;
  ares_query(
      ch, name.c_str(), kClassIn, type,
      [](void* arg, int status, int /*timeouts*/, unsigned char* abuf, int alen) {
        auto* a = static_cast<Answer*>(arg);
        a->done = true;
        a->status = status;
        if (status != ARES_SUCCESS) return;
        if (a->type == kTypeSrv) {
          ares_srv_reply* srv = nullptr;
          a->status = ares_parse_srv_reply(abuf, alen, &srv);
          for (ares_srv_reply* s = srv; s != nullptr; s = s->next) {
            a->srv.push_back({TrimDot(s->host), s->port, s->priority, s->weight});
          }
          if (srv) ares_free_data(srv);
        } else if (a->type == kTypeA) {
          ares_addrttl ttls[64];
          int n = 64;
          a->status = ares_parse_a_reply(abuf, alen, nullptr, ttls, &n);
          for (int i = 0; a->status == ARES_SUCCESS && i < n; ++i) {
            char buf[INET6_ADDRSTRLEN];
            inet_ntop(AF_INET, &ttls[i].ipaddr, buf, sizeof(buf));
            a->addrs.emplace_back(buf);
          }
        } else {
          ares_addr6ttl ttls[64];
          int n = 64;
          a->status = ares_parse_aaaa_reply(abuf, alen, nullptr, ttls, &n);
          for (int i = 0; a->status == ARES_SUCCESS && i < n; ++i) {
            char buf[INET6_ADDRSTRLEN];
            inet_ntop(AF_INET6, &ttls[i].ip6addr, buf, sizeof(buf));
            a->addrs.emplace_back(buf);
          }
        }
      },
      out);
  while (!out->done) {
    ares_socket_t socks[ARES_GETSOCK_MAXNUM];
    const int bits = ares_getsock(ch, socks, ARES_GETSOCK_MAXNUM);
    pollfd fds[ARES_GETSOCK_MAXNUM];
    int nfds = 0;
    for (int i = 0; i < ARES_GETSOCK_MAXNUM; ++i) {
      short ev = 0;
      if (ARES_GETSOCK_READABLE(bits, i)) ev |= POLLIN;
      if (ARES_GETSOCK_WRITABLE(bits, i)) ev |= POLLOUT;
      if (ev) fds[nfds++] = {socks[i], ev, 0};
    }
    if (nfds == 0) break;
    timeval tv;
    timeval* tvp = ares_timeout(ch, nullptr, &tv);
    const int ms = tvp ? static_cast<int>(tvp->tv_sec * 1000 + tvp->tv_usec / 1000) : 1000;
    const int rc = poll(fds, nfds, ms);
    if (rc <= 0) {
      ares_process_fd(ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD);  // timeouts
      continue;
    }
    for (int i = 0; i < nfds; ++i) {
      ares_process_fd(ch, (fds[i].revents & (POLLIN | POLLERR | POLLHUP)) ? fds[i].fd : ARES_SOCKET_BAD,
                      (fds[i].revents & POLLOUT) ? fds[i].fd : ARES_SOCKET_BAD);
    }
  }
  ares_destroy(ch);  // runs pending callbacks with ARES_EDESTRUCTION
  if (out->status == ARES_SUCCESS || out->status == ARES_ENOTFOUND || out->status == ARES_ENODATA) {
    return absl::OkStatus();
  }
  const char* what = server_.empty() ? "system resolver" : server_.c_str();
  return absl::UnavailableError(absl::StrCat("lookup ", name, " via ", what, ": ", ares_strerror(out->status)));
}

absl::StatusOr<std::vector<SrvRecord>> Resolver::LookupSrv(const std::string& name) const {
  Answer a;
  if (absl::Status s = Query(name, kTypeSrv, &a); !s.ok()) return s;
  return std::move(a.srv);
}

absl::StatusOr<std::vector<std::string>> Resolver::LookupAddrs(const std::string& name, bool ipv6) const {
  Answer a;
  if (absl::Status s = Query(name, ipv6 ? kTypeAaaa : kTypeA, &a); !s.ok()) return s;
  return std::move(a.addrs);
}

}  // namespace promlet::scrape
