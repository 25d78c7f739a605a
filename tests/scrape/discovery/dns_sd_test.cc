// DNS discovery against a real dnsmasq on a free loopback port.
#include "scrape/discovery/dns_sd.h"

#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/testing/subprocess.h"

namespace promlet::scrape {
namespace {

using testing::Subprocess;

std::vector<std::string> DnsmasqArgs(int port) {
  std::vector<std::string> a = {"/usr/sbin/dnsmasq", "--no-daemon", absl::StrCat("--port=", port),
                                "--listen-address=127.0.0.1", "--bind-interfaces", "--no-resolv",
                                "--no-hosts", "-C", "/dev/null", "--local=/example.local/",
                                "--srv-host=_api._tcp.example.local,backend1.example.local,3001,0,10",
                                "--srv-host=_api._tcp.example.local,backend2.example.local,3002,0,10",
                                "--host-record=backend1.example.local,127.0.0.1",
                                "--host-record=backend2.example.local,127.0.0.2",
                                "--host-record=web.example.local,127.0.0.3",
                                "--host-record=web6.example.local,::1",
                                "--pid-file="};
  if (geteuid() == 0) a.push_back("--user=root");
  return a;
}

std::vector<std::string> Addresses(const DiscoveryResult& r) {
  std::vector<std::string> out;
  for (const TargetGroup& g : r.groups) {
    for (const auto& t : g.targets) out.emplace_back(t.Get("__address__"));
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(DnsSdTest, SrvAAndAaaaThroughDnsmasq) {
  std::string msg;
  ASSERT_TRUE(testing::RequireBinary("/usr/sbin/dnsmasq", &msg)) << msg;
  const int port = testing::FreePort();
  Subprocess dnsmasq(DnsmasqArgs(port));
  ASSERT_TRUE(dnsmasq.Start().ok());
  absl::StatusOr<std::unique_ptr<Resolver>> resolver = Resolver::Create(absl::StrCat("127.0.0.1:", port));
  ASSERT_TRUE(resolver.ok()) << resolver.status();

  // dnsmasq binds asynchronously: poll until it answers (bounded).
  DnsSdConfig srv;
  srv.names = {"_api._tcp.example.local"};
  HostMap hosts;
  DnsSd sd(srv, resolver->get(), &hosts);
  DiscoveryResult r;
  for (int i = 0; i < 100; ++i) {
    r = sd.Refresh();
    if (r.errors.empty() && !r.groups.empty() && !r.groups[0].targets.empty()) break;
    usleep(50 * 1000);
  }
  ASSERT_TRUE(r.errors.empty()) << r.errors[0] << "\n" << dnsmasq.Log();
  EXPECT_EQ(Addresses(r), (std::vector<std::string>{"backend1.example.local:3001", "backend2.example.local:3002"}));
  const storage::Labels& t = r.groups[0].targets[0];
  EXPECT_EQ(t.Get("__meta_dns_name"), "_api._tcp.example.local");
  EXPECT_TRUE(t.Get("__meta_dns_srv_record_target").starts_with("backend"));
  EXPECT_TRUE(t.Get("__meta_dns_srv_record_port") == "3001" || t.Get("__meta_dns_srv_record_port") == "3002");
  EXPECT_EQ(hosts.Get("backend1.example.local"), "127.0.0.1");
  EXPECT_EQ(hosts.Get("backend2.example.local"), "127.0.0.2");

  DnsSdConfig a;
  a.names = {"web.example.local"};
  a.type = "A";
  a.port = 8080;
  DnsSd asd(a, resolver->get(), nullptr);
  EXPECT_EQ(Addresses(asd.Refresh()), std::vector<std::string>{"127.0.0.3:8080"});
  a.names = {"web6.example.local"};
  a.type = "AAAA";
  DnsSd aaaa(a, resolver->get(), nullptr);
  EXPECT_EQ(Addresses(aaaa.Refresh()), std::vector<std::string>{"[::1]:8080"});

  // NXDOMAIN: an empty group, no error.
  a.names = {"nothere.example.local"};
  a.type = "A";
  DnsSd nx(a, resolver->get(), nullptr);
  DiscoveryResult nr = nx.Refresh();
  EXPECT_TRUE(nr.errors.empty()) << nr.errors[0];
  EXPECT_TRUE(Addresses(nr).empty());

  // Resolver gone: the lookup fails, the last good targets stay.
  dnsmasq.Stop();
  DiscoveryResult after = sd.Refresh();
  EXPECT_FALSE(after.errors.empty());
  EXPECT_EQ(Addresses(after), Addresses(r));
}

TEST(DnsSdTest, BadServerFlag) { EXPECT_FALSE(Resolver::Create("not a server:x").ok()); }

}  // namespace
}  // namespace promlet::scrape
