#include "services/cli/app.hpp"

int main(int argc, char** argv) { return tributary::cli::App::Main(argc, argv); }
