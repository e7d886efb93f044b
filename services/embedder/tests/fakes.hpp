#pragma once
// In-memory stand-ins for the embedder's ports, for core tests without a broker, a database or
// a backend.
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <set>

#include "common/codec/codec.hpp"
#include "common/runtime/testing/in_memory_bus.hpp"
#include "services/embedder/hash_backend.hpp"
#include "services/embedder/vector_store.hpp"
#include "tributary/v1/item.pb.h"

namespace tributary::embedder::testing {

// Answers with the hash backend unless a scripted failure is queued; records every request.
class ScriptedBackend final : public Backend {
 public:
  explicit ScriptedBackend(std::uint32_t dims) : dims_(dims) {}
  EmbedResult Embed(const std::vector<std::string>& texts) override {
    std::lock_guard lock(mutex_);
    requests.push_back(texts);
    if (!failures.empty()) {
      auto failure = failures.front();
      failures.pop_front();
      return tl::unexpected(failure);
    }
    for (const auto& text : texts) {
      if (!reject_containing.empty() && text.find(reject_containing) != std::string::npos) {
        return tl::unexpected(BackendError{.kind = BackendFailure::kRejected,
                                           .error_class = "backend.http_400",
                                           .message = "input contains forbidden text",
                                           .status = 400});
      }
    }
    Embeddings out;
    for (const auto& text : texts) {
      out.vectors.push_back(HashEmbed(text, answer_dims.value_or(dims_)));
      if (text.size() > cut_longer_than) ++out.truncated;  // as the local backend reports it
    }
    return out;
  }
  std::size_t InputsSent() {
    std::lock_guard lock(mutex_);
    std::size_t n = 0;
    for (const auto& r : requests) n += r.size();
    return n;
  }

  std::mutex mutex_;
  std::vector<std::vector<std::string>> requests;
  std::deque<BackendError> failures;
  std::string reject_containing;
  std::optional<std::uint32_t> answer_dims;
  std::size_t cut_longer_than = SIZE_MAX;

 private:
  std::uint32_t dims_;
};

class FakeStore final : public VectorStore {
 public:
  Result<std::optional<RegisteredModel>> FindModel(const std::string&, const std::string&) override {
    ++model_lookups;
    return model;
  }
  Result<std::map<std::string, Vector>> Lookup(int model_id,
                                               const std::vector<std::string>& hashes) override {
    ++lookups;
    std::map<std::string, Vector> found;
    for (const auto& h : hashes) {
      if (auto it = rows.find({model_id, h}); it != rows.end()) found.emplace(h, it->second);
    }
    return found;
  }
  Result<std::map<std::size_t, Vector>> MergedArticleVectors(
      int model_id, const std::vector<ItemVersion>& versions) override {
    ++merged_lookups;
    std::map<std::size_t, Vector> found;
    for (std::size_t i = 0; i < versions.size(); ++i) {
      const auto& v = versions[i];
      const auto it = merged.find({model_id, std::to_string(v.source_id) + "/" + v.external_id +
                                                 "/" + v.content_hash});
      if (it != merged.end()) found.emplace(i, it->second);
    }
    return found;
  }
  std::optional<RegisteredModel> model;
  std::map<std::pair<int, std::string>, Vector> rows;
  // (model id, "source/external id/content hash") -> the merged article's vector
  std::map<std::pair<int, std::string>, Vector> merged;
  int merged_lookups = 0;
  int lookups = 0;
  int model_lookups = 0;
};

// The EmbeddedItems a bus received, decoded, and the offsets it completed.
inline std::vector<v1::EmbeddedItem> Embedded(const runtime::testing::InMemoryBus& bus) {
  std::vector<v1::EmbeddedItem> out;
  for (const auto& r : bus.Sent()) out.push_back(*codec::Decode<v1::EmbeddedItem>(r.value));
  return out;
}
inline std::set<std::int64_t> Offsets(const runtime::testing::InMemoryBus& bus) {
  const auto completed = bus.Completed();
  return {completed.begin(), completed.end()};
}

inline v1::Item MakeItem(std::int64_t source, const std::string& id, const std::string& title,
                         const std::string& body = "") {
  v1::Item item;
  item.set_source_id(source);
  item.set_external_id(id);
  item.set_title(title);
  item.set_content_text(body);
  // A stand-in for the parser's SHA-256: 32 bytes that change with the content.
  std::string hash(32, '\0');
  const auto h = std::hash<std::string>{}(title + "\n" + body);
  for (std::size_t i = 0; i < 32; ++i) hash[i] = static_cast<char>((h >> ((i % 8) * 8)) ^ i);
  item.set_content_hash(hash);
  item.mutable_observed_at()->set_seconds(1'700'000'000);
  return item;
}

inline kafka::Message MakeMessage(const v1::Item& item, std::int64_t offset, int partition = 0) {
  kafka::Message message;
  message.topic = "t.items";
  message.partition = partition;
  message.offset = offset;
  message.key = std::to_string(item.source_id()) + "/" + item.external_id();
  message.value = codec::Encode(item);
  return message;
}

}  // namespace tributary::embedder::testing
