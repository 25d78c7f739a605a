// Relabel config compilation and Prometheus's per-action validation
// (model/relabel/relabel.go, Config.UnmarshalYAML / Validate).
#include <algorithm>
#include <cctype>

#include "absl/strings/str_cat.h"
#include "base/strings.h"
#include "scrape/config/config.h"

namespace promlet::scrape {

using base::Absl;

std::string_view RelabelActionName(RelabelAction a) {
  switch (a) {
    case RelabelAction::kReplace: return "replace";
    case RelabelAction::kKeep: return "keep";
    case RelabelAction::kDrop: return "drop";
    case RelabelAction::kKeepEqual: return "keepequal";
    case RelabelAction::kDropEqual: return "dropequal";
    case RelabelAction::kHashMod: return "hashmod";
    case RelabelAction::kLabelMap: return "labelmap";
    case RelabelAction::kLabelDrop: return "labeldrop";
    case RelabelAction::kLabelKeep: return "labelkeep";
    case RelabelAction::kLowercase: return "lowercase";
    case RelabelAction::kUppercase: return "uppercase";
  }
  return "unknown";
}

absl::StatusOr<std::shared_ptr<const RE2>> CompileRelabelRegex(std::string_view text) {
  RE2::Options opts;
  opts.set_log_errors(false);
  auto re = std::make_shared<const RE2>(absl::StrCat("^(?:", Absl(text), ")$"), opts);
  if (!re->ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid regex \"", Absl(text), "\": ", re->error()));
  }
  return re;
}

bool IsValidLabelName(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    if (!(std::isalpha(static_cast<unsigned char>(c)) || c == '_' || (i > 0 && std::isdigit(static_cast<unsigned char>(c))))) {
      return false;
    }
  }
  return true;
}

bool IsValidMetricName(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    if (!(std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == ':' ||
          (i > 0 && std::isdigit(static_cast<unsigned char>(c))))) {
      return false;
    }
  }
  return true;
}

bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n;
    if (c < 0x80) {
      n = 0;
    } else if ((c >> 5) == 6 && c >= 0xc2) {
      n = 1;
    } else if ((c >> 4) == 14) {
      n = 2;
    } else if ((c >> 3) == 30 && c <= 0xf4) {
      n = 3;
    } else {
      return false;
    }
    if (i + n >= s.size() + (n == 0 ? 1 : 0) && n > 0) return false;
    for (size_t k = 1; k <= n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 2) return false;
    }
    i += n + 1;
  }
  return true;
}

namespace {

// ^(?:(?:[a-zA-Z_]|\$(?:\{\w+\}|\w+))+\w*)+$ : a label name that may use $1
// or ${name} expansions.
bool IsValidRelabelTarget(std::string_view s) {
  static const RE2 kTarget(R"(^(?:(?:[a-zA-Z_]|\$(?:\{\w+\}|\w+))+\w*)+$)");
  return RE2::FullMatch(re2::StringPiece(s.data(), s.size()), kTarget);
}

}  // namespace

absl::Status ValidateRelabelConfig(const RelabelConfig& c) {
  using A = RelabelAction;
  const A a = c.action;
  const std::string name(RelabelActionName(a));
  auto err = [](std::string msg) { return absl::InvalidArgumentError(std::move(msg)); };
  if (a == A::kHashMod && c.modulus == 0) {
    return err("relabel configuration for hashmod requires non-zero modulus");
  }
  const bool needs_target = a == A::kReplace || a == A::kHashMod || a == A::kLowercase ||
                            a == A::kUppercase || a == A::kKeepEqual || a == A::kDropEqual;
  if (needs_target && c.target_label.empty()) {
    return err(absl::StrCat("relabel configuration for ", name, " action requires 'target_label' value"));
  }
  const bool plain_target = a == A::kLowercase || a == A::kUppercase || a == A::kKeepEqual ||
                            a == A::kDropEqual || a == A::kHashMod;
  if ((a == A::kReplace && !IsValidRelabelTarget(c.target_label)) ||
      (plain_target && !IsValidLabelName(c.target_label))) {
    return err(absl::StrCat("\"", c.target_label, "\" is invalid 'target_label' for ", name, " action"));
  }
  if ((a == A::kKeepEqual || a == A::kDropEqual) &&
      (c.regex_text != "(.*)" || c.modulus != 0 || c.separator != ";" || c.replacement != "$1")) {
    return err(absl::StrCat(name, " action requires only 'source_labels' and `target_label`, and no other fields"));
  }
  if (a == A::kLabelMap && !IsValidRelabelTarget(c.replacement)) {
    return err(absl::StrCat("\"", c.replacement, "\" is invalid 'replacement' for ", name, " action"));
  }
  if ((a == A::kLabelDrop || a == A::kLabelKeep) &&
      (!c.source_labels.empty() || !c.target_label.empty() || c.modulus != 0 ||
       c.separator != ";" || c.replacement != "$1")) {
    return err(absl::StrCat(name, " action requires only 'regex', and no other fields"));
  }
  return absl::OkStatus();
}

}  // namespace promlet::scrape
