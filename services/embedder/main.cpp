#include "services/embedder/app.hpp"

int main(int argc, char** argv) { return tributary::embedder::App::Main(argc, argv); }
