#include "common/kafka/producer.hpp"

#include <fmt/format.h>

#include <future>

#include "common/kafka/client_config.hpp"
#include "common/log/log.hpp"

namespace tributary::kafka {
namespace {

auto Log() { return log::Get("kafka"); }

struct Pending {
  DeliveryCallback callback;
  std::string topic;
  // librdkafka sends from this buffer until the delivery report instead of copying it first
  // (a fetched document is up to 16 MiB): this struct lives exactly that long.
  std::string value;
};

// Broker-side rejections of the record itself can never succeed; everything else (timeouts,
// transport, leader changes) may succeed on a later try.
ErrorKind KindOf(RdKafka::ErrorCode code) {
  switch (code) {
    case RdKafka::ERR_MSG_SIZE_TOO_LARGE:
    case RdKafka::ERR_INVALID_MSG:
    case RdKafka::ERR_INVALID_RECORD:
    case RdKafka::ERR_TOPIC_AUTHORIZATION_FAILED:
      return ErrorKind::kPermanent;
    default:
      return ErrorKind::kRetryable;
  }
}

}  // namespace

class Producer::Callbacks : public RdKafka::DeliveryReportCb, public RdKafka::EventCb {
 public:
  explicit Callbacks(Producer& owner) : owner_(owner) {}

  void dr_cb(RdKafka::Message& message) override {
    std::unique_ptr<Pending> pending(static_cast<Pending*>(message.msg_opaque()));
    if (!pending) return;
    if (message.err() == RdKafka::ERR_NO_ERROR) {
      owner_.produced_.Labels({pending->topic}).Inc();
      pending->callback({});
      return;
    }
    owner_.failed_.Labels({pending->topic}).Inc();
    pending->callback(Fail(KindOf(message.err()), ErrorClass(message.err()),
                           fmt::format("delivery to {} failed: {}", pending->topic,
                                       message.errstr())));
  }

  void event_cb(RdKafka::Event& event) override {
    if (event.type() == RdKafka::Event::EVENT_ERROR) {
      if (event.fatal()) {
        owner_.fatal_ = true;
        Log()->critical("Kafka producer fatal error: {}", event.str());
      } else if (ShouldLog()) {
        Log()->warn("Kafka producer error (retrying): {}: {}", RdKafka::err2str(event.err()),
                    event.str());
      }
    } else if (event.type() == RdKafka::Event::EVENT_LOG &&
               event.severity() <= RdKafka::Event::EVENT_SEVERITY_WARNING) {
      Log()->warn("librdkafka {}: {}", event.fac(), event.str());
    }
  }

 private:
  bool ShouldLog() {
    const auto now = std::chrono::steady_clock::now();
    if (now - last_logged_ < std::chrono::seconds(10)) return false;
    last_logged_ = now;
    return true;
  }
  Producer& owner_;
  std::chrono::steady_clock::time_point last_logged_{};
};

Producer::Producer(const Settings& settings, const std::string& stage,
                   metrics::Registry& registry)
    : callbacks_(std::make_unique<Callbacks>(*this)),
      produced_(registry.CounterFamily(fmt::format("tributary_{}_produced_total", stage),
                                       "Records acknowledged by the broker.", {"topic"})),
      failed_(registry.CounterFamily(fmt::format("tributary_{}_produce_failed_total", stage),
                                     "Records the broker did not acknowledge.", {"topic"})) {
  auto conf = MakeConf(settings, {
      {"client.id", "tributary-" + stage},
      {"enable.idempotence", "true"},
      {"acks", "all"},
      // lz4: cheapest CPU per byte saved on feed XML/JSON; zstd via --kafka for smaller topics.
      {"compression.type", "lz4"},
      {"linger.ms", "5"},
      {"message.max.bytes", std::to_string(kMaxMessageBytes)},
  });
  std::string error;
  if (conf->set("dr_cb", static_cast<RdKafka::DeliveryReportCb*>(callbacks_.get()), error) !=
          RdKafka::Conf::CONF_OK ||
      conf->set("event_cb", static_cast<RdKafka::EventCb*>(callbacks_.get()), error) !=
          RdKafka::Conf::CONF_OK) {
    throw std::runtime_error("cannot configure Kafka producer callbacks: " + error);
  }
  producer_.reset(RdKafka::Producer::create(conf.get(), error));
  if (!producer_) throw std::runtime_error("cannot create Kafka producer: " + error);
  poller_ = std::thread([this] {
    while (!stopping_) producer_->poll(100);
  });
}

Producer::~Producer() {
  if (!Flush(std::chrono::seconds(10))) {
    Log()->warn("producer closed with {} records undelivered", producer_->outq_len());
  }
  stopping_ = true;
  poller_.join();
  // Fails what is left so no callback owner waits forever.
  producer_->purge(RdKafka::Producer::PURGE_QUEUE | RdKafka::Producer::PURGE_INFLIGHT);
  producer_->poll(0);
}

Result<void> Producer::Produce(Record record, DeliveryCallback on_delivery) {
  if (record.value.size() > kMaxMessageBytes) {
    return Fail(ErrorKind::kPermanent, "kafka.too_large",
                fmt::format("record for {} is {} bytes, over the {} byte limit", record.topic,
                            record.value.size(), kMaxMessageBytes));
  }
  auto pending = std::make_unique<Pending>(
      Pending{std::move(on_delivery), record.topic, std::move(record.value)});
  for (;;) {
    RdKafka::Headers* headers = RdKafka::Headers::create();
    for (const auto& [name, value] : record.headers) headers->add(name, value);
    // No RK_MSG_COPY and no RK_MSG_FREE: the payload stays ours (in `pending`) until dr_cb.
    const auto err = producer_->produce(
        record.topic, RdKafka::Topic::PARTITION_UA, /*msgflags=*/0, pending->value.data(),
        pending->value.size(), record.key.data(), record.key.size(), 0, headers, pending.get());
    if (err == RdKafka::ERR_NO_ERROR) {
      pending.release();  // owned by the delivery callback now
      return {};
    }
    delete headers;  // not taken over on failure
    if (err == RdKafka::ERR__QUEUE_FULL && !stopping_) {
      // The poller thread serves delivery reports that make room; wait for them.
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      continue;
    }
    failed_.Labels({record.topic}).Inc();
    return Fail(KindOf(err), ErrorClass(err),
                fmt::format("cannot produce to {}: {}", record.topic, RdKafka::err2str(err)));
  }
}

Result<void> Producer::ProduceAndWait(Record record, std::chrono::milliseconds timeout) {
  auto promise = std::make_shared<std::promise<Result<void>>>();
  auto future = promise->get_future();
  if (auto queued = Produce(std::move(record),
                            [promise](const Result<void>& result) { promise->set_value(result); });
      !queued) {
    return queued;
  }
  if (future.wait_for(timeout) != std::future_status::ready) {
    return Fail(ErrorKind::kRetryable, "kafka.timeout", "no acknowledgement from the broker in time");
  }
  return future.get();
}

bool Producer::Flush(std::chrono::milliseconds timeout) {
  return producer_->flush(static_cast<int>(timeout.count())) == RdKafka::ERR_NO_ERROR;
}

}  // namespace tributary::kafka
