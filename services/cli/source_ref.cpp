#include "services/cli/source_ref.hpp"

#include "common/base/url_credentials.hpp"

namespace tributary::cli {

std::string SourceWhere(pqxx::transaction_base& tx, const std::string& ref) {
  const bool numeric = !ref.empty() && ref.find_first_not_of("0123456789") == std::string::npos;
  if (numeric) return "id = " + ref;
  // Rows are stored with the password redacted; one stored before that matches as written.
  return "url IN (" + tx.quote(ref) + ", " + tx.quote(RedactUrlPassword(ref)) + ")";
}

std::string SourceIds(pqxx::connection& connection, const std::vector<std::string>& refs,
                      std::string* unknown) {
  std::string ids;
  pqxx::read_transaction tx(connection);
  for (const auto& ref : refs) {
    const auto rows = tx.exec("SELECT id FROM sources WHERE " + SourceWhere(tx, ref));
    if (rows.empty()) {
      *unknown = ref;
      return {};
    }
    ids += (ids.empty() ? "" : ",") + rows[0][0].as<std::string>();
  }
  return ids;
}

}  // namespace tributary::cli
