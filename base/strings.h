// Bridges std::string_view and Debian's Abseil. Debian builds Abseil with
// ABSL_OPTION_USE_STD_STRING_VIEW=0, so absl::string_view is its own class
// and does not convert from std::string_view: absl::StrCat(sv) and
// flat_hash_map<std::string,...>::find(sv) fail to compile. Use these.
//
//   absl::StrCat("bad label ", Absl(name));
//   absl::flat_hash_map<std::string, int, StringHash, StringEq> m;
//   m.find(std::string_view(...));  // no temporary std::string
#ifndef PROMLET_BASE_STRINGS_H_
#define PROMLET_BASE_STRINGS_H_

#include <string>
#include <string_view>

#include "absl/hash/hash.h"
#include "absl/strings/string_view.h"

namespace promlet::base {

inline absl::string_view Absl(std::string_view s) { return absl::string_view(s.data(), s.size()); }
inline std::string_view Std(absl::string_view s) { return std::string_view(s.data(), s.size()); }

// Transparent hash/equality so string-keyed absl containers can be probed
// with std::string_view.
struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return absl::Hash<absl::string_view>{}(Absl(s)); }
};
struct StringEq {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const { return a == b; }
};

}  // namespace promlet::base

#endif  // PROMLET_BASE_STRINGS_H_
