#include "services/scheduler/config.hpp"

#include "common/codec/topics.hpp"

namespace tributary::scheduler {

std::string Config::RequestsTopic() const {
  return kafka.TopicOr(requests_topic, topics::kFetchRequests);
}

codec::PolitenessScope Config::PolitenessScope() const {
  return codec::ParsePolitenessScope(politeness_scope).value_or(codec::PolitenessScope::kHost);
}

config::Spec::Outcome Parse(const config::Source& source, Config* config, std::string* help) {
  config::Spec spec(
      "tributary-scheduler",
      "Emits a FetchRequest to <prefix>.fetch.requests for every enabled source that is due, "
      "and sets each source's next fetch time from its fetch outcomes (interval, Cache-Control "
      "max-age, Retry-After, how often new items appear, backoff after failures). Run two or "
      "more for availability: one holds a PostgreSQL advisory lock and schedules, the others "
      "stand by and take over on their next round when it goes away.");
  kafka::AddSettings(spec, &config->kafka);
  pg::AddSettings(spec, &config->pg);
  log::AddSettings(spec, &config->log);
  admin::AddSettings(spec, &config->admin);
  codec::AddPolitenessScope(spec, &config->politeness_scope);
  spec.String("requests-topic", &config->requests_topic,
              "Topic for fetch requests; default <prefix>.fetch.requests.")
      .Duration("round-interval", &config->round_interval,
                "Pause between scheduling rounds; also how soon a standby notices the active "
                "replica is gone.")
      .Int("batch", &config->batch, 1, 100'000,
           "Most sources leased (and outcomes applied) per round.")
      .Duration("lease", &config->lease,
                "How long a source's fetch may take, from scheduling to loaded outcome, before "
                "it is requested again.")
      .Int("failure-threshold", &config->failure_threshold, 1, 1000,
           "Consecutive failures after which a source is reported as failing (log line, "
           "tributary_scheduler_failing_sources, tributary status). It keeps being retried "
           "with capped backoff.")
      .Duration("min-interval", &config->min_interval,
                "Shortest interval the adaptive rule may choose (busy sources).")
      .Duration("max-interval", &config->max_interval,
                "Longest interval the adaptive and max-age rules may choose.")
      .Duration("max-backoff", &config->max_backoff, "Cap of the backoff after failures.")
      .Int("jitter-percent", &config->jitter_percent, 0, 50,
           "Random spread of every next fetch time, in percent of its delay.");
  const auto outcome = spec.Parse(source);
  if (help != nullptr) *help = spec.Help();
  return outcome;
}

}  // namespace tributary::scheduler
