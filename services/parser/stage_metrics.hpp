#pragma once
// The parser stage's metrics (tributary_parser_*).
#include "common/metrics/registry.hpp"

namespace tributary::parser {

struct StageMetrics {
  explicit StageMetrics(metrics::Registry& registry);

  // outcome: ok | parse_error | undecodable
  metrics::Family<metrics::Counter>& documents;
  metrics::Counter& items;
  metrics::Counter& children;
  metrics::Counter& warnings;
  metrics::Counter& redeliveries;
  metrics::Histogram& parse_seconds;
  metrics::Histogram& document_bytes;
};

}  // namespace tributary::parser
