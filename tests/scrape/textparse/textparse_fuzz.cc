// libFuzzer target: every format x strictness over the input, touching every
// accessor; a crash, sanitizer report or leak fails. Also checks invariants:
// views lie inside the body, errors carry a position.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#include "scrape/textparse/parser.h"

namespace tp = promlet::scrape::textparse;

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

void Run(std::string_view body, tp::Format f, tp::Strictness s, bool skip_created) {
  tp::ParserOptions o;
  o.format = f;
  o.strictness = s;
  o.skip_created_series = skip_created;
  tp::Parser p(o);
  p.Reset(body);
  const char* b = body.data();
  const char* e = body.data() + body.size();
  auto inside = [&](std::string_view v) { return v.empty() || (v.data() >= b && v.data() + v.size() <= e); };
  for (int i = 0; i < 1 << 20; ++i) {
    tp::Entry en = p.Next();
    if (en == tp::Entry::kEof) return;
    if (en == tp::Entry::kError) {
      Check(!p.status().ok());
      Check(p.status().message().find("line ") == 0);
      Check(p.Next() == tp::Entry::kError);
      return;
    }
    switch (en) {
      case tp::Entry::kSeries: {
        Check(inside(p.series()));
        Check(!p.metric_name().empty());
        size_t n = 0;
        for (const auto& l : p.labels()) n += l.name.size() + l.value.size();
        (void)n;
        if (p.has_exemplar()) (void)p.exemplar().labels.size();
        (void)p.family_name();
        promlet::storage::LabelsBuilder lb;
        p.LabelsTo(&lb);
        break;
      }
      case tp::Entry::kHelp:
        (void)p.help();
        break;
      case tp::Entry::kComment:
        Check(inside(p.comment()));
        break;
      default:
        break;
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Copy into an exact-size heap buffer so ASan catches any read past the end.
  std::unique_ptr<char[]> buf(new char[size ? size : 1]);
  if (size) std::memcpy(buf.get(), data, size);
  std::string_view body(buf.get(), size);
  for (tp::Format f : {tp::Format::kPrometheusText, tp::Format::kOpenMetrics}) {
    for (tp::Strictness s : {tp::Strictness::kScrape, tp::Strictness::kStrict}) {
      Run(body, f, s, size % 2 == 1);
    }
  }
  double d;
  (void)tp::ParsePromFloat(body.substr(0, 64), &d);
  return 0;
}
