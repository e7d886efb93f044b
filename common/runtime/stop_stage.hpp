#pragma once
// The last steps of every stage binary after its consume loop returned: deliver what the
// producer still holds, stop answering on the admin port, and pick the exit status.
#include <spdlog/spdlog.h>

#include "common/admin/admin_server.hpp"
#include "common/kafka/producer.hpp"

namespace tributary::runtime {

// 1 when the producer hit a fatal error (logged), else 0 (logs "stopped").
int StopStage(kafka::Producer& producer, admin::AdminServer& admin, spdlog::logger& logger);

}  // namespace tributary::runtime
