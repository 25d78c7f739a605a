// Status propagation macros. Debian's Abseil (20220623) predates
// ABSL_RETURN_IF_ERROR, so we carry our own.
//
//   RETURN_IF_ERROR(writer->Append(record));
//   ASSIGN_OR_RETURN(std::unique_ptr<Block> block, Block::Open(dir));
#ifndef PROMLET_BASE_STATUS_MACROS_H_
#define PROMLET_BASE_STATUS_MACROS_H_

#include "absl/base/optimization.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define PROMLET_STATUS_CONCAT_INNER_(a, b) a##b
#define PROMLET_STATUS_CONCAT_(a, b) PROMLET_STATUS_CONCAT_INNER_(a, b)

#define RETURN_IF_ERROR(expr)                                  \
  do {                                                         \
    ::absl::Status promlet_status_ = (expr);                   \
    if (ABSL_PREDICT_FALSE(!promlet_status_.ok())) {           \
      return promlet_status_;                                  \
    }                                                          \
  } while (0)

#define ASSIGN_OR_RETURN(lhs, expr)                                          \
  PROMLET_ASSIGN_OR_RETURN_IMPL_(                                            \
      PROMLET_STATUS_CONCAT_(promlet_statusor_, __LINE__), lhs, expr)

#define PROMLET_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, expr) \
  auto statusor = (expr);                                   \
  if (ABSL_PREDICT_FALSE(!statusor.ok())) {                 \
    return std::move(statusor).status();                    \
  }                                                         \
  lhs = std::move(statusor).value()

#endif  // PROMLET_BASE_STATUS_MACROS_H_
