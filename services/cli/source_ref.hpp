#pragma once
// How commands name a source: by id (all digits) or by URL.
#include <string>

#include <pqxx/pqxx>

namespace tributary::cli {

// The SQL condition selecting the source `ref` names, e.g. "id = 7" or "url = 'https://…'".
std::string SourceWhere(pqxx::transaction_base& tx, const std::string& ref);

}  // namespace tributary::cli
