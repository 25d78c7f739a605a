#include "query/parser/printer.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "base/strings.h"
#include "query/parser/function_table.h"
#include "query/parser/lexer.h"
#include "query/parser/literals.h"

namespace promlet::query {
namespace {

using internal::IsLegacyLabelName;
using internal::IsLegacyMetricName;

// Decodes one UTF-8 rune; invalid input gives -1 and width 1.
int DecodeRune(std::string_view s, size_t i, int* width) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) {
    *width = 1;
    return b0;
  }
  int n = (b0 & 0xE0) == 0xC0 ? 2 : (b0 & 0xF0) == 0xE0 ? 3 : (b0 & 0xF8) == 0xF0 ? 4 : 0;
  *width = 1;
  if (n == 0 || i + n > s.size() || !internal::ValidUtf8(s.substr(i, n))) return -1;
  *width = n;
  int r = b0 & (0x7F >> n);
  for (int k = 1; k < n; ++k) r = (r << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  return r;
}

// Approximates Go's strconv.IsPrint for non-ASCII runes: C1 controls and a
// few format/separator characters are escaped, the rest printed as is.
bool IsPrintRune(int r) {
  if (r < 0x80) return r >= 0x20 && r < 0x7F;
  if (r < 0xA0 || r == 0xAD) return false;
  if (r == 0x2028 || r == 0x2029 || r == 0xFEFF || r == 0xFFFE || r == 0xFFFF) return false;
  if (r >= 0x200B && r <= 0x200F) return false;
  if (r >= 0xE000 && r <= 0xF8FF) return false;  // private use
  return true;
}

std::string QuoteName(std::string_view s, bool metric) {
  if (metric ? IsLegacyMetricName(s) : IsLegacyLabelName(s)) return std::string(s);
  return GoQuote(s);
}

// A label in a grouping list: "inf" and "nan" lex as numbers there and
// "without" is not accepted as a label (upstream grammar), so they need
// quotes to read back as label names.
std::string GroupingLabel(std::string_view s) {
  for (const char* word : {"inf", "nan", "without"}) {
    if (absl::EqualsIgnoreCase(base::Absl(s), word)) return GoQuote(s);
  }
  return QuoteName(s, false);
}

std::string MatcherString(const storage::Matcher& m) {
  static constexpr std::string_view kOps[] = {"=", "!=", "=~", "!~"};
  return absl::StrCat(QuoteName(m.name(), false), base::Absl(kOps[static_cast<int>(m.type())]),
                      GoQuote(m.value()));
}

std::string LabelList(const std::vector<std::string>& labels) {
  std::vector<std::string> quoted;
  quoted.reserve(labels.size());
  for (const std::string& l : labels) quoted.push_back(GroupingLabel(l));
  return absl::StrJoin(quoted, ", ");
}

std::string AtString(const AtModifier& at) {
  switch (at.kind) {
    case AtModifier::Kind::kNone:
      return "";
    case AtModifier::Kind::kStart:
      return " @ start()";
    case AtModifier::Kind::kEnd:
      return " @ end()";
    case AtModifier::Kind::kTimestamp: {
      // Exact "%.3f" of ms/1000 (Prometheus formats the float; the same text
      // for every timestamp below 2^53 ms).
      const uint64_t abs_ms = at.timestamp_ms < 0 ? 0 - static_cast<uint64_t>(at.timestamp_ms)
                                                  : static_cast<uint64_t>(at.timestamp_ms);
      return absl::StrFormat(" @ %s%d.%03d", at.timestamp_ms < 0 ? "-" : "", abs_ms / 1000,
                             abs_ms % 1000);
    }
  }
  return "";
}

std::string OffsetString(int64_t offset_ms) {
  if (offset_ms == 0) return "";
  return absl::StrCat(" offset ", FormatDuration(offset_ms));
}

// The selector without its @ and offset.
std::string SelectorBody(const VectorSelector& vs) {
  std::vector<std::string> parts;
  parts.reserve(vs.matchers.size());
  for (const storage::Matcher& m : vs.matchers) {
    if (m.name() == "__name__" && m.type() == storage::MatchType::kEqual && m.value() == vs.name &&
        !m.value().empty()) {
      continue;
    }
    parts.push_back(MatcherString(m));
  }
  std::sort(parts.begin(), parts.end());
  std::string out;
  if (!vs.name.empty() && !IsLegacyMetricName(vs.name)) {
    parts.insert(parts.begin(), GoQuote(vs.name));
  } else {
    out = vs.name;
  }
  if (!parts.empty()) absl::StrAppend(&out, "{", absl::StrJoin(parts, ","), "}");
  return out;
}

void PrintTo(const Expr& e, std::string* out);

std::string Str(const Expr* e) {
  std::string s;
  if (e != nullptr) PrintTo(*e, &s);
  return s;
}

void PrintTo(const Expr& e, std::string* out) {
  std::visit(
      Overloaded{
          [&](const NumberLiteral& n) { out->append(FormatNumber(n.value)); },
          [&](const StringLiteral& s) { out->append(GoQuote(s.value)); },
          [&](const VectorSelector& vs) {
            absl::StrAppend(out, SelectorBody(vs), AtString(vs.at), OffsetString(vs.offset_ms));
          },
          [&](const MatrixSelector& m) {
            const auto* vs =
                m.vector_selector ? std::get_if<VectorSelector>(&m.vector_selector->node) : nullptr;
            if (vs == nullptr) {
              absl::StrAppend(out, Str(m.vector_selector.get()), "[", FormatDuration(m.range_ms),
                              "]");
              return;
            }
            absl::StrAppend(out, SelectorBody(*vs), "[", FormatDuration(m.range_ms), "]",
                            AtString(vs->at), OffsetString(vs->offset_ms));
          },
          [&](const SubqueryExpr& s) {
            absl::StrAppend(out, Str(s.expr.get()), "[", FormatDuration(s.range_ms), ":",
                            s.step_ms != 0 ? FormatDuration(s.step_ms) : "", "]", AtString(s.at),
                            OffsetString(s.offset_ms));
          },
          [&](const ParenExpr& p) { absl::StrAppend(out, "(", Str(p.expr.get()), ")"); },
          [&](const UnaryExpr& u) {
            out->push_back(u.op);
            PrintTo(*u.expr, out);
          },
          [&](const BinaryExpr& b) {
            // A signed number left of '^' would read back as a unary sign
            // applied to the power ("+Inf ^ 2" is +(Inf ^ 2)): print +Inf as
            // "Inf" (Prometheus prints "+Inf" here and does not round-trip)
            // and parenthesise negative numbers, which only hand-built trees
            // have there.
            const auto* n = std::get_if<NumberLiteral>(&b.lhs->node);
            if (b.op == BinaryOp::kPow && n != nullptr && std::isinf(n->value) && n->value > 0) {
              out->append("Inf");
            } else if (b.op == BinaryOp::kPow && n != nullptr && !std::isnan(n->value) &&
                       std::signbit(n->value)) {
              absl::StrAppend(out, "(", FormatNumber(n->value), ")");
            } else {
              PrintTo(*b.lhs, out);
            }
            absl::StrAppend(out, " ", BinaryOpString(b.op), b.return_bool ? " bool" : "");
            if (b.matching) {
              const VectorMatching& vm = *b.matching;
              const bool grouped = vm.card == VectorMatching::Card::kManyToOne ||
                                   vm.card == VectorMatching::Card::kOneToMany;
              if (!vm.matching_labels.empty() || vm.on || grouped) {
                absl::StrAppend(out, vm.on ? " on (" : " ignoring (", LabelList(vm.matching_labels),
                                ")");
              }
              if (grouped) {
                absl::StrAppend(out,
                                vm.card == VectorMatching::Card::kManyToOne ? " group_left ("
                                                                            : " group_right (",
                                LabelList(vm.include), ")");
              }
            }
            out->push_back(' ');
            PrintTo(*b.rhs, out);
          },
          [&](const AggregateExpr& a) {
            out->append(AggregateOpString(a.op));
            if (a.without) {
              absl::StrAppend(out, " without (", LabelList(a.grouping), ") ");
            } else if (!a.grouping.empty()) {
              absl::StrAppend(out, " by (", LabelList(a.grouping), ") ");
            }
            out->push_back('(');
            if (a.param) absl::StrAppend(out, Str(a.param.get()), ", ");
            absl::StrAppend(out, Str(a.expr.get()), ")");
          },
          [&](const Call& c) {
            if (c.func != nullptr) out->append(c.func->name);
            out->push_back('(');
            for (size_t i = 0; i < c.args.size(); ++i) {
              if (i > 0) out->append(", ");
              PrintTo(*c.args[i], out);
            }
            out->push_back(')');
          },
      },
      e.node);
}

}  // namespace

std::string Print(const Expr& e) {
  std::string out;
  PrintTo(e, &out);
  return out;
}

std::string FormatDuration(int64_t ms) {
  if (ms == 0) return "0s";
  std::string out;
  uint64_t v = static_cast<uint64_t>(ms);
  if (ms < 0) {
    out.push_back('-');  // not out = "-": g++ 12 -O2 with ASan reports a false -Wrestrict
    v = 0 - v;
  }
  struct Unit {
    const char* name;
    uint64_t ms;
    bool exact;  // years and weeks only when nothing is left over: 90d, not 12w6d
  };
  static constexpr Unit kUnits[] = {
      {"y", 365ULL * 24 * 3600 * 1000, true},
      {"w", 7ULL * 24 * 3600 * 1000, true},
      {"d", 24ULL * 3600 * 1000, false},
      {"h", 3600ULL * 1000, false},
      {"m", 60ULL * 1000, false},
      {"s", 1000, false},
      {"ms", 1, false},
  };
  for (const Unit& u : kUnits) {
    if (u.exact && v % u.ms != 0) continue;
    if (const uint64_t n = v / u.ms; n > 0) {
      absl::StrAppend(&out, n, u.name);
      v -= n * u.ms;
    }
  }
  return out;
}

std::string FormatNumber(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  // Go prints the shortest round-trip digits and pads with zeros (1e21 ->
  // "1000000000000000000000"); std::to_chars(fixed) would print the exact
  // binary value instead. So take the shortest digits from scientific form
  // and place the decimal point ourselves.
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::scientific);
  if (ec != std::errc()) return absl::StrFormat("%f", v);
  std::string_view sci(buf, end - buf);
  std::string out;
  if (sci.front() == '-') {
    out.push_back('-');
    sci.remove_prefix(1);
  }
  const size_t e_pos = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e_pos)) {
    if (c != '.') digits.push_back(c);
  }
  int exp = 0;
  std::string_view exp_str = sci.substr(e_pos + 1);
  if (exp_str.front() == '+') exp_str.remove_prefix(1);
  std::from_chars(exp_str.data(), exp_str.data() + exp_str.size(), exp);
  const int n = static_cast<int>(digits.size());
  if (exp >= n - 1) {
    out += digits;
    out.append(exp - (n - 1), '0');
  } else if (exp >= 0) {
    out += digits.substr(0, exp + 1);
    out.push_back('.');
    out += digits.substr(exp + 1);
  } else {
    out += "0.";
    out.append(-exp - 1, '0');
    out += digits;
  }
  return out;
}

std::string GoQuote(std::string_view s) {
  std::string out = "\"";
  for (size_t i = 0; i < s.size();) {
    int w;
    const int r = DecodeRune(s, i, &w);
    if (r < 0) {
      absl::StrAppendFormat(&out, "\\x%02x", static_cast<unsigned char>(s[i]));
    } else if (r == '"' || r == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(r));
    } else if (IsPrintRune(r)) {
      out.append(s.substr(i, w));
    } else if (std::string_view e = internal::GoLetterEscape(r); !e.empty()) {
      out += e;
    } else if (r < 0x20 || r == 0x7F) {
      absl::StrAppendFormat(&out, "\\x%02x", r);
    } else if (r < 0x10000) {
      absl::StrAppendFormat(&out, "\\u%04x", r);
    } else {
      absl::StrAppendFormat(&out, "\\U%08x", r);
    }
    i += w;
  }
  out.push_back('"');
  return out;
}

}  // namespace promlet::query
