#include "scrape/textparse/parser.h"

namespace promlet::scrape::textparse {
namespace internal {
class FamilyValidator {};
}  // namespace internal

Parser::Parser(ParserOptions options) : options_(options) {}
Parser::~Parser() = default;

void Parser::Reset(std::string_view body) {
  begin_ = pos_ = body.data();
  end_ = body.data() + body.size();
  status_ = absl::OkStatus();
  done_ = false;
}

Entry Parser::Next() {
  status_ = absl::UnimplementedError("text parser not implemented yet");
  return Entry::kError;
}

std::span<const storage::Label> Parser::labels() { return labels_; }
void Parser::LabelsTo(storage::LabelsBuilder* b) { b->Clear(); }
const Exemplar& Parser::exemplar() { return exemplar_; }
std::string_view Parser::help() { return meta_text_; }

}  // namespace promlet::scrape::textparse
