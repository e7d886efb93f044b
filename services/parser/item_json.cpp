#include "services/parser/item_json.hpp"

#include <fmt/format.h>

#include <chrono>

#include "common/base/json_text.hpp"
#include "services/parser/base64.hpp"

namespace tributary::parser {
namespace {

// `value` (0 <= value < 10^width) as exactly `width` decimal digits; returns the end.
char* Digits(char* out, int value, int width) {
  for (int i = width - 1; i >= 0; --i) {
    out[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  return out + width;
}

// Writes `"name":` after a comma when a field came before.
class Fields {
 public:
  explicit Fields(std::string& out) : out_(out) { out_ += '{'; }
  ~Fields() { out_ += '}'; }
  Fields(const Fields&) = delete;
  Fields& operator=(const Fields&) = delete;

  std::string& Name(const char* name) {
    if (!first_) out_ += ',';
    first_ = false;
    out_ += '"';
    out_ += name;
    out_ += "\":";
    return out_;
  }
  void String(const char* name, const std::string& value) {
    if (value.empty()) return;
    auto& out = Name(name);
    out += '"';
    AppendJsonEscaped(value, out);
    out += '"';
  }
  void Int64(const char* name, std::int64_t value) {
    if (value != 0) fmt::format_to(std::back_inserter(Name(name)), "\"{}\"", value);
  }
  template <typename List>
  void Strings(const char* name, const List& values) {
    if (values.empty()) return;
    auto& out = Name(name);
    out += '[';
    for (int i = 0; i < values.size(); ++i) {
      if (i > 0) out += ',';
      out += '"';
      AppendJsonEscaped(values[i], out);
      out += '"';
    }
    out += ']';
  }
  // A list of messages as an array of objects, `write(fields, message)` writing each one's.
  template <typename List, typename Write>
  void Objects(const char* name, const List& values, Write write) {
    if (values.empty()) return;
    auto& out = Name(name);
    out += '[';
    for (int i = 0; i < values.size(); ++i) {
      if (i > 0) out += ',';
      Fields object(out);
      write(object, values[i]);
    }
    out += ']';
  }
  void Timestamp(const char* name, const google::protobuf::Timestamp& t) {
    using namespace std::chrono;
    const sys_seconds at{seconds{t.seconds()}};
    const auto day = floor<days>(at);
    const year_month_day date{day};
    const hh_mm_ss time{at - day};
    // Digits by hand: a format string parsed per timestamp cost a third of writing an item.
    char text[40];
    char* p = text;
    *p++ = '"';
    p = Digits(p, static_cast<int>(date.year()), 4);
    *p++ = '-';
    p = Digits(p, static_cast<int>(static_cast<unsigned>(date.month())), 2);
    *p++ = '-';
    p = Digits(p, static_cast<int>(static_cast<unsigned>(date.day())), 2);
    *p++ = 'T';
    p = Digits(p, static_cast<int>(time.hours().count()), 2);
    *p++ = ':';
    p = Digits(p, static_cast<int>(time.minutes().count()), 2);
    *p++ = ':';
    p = Digits(p, static_cast<int>(time.seconds().count()), 2);
    // As protobuf prints them: 0, 3, 6 or 9 fractional digits, whichever is exact.
    const auto nanos = t.nanos();
    if (nanos % 1'000'000'000 != 0) {
      *p++ = '.';
      if (nanos % 1'000'000 == 0) {
        p = Digits(p, nanos / 1'000'000, 3);
      } else if (nanos % 1'000 == 0) {
        p = Digits(p, nanos / 1'000, 6);
      } else {
        p = Digits(p, nanos, 9);
      }
    }
    *p++ = 'Z';
    *p++ = '"';
    Name(name).append(text, static_cast<std::size_t>(p - text));
  }

 private:
  std::string& out_;
  bool first_ = true;
};

}  // namespace

void AppendItemJson(const v1::Item& item, std::string& out) {
  Fields fields(out);
  fields.Int64("sourceId", item.source_id());
  fields.String("externalId", item.external_id());
  fields.String("url", item.url());
  fields.String("canonicalUrl", item.canonical_url());
  fields.String("title", item.title());
  fields.String("summary", item.summary());
  fields.String("contentText", item.content_text());
  fields.Strings("authors", item.authors());
  fields.Strings("categories", item.categories());
  fields.Objects("enclosures", item.enclosures(), [](Fields& object, const auto& enclosure) {
    object.String("url", enclosure.url());
    object.String("type", enclosure.type());
    object.Int64("length", enclosure.length());
  });
  fields.String("language", item.language());
  if (item.has_published_at()) fields.Timestamp("publishedAt", item.published_at());
  if (item.has_updated_at()) fields.Timestamp("updatedAt", item.updated_at());
  if (item.has_observed_at()) fields.Timestamp("observedAt", item.observed_at());
  if (!item.content_hash().empty()) {
    auto& hash = fields.Name("contentHash");
    hash += '"';
    AppendBase64(item.content_hash(), hash);
    hash += '"';
  }
  fields.String("requestId", item.request_id());
  fields.Objects("authorDetails", item.author_details(), [](Fields& object, const auto& person) {
    object.String("name", person.name());
    object.String("email", person.email());
    object.String("uri", person.uri());
  });
  fields.String("contentHtml", item.content_html());
  if (item.article_wanted()) fields.Name("articleWanted") += "true";
}

}  // namespace tributary::parser
