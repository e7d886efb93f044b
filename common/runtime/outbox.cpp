#include "common/runtime/outbox.hpp"

#include <atomic>
#include <deque>
#include <mutex>
#include <optional>

#include "common/codec/codec.hpp"
#include "common/log/log.hpp"
#include "common/log/trace_scope.hpp"

namespace tributary::runtime {

struct Outbox::Pending {
  kafka::Message message;
  std::vector<kafka::Record> records;  // kept to produce them again if a delivery fails
  std::function<void()> on_delivered;
  std::atomic<int> outstanding{1};     // 1 held by Send itself while it enqueues
  std::mutex mutex;
  std::optional<Error> error;          // the first failure
};

struct Outbox::State {
  struct Failed {
    std::shared_ptr<Pending> pending;
    Error error;
    Clock::TimePoint not_before;
  };

  State(RecordSink& sink_in, const Clock& clock_in, Settings settings_in,
        Completions* completions_in)
      : sink(sink_in), clock(clock_in), settings(settings_in), completions(completions_in) {}

  RecordSink& sink;
  const Clock& clock;
  Settings settings;
  mutable std::mutex mutex;  // guards completions and failed
  Completions* completions;
  std::deque<Failed> failed;
};

Outbox::Outbox(RecordSink& sink, DeadLetterer& dead_letterer, Completions& completions,
               const Clock& clock, Settings settings)
    : state_(std::make_shared<State>(sink, clock, settings, &completions)),
      dead_letterer_(dead_letterer) {}

Outbox::~Outbox() { Detach(); }

void Outbox::Detach() {
  std::lock_guard lock(state_->mutex);
  state_->completions = nullptr;
  state_->failed.clear();
}

void Outbox::Emit(kafka::Message message, std::vector<kafka::Record> records,
                  std::function<void()> on_delivered) {
  // One span per message and stage, the same on every record derived from it (DESIGN §7).
  const kafka::Headers content_type = {
      {std::string(codec::kContentTypeHeader), std::string(codec::kProtobufContentType)}};
  const auto headers = kafka::DerivedHeaders(message, content_type);
  for (auto& record : records) {
    if (record.headers.empty()) record.headers = headers;
  }
  auto pending = std::make_shared<Pending>();
  pending->message = std::move(message);
  pending->records = std::move(records);
  pending->on_delivered = std::move(on_delivered);
  Send(state_, std::move(pending));
}

void Outbox::Send(const std::shared_ptr<State>& state, std::shared_ptr<Pending> pending) {
  for (const auto& record : pending->records) {
    pending->outstanding.fetch_add(1);
    auto fail = [pending](const Error& error) {
      std::lock_guard lock(pending->mutex);
      if (!pending->error) pending->error = error;
    };
    const auto sent = state->sink.Send(record, [state, pending, fail](const Result<void>& ok) {
      if (!ok) fail(ok.error());
      Finish(state, pending);
    });
    if (!sent) {
      fail(sent.error());
      Finish(state, pending);
    }
  }
  Finish(state, pending);
}

void Outbox::Finish(const std::shared_ptr<State>& state, const std::shared_ptr<Pending>& pending) {
  if (pending->outstanding.fetch_sub(1) != 1) return;
  std::optional<Error> error;
  {
    std::lock_guard lock(pending->mutex);
    error = pending->error;
  }
  std::lock_guard lock(state->mutex);
  if (state->completions == nullptr) return;  // detached: the stage is gone
  if (!error) {
    if (pending->on_delivered) pending->on_delivered();
    state->completions->Complete(pending->message);
    return;
  }
  // Not on the delivery thread: the poll thread produces it again (or dead-letters it) in Tick.
  const auto delay =
      error->retryable() ? state->settings.retry_delay : std::chrono::milliseconds(0);
  state->failed.push_back({pending, *error, state->clock.Now() + delay});
}

void Outbox::Tick() {
  std::vector<State::Failed> due;
  {
    std::lock_guard lock(state_->mutex);
    const auto now = state_->clock.Now();
    while (!state_->failed.empty() && state_->failed.front().not_before <= now) {
      due.push_back(std::move(state_->failed.front()));
      state_->failed.pop_front();
    }
  }
  for (auto& failed : due) {
    const auto& message = failed.pending->message;
    const log::TraceScope trace(message.Traceparent());
    if (!failed.error.retryable()) {
      // A record the broker can never take: the message itself is poison.
      dead_letterer_.DeadLetter(message, failed.error);
      continue;
    }
    log::Get("runtime")->warn("{}[{}]@{}: producing its records failed ({}); producing them again",
                              message.topic, message.partition, message.offset,
                              failed.error.message);
    if (state_->settings.reproduced != nullptr) state_->settings.reproduced->Inc();
    auto again = std::make_shared<Pending>();
    again->message = message;
    again->records = std::move(failed.pending->records);
    again->on_delivered = std::move(failed.pending->on_delivered);
    Send(state_, std::move(again));
  }
}

std::size_t Outbox::PendingRetries() const {
  std::lock_guard lock(state_->mutex);
  return state_->failed.size();
}

}  // namespace tributary::runtime
