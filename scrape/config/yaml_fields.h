// Internal: strict field-by-field reading of yaml-cpp nodes, so every field
// is either known, known-but-unsupported, or an error with line and column.
// yaml-cpp throws; everything here catches at the adapter and returns Status.
#ifndef PROMLET_SCRAPE_CONFIG_YAML_FIELDS_H_
#define PROMLET_SCRAPE_CONFIG_YAML_FIELDS_H_

#include <cstdint>
#include <initializer_list>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "yaml-cpp/yaml.h"

namespace promlet::scrape::internal {

// Formats "file:line:col: msg" (1-based, like Prometheus's yaml errors).
absl::Status YamlError(std::string_view file, const YAML::Mark& mark, absl::string_view msg);

// Reads one YAML mapping. Thread-compatible; lives for one parse.
class Fields {
 public:
  // `type` names the Prometheus type in messages ("scrape_config").
  // `unsupported` lists real Prometheus fields promlet rejects.
  Fields(const YAML::Node& node, std::string_view type, std::string_view file,
         std::vector<std::string_view> unsupported = {});

  absl::Status status() const { return status_; }
  // Every field that was never asked for is an error (unknown or unsupported).
  absl::Status Finish();

  bool Has(std::string_view key);
  YAML::Node Node(std::string_view key);  // marks the key known; may be undefined
  YAML::Mark MarkOf(std::string_view key) const;

  void String(std::string_view key, std::string* out);
  void Bool(std::string_view key, bool* out);
  void Uint(std::string_view key, uint64_t* out);
  void Int(std::string_view key, int* out);
  void Duration(std::string_view key, absl::Duration* out);
  void StringList(std::string_view key, std::vector<std::string>* out);
  void StringMap(std::string_view key, std::map<std::string, std::string>* out);
  // Records an error at `key` (first error wins).
  void Fail(std::string_view key, absl::string_view msg);
  void FailAt(const YAML::Mark& mark, absl::string_view msg);
  const std::string& file() const { return file_; }

 private:
  YAML::Node node_;
  std::string type_;
  std::string file_;
  std::vector<std::string> unsupported_;
  std::map<std::string, bool, std::less<>> asked_;
  absl::Status status_;
};

}  // namespace promlet::scrape::internal

#endif  // PROMLET_SCRAPE_CONFIG_YAML_FIELDS_H_
