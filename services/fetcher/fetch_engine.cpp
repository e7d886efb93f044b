#include "services/fetcher/fetch_engine.hpp"

#include <fmt/format.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace tributary::fetcher {
namespace {

namespace net = boost::asio;

}  // namespace

FetchEngine::FetchEngine(net::any_io_executor executor, EngineSettings settings,
                         FetcherMetrics* metrics)
    : executor_(executor),
      settings_(std::move(settings)),
      gate_(executor, settings_.gate),
      client_(executor, settings_.client, AddressPolicy(settings_.allow), &gate_, metrics),
      product_token_(ProductToken(settings_.client.user_agent)) {}

void FetchEngine::Close() {
  gate_.Close();
  client_.Close();
}

net::awaitable<RobotsRules> FetchEngine::Robots(const Target& target) {
  ForgetExpiredRobots(std::chrono::steady_clock::now());
  const auto origin = target.Origin();
  // One robots.txt fetch per origin at a time; concurrent fetches wait for its verdict.
  while (true) {
    auto& entry = robots_[origin];
    if (!entry.loading && std::chrono::steady_clock::now() < entry.expires) co_return entry.rules;
    if (!entry.loading) break;
    net::steady_timer timer(executor_);
    timer.expires_after(std::chrono::milliseconds(50));
    co_await timer.async_wait(net::as_tuple(net::use_awaitable));
  }
  robots_[origin].loading = true;
  FetchSpec spec;
  spec.url = origin + "/robots.txt";
  spec.max_body_bytes = kMaxRobotsBytes * 2;  // compressed or not, the parser reads 500 KiB
  auto response = co_await client_.Fetch(spec);
  RobotsRules rules;
  auto ttl = settings_.robots_ttl;
  if (response.ok() && response.status >= 200 && response.status < 300) {
    rules = ParseRobots(response.body, product_token_);
  } else if (response.status >= 400 && response.status < 500) {
    rules = RobotsRules::AllowAll();  // RFC 9309 §2.3.1.3: "unavailable" means no rules
  } else if (response.outcome == v1::FETCH_OUTCOME_REFUSED ||
             response.outcome == v1::FETCH_OUTCOME_TOO_LARGE) {
    // The fetch itself meets the same guard and reports it; an oversized file has no rules
    // we can honour.
    rules = RobotsRules::AllowAll();
    ttl = settings_.robots_error_ttl;
  } else {
    rules = RobotsRules::DisallowAll();  // §2.3.1.4: 5xx or unreachable means disallow all
    ttl = settings_.robots_error_ttl;
  }
  auto& entry = robots_[origin];
  entry.rules = rules;
  entry.expires = std::chrono::steady_clock::now() + ttl;
  entry.loading = false;
  co_return rules;
}

void FetchEngine::ForgetExpiredRobots(std::chrono::steady_clock::time_point now) {
  // At most once a minute: an origin fetched once a day would otherwise keep its rules forever.
  if (!robots_sweep_.Due(now)) return;
  std::erase_if(robots_, [now](const auto& entry) {
    return !entry.second.loading && entry.second.expires <= now;
  });
}

net::awaitable<Result<void>> FetchEngine::RobotsAllow(const Target& target) {
  const auto rules = co_await Robots(target);
  // Told before every request, not once per robots.txt fetch: the gate forgets idle hosts and
  // the robots cache outlives that.
  std::chrono::milliseconds delay{0};
  if (rules.crawl_delay_seconds) {
    const double asked_ms = std::min(*rules.crawl_delay_seconds, 1e6) * 1000;
    delay = std::min(settings_.max_crawl_delay,
                     std::chrono::milliseconds(static_cast<std::int64_t>(asked_ms)));
  }
  gate_.SetCrawlDelay(codec::PolitenessKey(target.url, settings_.client.politeness_scope), delay);
  if (rules.Allows(target.target)) co_return Result<void>{};
  co_return Fail(ErrorKind::kPermanent, "robots",
                 fmt::format("robots.txt of {} disallows {}", target.Origin(), target.target));
}

net::awaitable<FetchResponse> FetchEngine::Fetch(const v1::FetchRequest& request) {
  FetchSpec spec;
  spec.url = request.url();
  spec.etag = request.etag();
  spec.last_modified = request.last_modified();
  if (settings_.robots && request.options().respect_robots()) {
    // Every hop: a redirect must not lead around another host's (or path's) rules.
    spec.before_each_request = [this](const Target& target) { return RobotsAllow(target); };
  }
  co_return co_await client_.Fetch(std::move(spec));
}

}  // namespace tributary::fetcher
