// The lexer in isolation (internal API): token kinds, positions, modes.
#include "query/parser/lexer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace promlet::query::internal {
namespace {

// "kind:text" for each token up to and including EOF or an error.
std::vector<std::string> Lex(std::string_view input) {
  Lexer lex(input);
  std::vector<std::string> out;
  for (;;) {
    Token t = lex.Next();
    if (t.type == TokenType::kError) {
      out.push_back("error@" + std::to_string(t.pos) + ":" + t.message);
      return out;
    }
    if (t.type == TokenType::kEOF) return out;
    out.push_back(t.Desc() + "@" + std::to_string(t.pos));
  }
}

TEST(LexerTest, Tokens) {
  using V = std::vector<std::string>;
  EXPECT_EQ(Lex("foo"), (V{"identifier \"foo\"@0"}));
  EXPECT_EQ(Lex("foo:bar"), (V{"metric identifier \"foo:bar\"@0"}));
  EXPECT_EQ(Lex("sum BY offset"), (V{"<aggr:sum>@0", "<BY>@4", "<offset>@7"}));
  EXPECT_EQ(Lex("a and b"), (V{"identifier \"a\"@0", "<op:and>@2", "identifier \"b\"@6"}));
  EXPECT_EQ(Lex("1 5m .5 0x1f Inf"), (V{"number \"1\"@0", "duration \"5m\"@2", "number \".5\"@5",
                                        "number \"0x1f\"@8", "number \"Inf\"@13"}));
  EXPECT_EQ(Lex("== != <= < >= > =~"),
            (V{"<op:==>@0", "<op:!=>@3", "<op:<=>@6", "<op:<>@9", "<op:>=>@11", "<op:>>@14",
               "error@16:unexpected character after '=': '~'"}));
  EXPECT_EQ(Lex("{a=~\"b\",c!~'d'}"),
            (V{"\"{\"@0", "identifier \"a\"@1", "<op:=~>@2", "string \"\\\"b\\\"\"@4", "\",\"@7",
               "identifier \"c\"@8", "<op:!~>@9", "string \"'d'\"@11", "\"}\"@14"}));
  // Keywords inside braces are plain identifiers.
  EXPECT_EQ(Lex("{by=\"x\"}"),
            (V{"\"{\"@0", "identifier \"by\"@1", "\"=\"@3", "string \"\\\"x\\\"\"@4", "\"}\"@7"}));
  EXPECT_EQ(Lex("x[5m:1m]"), (V{"identifier \"x\"@0", "\"[\"@1", "duration \"5m\"@2", "\":\"@4",
                                "duration \"1m\"@5", "\"]\"@7"}));
  EXPECT_EQ(Lex("# comment\nfoo # more"),
            (V{"comment \"# comment\"@0", "identifier \"foo\"@10", "comment \"# more\"@14"}));
  EXPECT_EQ(Lex("\"a very long string\""), (V{"string \"\\\"a very lo\"...@0"}));
  EXPECT_EQ(Lex("@ start ( )"), (V{"<op:@>@0", "\"start\"@2", "\"(\"@8", "\")\"@10"}));
}

TEST(LexerTest, Errors) {
  using V = std::vector<std::string>;
  EXPECT_EQ(Lex("foo{"), (V{"identifier \"foo\"@0", "\"{\"@3",
                            "error@4:unexpected end of input inside braces"}));
  EXPECT_EQ(Lex("$"), (V{"error@0:unexpected character: '$'"}));
  EXPECT_EQ(Lex("\xe2\x82\xac"), (V{"error@0:unexpected character: '\xe2\x82\xac'"}));
  EXPECT_EQ(Lex("\xff"), (V{"error@0:unexpected character: '\xef\xbf\xbd'"}));
  EXPECT_EQ(Lex("1e"), (V{"error@0:bad number or duration syntax: \"1e\""}));
  EXPECT_EQ(Lex("[[").back(), "error@1:unexpected left bracket '['");
  EXPECT_EQ(Lex("]"), (V{"error@0:unexpected right bracket ']'"}));
  EXPECT_EQ(Lex("\"\\q\"").back(), "error@0:unknown escape sequence U+0071 'q'");
  EXPECT_EQ(Lex("'a\"").back(), "error@0:unterminated quoted string");
  EXPECT_EQ(Lex("{a!b}").back(), "error@2:unexpected character after '!' inside braces: 'b'");
  EXPECT_EQ(Lex("{{").back(), "error@1:unexpected left brace '{'");
}

TEST(LexerTest, QuoteRune) {
  EXPECT_EQ(QuoteRune('a'), "'a'");
  EXPECT_EQ(QuoteRune('\''), "'\\''");
  EXPECT_EQ(QuoteRune('\n'), "'\\n'");
  EXPECT_EQ(QuoteRune(1), "'\\x01'");
  EXPECT_EQ(QuoteRune(0x263a), "'\u263a'");
  EXPECT_EQ(QuoteRune(-1), "'\ufffd'");
}

}  // namespace
}  // namespace promlet::query::internal
