#pragma once
// Talking to a binary under test through its admin server: a port to give it, and the value of
// one of its metrics.
#include <string>

namespace tributary::testing {

// A loopback TCP port that was free a moment ago (bound, read back, released).
int FreePort();

// The sum over every label set of `name` on http://127.0.0.1:<port>/metrics; 0 when the
// metric is absent or the server does not answer.
double ScrapeMetric(int port, const std::string& name);

}  // namespace tributary::testing
