#include "scrape/discovery/file_sd.h"

#include <glob.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "yaml-cpp/yaml.h"

namespace promlet::scrape {

absl::StatusOr<std::vector<TargetGroup>> ParseFileSdContent(std::string_view content,
                                                            const std::string& path) {
  std::vector<TargetGroup> out;
  try {
    // JSON is read by the YAML parser too (Prometheus: json.Unmarshal for
    // .json, yaml.UnmarshalStrict otherwise; both accept this shape).
    YAML::Node root = YAML::Load(std::string(content));
    if (!root.IsDefined() || root.IsNull()) return out;
    if (!root.IsSequence()) return absl::InvalidArgumentError("expected a list of target groups");
    for (size_t i = 0; i < root.size(); ++i) {
      const YAML::Node g = root[i];
      if (!g.IsMap()) return absl::InvalidArgumentError(absl::StrCat("group ", i, ": expected a mapping"));
      TargetGroup tg;
      tg.source = absl::StrCat(path, ":", i);
      storage::LabelsBuilder lb;
      for (auto it = g.begin(); it != g.end(); ++it) {
        const std::string key = it->first.Scalar();
        if (key == "targets") {
          if (!it->second.IsSequence()) return absl::InvalidArgumentError(absl::StrCat("group ", i, ": targets must be a list"));
          const YAML::Node list = it->second;  // keep yaml-cpp's proxy alive for the loop
          for (const YAML::Node& t : list) {
            if (!t.IsScalar()) return absl::InvalidArgumentError(absl::StrCat("group ", i, ": targets must be strings"));
            if (t.Scalar().find('/') != std::string::npos) {
              return absl::InvalidArgumentError(absl::StrCat("\"", t.Scalar(), "\" is not a valid hostname"));
            }
            tg.targets.push_back(storage::Labels::FromPairs({{"__address__", t.Scalar()}}));
          }
        } else if (key == "labels") {
          if (it->second.IsNull()) continue;
          if (!it->second.IsMap()) return absl::InvalidArgumentError(absl::StrCat("group ", i, ": labels must be a mapping"));
          const YAML::Node label_map = it->second;  // keep yaml-cpp's proxy alive for the loop
          for (auto l = label_map.begin(); l != label_map.end(); ++l) {
            const std::string name = l->first.Scalar();
            if (!IsValidLabelName(name)) {
              return absl::InvalidArgumentError(absl::StrCat("\"", name, "\" is not a valid label name"));
            }
            if (!l->second.IsScalar()) return absl::InvalidArgumentError(absl::StrCat("label ", name, ": value must be a string"));
            lb.Set(name, l->second.Scalar());
          }
        } else {
          return absl::InvalidArgumentError(absl::StrCat("group ", i, ": field ", key, " not found in type targetgroup.Group"));
        }
      }
      lb.Set("__meta_filepath", path);
      tg.labels = lb.Build();
      out.push_back(std::move(tg));
    }
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("line ", e.mark.line + 1, ": ", e.msg));
  }
  return out;
}

std::map<std::string, std::string> FileSd::Stat() const {
  std::map<std::string, std::string> out;
  for (const std::string& pattern : cfg_.files) {
    glob_t g{};
    if (glob(pattern.c_str(), 0, nullptr, &g) == 0) {
      for (size_t i = 0; i < g.gl_pathc; ++i) {
        struct stat st {};
        if (stat(g.gl_pathv[i], &st) != 0) continue;
        out[g.gl_pathv[i]] = absl::StrCat(st.st_mtim.tv_sec, ".", st.st_mtim.tv_nsec, ":", st.st_size, ":", st.st_ino);
      }
    }
    globfree(&g);
  }
  return out;
}

bool FileSd::Changed() { return Stat() != last_stat_; }

DiscoveryResult FileSd::Refresh() {
  DiscoveryResult r;
  last_stat_ = Stat();
  std::map<std::string, std::vector<TargetGroup>> next;
  for (const auto& [path, sig] : last_stat_) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    absl::StatusOr<std::vector<TargetGroup>> groups =
        in ? ParseFileSdContent(ss.str(), path) : absl::NotFoundError("cannot read file");
    if (groups.ok()) {
      next[path] = *std::move(groups);
      continue;
    }
    r.errors.push_back(absl::StrCat("file_sd ", path, ": ", groups.status().message()));
    if (auto it = last_good_.find(path); it != last_good_.end()) next[path] = it->second;
  }
  last_good_ = std::move(next);
  for (const auto& [path, groups] : last_good_) r.groups.insert(r.groups.end(), groups.begin(), groups.end());
  return r;
}

std::string FileSd::name() const { return absl::StrCat("file_sd[", absl::StrJoin(cfg_.files, ","), "]"); }

}  // namespace promlet::scrape
