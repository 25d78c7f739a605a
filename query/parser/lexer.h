// The PromQL lexer (internal to the parser): a port of the state machine in
// Prometheus `promql/parser/lex.go`, so tokens, their positions and lexer
// error texts match. Duration arithmetic inside brackets, `anchored`,
// `smoothed` and `fill` modifiers (experimental upstream) are not lexed
// specially: those words are plain identifiers here.
//
//   Lexer lex(query);
//   for (Token t = lex.Next(); t.type != TokenType::kEOF; t = lex.Next()) ...
//
// A Token's text is a view into the input; the input must outlive it.
#ifndef PROMLET_QUERY_PARSER_LEXER_H_
#define PROMLET_QUERY_PARSER_LEXER_H_

#include <string>
#include <string_view>

namespace promlet::query::internal {

enum class TokenType {
  kEOF,
  kError,  // text() holds the message
  kComment,
  kIdentifier,
  kMetricIdentifier,  // identifier with a ':'
  kNumber,
  kDuration,
  kString,
  kLeftParen,
  kRightParen,
  kLeftBrace,
  kRightBrace,
  kLeftBracket,
  kRightBracket,
  kComma,
  kEql,  // '=' (label matching, label sets)
  kColon,
  // Operators.
  kAdd,
  kSub,
  kMul,
  kDiv,
  kMod,
  kPow,
  kEqlc,  // ==
  kNeq,
  kLte,
  kLss,
  kGte,
  kGtr,
  kEqlRegex,
  kNeqRegex,
  kAt,
  kLand,
  kLor,
  kLunless,
  kAtan2,
  // Aggregators.
  kAvg,
  kBottomk,
  kCount,
  kCountValues,
  kGroup,
  kMax,
  kMin,
  kQuantile,
  kStddev,
  kStdvar,
  kSum,
  kTopk,
  kLimitk,
  kLimitRatio,
  // Keywords.
  kBool,
  kBy,
  kGroupLeft,
  kGroupRight,
  kIgnoring,
  kOffset,
  kOn,
  kWithout,
  // @ modifier preprocessors.
  kStart,
  kEnd,
};

bool IsOperator(TokenType t);
bool IsAggregator(TokenType t);
bool IsKeyword(TokenType t);  // keywords and start/end

struct Token {
  TokenType type = TokenType::kEOF;
  int pos = 0;           // byte offset of the first character
  std::string_view val;  // the text as written (for kError: see message)
  std::string message;   // kError only

  int end() const { return pos + static_cast<int>(val.size()); }
  // Prometheus `Item.desc()`, used in "unexpected ..." errors:
  // `"}"`, `identifier "foo"`, `<op:+>`, `<aggr:sum>`, `<by>`, `end of input`.
  std::string Desc() const;
};

// Go `strconv.QuoteRune` for lexer messages ('x', '\n', '\x01').
std::string QuoteRune(int r);
// The escape Go's strconv quoting writes for a control rune with a letter
// escape ("\\a", "\\b", "\\f", "\\n", "\\r", "\\t", "\\v"); empty for
// any other rune. Shared by QuoteRune and the printer's string quoting.
std::string_view GoLetterEscape(int r);

// Thread-compatible; one per parse.
class Lexer {
 public:
  explicit Lexer(std::string_view input) : input_(input) {}

  // The next token; kEOF forever after the end or after an error.
  Token Next();

  std::string_view input() const { return input_; }

 private:
  int Peek() const;  // next rune (byte; multi-byte runes decoded), -1 at end
  int NextRune();    // consumes and returns it
  void Backup() { pos_ -= width_; }
  bool Accept(std::string_view valid);
  void AcceptRun(std::string_view valid);
  bool Is(std::string_view valid) const;
  Token Emit(TokenType t);
  Token Error(std::string msg);

  Token LexStatements();
  Token LexInsideBraces();
  Token LexNumberOrDuration();
  Token LexString(int quote);
  Token LexRawString();
  Token LexIdentifier();
  Token LexKeywordOrIdentifier();
  Token LexLineComment();
  bool ScanNumber();
  bool AcceptRemainingDuration();
  void SkipSpaces();

  std::string_view input_;
  int pos_ = 0;
  int start_ = 0;
  int width_ = 0;
  bool done_ = false;
  int paren_depth_ = 0;
  bool brace_open_ = false;
  bool bracket_open_ = false;
  bool got_colon_ = false;
};

}  // namespace promlet::query::internal

#endif  // PROMLET_QUERY_PARSER_LEXER_H_
