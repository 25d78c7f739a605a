#include "scrape/config/duration.h"

#include <cctype>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/strings.h"

namespace promlet::scrape {
namespace {

constexpr int64_t kMsPerDay = 24LL * 3600 * 1000;

struct Unit {
  std::string_view name;
  int64_t ms;
};
// In the order Prometheus requires them.
constexpr Unit kUnits[] = {{"y", 365 * kMsPerDay}, {"w", 7 * kMsPerDay}, {"d", kMsPerDay},
                           {"h", 3600 * 1000},     {"m", 60 * 1000},     {"s", 1000},
                           {"ms", 1}};

}  // namespace

absl::StatusOr<absl::Duration> ParseDuration(std::string_view s) {
  if (s.empty()) return absl::InvalidArgumentError("empty duration string");
  if (s == "0") return absl::ZeroDuration();
  const std::string_view orig = s;
  auto bad = [&] {
    return absl::InvalidArgumentError(absl::StrCat("not a valid duration string: \"", base::Absl(orig), "\""));
  };
  int64_t total_ms = 0;
  size_t next_unit = 0;
  while (!s.empty()) {
    size_t i = 0;
    int64_t n = 0;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
      if (n > (int64_t{1} << 50)) return bad();
      n = n * 10 + (s[i] - '0');
      ++i;
    }
    if (i == 0) return bad();
    size_t j = i;
    while (j < s.size() && std::isalpha(static_cast<unsigned char>(s[j]))) ++j;
    std::string_view unit = s.substr(i, j - i);
    bool found = false;
    for (; next_unit < std::size(kUnits); ++next_unit) {
      if (kUnits[next_unit].name == unit) {
        total_ms += n * kUnits[next_unit].ms;
        ++next_unit;
        found = true;
        break;
      }
    }
    if (!found) return bad();
    s.remove_prefix(j);
  }
  return absl::Milliseconds(total_ms);
}

std::string FormatPromDuration(absl::Duration d) {
  int64_t ms = absl::ToInt64Milliseconds(d);
  if (ms == 0) return "0s";
  std::string r;
  for (size_t i = 0; i < std::size(kUnits); ++i) {
    const bool exact = i < 2;  // years and weeks only when they divide evenly
    if (exact && ms % kUnits[i].ms != 0) continue;
    if (int64_t v = ms / kUnits[i].ms; v > 0) {
      absl::StrAppend(&r, v, base::Absl(kUnits[i].name));
      ms -= v * kUnits[i].ms;
    }
  }
  return r;
}

absl::StatusOr<int64_t> ParseSize(std::string_view s) {
  size_t i = 0;
  int64_t n = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
    if (n > (int64_t{1} << 50)) break;
    n = n * 10 + (s[i] - '0');
    ++i;
  }
  std::string_view unit = s.substr(i);
  if (i == 0) return absl::InvalidArgumentError(absl::StrCat("invalid size \"", base::Absl(s), "\""));
  if (unit.empty() && n == 0) return 0;
  static constexpr std::pair<std::string_view, int> kSizeUnits[] = {
      {"B", 0},   {"KB", 10},  {"MB", 20},  {"GB", 30},  {"TB", 40},  {"PB", 50},
      {"KiB", 10}, {"MiB", 20}, {"GiB", 30}, {"TiB", 40}, {"PiB", 50}};
  for (const auto& [name, shift] : kSizeUnits) {
    if (name == unit) return n << shift;
  }
  return absl::InvalidArgumentError(absl::StrCat("invalid size \"", base::Absl(s),
                                                 "\": unit must be one of B, KB, MB, GB, TB, PB, KiB, MiB, ..."));
}

}  // namespace promlet::scrape
