#pragma once
// The fetcher stage's core: consumed FetchRequests in; fetches run concurrently as coroutines on
// one io thread; each result's records (document for a 200, SourceEvent always) produced; the
// message completed (offset storable) only after every record is acknowledged (runtime::Outbox).
//  - undecodable request -> dead letter, then completed;
//  - failed delivery -> the same records produced again later from Tick (no re-fetch);
//  - shutdown: the io thread stops, pending fetches are abandoned unstored (redelivered).
// Lifetimes (the lost attempt crashed here): fetch coroutines and delivery callbacks hold only a
// shared_ptr to the worker's shared state plus the engine, which outlives every coroutine frame
// (frames die with the io_context, which is destroyed before the engine); a delivery callback
// arriving after the worker is gone finds the completion target detached and does nothing.
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "common/kafka/message.hpp"
#include "common/runtime/stage_ports.hpp"
#include "services/fetcher/fetch_engine.hpp"
#include "services/fetcher/fetcher_metrics.hpp"

namespace tributary::fetcher {

struct WorkerSettings {
  std::string documents_topic;
  std::string events_topic;
  EngineSettings engine;
  std::chrono::milliseconds retry_delay{1000};
};

class FetchWorker {
 public:
  FetchWorker(WorkerSettings settings, runtime::RecordSink& sink,
              runtime::DeadLetters& dead_letters, runtime::Completions& completions,
              FetcherMetrics& metrics);
  ~FetchWorker();
  FetchWorker(const FetchWorker&) = delete;
  FetchWorker& operator=(const FetchWorker&) = delete;

  // Starts the io thread.
  void Start();
  // Poll thread: takes ownership of one consumed message.
  void Handle(kafka::Message message);
  // Poll thread, between polls: re-produces results whose delivery failed. Always true.
  bool Tick();
  // Stops the io thread; fetches still running are abandoned (their offsets stay unstored).
  void Stop();

  [[nodiscard]] std::size_t InFlight() const;

  struct Shared;  // state shared with fetch coroutines and delivery callbacks (fetch_worker.cpp)

 private:
  WorkerSettings settings_;
  std::shared_ptr<Shared> shared_;
  // Declared in this order on purpose: see the destructor.
  std::unique_ptr<FetchEngine> engine_;
  std::unique_ptr<boost::asio::io_context> io_;
  std::unique_ptr<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
  std::thread thread_;
  std::chrono::steady_clock::time_point next_breaker_update_{};
};

}  // namespace tributary::fetcher
