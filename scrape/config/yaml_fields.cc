#include "scrape/config/yaml_fields.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "base/strings.h"
#include "scrape/config/duration.h"

namespace promlet::scrape::internal {

using base::Absl;

absl::Status YamlError(std::string_view file, const YAML::Mark& mark, absl::string_view msg) {
  std::string where = file.empty() ? std::string("config") : std::string(file);
  if (!mark.is_null()) absl::StrAppend(&where, ":", mark.line + 1, ":", mark.column + 1);
  return absl::InvalidArgumentError(absl::StrCat(where, ": ", msg));
}

Fields::Fields(const YAML::Node& node, std::string_view type, std::string_view file,
               std::vector<std::string_view> unsupported)
    : node_(node), type_(type), file_(file) {
  for (std::string_view u : unsupported) unsupported_.emplace_back(u);
  if (!node_.IsDefined() || node_.IsNull()) return;
  if (!node_.IsMap()) {
    FailAt(node_.Mark(), absl::StrCat("expected a mapping for ", type_));
    return;
  }
  for (auto it = node_.begin(); it != node_.end(); ++it) {
    std::string key = it->first.Scalar();
    if (asked_.count(key)) {
      FailAt(it->first.Mark(), absl::StrCat("field ", key, " already set in type ", type_));
    }
    asked_[key] = false;
  }
}

absl::Status Fields::Finish() {
  if (!status_.ok() || !node_.IsMap()) return status_;
  for (auto it = node_.begin(); it != node_.end(); ++it) {
    const std::string key = it->first.Scalar();
    if (asked_[key]) continue;
    if (std::find(unsupported_.begin(), unsupported_.end(), key) != unsupported_.end()) {
      FailAt(it->first.Mark(), absl::StrCat(key, " (in ", type_,
                                            ") is a Prometheus field that promlet does not support yet"));
    } else {
      FailAt(it->first.Mark(), absl::StrCat("field ", key, " not found in type ", type_));
    }
    break;
  }
  return status_;
}

bool Fields::Has(std::string_view key) {
  auto it = asked_.find(key);
  if (it == asked_.end()) return false;
  it->second = true;
  return !node_[std::string(key)].IsNull();
}

YAML::Node Fields::Node(std::string_view key) {
  auto it = asked_.find(key);
  if (it == asked_.end()) return YAML::Node(YAML::NodeType::Undefined);
  it->second = true;
  const YAML::Node& c = node_;
  return c[std::string(key)];
}

YAML::Mark Fields::MarkOf(std::string_view key) const {
  if (!node_.IsMap()) return node_.Mark();
  for (auto it = node_.begin(); it != node_.end(); ++it) {
    if (it->first.Scalar() == key) return it->first.Mark();
  }
  return node_.Mark();
}

void Fields::FailAt(const YAML::Mark& mark, absl::string_view msg) {
  if (status_.ok()) status_ = YamlError(file_, mark, msg);
}
void Fields::Fail(std::string_view key, absl::string_view msg) { FailAt(MarkOf(key), msg); }

void Fields::String(std::string_view key, std::string* out) {
  YAML::Node n = Node(key);
  if (!n.IsDefined() || n.IsNull()) return;
  if (!n.IsScalar()) return Fail(key, absl::StrCat("field ", Absl(key), " must be a string"));
  *out = n.Scalar();
}

void Fields::Bool(std::string_view key, bool* out) {
  YAML::Node n = Node(key);
  if (!n.IsDefined() || n.IsNull()) return;
  const std::string s = n.IsScalar() ? n.Scalar() : "";
  if (s == "true") {
    *out = true;
  } else if (s == "false") {
    *out = false;
  } else {
    Fail(key, absl::StrCat("cannot unmarshal \"", s, "\" into bool for field ", Absl(key)));
  }
}

void Fields::Uint(std::string_view key, uint64_t* out) {
  YAML::Node n = Node(key);
  if (!n.IsDefined() || n.IsNull()) return;
  const std::string s = n.IsScalar() ? n.Scalar() : "";
  uint64_t v = 0;
  bool ok = !s.empty() && s.size() < 20;
  for (char c : s) {
    if (c < '0' || c > '9') ok = false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  if (!ok) return Fail(key, absl::StrCat("cannot unmarshal \"", s, "\" into uint for field ", Absl(key)));
  *out = v;
}

void Fields::Int(std::string_view key, int* out) {
  uint64_t v = 0;
  Uint(key, &v);
  if (v > 65535 * 16) return Fail(key, absl::StrCat("value of ", Absl(key), " out of range"));
  if (Has(key)) *out = static_cast<int>(v);
}

void Fields::Duration(std::string_view key, absl::Duration* out) {
  YAML::Node n = Node(key);
  if (!n.IsDefined() || n.IsNull()) return;
  absl::StatusOr<absl::Duration> d = ParseDuration(n.IsScalar() ? n.Scalar() : "");
  if (!d.ok()) return Fail(key, d.status().message());
  *out = *d;
}

void Fields::StringList(std::string_view key, std::vector<std::string>* out) {
  YAML::Node n = Node(key);
  if (!n.IsDefined() || n.IsNull()) return;
  if (!n.IsSequence()) return Fail(key, absl::StrCat("field ", Absl(key), " must be a list of strings"));
  out->clear();
  for (const YAML::Node& e : n) {
    if (!e.IsScalar()) return FailAt(e.Mark(), absl::StrCat("field ", Absl(key), " must be a list of strings"));
    out->push_back(e.Scalar());
  }
}

void Fields::StringMap(std::string_view key, std::map<std::string, std::string>* out) {
  YAML::Node n = Node(key);
  if (!n.IsDefined() || n.IsNull()) return;
  if (!n.IsMap()) return Fail(key, absl::StrCat("field ", Absl(key), " must be a mapping of strings"));
  for (auto it = n.begin(); it != n.end(); ++it) {
    if (!it->second.IsScalar() && !it->second.IsNull()) {
      return FailAt(it->second.Mark(), absl::StrCat("field ", Absl(key), " must be a mapping of strings"));
    }
    (*out)[it->first.Scalar()] = it->second.IsNull() ? "" : it->second.Scalar();
  }
}

}  // namespace promlet::scrape::internal
