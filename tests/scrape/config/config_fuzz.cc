// libFuzzer: prometheus.yml and file_sd content parsing must never crash,
// hang or leak on any input (yaml-cpp throws are caught at the adapter).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "scrape/config/config.h"
#include "scrape/discovery/file_sd.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 1 << 16) return 0;  // yaml-cpp recursion on huge nesting is not what we test
  std::string_view in(reinterpret_cast<const char*>(data), size);
  (void)promlet::scrape::ParseConfig(in, "fuzz.yml");
  (void)promlet::scrape::ParseFileSdContent(in, "fuzz.json");
  return 0;
}
