#include "services/parser/app.hpp"

int main(int argc, char** argv) { return tributary::parser::App::Main(argc, argv); }
