// The SIMD sample-line fast path (scrape/textparse/fast_series.h) and the
// scrape cache's ExpectSeries() hints must give exactly what the general
// code gives: same entries, views, value bits, timestamps, errors. Bodies are parsed with ParserOptions::fast_path on and
// off and compared, with tokens shifted across every 16/32/64-byte block
// boundary; the SSE2 and AVX2 variants are also called directly.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "gtest/gtest.h"
#include "scrape/textparse/fast_series.h"
#include "scrape/textparse/lex_util.h"
#include "scrape/textparse/parser.h"

namespace promlet::scrape::textparse {
namespace {

// s += each piece (GCC 12 warns falsely on chains of std::string +).
void Append(std::string* s, std::initializer_list<std::string_view> pieces) {
  for (std::string_view p : pieces) s->append(p);
}

// ExpectSeries() hints: before the i-th sample, keys[(i + shift) % size].
struct Hints {
  const std::vector<std::string>* keys = nullptr;
  size_t shift = 0;
};

// Every observable of every entry, as one string per entry.
std::vector<std::string> Trace(std::string_view body, Format f, bool fast, Hints hints = {},
                               size_t* matched = nullptr) {
  ParserOptions o;
  o.format = f;
  o.fast_path = fast;
  Parser p(o);
  p.Reset(body);
  std::vector<std::string> out;
  size_t samples = 0;
  for (int guard = 0; guard < 100000; ++guard) {
    if (hints.keys != nullptr && !hints.keys->empty()) {
      p.ExpectSeries((*hints.keys)[(samples + hints.shift) % hints.keys->size()]);
    }
    Entry e = p.Next();
    if (e == Entry::kSeries) ++samples;
    if (matched != nullptr && e == Entry::kSeries && p.matched_expected()) ++*matched;
    std::string s = std::to_string(static_cast<int>(e)) + " ";
    if (e == Entry::kError) {
      out.push_back(s + std::string(p.status().message()));
      return out;
    }
    if (e == Entry::kEof) {
      out.push_back(s);
      return out;
    }
    if (e == Entry::kSeries) {
      uint64_t bits;
      double v = p.value();
      std::memcpy(&bits, &v, sizeof bits);
      s += "series@" + std::to_string(p.series().data() - body.data()) + ":" + std::string(p.series());
      s += " name=" + std::string(p.metric_name()) + " value=" + std::to_string(bits);
      if (p.has_timestamp()) s += " ts=" + std::to_string(p.timestamp_ms());
      for (const storage::Label& l : p.labels()) Append(&s, {" ", l.name, "=", l.value});
      s += " family=" + std::string(p.family_name());
      if (p.has_exemplar()) {
        s += " exemplar=" + std::to_string(p.exemplar().value);
        for (const storage::Label& l : p.exemplar().labels) Append(&s, {" ", l.name, "=", l.value});
      }
    }
    out.push_back(s);
  }
  return out;
}

void ExpectSameBothWays(const std::string& body) {
  for (Format f : {Format::kPrometheusText, Format::kOpenMetrics}) {
    SCOPED_TRACE(testing::Message() << (f == Format::kOpenMetrics ? "openmetrics" : "text")
                                    << " body:\n" << body);
    // Exact-size copy so a read past the end shows under ASan.
    std::vector<char> exact(body.begin(), body.end());
    std::string_view view(exact.data(), exact.size());
    ASSERT_EQ(Trace(view, f, true), Trace(view, f, false));
  }
}

// Sample lines in and out of the fast path's shape.
const char* const kLines[] = {
    "up 1",
    "up{} 1",
    "up{job=\"a\"} 1",
    "up{job=\"a\",} 2 1700",
    "node_cpu_seconds_total{cpu=\"0\",mode=\"idle\"} 12345678.123",
    "x{a=\"b\",c=\"d\"} 1 1700000000.5",
    "x{a=\"b\",a=\"c\"} 1",                     // duplicate name
    "x{a=\"b\",c=\"d\",a=\"e\"} 1",             // duplicate, not adjacent
    "x{__name__=\"y\"} 1",                      // explicit __name__
    "x{__name_x=\"y\"} 1",
    "x{a=\"b\\\"c\"} 1",                        // escapes
    "x{a=\"b\\\\\",c=\"\\n\"} 1",
    "x{a=\"caf\xc3\xa9\"} 1",                   // UTF-8
    "x{a=\"\xff\"} 1",                          // invalid UTF-8
    "x{a=\"b\nc\"} 1",                          // raw newline in a value
    "x {a=\"b\"} 1",
    "x  1",
    "x\t1",
    "x{a = \"b\"} 1",
    "x{ a=\"b\" } 1",
    "x{a=\"b\" ,c=\"d\"} 1",
    "x{a=\"b\"c=\"d\"} 1",
    "x{,} 1",
    "x{a=\"b\",,} 1",
    "x{1a=\"b\"} 1",
    "x{\"a\"=\"b\"} 1",
    "{\"x\",a=\"b\"} 1",
    "x{a=b} 1",
    "x{a=\"b} 1",
    "x:y:z{a_b=\"c:d\"} NaN",
    "x{a=\"b\"} +Inf 17",
    "x{a=\"b\"} 1 # {t=\"u\"} 0.5 1.5",
    "x{a=\"b\"}1",
    "x{a=\"b\"}",
    "x{a=\"b\"",
    "x",
};

TEST(FastPath, SameAsGeneralCodeAtEveryOffset) {
  const std::string long_name(70, 'n');
  const std::string long_value(150, 'v');
  std::vector<std::string> lines(std::begin(kLines), std::end(kLines));
  lines.push_back(long_name + "{a=\"b\"} 1");
  lines.push_back("x{" + long_name.substr(0, 50) + "=\"b\"} 1");
  lines.push_back("x{" + long_name + "=\"b\"} 1");
  lines.push_back("x{a=\"" + long_value + "\",b=\"" + long_value + "\\\\\"} 1");
  lines.push_back("x{a=\"" + long_value + "\",b=\"" + long_value + "\"} 1");
  std::string many = "x{";
  for (int i = 0; i < 70; ++i) Append(&many, {"l", std::to_string(i), "=\"v\","});
  lines.push_back(many + "} 1");
  for (const std::string& line : lines) {
    // Shift the line across block boundaries; pad after it so the fast path
    // runs (it needs 66 bytes), and also end the body right after it, with
    // and without a newline.
    for (int shift = 0; shift < 70; ++shift) {
      std::string prefix(shift, ' ');
      ExpectSameBothWays(prefix + line + "\n" + std::string(80, '#') + "\n# EOF\n");
      ExpectSameBothWays("# HELP x h\n" + prefix + line + "\n" + line + "\n# EOF\n");
    }
    ExpectSameBothWays(line);
    ExpectSameBothWays(line + "\n");
  }
}

// Random lines from shape-preserving and shape-breaking pieces, with escapes
// and specials landing at every position.
TEST(FastPath, SameAsGeneralCodeOnRandomBodies) {
  std::mt19937 rng(1234);
  const char* const kPieces[] = {"a", "b_c", "=", "\"", ",", "}", "{", " ", "\\", "\\\\",
                                 "\\\"", "\\n", "\n", ":", "1", "0.5", "\xc3\xa9", "\xff",
                                 "\t", "le", "__name__", "#", "e3", "NaN"};
  for (int round = 0; round < 3000; ++round) {
    std::string body;
    int lines = 1 + static_cast<int>(rng() % 4);
    for (int l = 0; l < lines; ++l) {
      Append(&body, {"metric_", std::to_string(rng() % 3), "{"});
      int labels = static_cast<int>(rng() % 5);
      for (int k = 0; k < labels; ++k) {
        Append(&body, {"l", std::to_string(rng() % 4), "=\"", std::string(rng() % 40, 'x')});
        if (rng() % 3 == 0) body += kPieces[rng() % std::size(kPieces)];
        Append(&body, {std::string(rng() % 30, 'y'), "\","});
        if (rng() % 4 == 0) body += kPieces[rng() % std::size(kPieces)];
      }
      Append(&body, {"} ", std::to_string(rng() % 100000)});
      if (rng() % 2) Append(&body, {" ", std::to_string(rng() % 100000)});
      body += "\n";
    }
    if (rng() % 2) Append(&body, {std::string(rng() % 100, '#'), "\n# EOF\n"});
    ExpectSameBothWays(body);
  }
}

TEST(FastPath, VariantsAgree) {
  internal::FastSeriesFn sse2 = internal::FastSeriesSse2();
  internal::FastSeriesFn avx2 = internal::FastSeriesAvx2();
  if (sse2 == nullptr) GTEST_SKIP() << "no fast path on this CPU";
  const std::string pad(100, '\n');
  struct Want {
    const char* line;
    int series_len;  // -1: not taken
    size_t labels;
  };
  const Want wants[] = {
      {"up 1", 2, 0},
      {"up{} 1", 4, 0},
      {"up{job=\"a\",} 1", 12, 1},
      {"x{a=\"b\",c=\"d\"} 1", 14, 2},
      {"x{a=\"b\\\"\"} 1", -1, 0},
      {"x{a=\"b\",a=\"c\"} 1", -1, 0},
      {"x {a=\"b\"} 1", -1, 0},
      {"x{a=\"\xc3\xa9\"} 1", -1, 0},
  };
  for (const Want& w : wants) {
    SCOPED_TRACE(w.line);
    std::string body = std::string(w.line) + pad;
    for (internal::FastSeriesFn fn : {sse2, avx2}) {
      if (fn == nullptr) continue;
      internal::RawLabel out[8];
      size_t n = 99;
      const char* name_end = nullptr;
      const char* end = fn(body.data(), body.data() + body.size(), out, 8, &n, &name_end);
      if (w.series_len < 0) {
        EXPECT_EQ(end, nullptr);
        continue;
      }
      ASSERT_NE(end, nullptr);
      EXPECT_EQ(end - body.data(), w.series_len);
      EXPECT_EQ(n, w.labels);
    }
  }
  // Close to the end of the body the fast path steps aside.
  std::string short_body = "up{a=\"b\"} 1\n";
  internal::RawLabel out[8];
  size_t n;
  const char* name_end;
  EXPECT_EQ(sse2(short_body.data(), short_body.data() + short_body.size(), out, 8, &n, &name_end),
            nullptr);
  // More labels than the capacity: general code.
  std::string many = "x{a=\"1\",b=\"2\",c=\"3\"} 1" + pad;
  EXPECT_EQ(sse2(many.data(), many.data() + many.size(), out, 2, &n, &name_end), nullptr);
}

// ParseNumberToken's SIMD short-number branch (ParseShortNumber) and its
// exponent fast path against strtod, which rounds correctly: bit-exact for
// every shape and length,
// the token at every offset of a 16-byte load, with and without room
// after it.
TEST(ShortNumber, MatchesStrtod) {
  std::mt19937_64 rng(99);
  auto delim = [](char c) { return c == ' ' || c == '\n'; };
  for (int round = 0; round < 200000; ++round) {
    std::string token;
    if (rng() % 4 == 0) token += '-';
    int int_digits = 1 + static_cast<int>(rng() % 17);
    for (int i = 0; i < int_digits; ++i) token += static_cast<char>('0' + rng() % 10);
    if (rng() % 2) {
      token += '.';
      int frac_digits = static_cast<int>(rng() % 17);
      for (int i = 0; i < frac_digits; ++i) token += static_cast<char>('0' + rng() % 10);
    }
    if (rng() % 3 == 0) {  // exponent form: the exact fast path or ParseGoFloat
      token += "eE"[rng() % 2];
      if (rng() % 2) token += "+-"[rng() % 2];
      // At most 199: no overflow to Inf (which ParseGoFloat rejects like Go).
      int exp_digits = 1 + static_cast<int>(rng() % 3);
      for (int i = 0; i < exp_digits; ++i) {
        token += static_cast<char>('0' + rng() % (i == 0 && exp_digits == 3 ? 2 : 10));
      }
    }
    const std::string tail = rng() % 2 ? " 1700000000.123\n" + std::string(40, 'x') : "\n";
    const std::string body = std::string(rng() % 20, ' ') + token + tail;
    const char* p = body.data() + body.find_first_not_of(' ');
    const char* end = body.data() + body.size();
    const char* token_end = nullptr;
    double got = 0;
    // With and without room before the token (two conversion paths).
    const char* begin = rng() % 2 ? body.data() : p;
    ASSERT_TRUE(internal::ParseNumberToken(p, end, delim, &token_end, &got, begin)) << token;
    ASSERT_EQ(std::string_view(p, token_end - p), token);
    double want = std::strtod(token.c_str(), nullptr);
    uint64_t got_bits, want_bits;
    std::memcpy(&got_bits, &got, 8);
    std::memcpy(&want_bits, &want, 8);
    ASSERT_EQ(got_bits, want_bits) << token;
  }
}

// Zero-padded numbers (the synthetic targets write 20-character values):
// leading zeros do not count against the exact conversion, which must still
// round exactly like strtod, also with long fractions.
TEST(ShortNumber, ZeroPaddedMatchesStrtod) {
  std::mt19937_64 rng(7);
  auto delim = [](char c) { return c == ' ' || c == '\n'; };
  for (int round = 0; round < 200000; ++round) {
    std::string token;
    if (rng() % 4 == 0) token += '-';
    token += std::string(rng() % 22, '0');
    int int_digits = static_cast<int>(rng() % 21);
    for (int i = 0; i < int_digits; ++i) token += static_cast<char>('0' + rng() % 10);
    if (token.empty() || token == "-") token += '0';
    if (rng() % 2) {
      token += '.';
      if (rng() % 2) token += std::string(rng() % 24, '0');
      int frac_digits = static_cast<int>(rng() % 20);
      for (int i = 0; i < frac_digits; ++i) token += static_cast<char>('0' + rng() % 10);
    }
    if (rng() % 5 == 0) Append(&token, {"e", std::to_string(static_cast<int>(rng() % 60) - 30)});
    const std::string body = token + " 1\n" + std::string(rng() % 40, 'x');
    const char* token_end = nullptr;
    double got = 0;
    ASSERT_TRUE(internal::ParseNumberToken(body.data(), body.data() + body.size(), delim, &token_end, &got,
                                           body.data()))
        << token;
    ASSERT_EQ(std::string_view(body.data(), token_end - body.data()), token);
    double want = std::strtod(token.c_str(), nullptr);
    uint64_t got_bits, want_bits;
    std::memcpy(&got_bits, &got, 8);
    std::memcpy(&want_bits, &want, 8);
    ASSERT_EQ(got_bits, want_bits) << token;
  }
}

// A random number-like token: mostly the shapes ParseShortNumber takes
// (zero padding, 1 to 17 significant digits, short and long fractions,
// lengths around the 15-digit and 31/32-byte limits), plus near misses
// (no digits after '.', a second '.', '+', exponents, letters, a bare '-').
std::string RandomNumberToken(std::mt19937_64& rng) {
  std::string t;
  if (rng() % 4 == 0) t += '-';
  if (rng() % 2) t += std::string(rng() % 32, '0');
  const int int_digits = static_cast<int>(rng() % 18);
  for (int i = 0; i < int_digits; ++i) t += static_cast<char>('0' + rng() % 10);
  if (rng() % 2) {
    t += '.';
    if (rng() % 3 == 0) t += std::string(rng() % 8, '0');
    const int frac_digits = static_cast<int>(rng() % 17);
    for (int i = 0; i < frac_digits; ++i) t += static_cast<char>('0' + rng() % 10);
  }
  switch (rng() % 16) {
    case 0: t += "e" + std::to_string(static_cast<int>(rng() % 40) - 20); break;
    case 1: t += '.'; break;
    case 2: t.insert(t.begin() + static_cast<long>(rng() % (t.size() + 1)), "+-.xe"[rng() % 5]); break;
    case 3: t = "-"; break;
    default: break;
  }
  return t;
}

// The SIMD branch (ParseShortNumber) against the scalar path it shortcuts:
// whenever it takes a token, the scalar path takes the same token and gives
// the same bits. Tokens at every offset from the start of the readable
// memory (both conversion paths), each followed by every delimiter and by
// too little room; the branch must also take most of the well-formed ones.
TEST(ShortNumber, MatchesScalarPath) {
  std::mt19937_64 rng(20261127);
  auto delim = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '{'; };
  size_t taken = 0;
  for (int round = 0; round < 300000; ++round) {
    const std::string token = RandomNumberToken(rng);
    const size_t lead = rng() % 24;
    std::string body = std::string(lead, "0 -9"[rng() % 4]) + token;
    body += " \t\n{x0."[rng() % 7];
    body += std::string(rng() % 2 ? 40 : rng() % 40, "1 x"[rng() % 3]);
    const char* p = body.data() + lead;
    const char* end = body.data() + body.size();
    const char* begin = rng() % 2 ? body.data() : p;
    const char* fast_end = nullptr;
    double fast = 0;
    if (!internal::ParseShortNumber(begin, p, end, delim, &fast_end, &fast)) continue;
    ++taken;
    const char* scalar_end = nullptr;
    double scalar = 0;
    ASSERT_TRUE(internal::ParseNumberTokenScalar(p, end, delim, &scalar_end, &scalar)) << body;
    ASSERT_EQ(fast_end, scalar_end) << body;
    uint64_t fast_bits, scalar_bits;
    std::memcpy(&fast_bits, &fast, 8);
    std::memcpy(&scalar_bits, &scalar, 8);
    ASSERT_EQ(fast_bits, scalar_bits) << body;
  }
  EXPECT_GT(taken, 40000u);
  // Edge cases: the limits of the branch, taken or not, agree too.
  const std::string edges[] = {"0", "-0", "00000000000000000000", "-0000000000000000000000000000000",
                               "0000000000000000000000000000000", "00000000000000000123",
                               "0000000000012.345678", "123456789012345", "1234567890123456",
                               "12345678.1234567", "1234567.12345678", "0.000000000000001",
                               "000000000000000.123456789012345", "9007199254740993", "0.5", "-.5",
                               "1.", "00000000000000000000000000000001", "-000000000000000000000000000001.5"};
  for (const std::string& token : edges) {
    for (size_t lead : {0u, 1u, 15u, 16u, 17u}) {
      const std::string body = std::string(lead, ' ') + token + " 1" + std::string(40, ' ');
      const char* p = body.data() + lead;
      const char* end = body.data() + body.size();
      const char* fast_end = nullptr;
      const char* scalar_end = nullptr;
      double fast = 0, scalar = 0;
      const bool fast_ok = internal::ParseShortNumber(body.data(), p, end, delim, &fast_end, &fast);
      const bool scalar_ok = internal::ParseNumberTokenScalar(p, end, delim, &scalar_end, &scalar);
      if (!fast_ok) continue;
      ASSERT_TRUE(scalar_ok) << token;
      ASSERT_EQ(fast_end, scalar_end) << token;
      ASSERT_EQ(std::memcmp(&fast, &scalar, 8), 0) << token;
    }
  }
}

// The series keys the general code returns for `body`, in order.
std::vector<std::string> SeriesKeys(std::string_view body) {
  ParserOptions o;
  o.fast_path = false;
  Parser p(o);
  p.Reset(body);
  std::vector<std::string> keys;
  for (Entry e; (e = p.Next()) != Entry::kEof && e != Entry::kError;) {
    if (e == Entry::kSeries) keys.emplace_back(p.series());
  }
  return keys;
}

// Parsing `body` with the keys of `previous` as ExpectSeries() hints, at
// every rotation of the hint sequence, gives exactly what it gives without.
// Returns the hint matches of rotation 0.
size_t ExpectSameWithHints(const std::string& previous, const std::string& body) {
  SCOPED_TRACE(testing::Message() << "previous:\n" << previous << "\nbody:\n" << body);
  const std::vector<std::string> keys = SeriesKeys(previous);
  std::vector<char> exact(body.begin(), body.end());
  std::string_view view(exact.data(), exact.size());
  const std::vector<std::string> want = Trace(view, Format::kPrometheusText, true);
  size_t matched0 = 0;
  for (size_t shift = 0; shift <= keys.size(); ++shift) {
    for (bool fast : {true, false}) {
      size_t matched = 0;
      EXPECT_EQ(Trace(view, Format::kPrometheusText, fast, {&keys, shift}, &matched), want) << "shift " << shift;
      if (shift == 0 && fast) matched0 = matched;
    }
  }
  // OpenMetrics ignores the hint.
  size_t om_matched = 0;
  EXPECT_EQ(Trace(view, Format::kOpenMetrics, true, {&keys, 0}, &om_matched), Trace(view, Format::kOpenMetrics, true));
  EXPECT_EQ(om_matched, 0u);
  return matched0;
}

TEST(ExpectedSeries, SteadyScrapeMatchesEveryLine) {
  const std::string a =
      "# HELP x h\n# TYPE x counter\nx_total{a=\"b\",c=\"d\"} 00000000000000000001\n"
      "x_total{a=\"b\",c=\"e\"} 2 1700\ny 3\n{\"z.z\",a=\"b\"} 4\nw\t5\n";
  const std::string b =
      "# HELP x h\n# TYPE x counter\nx_total{a=\"b\",c=\"d\"} 00000000000000000009\n"
      "x_total{a=\"b\",c=\"e\"} 8 1800\ny 7\n{\"z.z\",a=\"b\"} 6\nw\t5\n";
  EXPECT_EQ(ExpectSameWithHints(a, b), 5u);
}

// A hint that is a prefix of the line, or whose bytes match a line that the
// general code reads differently, must not be taken for a match.
TEST(ExpectedSeries, LookalikesAndErrorsTakeTheGeneralCode) {
  const char* const kPrevious[] = {
      "foo 1\n", "foo{a=\"b\"} 1\n", "x{a=\"b\nc\"} 1\n", "{\"foo\"} 1\n", "foo{} 1\n", "foo{a=\"b\",} 1\n",
  };
  const char* const kLines[] = {
      "foo 2",          "foo_bar 2",       "foo1 2",           "fooInf 2",        "foo {a=\"b\"} 2",
      "foo\t{a=\"b\"} 2", "foo  2 17",      "foo 2 17 18",      "foo abc",         "foo",
      "foo ",           "foo{a=\"b\"} 2",  "foo{a=\"b\"}2",     "foo{a=\"b\"} 2 x", "foo{a=\"b\"} {",
      "foo{a=\"b\"}",    "foo{a=\"b\",c=\"d\"} 2", "foo{a=\"b\"} NaN", "foo{a=\"b\"} -Inf 5",
      "x{a=\"b\nc\"} 2", "x{a=\"b\nc\"}",    "{\"foo\"} 2",      "{\"foo\"}x 2",    "foo{} 2",
      "foo{a=\"b\",} 2", "foo{a=\"b\",}",   "foo{a=\"b\"} 99999999999999999999999 1",
      "foo{a=\"b\"} 1 99999999999999999999",
  };
  for (const char* prev : kPrevious) {
    for (const char* line : kLines) {
      for (const std::string& tail : {std::string(), std::string("\n"), "\n" + std::string(80, '#') + "\n"}) {
        ExpectSameWithHints(prev, std::string(line) + tail);
        ExpectSameWithHints(prev, "  " + std::string(line) + tail);
      }
    }
  }
}

// Hints from one random body applied to another (same line pool, so keys
// often match and often are near misses).
TEST(ExpectedSeries, SameAsWithoutHintsOnRandomBodies) {
  std::mt19937 rng(99);
  const char* const kSeries[] = {"a", "a_b", "a{x=\"1\"}", "a{x=\"1\",y=\"2\"}", "a{x=\"12\"}", "{\"a\",x=\"1\"}",
                                 "a {x=\"1\"}", "a{x=\"1\"} ", "a{x=\"1\\\"\"}", "a\t", "a1"};
  const char* const kRest[] = {" 1", " 2 3", "1", " x", " 1 2 3", " -Inf", " 0001.500", "", " {", " 1 "};
  auto body = [&] {
    std::string s;
    for (int l = 0, n = 1 + static_cast<int>(rng() % 6); l < n; ++l) {
      if (rng() % 8 == 0) s += "# HELP a h\n";
      Append(&s, {kSeries[rng() % std::size(kSeries)], kRest[rng() % std::size(kRest)]});
      if (l + 1 < n || rng() % 2) s += "\n";
    }
    return s;
  };
  for (int round = 0; round < 3000; ++round) ExpectSameWithHints(body(), body());
}

}  // namespace
}  // namespace promlet::scrape::textparse
