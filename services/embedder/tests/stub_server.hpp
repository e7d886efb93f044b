#pragma once
// tests/support/openai_stub_server.py as a child process, with its control endpoints.
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "services/embedder/http_client.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/test_env.hpp"

namespace tributary::embedder::testing {

class StubServer {
 public:
  explicit StubServer(const std::vector<std::string>& args) {
    std::vector<std::string> argv{
        "python3", (tributary::testing::SourceDir() / "tests/support/openai_stub_server.py").string()};
    argv.insert(argv.end(), args.begin(), args.end());
    process_ = std::make_unique<tributary::testing::ChildProcess>(argv);
    const auto line = process_->ReadLine(std::chrono::seconds(20));
    if (!line || line->rfind("PORT ", 0) != 0) {
      throw std::runtime_error("openai_stub_server.py did not report its port");
    }
    port_ = std::stoi(line->substr(5));
  }

  [[nodiscard]] std::string Url(const std::string& path = "/v1/embeddings") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

  // e.g. {"mode": "429", "retry_after": 1}
  nlohmann::json Control(const std::string& path, const nlohmann::json& body = nlohmann::json::object()) {
    HttpConnection connection(*ParseEndpoint(Url(path)), nullptr, std::chrono::seconds(10));
    auto response = connection.Post(body.dump(), {});
    if (!response || response->status != 200) {
      throw std::runtime_error("openai_stub_server.py control request " + path + " failed");
    }
    return nlohmann::json::parse(response->body);
  }
  nlohmann::json SetMode(const nlohmann::json& change) { return Control("/admin/mode", change); }
  nlohmann::json Stats() { return Control("/admin/stats"); }

 private:
  std::unique_ptr<tributary::testing::ChildProcess> process_;
  int port_ = 0;
};

}  // namespace tributary::embedder::testing
