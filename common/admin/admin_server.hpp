#pragma once
// The admin port every binary serves (DESIGN §7): /healthz (the process is alive), /readyz
// (connected and assigned: Kubernetes routes and rolls on it), /metrics (Prometheus text).
// It runs on its own thread so a stage that is busy or stuck still answers probes and scrapes.
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

#include "common/config/spec.hpp"
#include "common/metrics/registry.hpp"

namespace tributary::admin {

struct Settings {
  std::string address = "0.0.0.0";
  int port = 0;  // each binary sets its own default; 0 picks a free port (tests)
};

void AddSettings(config::Spec& spec, Settings* settings);

class AdminServer {
 public:
  AdminServer(Settings settings, metrics::Registry& registry);
  ~AdminServer();
  AdminServer(const AdminServer&) = delete;
  AdminServer& operator=(const AdminServer&) = delete;

  // Binds and starts serving. Throws std::runtime_error naming the address if it cannot bind.
  void Start();
  void Stop();
  [[nodiscard]] std::uint16_t port() const { return bound_port_; }

  // Readiness with the reason shown on /readyz when not ready (e.g. "no partitions assigned").
  void SetReady(bool ready, std::string reason = {});
  // (ready, reason when not ready), as /readyz reports it.
  [[nodiscard]] std::pair<bool, std::string> Readiness() const;
  [[nodiscard]] metrics::Registry& registry() const { return registry_; }

 private:
  struct Impl;
  Settings settings_;
  metrics::Registry& registry_;
  // tributary_ready: what /readyz says, for alerting on a stage that runs but does not work.
  metrics::Gauge& ready_gauge_;
  std::unique_ptr<Impl> impl_;
  std::thread thread_;
  std::atomic<std::uint16_t> bound_port_{0};
  mutable std::mutex ready_mutex_;
  bool ready_ = false;
  std::string not_ready_reason_ = "starting";
};

}  // namespace tributary::admin
