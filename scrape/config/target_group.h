// A target group: what discovery produces and static_configs declare. Each
// target is a label set holding at least __address__; `labels` apply to
// every target of the group that does not set them itself.
#ifndef PROMLET_SCRAPE_CONFIG_TARGET_GROUP_H_
#define PROMLET_SCRAPE_CONFIG_TARGET_GROUP_H_

#include <string>
#include <vector>

#include "storage/api/labels.h"

namespace promlet::scrape {

// Value type.
struct TargetGroup {
  std::string source;  // unique within one provider, e.g. "file.json:0"
  std::vector<storage::Labels> targets;
  storage::Labels labels;
  friend bool operator==(const TargetGroup&, const TargetGroup&) = default;
};

}  // namespace promlet::scrape

#endif  // PROMLET_SCRAPE_CONFIG_TARGET_GROUP_H_
