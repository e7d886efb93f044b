#pragma once
// Turns one consumed message into a row, or a permanent error (undecodable or invalid: DLQ).
// Checks here are the ones that need no database; the rest (a NaN in a vector, a foreign key)
// is found by PostgreSQL and isolated by splitting the batch.
#include <variant>

#include "common/base/result.hpp"
#include "common/kafka/message.hpp"
#include "services/loader/rows.hpp"

namespace tributary::v1 {
class Item;
class EmbeddedItem;
class SourceEvent;
}  // namespace tributary::v1

namespace tributary::loader {

enum class InputKind { kItem, kEmbedded, kSourceEvent };

using Record = std::variant<ItemRow, SourceEventRow>;

[[nodiscard]] Result<Record> DecodeRecord(const kafka::Message& message, InputKind kind);

[[nodiscard]] Result<ItemRow> ToItemRow(const v1::Item& item);
[[nodiscard]] Result<ItemRow> ToItemRow(const v1::EmbeddedItem& embedded);
[[nodiscard]] Result<SourceEventRow> ToSourceEventRow(const v1::SourceEvent& event);

}  // namespace tributary::loader
