#include "query/parser/lexer.h"

#include <cctype>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/strings.h"

namespace promlet::query::internal {
namespace {

constexpr int kEof = -1;
constexpr int kRuneError = 0xFFFD;

bool IsSpace(int r) { return r == ' ' || r == '\t' || r == '\n' || r == '\r'; }
bool IsDigit(int r) { return r >= '0' && r <= '9'; }
bool IsAlpha(int r) { return r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z'); }
bool IsAlphaNumeric(int r) { return IsAlpha(r) || IsDigit(r); }

struct Keyword {
  std::string_view word;
  TokenType type;
};

// Prometheus lex.go `key` (lower case). "inf" and "nan" lex as numbers.
constexpr Keyword kKeywords[] = {
    {"and", TokenType::kLand},
    {"or", TokenType::kLor},
    {"unless", TokenType::kLunless},
    {"atan2", TokenType::kAtan2},
    {"sum", TokenType::kSum},
    {"avg", TokenType::kAvg},
    {"count", TokenType::kCount},
    {"min", TokenType::kMin},
    {"max", TokenType::kMax},
    {"group", TokenType::kGroup},
    {"stddev", TokenType::kStddev},
    {"stdvar", TokenType::kStdvar},
    {"topk", TokenType::kTopk},
    {"bottomk", TokenType::kBottomk},
    {"count_values", TokenType::kCountValues},
    {"quantile", TokenType::kQuantile},
    {"limitk", TokenType::kLimitk},
    {"limit_ratio", TokenType::kLimitRatio},
    {"offset", TokenType::kOffset},
    {"by", TokenType::kBy},
    {"without", TokenType::kWithout},
    {"on", TokenType::kOn},
    {"ignoring", TokenType::kIgnoring},
    {"group_left", TokenType::kGroupLeft},
    {"group_right", TokenType::kGroupRight},
    {"bool", TokenType::kBool},
    {"start", TokenType::kStart},
    {"end", TokenType::kEnd},
    {"inf", TokenType::kNumber},
    {"nan", TokenType::kNumber},
};

bool LookupKeyword(std::string_view word, TokenType* type) {
  if (word.size() > 12) return false;
  std::string lower = absl::AsciiStrToLower(base::Absl(word));
  for (const Keyword& k : kKeywords) {
    if (k.word == lower) {
      *type = k.type;
      return true;
    }
  }
  return false;
}

// Decodes one UTF-8 rune like Go's utf8.DecodeRuneInString: invalid input
// gives (RuneError, 1).
int DecodeRune(std::string_view s, int* width) {
  const auto b0 = static_cast<unsigned char>(s[0]);
  if (b0 < 0x80) {
    *width = 1;
    return b0;
  }
  int n;
  int r;
  int min;
  if ((b0 & 0xE0) == 0xC0) {
    n = 2, r = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    n = 3, r = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    n = 4, r = b0 & 0x07, min = 0x10000;
  } else {
    *width = 1;
    return kRuneError;
  }
  if (static_cast<int>(s.size()) < n) {
    *width = 1;
    return kRuneError;
  }
  for (int i = 1; i < n; ++i) {
    const auto b = static_cast<unsigned char>(s[i]);
    if ((b & 0xC0) != 0x80) {
      *width = 1;
      return kRuneError;
    }
    r = (r << 6) | (b & 0x3F);
  }
  if (r < min || r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF)) {
    *width = 1;
    return kRuneError;
  }
  *width = n;
  return r;
}

void AppendRune(std::string* out, int r) {
  if (r < 0x80) {
    out->push_back(static_cast<char>(r));
  } else if (r < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (r >> 6)));
    out->push_back(static_cast<char>(0x80 | (r & 0x3F)));
  } else if (r < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (r >> 12)));
    out->push_back(static_cast<char>(0x80 | ((r >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (r & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (r >> 18)));
    out->push_back(static_cast<char>(0x80 | ((r >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((r >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (r & 0x3F)));
  }
}

// Go's %q of a string, or (Item.String() for long values) its first 10
// runes quoted plus "...".
std::string QuoteForDesc(std::string_view s, bool truncate = true) {
  std::string q;
  int runes = 0;
  size_t i = 0;
  while (i < s.size() && (runes < 10 || !truncate)) {
    int w;
    DecodeRune(s.substr(i), &w);
    i += w;
    ++runes;
  }
  std::string out = "\"";
  size_t j = 0;
  while (j < i) {
    int w;
    int r = DecodeRune(s.substr(j), &w);
    if (r == kRuneError && w == 1) {
      absl::StrAppendFormat(&out, "\\x%02x", static_cast<unsigned char>(s[j]));
    } else if (r == '"' || r == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(r));
    } else if (r == '\n') {
      out += "\\n";
    } else if (r == '\t') {
      out += "\\t";
    } else if (r == '\r') {
      out += "\\r";
    } else if (r < 0x20 || r == 0x7f) {
      absl::StrAppendFormat(&out, "\\x%02x", r);
    } else {
      out.append(s.substr(j, w));
    }
    j += w;
  }
  out.push_back('"');
  if (i < s.size()) out += "...";
  return out;
}

}  // namespace

std::string_view GoLetterEscape(int r) {
  switch (r) {
    case '\a':
      return "\\a";
    case '\b':
      return "\\b";
    case '\f':
      return "\\f";
    case '\n':
      return "\\n";
    case '\r':
      return "\\r";
    case '\t':
      return "\\t";
    case '\v':
      return "\\v";
    default:
      return {};
  }
}

std::string QuoteRune(int r) {
  std::string out = "'";
  if (std::string_view e = GoLetterEscape(r); !e.empty()) {
    out += e;
    out += "'";
    return out;
  }
  switch (r) {
    case '\\':
      out += "\\\\";
      break;
    case '\'':
      out += "\\'";
      break;
    default:
      if (r < 0 || r > 0x10FFFF) {
        AppendRune(&out, kRuneError);
      } else if (r < 0x20 || r == 0x7f) {
        absl::StrAppendFormat(&out, "\\x%02x", r);
      } else if (r >= 0x80 && r < 0xA0) {
        absl::StrAppendFormat(&out, "\\u%04x", r);
      } else {
        AppendRune(&out, r);
      }
  }
  out += "'";
  return out;
}

bool IsOperator(TokenType t) { return t >= TokenType::kAdd && t <= TokenType::kAtan2; }
bool IsAggregator(TokenType t) { return t >= TokenType::kAvg && t <= TokenType::kLimitRatio; }
bool IsKeyword(TokenType t) { return t >= TokenType::kBool && t <= TokenType::kEnd; }

std::string Token::Desc() const {
  switch (type) {
    case TokenType::kEOF:
      return "end of input";
    case TokenType::kError:
      return message;
    case TokenType::kIdentifier:
      return absl::StrCat("identifier ", QuoteForDesc(val, /*truncate=*/false));
    case TokenType::kMetricIdentifier:
      return absl::StrCat("metric identifier ", QuoteForDesc(val, /*truncate=*/false));
    case TokenType::kNumber:
      return absl::StrCat("number ", QuoteForDesc(val));
    case TokenType::kDuration:
      return absl::StrCat("duration ", QuoteForDesc(val));
    case TokenType::kString:
      return absl::StrCat("string ", QuoteForDesc(val));
    case TokenType::kComment:
      return absl::StrCat("comment ", QuoteForDesc(val));
    default:
      break;
  }
  // start and end are "preprocessors", not keywords, in lex.go: quoted.
  if (type == TokenType::kStart || type == TokenType::kEnd) return QuoteForDesc(val);
  if (IsKeyword(type)) return absl::StrCat("<", base::Absl(val), ">");
  if (IsOperator(type)) return absl::StrCat("<op:", base::Absl(val), ">");
  if (IsAggregator(type)) return absl::StrCat("<aggr:", base::Absl(val), ">");
  return QuoteForDesc(val);
}

int Lexer::Peek() const {
  if (pos_ >= static_cast<int>(input_.size())) return kEof;
  int w;
  return DecodeRune(input_.substr(pos_), &w);
}

int Lexer::NextRune() {
  if (pos_ >= static_cast<int>(input_.size())) {
    width_ = 0;
    return kEof;
  }
  int r = DecodeRune(input_.substr(pos_), &width_);
  pos_ += width_;
  return r;
}

bool Lexer::Accept(std::string_view valid) {
  int r = NextRune();
  if (r >= 0 && r < 0x80 && valid.find(static_cast<char>(r)) != std::string_view::npos) return true;
  Backup();
  return false;
}

void Lexer::AcceptRun(std::string_view valid) {
  while (Accept(valid)) {
  }
}

bool Lexer::Is(std::string_view valid) const {
  int r = Peek();
  return r >= 0 && r < 0x80 && valid.find(static_cast<char>(r)) != std::string_view::npos;
}

Token Lexer::Emit(TokenType t) {
  Token tok;
  tok.type = t;
  tok.pos = start_;
  tok.val = input_.substr(start_, pos_ - start_);
  start_ = pos_;
  return tok;
}

Token Lexer::Error(std::string msg) {
  Token tok;
  tok.type = TokenType::kError;
  tok.pos = start_;
  tok.val = input_.substr(start_, pos_ - start_);
  tok.message = std::move(msg);
  done_ = true;
  return tok;
}

void Lexer::SkipSpaces() {
  while (IsSpace(Peek())) NextRune();
  start_ = pos_;
}

Token Lexer::Next() {
  if (done_) {
    start_ = pos_ = static_cast<int>(input_.size());
    return Emit(TokenType::kEOF);
  }
  return brace_open_ ? LexInsideBraces() : LexStatements();
}

Token Lexer::LexLineComment() {
  pos_ += 1;  // '#'
  for (int r = NextRune(); r != '\r' && r != '\n' && r != kEof; r = NextRune()) {
  }
  Backup();
  return Emit(TokenType::kComment);
}

Token Lexer::LexStatements() {
  for (;;) {
    if (brace_open_) return LexInsideBraces();
    if (input_.substr(pos_).starts_with("#")) return LexLineComment();
    const int r = NextRune();
    switch (r) {
      case kEof:
        if (paren_depth_ != 0) return Error("unclosed left parenthesis");
        if (bracket_open_) return Error("unclosed left bracket");
        done_ = true;
        return Emit(TokenType::kEOF);
      case ',':
        return Emit(TokenType::kComma);
      case ' ':
      case '\t':
      case '\n':
      case '\r':
        SkipSpaces();
        continue;
      case '*':
        return Emit(TokenType::kMul);
      case '/':
        return Emit(TokenType::kDiv);
      case '%':
        return Emit(TokenType::kMod);
      case '+':
        return Emit(TokenType::kAdd);
      case '-':
        return Emit(TokenType::kSub);
      case '^':
        return Emit(TokenType::kPow);
      case '=': {
        const int t = Peek();
        if (t == '=') {
          NextRune();
          return Emit(TokenType::kEqlc);
        }
        if (t == '~') return Error(absl::StrCat("unexpected character after '=': ", QuoteRune(t)));
        return Emit(TokenType::kEql);
      }
      case '!': {
        const int t = NextRune();
        if (t != '=') return Error(absl::StrCat("unexpected character after '!': ", QuoteRune(t)));
        return Emit(TokenType::kNeq);
      }
      case '<':
        if (Peek() == '=') {
          NextRune();
          return Emit(TokenType::kLte);
        }
        return Emit(TokenType::kLss);
      case '>':
        if (Peek() == '=') {
          NextRune();
          return Emit(TokenType::kGte);
        }
        return Emit(TokenType::kGtr);
      case '"':
      case '\'':
        return LexString(r);
      case '`':
        return LexRawString();
      case '(':
        ++paren_depth_;
        return Emit(TokenType::kLeftParen);
      case ')': {
        Token t = Emit(TokenType::kRightParen);
        if (--paren_depth_ < 0) return Error("unexpected right parenthesis ')'");
        return t;
      }
      case '{':
        brace_open_ = true;
        return Emit(TokenType::kLeftBrace);
      case '[': {
        if (bracket_open_) return Error("unexpected left bracket '['");
        got_colon_ = false;
        Token t = Emit(TokenType::kLeftBracket);
        SkipSpaces();
        bracket_open_ = true;
        return t;
      }
      case ']':
        if (!bracket_open_) return Error("unexpected right bracket ']'");
        bracket_open_ = false;
        return Emit(TokenType::kRightBracket);
      case '@':
        return Emit(TokenType::kAt);
      default:
        break;
    }
    if (IsDigit(r) || (r == '.' && IsDigit(Peek()))) {
      Backup();
      return LexNumberOrDuration();
    }
    if (IsAlpha(r) || r == ':') {
      if (!bracket_open_) {
        Backup();
        return LexKeywordOrIdentifier();
      }
      if (r == ':') {
        if (got_colon_) return Error("unexpected colon ':'");
        got_colon_ = true;
        return Emit(TokenType::kColon);
      }
      return Error(absl::StrCat("unexpected character: ", QuoteRune(r), ", expected ':'"));
    }
    return Error(absl::StrCat("unexpected character: ", QuoteRune(r)));
  }
}

Token Lexer::LexInsideBraces() {
  for (;;) {
    if (input_.substr(pos_).starts_with("#")) return LexLineComment();
    const int r = NextRune();
    switch (r) {
      case kEof:
        return Error("unexpected end of input inside braces");
      case ' ':
      case '\t':
      case '\n':
      case '\r':
        SkipSpaces();
        continue;
      case ',':
        return Emit(TokenType::kComma);
      case '"':
      case '\'':
        return LexString(r);
      case '`':
        return LexRawString();
      case '=':
        if (NextRune() == '~') return Emit(TokenType::kEqlRegex);
        Backup();
        return Emit(TokenType::kEql);
      case '!': {
        const int nr = NextRune();
        if (nr == '~') return Emit(TokenType::kNeqRegex);
        if (nr == '=') return Emit(TokenType::kNeq);
        return Error(absl::StrCat("unexpected character after '!' inside braces: ", QuoteRune(nr)));
      }
      case '{':
        return Error("unexpected left brace '{'");
      case '}':
        brace_open_ = false;
        return Emit(TokenType::kRightBrace);
      default:
        break;
    }
    if (IsAlpha(r)) {
      Backup();
      return LexIdentifier();
    }
    return Error(absl::StrCat("unexpected character inside braces: ", QuoteRune(r)));
  }
}

Token Lexer::LexString(int quote) {
  for (;;) {
    const int r = NextRune();
    if (r == '\\') {
      // Escape sequence (lex.go lexEscape, itself from go/scanner).
      int ch = NextRune();
      int n;
      unsigned base;
      unsigned max;
      switch (ch) {
        case 'a':
        case 'b':
        case 'f':
        case 'n':
        case 'r':
        case 't':
        case 'v':
        case '\\':
          continue;
        case '0':
        case '1':
        case '2':
        case '3':
        case '4':
        case '5':
        case '6':
        case '7':
          n = 3, base = 8, max = 255;
          break;
        case 'x':
          ch = NextRune();
          n = 2, base = 16, max = 255;
          break;
        case 'u':
          ch = NextRune();
          n = 4, base = 16, max = 0x10FFFF;
          break;
        case 'U':
          ch = NextRune();
          n = 8, base = 16, max = 0x10FFFF;
          break;
        case kEof:
          return Error("escape sequence not terminated");
        default:
          if (ch == quote) continue;
          return Error(absl::StrFormat(
              "unknown escape sequence U+%04X%s", ch < 0 ? 0xFFFD : ch,
              ch >= 0x20 && ch != 0x7f ? absl::StrCat(" ", QuoteRune(ch)) : std::string()));
      }
      unsigned x = 0;
      while (n > 0) {
        unsigned d = 16;
        if (ch >= '0' && ch <= '9')
          d = ch - '0';
        else if (ch >= 'a' && ch <= 'f')
          d = ch - 'a' + 10;
        else if (ch >= 'A' && ch <= 'F')
          d = ch - 'A' + 10;
        if (d >= base) {
          if (ch == kEof) return Error("escape sequence not terminated");
          return Error(absl::StrFormat(
              "illegal character U+%04X%s in escape sequence", ch < 0 ? 0xFFFD : ch,
              ch >= 0x20 && ch != 0x7f ? absl::StrCat(" ", QuoteRune(ch)) : std::string()));
        }
        x = x * base + d;
        if (--n > 0) ch = NextRune();
      }
      if (x > max || (x >= 0xD800 && x < 0xE000)) {
        return Error("escape sequence is an invalid Unicode code point");
      }
      continue;
    }
    if (r == kRuneError) return Error("invalid UTF-8 rune");
    if (r == kEof || r == '\n') return Error("unterminated quoted string");
    if (r == quote) break;
  }
  return Emit(TokenType::kString);
}

Token Lexer::LexRawString() {
  for (;;) {
    const int r = NextRune();
    if (r == kRuneError) return Error("invalid UTF-8 rune");
    if (r == kEof) return Error("unterminated raw string");
    if (r == '`') break;
  }
  return Emit(TokenType::kString);
}

Token Lexer::LexIdentifier() {
  while (IsAlphaNumeric(NextRune())) {
  }
  Backup();
  return Emit(TokenType::kIdentifier);
}

Token Lexer::LexKeywordOrIdentifier() {
  for (;;) {
    const int r = NextRune();
    if (IsAlphaNumeric(r) || r == ':') continue;
    Backup();
    break;
  }
  std::string_view word = input_.substr(start_, pos_ - start_);
  TokenType kw;
  if (LookupKeyword(word, &kw)) return Emit(kw);
  if (word.find(':') == std::string_view::npos) return Emit(TokenType::kIdentifier);
  return Emit(TokenType::kMetricIdentifier);
}

Token Lexer::LexNumberOrDuration() {
  if (ScanNumber()) return Emit(TokenType::kNumber);
  if (AcceptRemainingDuration()) {
    Backup();
    return Emit(TokenType::kDuration);
  }
  return Error(absl::StrCat("bad number or duration syntax: \"",
                            base::Absl(input_.substr(start_, pos_ - start_)), "\""));
}

bool Lexer::AcceptRemainingDuration() {
  if (!Accept("smhdwy")) return false;
  Accept("s");  // "ms"; bad units like "hs" are caught by ParseDuration.
  while (Accept("0123456789")) {
    AcceptRun("0123456789");
    if (!Accept("smhdw")) return false;
    Accept("s");
  }
  return !IsAlphaNumeric(NextRune());
}

// lex.go scanNumber: decimal, hex, octal, float with exponent, underscores
// between digits. The token is not necessarily a valid number; the parser
// checks that.
bool Lexer::ScanNumber() {
  const int initial = pos_;
  std::string_view digits = "0123456789";
  if (Accept("0") && Accept("xX")) {
    Accept("_");
    digits = "0123456789abcdefABCDEF";
  }
  Accept(".");
  Accept(digits);
  bool dot = false;
  bool exponent = false;
  const std::string all = absl::StrCat(base::Absl(digits), "._eE");
  while (Is(all)) {
    if (Is(".")) {
      if (dot) {
        Accept(".");
        return false;
      }
    }
    if (Is("eE")) {
      if (exponent) {
        Accept("eE");
        return false;
      }
    }
    if (Accept(".")) {
      dot = true;
      if (Accept("_.")) return false;
      if (digits.size() > 10) return false;  // no fractional hex literals
      continue;
    }
    if (Accept("eE")) {
      exponent = true;
      Accept("+-");
      if (Accept("._eE") || Peek() == kEof) return false;
      continue;
    }
    if (Accept("_")) {
      if (Accept("._eE") || Peek() == kEof) return false;
      continue;
    }
    AcceptRun(digits);
  }
  if (pos_ == initial) return false;
  return !IsAlphaNumeric(Peek());
}

}  // namespace promlet::query::internal
