#include "services/fetcher/app.hpp"

int main(int argc, char** argv) { return tributary::fetcher::App::Main(argc, argv); }
