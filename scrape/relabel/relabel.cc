#include "scrape/relabel/relabel.h"

#include <openssl/evp.h>

#include <cctype>
#include <cstring>

#include "absl/container/inlined_vector.h"

namespace promlet::scrape {
namespace {

bool IsWordChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || static_cast<unsigned char>(c) >= 0x80;
}

bool Match(const RE2& re, std::string_view s) {
  return re.Match(re2::StringPiece(s.data(), s.size()), 0, s.size(), RE2::UNANCHORED, nullptr, 0);
}

// One relabel step (relabel.go relabel()).
bool Apply(const RelabelConfig& c, storage::LabelsBuilder* lb) {
  std::string val;
  for (size_t i = 0; i < c.source_labels.size(); ++i) {
    if (i > 0) val += c.separator;
    val += lb->Get(c.source_labels[i]);
  }
  const RE2& re = *c.regex;
  switch (c.action) {
    case RelabelAction::kDrop:
      return !Match(re, val);
    case RelabelAction::kKeep:
      return Match(re, val);
    case RelabelAction::kDropEqual:
      return lb->Get(c.target_label) != val;
    case RelabelAction::kKeepEqual:
      return lb->Get(c.target_label) == val;
    case RelabelAction::kReplace: {
      const int n = re.NumberOfCapturingGroups() + 1;
      absl::InlinedVector<re2::StringPiece, 8> groups(n);
      if (!re.Match(re2::StringPiece(val), 0, val.size(), RE2::UNANCHORED, groups.data(), n)) break;
      std::string target;
      ExpandTemplate(re, c.target_label, groups.data(), n, &target);
      if (!IsValidLabelName(target)) break;
      std::string res;
      ExpandTemplate(re, c.replacement, groups.data(), n, &res);
      if (res.empty()) {
        lb->Del(target);
      } else {
        lb->Set(target, res);
      }
      break;
    }
    case RelabelAction::kLowercase:
    case RelabelAction::kUppercase: {
      const bool lower = c.action == RelabelAction::kLowercase;
      for (char& ch : val) {
        ch = lower ? static_cast<char>(std::tolower(static_cast<unsigned char>(ch)))
                   : static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      }
      lb->Set(c.target_label, val);
      break;
    }
    case RelabelAction::kHashMod:
      lb->Set(c.target_label, std::to_string(HashMod(val, c.modulus)));
      break;
    case RelabelAction::kLabelMap: {
      std::vector<std::pair<std::string, std::string>> add;
      const int n = re.NumberOfCapturingGroups() + 1;
      absl::InlinedVector<re2::StringPiece, 8> groups(n);
      lb->ForEach([&](std::string_view name, std::string_view value) {
        if (re.Match(re2::StringPiece(name.data(), name.size()), 0, name.size(), RE2::UNANCHORED,
                     groups.data(), n)) {
          std::string res;
          ExpandTemplate(re, c.replacement, groups.data(), n, &res);
          add.emplace_back(std::move(res), std::string(value));
        }
      });
      for (auto& [name, value] : add) lb->Set(name, value);
      break;
    }
    case RelabelAction::kLabelDrop:
      lb->Filter([&](std::string_view name, std::string_view) { return !Match(re, name); });
      break;
    case RelabelAction::kLabelKeep:
      lb->Filter([&](std::string_view name, std::string_view) { return Match(re, name); });
      break;
  }
  return true;
}

}  // namespace

void ExpandTemplate(const RE2& re, std::string_view tmpl, const re2::StringPiece* groups,
                    int num_groups, std::string* dst) {
  while (!tmpl.empty()) {
    const size_t dollar = tmpl.find('$');
    if (dollar == std::string_view::npos) break;
    dst->append(tmpl.substr(0, dollar));
    tmpl.remove_prefix(dollar + 1);
    if (!tmpl.empty() && tmpl[0] == '$') {
      dst->push_back('$');
      tmpl.remove_prefix(1);
      continue;
    }
    // extract(): a name of word characters, optionally in braces.
    std::string_view s = tmpl;
    const bool brace = !s.empty() && s[0] == '{';
    if (brace) s.remove_prefix(1);
    size_t i = 0;
    while (i < s.size() && IsWordChar(s[i])) ++i;
    if (i == 0 || (brace && (i >= s.size() || s[i] != '}'))) {
      dst->push_back('$');  // malformed: the $ is literal text
      continue;
    }
    const std::string_view name = s.substr(0, i);
    tmpl = s.substr(brace ? i + 1 : i);
    int num = 0;
    for (char ch : name) {
      if (ch < '0' || ch > '9' || num >= 100000000) {
        num = -1;
        break;
      }
      num = num * 10 + (ch - '0');
    }
    if (name[0] == '0' && name.size() > 1) num = -1;
    if (num < 0) {
      const auto& named = re.NamedCapturingGroups();
      auto it = named.find(std::string(name));
      if (it != named.end()) num = it->second;
      else continue;
    }
    if (num < num_groups && groups[num].data() != nullptr) {
      dst->append(groups[num].data(), groups[num].size());
    }
  }
  dst->append(tmpl);
}

uint64_t HashMod(std::string_view s, uint64_t modulus) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(s.data(), s.size(), md, &len, EVP_md5(), nullptr);
  uint64_t v = 0;
  for (int i = 8; i < 16; ++i) v = (v << 8) | md[i];
  return v % modulus;
}

bool Relabel(const std::vector<RelabelConfig>& rules, storage::LabelsBuilder* lb) {
  for (const RelabelConfig& c : rules) {
    if (!Apply(c, lb)) return false;
  }
  return true;
}

storage::Labels Relabel(const std::vector<RelabelConfig>& rules, const storage::Labels& in) {
  storage::LabelsBuilder b(in);
  if (!Relabel(rules, &b)) return storage::Labels();
  return b.Build();
}

}  // namespace promlet::scrape
