#include "services/cli/embed_command.hpp"

#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/config/spec.hpp"
#include "common/log/log.hpp"
#include "common/log/mask.hpp"
#include "services/embedder/embedding_settings.hpp"
#include "services/embedder/text.hpp"

namespace tributary::cli {

int EmbedCommand(const config::Source& source) {
  log::Settings log_settings;
  embedder::EmbeddingSettings embedding;
  std::vector<std::string> texts;
  config::Spec spec(
      "tributary embed",
      "Prints each TEXT's vector from the configured embedding backend (the embedder's "
      "settings: --backend, --model-dir, --model, --dims, --openai-*; same TRIBUTARY_* "
      "variables) as one JSON line: text, model, version, dims, vector. Whitespace is "
      "normalized and the text cut as the embedder stage does. With - the texts are read from "
      "standard input, one per line.");
  log::AddSettings(spec, &log_settings);
  embedder::AddEmbeddingSettings(spec, &embedding);
  spec.Positional("TEXT", &texts, "Texts to embed, each its own; - reads lines from stdin.");
  if (auto status = spec.EndEarly(spec.Parse(source))) return *status;
  log::Setup(log_settings);
  if (texts.size() == 1 && texts[0] == "-") {
    texts.clear();
    for (std::string line; std::getline(std::cin, line);) texts.push_back(line);
  }
  if (texts.empty()) {
    std::cerr << "tributary embed: expected TEXT (or - for lines of standard input)\n\n"
              << spec.Help();
    return 2;
  }
  if (const auto problems = embedder::ResolveEmbeddingSettings(&embedding); !problems.empty()) {
    for (const auto& problem : problems) std::cerr << "tributary embed: " << problem << "\n";
    return 2;
  }
  std::unique_ptr<embedder::Backend> backend;
  try {
    backend = embedder::MakeBackend(embedding);
  } catch (const std::exception& error) {
    std::cerr << "tributary embed: " << error.what() << "\n";
    return 1;
  }
  const embedder::TextLimits limits;
  std::vector<std::string> prepared;
  for (const auto& text : texts) {
    prepared.emplace_back(embedder::TruncateUtf8(embedder::NormalizeWhitespace(text), limits));
  }
  const auto embedded = backend->Embed(prepared);
  if (!embedded) {
    std::cerr << "tributary embed: the embedding backend failed (" << embedded.error().error_class
              << "): " << log::Mask(embedded.error().message) << "\n";
    return 1;
  }
  for (std::size_t i = 0; i < prepared.size(); ++i) {
    const nlohmann::ordered_json line = {{"text", prepared[i]},
                                 {"model", embedding.model},
                                 {"version", embedding.model_version},
                                 {"dims", embedding.dims},
                                 {"vector", embedded->vectors[i]}};
    std::cout << line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace)
              << "\n";
  }
  return 0;
}

}  // namespace tributary::cli
