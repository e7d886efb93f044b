#include "common/runtime/process_main.hpp"

#include <iostream>

#include "common/base/shutdown.hpp"
#include "common/config/spec.hpp"
#include "common/log/mask.hpp"

namespace tributary::runtime {

int ProcessMain(int argc, char** argv, std::string_view program,
                const std::function<int(const config::Source&)>& run) {
  Shutdown::InstallSignalHandlers();
  try {
    return run(config::Source::FromProcess(argc, argv));
  } catch (const config::ConfigError& e) {
    std::cerr << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << program << ": " << log::Mask(e.what()) << "\n";
    return 1;
  }
}

}  // namespace tributary::runtime
