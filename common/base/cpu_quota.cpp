#include "common/base/cpu_quota.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <thread>

namespace tributary {

unsigned CoresFromCpuMax(const std::string& cpu_max, unsigned cores) {
  cores = std::max(1U, cores);
  std::istringstream in(cpu_max);
  std::string quota;
  long long period = 0;
  if (!(in >> quota >> period) || quota == "max" || period <= 0) return cores;
  long long microseconds = 0;
  try {
    microseconds = std::stoll(quota);
  } catch (...) {
    return cores;
  }
  if (microseconds <= 0) return cores;
  const auto whole = static_cast<unsigned>((microseconds + period - 1) / period);
  return std::clamp(whole, 1U, cores);
}

unsigned AvailableCores() {
  const unsigned cores = std::max(1U, std::thread::hardware_concurrency());
  std::ifstream file("/sys/fs/cgroup/cpu.max");
  if (!file) return cores;
  std::stringstream text;
  text << file.rdbuf();
  return CoresFromCpuMax(text.str(), cores);
}

}  // namespace tributary
