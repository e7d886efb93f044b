#pragma once
// The parser stage's logic: one consumed `documents` message in; its items, child fetch
// requests and a parse-outcome SourceEvent out; the offset stored only after every one of those
// records is acknowledged by the broker (a per-message count of outstanding deliveries).
//  - undecodable value -> dead letter, then the offset is stored;
//  - a document that cannot be parsed -> a SourceEvent with error_class "parse" (the source is
//    at fault, not the message), then the offset is stored;
//  - a failed delivery -> the message is produced again later (downstream is idempotent), the
//    offset waits.
#include <chrono>
#include <deque>
#include <memory>
#include <mutex>
#include <string>

#include "common/kafka/message.hpp"
#include "services/parser/limits.hpp"
#include "services/parser/parsed_document.hpp"
#include "services/parser/ports.hpp"
#include "services/parser/stage_metrics.hpp"
#include "tributary/v1/source_event.pb.h"

namespace tributary::parser {

struct CoreSettings {
  std::string items_topic;
  std::string requests_topic;
  std::string events_topic;
  Limits limits;
  std::chrono::milliseconds retry_delay{1000};
};

class Core {
 public:
  using Clock = std::chrono::steady_clock;

  Core(CoreSettings settings, RecordSink& sink, DeadLetters& dead_letters, Completions& completions,
       StageMetrics& metrics);

  // Called on the poll thread for every consumed message.
  void Handle(kafka::Message message);
  // Called on the poll thread between polls: re-produces messages whose deliveries failed and
  // dead-letters ones that failed permanently. Returns false only on a fatal condition (none yet).
  bool Tick(Clock::time_point now);

  // Messages waiting for a retry (tests, shutdown logging).
  [[nodiscard]] std::size_t PendingRetries() const;

 private:
  struct Pending;
  struct Failed {
    kafka::Message message;
    Error error;
    Clock::time_point not_before;
  };

  void Emit(std::shared_ptr<Pending> pending, kafka::Record record);
  void Finish(const std::shared_ptr<Pending>& pending);
  void DeadLetter(const kafka::Message& message, const Error& error);
  v1::SourceEvent EventFor(const v1::FetchedDocument& document,
                           const Result<ParsedDocument>& parsed);

  CoreSettings settings_;
  RecordSink& sink_;
  DeadLetters& dead_letters_;
  Completions& completions_;
  StageMetrics& metrics_;
  mutable std::mutex failed_mutex_;
  std::deque<Failed> failed_;
};

// The Kafka key of an item: every version of one item lands on one partition, in order.
std::string ItemKey(const v1::Item& item);

}  // namespace tributary::parser
