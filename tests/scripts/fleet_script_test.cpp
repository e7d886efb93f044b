// deploy/local/fleet.sh as a person runs it, with stand-in binaries (a shell script per stage
// that records its arguments and sleeps), so no broker or database is needed.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "tests/support/test_env.hpp"

namespace tributary::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class FleetScript : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / UniqueName("fleet-sh");
    fs::create_directories(dir_ / "bin");
    for (const char* stage : {"loader", "embedder", "parser", "fetcher", "scheduler"}) {
      const auto path = dir_ / "bin" / (std::string("tributary-") + stage);
      std::ofstream(path) << "#!/bin/sh\necho \"$@\" >> '" << (dir_ / stage).string()
                          << ".args'\nexec sleep 300\n";
      fs::permissions(path, fs::perms::owner_all);
    }
  }
  void TearDown() override {
    Fleet("stop");
    fs::remove_all(dir_);
  }
  CommandResult Fleet(const std::string& command, const std::string& env = {}) {
    return RunCommand(env + " TRIBUTARY_TOPIC_PREFIX=fleet-test TRIBUTARY_FLEET_DIR=" +
                      dir_.string() +
                      " TRIBUTARY_BIN_DIR=" + (dir_ / "bin").string() + " " +
                      (SourceDir() / "deploy/local/fleet.sh").string() + " " + command + " 2>&1");
  }
  std::string Read(const std::string& file) {
    std::ifstream in(dir_ / file);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }
  fs::path dir_;
};

// A SIGKILLed stage is a zombie until its parent reaps it, and `kill -0` succeeds on a zombie:
// `start` once took it for running and left the stage down.
TEST_F(FleetScript, StartRestartsAStageThatDiedButIsNotReapedYet) {
  const pid_t zombie = fork();
  ASSERT_GE(zombie, 0);
  if (zombie == 0) _exit(0);
  // Not reaped: the child stays a zombie of this test process until waitpid below.
  ASSERT_TRUE(WaitFor(
      [&] {
        std::ifstream stat("/proc/" + std::to_string(zombie) + "/stat");
        std::string line;
        std::getline(stat, line);
        return line.find(") Z ") != std::string::npos;
      },
      std::chrono::seconds(5)));
  std::ofstream(dir_ / "loader.pid") << zombie << "\n";

  const auto started = Fleet("start");
  EXPECT_EQ(started.exit_code, 0) << started.output;
  EXPECT_THAT(started.output, HasSubstr("loader: started"));
  EXPECT_THAT(Read("loader.pid"), ::testing::Not(HasSubstr(std::to_string(zombie))));
  const auto status = Fleet("status");
  EXPECT_THAT(status.output, HasSubstr("loader: running"));
  EXPECT_THAT(status.output, ::testing::Not(HasSubstr("not running")));
  waitpid(zombie, nullptr, 0);
}

TEST_F(FleetScript, EveryConsumingStageGetsAStableInstanceIdOfItsOwn) {
  const auto started = Fleet("start");
  ASSERT_EQ(started.exit_code, 0) << started.output;
  const auto host = RunCommand("uname -n").output;
  for (const char* stage : {"loader", "embedder", "parser", "fetcher"}) {
    // The prefix too: a fleet on other topics must not inherit this one's partitions.
    EXPECT_THAT(Read(std::string(stage) + ".args"),
                HasSubstr("--group-instance-id " + host.substr(0, host.size() - 1) +
                          "-fleet-test-" + stage))
        << stage;
  }
  EXPECT_THAT(Read("scheduler.args"), ::testing::Not(HasSubstr("--group-instance-id")))
      << "the scheduler is no group member";
}

// The chaos test runs two of every stage from one fleet directory: each replica is its own
// process with its own pid file, log, group instance id and admin port, and `stop` stops them
// all, also when asked with fewer replicas than were started.
TEST_F(FleetScript, ReplicasAreProcessesOfTheirOwn) {
  const auto started = Fleet("start", "TRIBUTARY_FLEET_REPLICAS=2");
  ASSERT_EQ(started.exit_code, 0) << started.output;
  const auto host = RunCommand("uname -n").output;
  const auto id = host.substr(0, host.size() - 1) + "-fleet-test-";
  for (const char* stage : {"loader", "embedder", "parser", "fetcher"}) {
    const auto args = Read(std::string(stage) + ".args");
    EXPECT_THAT(args, HasSubstr("--group-instance-id " + id + stage + "\n")) << stage;
    EXPECT_THAT(args, HasSubstr("--group-instance-id " + id + stage + "-2 ")) << stage;
    EXPECT_THAT(args, HasSubstr("--admin-port 0")) << "replica 2 of " << stage;
    EXPECT_TRUE(fs::exists(dir_ / (std::string(stage) + "-2.pid"))) << stage;
  }
  EXPECT_NE(Read("scheduler.args").find('\n'), Read("scheduler.args").rfind('\n'))
      << "two schedulers started";
  const auto status = Fleet("status", "TRIBUTARY_FLEET_REPLICAS=2");
  EXPECT_THAT(status.output, HasSubstr("loader-2: running"));
  EXPECT_THAT(status.output, ::testing::Not(HasSubstr("not running")));
  const auto stopped = Fleet("stop");
  EXPECT_THAT(stopped.output, HasSubstr("scheduler-2: stopped"));
  EXPECT_THAT(stopped.output, HasSubstr("loader-2: stopped"));
  EXPECT_FALSE(fs::exists(dir_ / "loader-2.pid"));
  EXPECT_THAT(Fleet("start", "TRIBUTARY_FLEET_REPLICAS=x").output,
              HasSubstr("TRIBUTARY_FLEET_REPLICAS=x is not a number"));
}

}  // namespace
}  // namespace tributary::testing
