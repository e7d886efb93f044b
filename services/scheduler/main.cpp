#include "services/scheduler/app.hpp"

int main(int argc, char** argv) { return tributary::scheduler::App::Main(argc, argv); }
