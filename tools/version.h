#ifndef PROMLET_TOOLS_VERSION_H_
#define PROMLET_TOOLS_VERSION_H_

namespace promlet::tools {
inline constexpr const char* kVersion = "0.1.0";
}  // namespace promlet::tools

#endif  // PROMLET_TOOLS_VERSION_H_
