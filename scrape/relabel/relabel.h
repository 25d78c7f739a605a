// Relabeling as Prometheus does it (model/relabel/relabel.go): every action,
// anchored regexes, Go-style $1 / ${name} expansion, hashmod over MD5.
//
//   storage::LabelsBuilder b(target_labels);
//   if (!Relabel(cfg.relabel_configs, &b)) { /* dropped */ }
//   storage::Labels out = b.Build();
#ifndef PROMLET_SCRAPE_RELABEL_RELABEL_H_
#define PROMLET_SCRAPE_RELABEL_RELABEL_H_

#include <string>
#include <string_view>
#include <vector>

#include "re2/re2.h"
#include "scrape/config/config.h"
#include "storage/api/labels.h"

namespace promlet::scrape {

// Applies the rules in order; returns false as soon as one drops the set.
// Pure function of its inputs; thread-safe for distinct builders.
bool Relabel(const std::vector<RelabelConfig>& rules, storage::LabelsBuilder* lb);

// Same on a Labels value; returns an empty Labels when dropped.
storage::Labels Relabel(const std::vector<RelabelConfig>& rules, const storage::Labels& in);

// Go regexp.Expand: appends `tmpl` to *dst with $n, ${n}, $name, ${name}
// replaced by the submatches of `re` (groups[0] is the whole match); $$ is
// a literal $; unknown groups expand to "".
void ExpandTemplate(const RE2& re, std::string_view tmpl, const re2::StringPiece* groups,
                    int num_groups, std::string* dst);

// Prometheus hashmod: the last 8 bytes of md5(s), big-endian, modulo m.
uint64_t HashMod(std::string_view s, uint64_t modulus);

}  // namespace promlet::scrape

#endif  // PROMLET_SCRAPE_RELABEL_RELABEL_H_
