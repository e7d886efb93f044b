#include "services/loader/app.hpp"

int main(int argc, char** argv) { return tributary::loader::App::Main(argc, argv); }
