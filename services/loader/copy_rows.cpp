#include "services/loader/copy_rows.hpp"

#include "common/digest/sha256.hpp"
#include "common/pg/binary_copy.hpp"
#include "services/loader/pg_text.hpp"

namespace tributary::loader {

std::string ItemsCopy(const std::vector<ItemRow>& items) {
  pg::BinaryCopy copy;
  for (const auto& r : items) {
    copy.BeginRow(19);
    copy.Int8(r.source_id);
    copy.Bytes(r.external_id);
    copy.Text(r.url);
    copy.Text(r.canonical_url);
    copy.Text(r.title);
    copy.Text(r.summary);
    copy.Text(r.content_text);
    // The stage table holds text, as the unnest parameters are (sql.cpp: one upsert for both).
    copy.Bytes(ArrayLiteral(std::span<const std::string>(r.authors)));
    copy.Bytes(ArrayLiteral(std::span<const std::string>(r.categories)));
    copy.Bytes(EnclosuresJson(r.enclosures));
    copy.Text(r.language);
    copy.Timestamptz(r.published_at_us);
    copy.Timestamptz(r.updated_at_us);
    copy.Timestamptz(r.observed_at_us);
    copy.Bytes(digest::Hex(r.content_hash));
    copy.Text(r.request_id);
    copy.Bytes(PeopleJson(r.author_details));
    copy.Text(r.content_html);
    copy.Bool(r.article_wanted);
  }
  return copy.Finish();
}

std::string EmbeddingsCopy(const std::vector<ItemRow>& items,
                           const std::map<ModelKey, int>& model_ids) {
  pg::BinaryCopy copy;
  std::int64_t n = 0;
  for (const auto& r : items) {
    ++n;
    if (!r.embedding) continue;
    copy.BeginRow(8);
    copy.Int8(r.source_id);
    copy.Bytes(r.external_id);
    copy.Int4(model_ids.at(r.embedding->model));
    copy.Bytes(digest::Hex(r.content_hash));
    copy.Vector(r.embedding->values);
    copy.Timestamptz(r.observed_at_us);
    copy.Int8(n);
    copy.Text(r.request_id);
  }
  return copy.Finish();
}

}  // namespace tributary::loader
