#include "storage/wal/wal_format.h"

#include "absl/strings/str_format.h"

namespace promlet::storage::wal {
namespace {

constexpr std::string_view kCheckpointPrefix = "checkpoint.";

bool ParseDigits8(std::string_view s, int* index) {
  if (s.size() != 8) return false;
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *index = v;
  return true;
}

}  // namespace

std::string SegmentName(int index) { return absl::StrFormat("%08d", index); }

bool ParseSegmentName(std::string_view name, int* index) {
  return ParseDigits8(name, index);
}

std::string CheckpointName(int index) { return absl::StrFormat("checkpoint.%08d", index); }

bool ParseCheckpointName(std::string_view name, int* index) {
  if (name.substr(0, kCheckpointPrefix.size()) != kCheckpointPrefix) return false;
  return ParseDigits8(name.substr(kCheckpointPrefix.size()), index);
}

}  // namespace promlet::storage::wal
