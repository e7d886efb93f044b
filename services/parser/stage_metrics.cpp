#include "services/parser/stage_metrics.hpp"

namespace tributary::parser {

StageMetrics::StageMetrics(metrics::Registry& registry)
    : documents(registry.CounterFamily("tributary_parser_documents_total",
                                       "Documents handled, by detected format and outcome.",
                                       {"format", "outcome"})),
      items(registry.AddCounter("tributary_parser_items_total", "Items produced.")),
      children(registry.AddCounter("tributary_parser_children_total",
                                   "Child fetch requests produced (sitemap children, pages).")),
      warnings(registry.AddCounter("tributary_parser_warnings_total",
                                   "Warnings attached to parse outcomes.")),
      redeliveries(registry.AddCounter(
          "tributary_parser_reproduced_documents_total",
          "Documents whose records were produced again after a failed delivery.")),
      parse_seconds(registry.AddHistogram(
          "tributary_parser_parse_seconds", "Time to parse and normalize one document.",
          {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10})),
      document_bytes(registry.AddHistogram("tributary_parser_document_bytes",
                                           "Size of the documents parsed.",
                                           {1e3, 1e4, 1e5, 1e6, 4e6, 16e6, 64e6})) {}

}  // namespace tributary::parser
