// Table tests for every relabel action and the defaults; expectations follow
// Prometheus model/relabel/relabel_test.go.
#include "scrape/relabel/relabel.h"

#include "gtest/gtest.h"

namespace promlet::scrape {
namespace {

using storage::Labels;

// Builds a rule from a YAML snippet so defaults are the parser's.
RelabelConfig Rule(const std::string& yaml) {
  absl::StatusOr<Config> cfg =
      ParseConfig("scrape_configs: [{job_name: j, relabel_configs: [" + yaml + "]}]");
  EXPECT_TRUE(cfg.ok()) << cfg.status();
  return cfg->scrape_configs[0].relabel_configs[0];
}

// `want` is the ToString() of the result, or "dropped".
void Check(const std::string& rule, const Labels& in, const std::string& want) {
  SCOPED_TRACE(rule);
  Labels out = Relabel({Rule(rule)}, in);
  EXPECT_EQ(out.empty() ? "dropped" : out.ToString(), want);
}

const Labels kIn = Labels::FromPairs({{"a", "foo"}, {"b", "bar"}, {"c", "baz"}});

TEST(RelabelTest, Replace) {
  Check("{source_labels: [a], regex: 'f(.*)', target_label: d, replacement: 'ch${1}-ch${1}'}", kIn,
        R"({a="foo", b="bar", c="baz", d="choo-choo"})");
  // Defaults: regex (.*), replacement $1, separator ';'.
  Check("{source_labels: [a, b], target_label: d}", kIn, R"({a="foo", b="bar", c="baz", d="foo;bar"})");
  Check("{source_labels: [a, b], separator: '-', target_label: d}", kIn,
        R"({a="foo", b="bar", c="baz", d="foo-bar"})");
  // Anchored: "o" alone does not match "foo".
  Check("{source_labels: [a], regex: 'o', target_label: d, replacement: x}", kIn,
        R"({a="foo", b="bar", c="baz"})");
  // Empty replacement deletes the target label.
  Check("{source_labels: [a], regex: 'foo', target_label: b, replacement: ''}", kIn, R"({a="foo", c="baz"})");
  // Target label from a capture group; invalid names are skipped.
  Check("{source_labels: [a], regex: '(f)(.*)', target_label: 'x_$1', replacement: '$2'}", kIn,
        R"({a="foo", b="bar", c="baz", x_f="oo"})");
  Check("{source_labels: [a], regex: '(.*)', target_label: '${1}', replacement: 'y'}",
        Labels::FromPairs({{"a", "1x"}}), R"({a="1x"})");
  // Named groups, $$ and unknown groups.
  Check("{source_labels: [a], regex: '(?P<n>f)oo', target_label: d, replacement: '$n$$ $9 ${n}x $nx'}", kIn,
        R"({a="foo", b="bar", c="baz", d="f$  fx "})");
  // Missing source labels join as empty strings.
  Check("{source_labels: [zz], regex: '', target_label: d, replacement: empty}", kIn,
        R"({a="foo", b="bar", c="baz", d="empty"})");
}

TEST(RelabelTest, KeepDrop) {
  Check("{source_labels: [a], regex: 'f.*', action: keep}", kIn, kIn.ToString());
  Check("{source_labels: [a], regex: 'f', action: keep}", kIn, "dropped");
  Check("{source_labels: [a], regex: 'f.*', action: drop}", kIn, "dropped");
  Check("{source_labels: [a], regex: 'f', action: drop}", kIn, kIn.ToString());
  Check("{source_labels: [a, b], regex: 'foo;bar', action: drop}", kIn, "dropped");
  // Default regex (.*) keeps everything; drops everything.
  Check("{source_labels: [a], action: keep}", kIn, kIn.ToString());
  Check("{source_labels: [a], action: drop}", kIn, "dropped");
}

TEST(RelabelTest, KeepEqualDropEqual) {
  const Labels in = Labels::FromPairs({{"a", "1"}, {"b", "1"}, {"c", "2"}});
  Check("{source_labels: [a], target_label: b, action: keepequal}", in, in.ToString());
  Check("{source_labels: [a], target_label: c, action: keepequal}", in, "dropped");
  Check("{source_labels: [a], target_label: b, action: dropequal}", in, "dropped");
  Check("{source_labels: [a], target_label: c, action: dropequal}", in, in.ToString());
}

TEST(RelabelTest, HashModMatchesPrometheus) {
  // Prometheus relabel_test.go: c="baz", modulus 1000 -> "976".
  EXPECT_EQ(HashMod("baz", 1000), 976u);
  EXPECT_EQ(HashMod("foo", 1000), 696u);
  Check("{source_labels: [c], target_label: h, modulus: 1000, action: hashmod}", kIn,
        R"({a="foo", b="bar", c="baz", h="976"})");
  Check("{source_labels: [a], target_label: h, modulus: 1, action: hashmod}", kIn,
        R"({a="foo", b="bar", c="baz", h="0"})");
}

TEST(RelabelTest, LabelMapDropKeep) {
  const Labels in = Labels::FromPairs({{"__meta_x", "1"}, {"__meta_my_name", "2"}, {"b", "3"}});
  Check("{regex: '__meta_(my.*)', action: labelmap}", in,
        R"({__meta_my_name="2", __meta_x="1", b="3", my_name="2"})");
  Check("{regex: '__meta_(.*)', replacement: 'm_${1}', action: labelmap}", in,
        R"({__meta_my_name="2", __meta_x="1", b="3", m_my_name="2", m_x="1"})");
  Check("{regex: '__meta_.*', action: labeldrop}", in, R"({b="3"})");
  Check("{regex: '__meta_.*', action: labelkeep}", in, R"({__meta_my_name="2", __meta_x="1"})");
  // Anchored: "meta" alone matches no name.
  Check("{regex: 'meta', action: labeldrop}", in, in.ToString());
}

TEST(RelabelTest, LowerUpper) {
  const Labels in = Labels::FromPairs({{"a", "AbC"}, {"b", "xY"}});
  Check("{source_labels: [a, b], target_label: l, action: lowercase}", in, R"({a="AbC", b="xY", l="abc;xy"})");
  Check("{source_labels: [a], target_label: u, action: uppercase}", in, R"({a="AbC", b="xY", u="ABC"})");
}

TEST(RelabelTest, RulesRunInOrderAndStopOnDrop) {
  std::vector<RelabelConfig> rules = {
      Rule("{source_labels: [a], target_label: d, replacement: 'x$1'}"),
      Rule("{source_labels: [d], regex: 'xfoo', action: drop}"),
      Rule("{source_labels: [a], target_label: never}")};
  EXPECT_TRUE(Relabel(rules, kIn).empty());
  EXPECT_EQ(Relabel({}, kIn), kIn);
}

}  // namespace
}  // namespace promlet::scrape
