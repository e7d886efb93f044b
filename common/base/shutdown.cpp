#include "common/base/shutdown.hpp"

#include <atomic>
#include <csignal>
#include <thread>

namespace tributary {
namespace {
// A signal handler may only touch lock-free atomics; waiters poll in short sleeps instead of
// a condition variable, which a handler could not notify safely.
std::atomic<bool> g_requested{false};
static_assert(std::atomic<bool>::is_always_lock_free);

extern "C" void OnSignal(int /*signal*/) { g_requested.store(true); }
}  // namespace

void Shutdown::InstallSignalHandlers() {
  std::signal(SIGTERM, OnSignal);
  std::signal(SIGINT, OnSignal);
}

void Shutdown::Request() { g_requested.store(true); }

bool Shutdown::Requested() { return g_requested.load(); }

bool Shutdown::WaitFor(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!Requested() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return Requested();
}

void Shutdown::ResetForTesting() { g_requested.store(false); }

}  // namespace tributary
