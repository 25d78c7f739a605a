// The web UI's files, embedded into the binary at build time from
// tools/web/ and the npm-installed uPlot (see cmake/embed_assets.cmake).
#ifndef PROMLET_TOOLS_SERVER_WEB_ASSETS_H_
#define PROMLET_TOOLS_SERVER_WEB_ASSETS_H_

#include <cstddef>
#include <string_view>

namespace promlet::tools {

struct WebAsset {
  std::string_view url_path;  // e.g. "/static/app.js"; "/" is the page
  std::string_view content_type;
  std::string_view body;
};

extern const WebAsset kWebAssets[];
extern const size_t kNumWebAssets;

// nullptr when no asset has this path.
inline const WebAsset* FindWebAsset(std::string_view url_path) {
  for (size_t i = 0; i < kNumWebAssets; ++i) {
    if (kWebAssets[i].url_path == url_path) return &kWebAssets[i];
  }
  return nullptr;
}

}  // namespace promlet::tools

#endif  // PROMLET_TOOLS_SERVER_WEB_ASSETS_H_
