// First translation unit; it includes cte too, so both objects carry cte's stubs.
#include <cte/cte.hpp>

#include <cstdio>
#include <string>

extern std::string trace;
void run_threads();

int main() {
  static_assert(sizeof(cte::Context) > 0);
  run_threads();
  std::printf("consumer: %s %s\n", trace.c_str(), trace == "ABAB" ? "ok" : "WRONG");
  return trace == "ABAB" ? 0 : 1;
}
