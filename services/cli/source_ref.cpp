#include "services/cli/source_ref.hpp"

namespace tributary::cli {

std::string SourceWhere(pqxx::transaction_base& tx, const std::string& ref) {
  const bool numeric = !ref.empty() && ref.find_first_not_of("0123456789") == std::string::npos;
  return numeric ? "id = " + ref : "url = " + tx.quote(ref);
}

}  // namespace tributary::cli
