#pragma once
// How many cores this process may really use: the machine's, capped by a cgroup v2 CPU quota
// (cpu.max, which Kubernetes sets from a container's CPU limit). Thread counts sized by the
// machine alone oversubscribe a container on a large node: 64 threads sharing 2 cores' worth
// of time, each stalled by throttling.
#include <string>

namespace tributary {

// At least 1.
unsigned AvailableCores();
// The same from a given cpu.max file's text ("max 100000", "250000 100000") and core count:
// the quota rounded up to whole cores, never above `cores`.
unsigned CoresFromCpuMax(const std::string& cpu_max, unsigned cores);

}  // namespace tributary
