#pragma once
// RequestSink on the real producer: enqueue every record, then wait for the broker's answers.
#include <chrono>

#include "common/kafka/producer.hpp"
#include "services/scheduler/scheduler.hpp"

namespace tributary::scheduler {

class KafkaRequestSink final : public RequestSink {
 public:
  KafkaRequestSink(kafka::Producer& producer, std::chrono::milliseconds timeout)
      : producer_(producer), timeout_(timeout) {}

  std::vector<bool> SendAll(std::vector<kafka::Record> records) override;

 private:
  kafka::Producer& producer_;
  std::chrono::milliseconds timeout_;
};

}  // namespace tributary::scheduler
