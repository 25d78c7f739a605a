// A small streaming JSON writer that produces exactly the bytes Prometheus's
// HTTP API produces (Go encoding/json string escaping with HTML escaping,
// jsoniter's timestamp and sample-value encodings). Appends to a caller's
// string; no intermediate DOM.
//
//   std::string out;
//   JsonWriter w(&out);
//   w.BeginObject();
//   w.Key("status"); w.String("success");
//   w.EndObject();  // {"status":"success"}
#ifndef PROMLET_QUERY_API_JSON_WRITER_H_
#define PROMLET_QUERY_API_JSON_WRITER_H_

#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace promlet::query {

// Thread-compatible.
class JsonWriter {
 public:
  explicit JsonWriter(std::string* out) : out_(out) {}

  void BeginObject() { Open('{'); }
  void EndObject() { Close('}'); }
  void BeginArray() { Open('['); }
  void EndArray() { Close(']'); }
  // REQUIRES: inside an object; the next call writes the value.
  void Key(std::string_view k) {
    Separate();
    AppendQuoted(k);
    out_->push_back(':');
    after_key_ = true;
  }
  void String(std::string_view s) {
    Separate();
    AppendQuoted(s);
  }
  // Writes pre-formatted JSON (a number, null, true).
  void Raw(std::string_view s) {
    Separate();
    out_->append(s);
  }
  // Prometheus jsonutil.MarshalTimestamp: milliseconds as seconds with the
  // fraction in three digits when non-zero ("1.5" -> "1.500").
  void TimestampMs(int64_t t) {
    Separate();
    char buf[kTimestampMax];
    out_->append(buf, TimestampMsTo(t, buf));
  }
  static constexpr size_t kTimestampMax = 32;
  // The same into buf (kTimestampMax bytes); returns the end.
  static char* TimestampMsTo(int64_t t, char* buf) {
    uint64_t u = static_cast<uint64_t>(t);
    if (t < 0) {
      *buf++ = '-';
      u = 0 - u;
    }
    char* end = std::to_chars(buf, buf + kTimestampMax - 5, u / 1000).ptr;
    const uint64_t frac = u % 1000;
    if (frac != 0) {
      *end++ = '.';
      *end++ = static_cast<char>('0' + frac / 100);
      *end++ = static_cast<char>('0' + frac / 10 % 10);
      *end++ = static_cast<char>('0' + frac % 10);
    }
    return end;
  }
  // Room for `more` bytes beyond what is written.
  void Reserve(size_t more) { out_->reserve(out_->size() + more); }

  // Go encoding/json string quoting with HTML escaping (<, >, & as
  // \u003c...), U+2028/2029 escaped and invalid UTF-8 replaced by U+FFFD.
  static void AppendQuotedTo(std::string_view s, std::string* out);

 private:
  void AppendQuoted(std::string_view s) { AppendQuotedTo(s, out_); }
  void Open(char c) {
    Separate();
    out_->push_back(c);
    first_.push_back(true);
  }
  void Close(char c) {
    out_->push_back(c);
    first_.pop_back();
  }
  void Separate() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (!first_.empty()) {
      if (!first_.back()) out_->push_back(',');
      first_.back() = false;
    }
  }

  std::string* out_;
  std::vector<bool> first_;
  bool after_key_ = false;
};

inline void JsonWriter::AppendQuotedTo(std::string_view s, std::string* out) {
  static const char kHex[] = "0123456789abcdef";
  out->push_back('"');
  size_t i = 0;
  while (i < s.size()) {
    // Copy runs of characters that need no escaping at once (label names
    // and values nearly always are one run).
    size_t plain = i;
    while (plain < s.size()) {
      const unsigned char c = static_cast<unsigned char>(s[plain]);
      if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&') break;
      ++plain;
    }
    if (plain > i) {
      out->append(s.data() + i, plain - i);
      i = plain;
      if (i == s.size()) break;
    }
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      switch (c) {
        case '"': out->append("\\\""); break;
        case '\\': out->append("\\\\"); break;
        case '\n': out->append("\\n"); break;
        case '\r': out->append("\\r"); break;
        case '\t': out->append("\\t"); break;
        case '<': case '>': case '&':
        default:
          if (c < 0x20 || c == '<' || c == '>' || c == '&') {
            out->append("\\u00");
            out->push_back(kHex[c >> 4]);
            out->push_back(kHex[c & 0xf]);
          } else {
            out->push_back(static_cast<char>(c));
          }
      }
      ++i;
      continue;
    }
    // Multi-byte UTF-8: validate, copy, or write U+FFFD.
    size_t n = (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
    bool ok = n != 0 && i + n <= s.size();
    uint32_t cp = 0;
    if (ok) {
      cp = c & (n == 2 ? 0x1f : n == 3 ? 0x0f : 0x07);
      for (size_t k = 1; k < n; ++k) {
        const unsigned char cc = static_cast<unsigned char>(s[i + k]);
        if ((cc & 0xc0) != 0x80) {
          ok = false;
          break;
        }
        cp = (cp << 6) | (cc & 0x3f);
      }
      if (ok && ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
                 cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))) {
        ok = false;
      }
    }
    if (!ok) {
      out->append("\\ufffd");
      ++i;
      continue;
    }
    if (cp == 0x2028 || cp == 0x2029) {
      out->append(cp == 0x2028 ? "\\u2028" : "\\u2029");
    } else {
      out->append(s.substr(i, n));
    }
    i += n;
  }
  out->push_back('"');
}

}  // namespace promlet::query

#endif  // PROMLET_QUERY_API_JSON_WRITER_H_
