// Proves the steady state allocates nothing: this binary replaces the global
// operator new with a counting one, warms a parser up on a body, and asserts
// that parsing the body again (Next, series, labels, value, exemplar) makes
// zero heap allocations.
#include <atomic>
#include <cstdlib>
#include <new>
#include <string>

#include "gtest/gtest.h"
#include "scrape/textparse/parser.h"

// The replacement pairs malloc with free on purpose.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace {
std::atomic<long> g_news{0};
}  // namespace

void* operator new(std::size_t n) {
  g_news.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return operator new(n); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

namespace promlet::scrape::textparse {
namespace {

std::string NodeLikeBody(bool om) {
  std::string b;
  for (int f = 0; f < 20; ++f) {
    std::string name = std::string("node_family_") + std::to_string(f);
    b += "# HELP " + name + " Help text with an \\\\ escape.\n";
    b += "# TYPE " + name + " histogram\n";
    for (int s = 0; s < 5; ++s) {
      std::string ls = std::string("instance=\"host-") + std::to_string(s) +
                       "\",path=\"/a/\\\"quoted\\\"/b\",job=\"node\",";
      for (const char* le : {"0.005", "0.1", "1", "10", "+Inf"}) {
        b += name + "_bucket{" + ls + "le=\"" + le + "\"} " + std::to_string(s * 3);
        if (om) b += std::string(" # {trace_id=\"abc") + std::to_string(s) + "\"} 0.5 1700000000.123";
        b += "\n";
      }
      b += name + "_sum{" + ls.substr(0, ls.size() - 1) + "} 1.25e3" + (om ? " 1700000000.5" : " 1700000000500") + "\n";
      b += name + "_count{" + ls.substr(0, ls.size() - 1) + "} " + std::to_string(s * 3) + "\n";
    }
  }
  if (om) b += "# EOF\n";
  return b;
}

long ParseCountingAllocs(Parser& p, const std::string& body, size_t* samples) {
  p.Reset(body);
  long before = g_news.load();
  double sink = 0;
  *samples = 0;
  for (;;) {
    Entry e = p.Next();
    if (e == Entry::kEof || e == Entry::kError) break;
    if (e == Entry::kSeries) {
      ++*samples;
      sink += p.value() + static_cast<double>(p.series().size());
      for (const storage::Label& l : p.labels()) sink += static_cast<double>(l.value.size());
      if (p.has_exemplar()) sink += p.exemplar().value;
    } else if (e == Entry::kHelp) {
      sink += static_cast<double>(p.help().size());
    }
  }
  EXPECT_TRUE(p.status().ok()) << p.status();
  EXPECT_GT(sink, 0);
  return g_news.load() - before;
}

TEST(Allocations, ZeroPerSampleInSteadyState) {
  for (Format f : {Format::kPrometheusText, Format::kOpenMetrics}) {
    SCOPED_TRACE(f == Format::kOpenMetrics ? "openmetrics" : "text");
    std::string body = NodeLikeBody(f == Format::kOpenMetrics);
    ParserOptions o;
    o.format = f;
    Parser p(o);
    size_t samples = 0;
    ParseCountingAllocs(p, body, &samples);  // warm-up grows the buffers
    ASSERT_GT(samples, 500u);
    EXPECT_EQ(ParseCountingAllocs(p, body, &samples), 0);
  }
}

TEST(Allocations, CounterSeesAllocations) {
  // The counting operator new is live (so the test above can fail).
  long before = g_news.load();
  auto* s = new std::string(100, 'x');
  delete s;
  EXPECT_GT(g_news.load(), before);
}

}  // namespace
}  // namespace promlet::scrape::textparse
