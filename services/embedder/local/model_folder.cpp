#include "services/embedder/local/model_folder.hpp"

#include <fmt/format.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace tributary::embedder::local {
namespace {

using nlohmann::json;

tl::unexpected<Error> Problem(const std::string& path, const std::string& what) {
  return Fail(ErrorKind::kPermanent, "model", fmt::format("{}: {}", path, what));
}

// A JSON file whose top level is an object, or with `array` an array.
Result<json> ReadJson(const std::string& path, bool array = false) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return Problem(path, "cannot be read");
  std::ostringstream text;
  text << file.rdbuf();
  auto parsed = json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || (array ? !parsed.is_array() : !parsed.is_object())) {
    return Problem(path, array ? "not a JSON array" : "not a JSON object");
  }
  return parsed;
}

// A positive integer field.
Result<int> Positive(const std::string& path, const json& object, const char* key) {
  const auto found = object.find(key);
  if (found == object.end() || !found->is_number_integer() || found->get<long long>() <= 0 ||
      found->get<long long>() > 1'000'000) {
    return Problem(path, fmt::format("'{}' must be a positive integer", key));
  }
  return found->get<int>();
}

}  // namespace

Result<ModelFolder> ModelFolder::Read(const std::string& dir) {
  ModelFolder model;
  model.dir = dir;

  const auto config_path = model.Path("config.json");
  auto config = ReadJson(config_path);
  if (!config) return tl::unexpected(config.error());
  const auto type = config->value("model_type", std::string());
  if (type != "bert") {
    return Problem(config_path, fmt::format("model_type '{}': only BERT encoders run here", type));
  }
  const auto activation = config->value("hidden_act", std::string("gelu"));
  if (activation != "gelu") {
    return Problem(config_path, fmt::format("hidden_act '{}': only gelu runs here", activation));
  }
  if (config->value("position_embedding_type", std::string("absolute")) != "absolute") {
    return Problem(config_path, "only absolute position embeddings run here");
  }
  for (const auto& [field, key] :
       {std::pair{&model.hidden_size, "hidden_size"}, {&model.layers, "num_hidden_layers"},
        {&model.heads, "num_attention_heads"}, {&model.intermediate_size, "intermediate_size"},
        {&model.max_positions, "max_position_embeddings"}, {&model.vocab_size, "vocab_size"},
        {&model.type_vocab_size, "type_vocab_size"}}) {
    auto value = Positive(config_path, *config, key);
    if (!value) return tl::unexpected(value.error());
    *field = *value;
  }
  if (model.hidden_size % model.heads != 0) {
    return Problem(config_path, "hidden_size is not a multiple of num_attention_heads");
  }
  if (const auto eps = config->find("layer_norm_eps"); eps != config->end()) {
    if (!eps->is_number() || eps->get<double>() <= 0) {
      return Problem(config_path, "'layer_norm_eps' must be a positive number");
    }
    model.layer_norm_eps = eps->get<float>();
  }

  // modules.json: the Pooling module's folder, and whether a Normalize module follows.
  const auto modules_path = model.Path("modules.json");
  const auto modules = ReadJson(modules_path, /*array=*/true);
  if (!modules) return tl::unexpected(modules.error());
  std::string pooling_dir;
  for (const auto& module : *modules) {
    const auto kind = module.value("type", std::string());
    if (kind.ends_with("models.Pooling")) pooling_dir = module.value("path", std::string());
    if (kind.ends_with("models.Normalize")) model.normalize = true;
  }
  if (pooling_dir.empty()) return Problem(modules_path, "no Pooling module");

  const auto pooling_path = model.Path(pooling_dir + "/config.json");
  auto pooling = ReadJson(pooling_path);
  if (!pooling) return tl::unexpected(pooling.error());
  const bool mean = pooling->value("pooling_mode_mean_tokens", false);
  const bool cls = pooling->value("pooling_mode_cls_token", false);
  for (const char* other : {"pooling_mode_max_tokens", "pooling_mode_mean_sqrt_len_tokens",
                            "pooling_mode_weightedmean_tokens", "pooling_mode_lasttoken"}) {
    if (pooling->value(other, false)) {
      return Problem(pooling_path, fmt::format("{}: only mean or CLS pooling runs here", other));
    }
  }
  if (mean == cls) return Problem(pooling_path, "exactly one of mean and CLS pooling must be on");
  model.pooling = mean ? Pooling::kMean : Pooling::kCls;

  model.max_seq_length = model.max_positions;
  if (auto sbert = ReadJson(model.Path("sentence_bert_config.json")); sbert) {
    if (const auto found = sbert->find("max_seq_length");
        found != sbert->end() && found->is_number_integer() && found->get<int>() > 0) {
      model.max_seq_length = std::min(found->get<int>(), model.max_positions);
    }
  }
  return model;
}

}  // namespace tributary::embedder::local
