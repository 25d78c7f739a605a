#include "query/parser/literals.h"

#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>

#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "base/strings.h"
#include "query/parser/parser.h"
#include "query/parser/printer.h"

namespace promlet::query {
namespace internal {
namespace {

char Lower(char c) { return static_cast<char>(absl::ascii_tolower(static_cast<unsigned char>(c))); }

// Go strconv.underscoreOK.
bool UnderscoreOk(std::string_view s) {
  char saw = '^';
  size_t i = 0;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
  bool hex = false;
  if (s.size() >= 2 && s[0] == '0' &&
      (Lower(s[1]) == 'b' || Lower(s[1]) == 'o' || Lower(s[1]) == 'x')) {
    i = 2;
    saw = '0';
    hex = Lower(s[1]) == 'x';
  }
  for (; i < s.size(); ++i) {
    if ((s[i] >= '0' && s[i] <= '9') || (hex && Lower(s[i]) >= 'a' && Lower(s[i]) <= 'f')) {
      saw = '0';
      continue;
    }
    if (s[i] == '_') {
      if (saw != '0') return false;
      saw = '_';
      continue;
    }
    if (saw == '_') return false;
    saw = '!';
  }
  return saw != '_';
}

// Go strconv.ParseInt(s, 0, 64) for unsigned input (the lexer never puts a
// sign into a number token; a sign here is accepted like Go does).
bool ParseGoInt(std::string_view s, int64_t* out) {
  bool neg = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s.empty()) return false;
  int base = 10;
  if (s[0] == '0') {
    if (s.size() >= 3 && Lower(s[1]) == 'x') {
      base = 16, s.remove_prefix(2);
    } else if (s.size() >= 3 && Lower(s[1]) == 'o') {
      base = 8, s.remove_prefix(2);
    } else if (s.size() >= 3 && Lower(s[1]) == 'b') {
      base = 2, s.remove_prefix(2);
    } else {
      base = 8, s.remove_prefix(1);
    }
  }
  uint64_t n = 0;
  bool any = false;
  for (char c : s) {
    if (c == '_') continue;  // validated by UnderscoreOk
    int d;
    if (c >= '0' && c <= '9')
      d = c - '0';
    else if (Lower(c) >= 'a' && Lower(c) <= 'z')
      d = Lower(c) - 'a' + 10;
    else
      return false;
    if (d >= base) return false;
    any = true;
    if (n > (std::numeric_limits<uint64_t>::max() - d) / base) return false;
    n = n * base + d;
  }
  if (!any && base != 8) return false;
  const uint64_t limit = neg ? (uint64_t{1} << 63) : (uint64_t{1} << 63) - 1;
  if (n > limit) return false;
  *out = neg ? static_cast<int64_t>(0 - n) : static_cast<int64_t>(n);
  return true;
}

// Decimal float syntax accepted by Go's ParseFloat (without underscores).
bool IsDecimalFloat(std::string_view s) {
  size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  bool digits = false;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, digits = true;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, digits = true;
  }
  if (!digits) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    bool exp_digits = false;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, exp_digits = true;
    if (!exp_digits) return false;
  }
  return i == s.size();
}

}  // namespace

bool ParseGoNumber(std::string_view s, double* out, std::string* err) {
  const bool underscores = s.find('_') != std::string_view::npos;
  const bool underscores_ok = !underscores || UnderscoreOk(s);
  int64_t n;
  if (underscores_ok && ParseGoInt(s, &n)) {
    *out = static_cast<double>(n);
    return true;
  }
  auto fail = [&](std::string_view why) {
    *err = absl::StrCat("strconv.ParseFloat: parsing ", GoQuote(s), ": ", base::Absl(why));
    return false;
  };
  std::string clean;
  for (char c : s) {
    if (c != '_') clean.push_back(c);
  }
  if (!underscores_ok) return fail("invalid syntax");
  std::string lower = absl::AsciiStrToLower(clean);
  std::string_view body = lower;
  double sign = 1;
  if (!body.empty() && (body[0] == '+' || body[0] == '-')) {
    sign = body[0] == '-' ? -1 : 1;
    body.remove_prefix(1);
  }
  if (body == "inf" || body == "infinity") {
    *out = sign * std::numeric_limits<double>::infinity();
    return true;
  }
  if (body == "nan" && sign > 0 && lower[0] != '+') {
    *out = std::numeric_limits<double>::quiet_NaN();
    return true;
  }
  // Hexadecimal floats need a 'p' exponent, which the lexer never lets
  // through; everything else must be a plain decimal float.
  if (!IsDecimalFloat(clean)) return fail("invalid syntax");
  errno = 0;
  const double v = std::strtod(clean.c_str(), nullptr);
  if (std::isinf(v)) return fail("value out of range");
  *out = v;
  return true;
}

bool UnquoteString(std::string_view q, std::string* out) {
  out->clear();
  if (q.size() < 2 || q.front() != q.back()) return false;
  const char quote = q.front();
  std::string_view s = q.substr(1, q.size() - 2);
  if (quote == '`') {
    if (s.find('`') != std::string_view::npos) return false;
    out->assign(s);
    return true;
  }
  if (quote != '"' && quote != '\'') return false;
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i < s.size();) {
    char c = s[i];
    if (c == quote || c == '\n') return false;
    if (c != '\\') {
      out->push_back(c);
      ++i;
      continue;
    }
    if (++i >= s.size()) return false;
    c = s[i++];
    switch (c) {
      case 'a':
        out->push_back('\a');
        break;
      case 'b':
        out->push_back('\b');
        break;
      case 'f':
        out->push_back('\f');
        break;
      case 'n':
        out->push_back('\n');
        break;
      case 'r':
        out->push_back('\r');
        break;
      case 't':
        out->push_back('\t');
        break;
      case 'v':
        out->push_back('\v');
        break;
      case '\\':
        out->push_back('\\');
        break;
      case '\'':
      case '"':
        if (c != quote) return false;
        out->push_back(c);
        break;
      case 'x':
      case 'u':
      case 'U': {
        const int n = c == 'x' ? 2 : c == 'u' ? 4 : 8;
        if (i + n > s.size()) return false;
        uint32_t v = 0;
        for (int k = 0; k < n; ++k) {
          const int d = hex(s[i + k]);
          if (d < 0) return false;
          v = v * 16 + d;
        }
        i += n;
        if (c == 'x') {
          out->push_back(static_cast<char>(v));
          break;
        }
        if (v > 0x10FFFF || (v >= 0xD800 && v < 0xE000)) return false;
        if (v < 0x80) {
          out->push_back(static_cast<char>(v));
        } else if (v < 0x800) {
          out->push_back(static_cast<char>(0xC0 | (v >> 6)));
          out->push_back(static_cast<char>(0x80 | (v & 0x3F)));
        } else if (v < 0x10000) {
          out->push_back(static_cast<char>(0xE0 | (v >> 12)));
          out->push_back(static_cast<char>(0x80 | ((v >> 6) & 0x3F)));
          out->push_back(static_cast<char>(0x80 | (v & 0x3F)));
        } else {
          out->push_back(static_cast<char>(0xF0 | (v >> 18)));
          out->push_back(static_cast<char>(0x80 | ((v >> 12) & 0x3F)));
          out->push_back(static_cast<char>(0x80 | ((v >> 6) & 0x3F)));
          out->push_back(static_cast<char>(0x80 | (v & 0x3F)));
        }
        break;
      }
      case '0':
      case '1':
      case '2':
      case '3':
      case '4':
      case '5':
      case '6':
      case '7': {
        if (i + 2 > s.size()) return false;
        int v = c - '0';
        for (int k = 0; k < 2; ++k) {
          const char d = s[i + k];
          if (d < '0' || d > '7') return false;
          v = v * 8 + (d - '0');
        }
        if (v > 255) return false;
        i += 2;
        out->push_back(static_cast<char>(v));
        break;
      }
      default:
        return false;
    }
  }
  return true;
}

std::string FormatPosition(std::string_view query, int pos) {
  if (query.empty()) return "unknown position";
  if (pos < 0 || pos > static_cast<int>(query.size())) return "invalid position";
  int line = 1;
  int last_break = -1;
  for (int i = 0; i < pos; ++i) {
    if (query[i] == '\n') {
      last_break = i;
      ++line;
    }
  }
  return absl::StrCat(line, ":", pos - last_break);
}

bool ValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<unsigned char>(s[i]);
    int n;
    uint32_t cp;
    if (b < 0x80) {
      ++i;
      continue;
    } else if ((b & 0xE0) == 0xC0) {
      n = 2, cp = b & 0x1F;
    } else if ((b & 0xF0) == 0xE0) {
      n = 3, cp = b & 0x0F;
    } else if ((b & 0xF8) == 0xF0) {
      n = 4, cp = b & 0x07;
    } else {
      return false;
    }
    if (i + n > s.size()) return false;
    for (int k = 1; k < n; ++k) {
      const auto c = static_cast<unsigned char>(s[i + k]);
      if ((c & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (c & 0x3F);
    }
    static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += n;
  }
  return true;
}

bool IsLegacyLabelName(std::string_view s) {
  if (s.empty()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const bool ok = c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                    (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

bool IsLegacyMetricName(std::string_view s) {
  if (s.empty()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const bool ok = c == '_' || c == ':' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                    (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

}  // namespace internal

// Prometheus common/model ParseDuration (Go time.Duration is nanoseconds,
// which bounds the range to about 292 years).
absl::StatusOr<int64_t> ParseDuration(std::string_view s) {
  auto invalid = [&] {
    return absl::InvalidArgumentError(absl::StrCat("not a valid duration string: ", GoQuote(s)));
  };
  if (s == "0") return 0;
  if (s.empty()) return absl::InvalidArgumentError("empty duration string");
  struct Unit {
    std::string_view name;
    uint64_t ms;
  };
  static constexpr Unit kUnits[] = {
      {"y", 365ULL * 24 * 3600 * 1000},
      {"w", 7ULL * 24 * 3600 * 1000},
      {"d", 24ULL * 3600 * 1000},
      {"h", 3600ULL * 1000},
      {"m", 60ULL * 1000},
      {"s", 1000},
      {"ms", 1},
  };
  constexpr uint64_t kMaxNs = uint64_t{1} << 63;
  uint64_t total_ns = 0;
  int last_unit = -1;
  size_t p = 0;
  while (p < s.size()) {
    if (!(s[p] >= '0' && s[p] <= '9')) return invalid();
    uint64_t value = 0;
    while (p < s.size() && s[p] >= '0' && s[p] <= '9') {
      if (value > (~uint64_t{0} - (s[p] - '0')) / 10) return invalid();
      value = value * 10 + (s[p] - '0');
      ++p;
    }
    const size_t unit_start = p;
    while (p < s.size() && !(s[p] >= '0' && s[p] <= '9')) ++p;
    if (p == unit_start) return invalid();
    std::string_view unit = s.substr(unit_start, p - unit_start);
    int idx = -1;
    for (int i = 0; i < 7; ++i) {
      if (kUnits[i].name == unit) idx = i;
    }
    if (idx < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown unit ", GoQuote(unit), " in duration ", GoQuote(s)));
    }
    if (idx <= last_unit) return invalid();
    last_unit = idx;
    const uint64_t mult_ns = kUnits[idx].ms * 1000000;
    if (value > kMaxNs / mult_ns) return absl::InvalidArgumentError("duration out of range");
    total_ns += value * mult_ns;
    if (total_ns > kMaxNs - 1) return absl::InvalidArgumentError("duration out of range");
  }
  return static_cast<int64_t>(total_ns / 1000000);
}

}  // namespace promlet::query
