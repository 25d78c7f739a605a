// Signatures of PromQL functions (Prometheus `promql/parser/functions.go`):
// the parser checks argument counts and types against these; the engine
// looks implementations up by name.
#ifndef PROMLET_QUERY_PARSER_FUNCTION_TABLE_H_
#define PROMLET_QUERY_PARSER_FUNCTION_TABLE_H_

#include <string_view>
#include <vector>

#include "query/parser/ast.h"

namespace promlet::query {

struct FunctionInfo {
  std::string_view name;
  std::vector<ValueType> arg_types;
  // 0: exactly arg_types; n > 0: the last n arg types are optional;
  // -1: the last arg type repeats any number of times (label_join).
  int variadic = 0;
  ValueType return_type = ValueType::kVector;
};

// nullptr when no such function. The pointer is valid for the whole program.
const FunctionInfo* LookupFunction(std::string_view name);

// Every function the parser accepts, sorted by name (for engines that check
// they implement them all, and for tests).
const std::vector<FunctionInfo>& AllFunctions();

}  // namespace promlet::query

#endif  // PROMLET_QUERY_PARSER_FUNCTION_TABLE_H_
