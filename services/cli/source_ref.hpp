#pragma once
// How commands name a source: by id (all digits) or by URL.
#include <string>
#include <vector>

#include <pqxx/pqxx>

namespace tributary::cli {

// The SQL condition selecting the source `ref` names, e.g. "id = 7" or "url = 'https://…'".
std::string SourceWhere(pqxx::transaction_base& tx, const std::string& ref);

// The ids of the sources `refs` name (--source values), comma-separated; empty when one names
// no source (`unknown` is then that one).
std::string SourceIds(pqxx::connection& connection, const std::vector<std::string>& refs,
                      std::string* unknown);

}  // namespace tributary::cli
