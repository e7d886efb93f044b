#pragma once
// The parser stage's logic: one consumed `documents` message in; its items, child fetch
// requests and a parse-outcome SourceEvent out; the offset stored only after every one of those
// records is acknowledged by the broker (runtime::Outbox).
//  - undecodable value -> dead letter, then the offset is stored;
//  - a document that cannot be parsed -> a SourceEvent with error_class "parse" (the source is
//    at fault, not the message), then the offset is stored;
//  - a failed delivery -> the message is produced again later (downstream is idempotent), the
//    offset waits.
#include <chrono>
#include <string>

#include "common/base/clock.hpp"
#include "common/codec/politeness_key.hpp"
#include "common/kafka/message.hpp"
#include "common/runtime/dead_letterer.hpp"
#include "common/runtime/outbox.hpp"
#include "common/runtime/stage_ports.hpp"
#include "services/parser/limits.hpp"
#include "services/parser/parsed_document.hpp"
#include "services/parser/stage_metrics.hpp"
#include "tributary/v1/source_event.pb.h"

namespace tributary::parser {

struct CoreSettings {
  std::string items_topic;
  std::string requests_topic;
  codec::PolitenessScope politeness_scope = codec::PolitenessScope::kHost;
  std::string events_topic;
  Limits limits;
  std::chrono::milliseconds retry_delay{1000};
};

class Core {
 public:
  Core(CoreSettings settings, runtime::RecordSink& sink, runtime::DeadLetters& dead_letters,
       runtime::Completions& completions, StageMetrics& metrics,
       const Clock& clock = SteadyClock::Instance());

  // Called on the poll thread for every consumed message.
  void Handle(kafka::Message message);
  // Called on the poll thread between polls: re-produces messages whose deliveries failed and
  // dead-letters ones that failed permanently. Returns false only on a fatal condition (none yet).
  bool Tick();

  // Messages waiting for a retry (tests, shutdown logging).
  [[nodiscard]] std::size_t PendingRetries() const { return outbox_.PendingRetries(); }

 private:
  v1::SourceEvent EventFor(const v1::FetchedDocument& document,
                           const Result<ParsedDocument>& parsed);

  CoreSettings settings_;
  StageMetrics& metrics_;
  runtime::DeadLetterer dead_letterer_;
  runtime::Outbox outbox_;
};

}  // namespace tributary::parser
