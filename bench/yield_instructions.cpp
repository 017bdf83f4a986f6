// Instructions of a hosted yield, counted by callgrind (exact and repeatable, unlike timings):
// `yield_instructions N MODE` runs N yields of MODE and exits. The ctest
// bench_yield_instructions (count_instructions.cmake) runs it under callgrind with two values
// of N: the difference, divided by the difference in N, is the cost of one iteration with
// start-up and exit cancelled out.
//   pingpong  one iteration is a round trip A -> B -> A: two yields, a handler that resumes
//             the other thread each time (the cte_bench `roundtrip/cte_yield` loop)
//   self      one iteration is one yield whose handler resumes the thread that yielded

#include <cte/cte.hpp>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

alignas(16) unsigned char peer_stack[64 * 1024];
cte::Context *other = nullptr;

cte::Context *resume_other(cte::Event, cte::Context *context) {
  cte::Context *const next = other;
  other = context;
  return next;
}
cte::Context *resume_same(cte::Event, cte::Context *context) { return context; }

[[noreturn]] void peer_loop(void *) {
  for (;;) cte::yield();
}

}  // namespace

int main(int argc, char **argv) {
  if (argc != 3 || (std::strcmp(argv[2], "pingpong") != 0 && std::strcmp(argv[2], "self") != 0)) {
    std::fprintf(stderr, "usage: yield_instructions ITERATIONS pingpong|self\n");
    return 2;
  }
  const long iterations = std::atol(argv[1]);
  if (std::strcmp(argv[2], "pingpong") == 0) {
    cte::cte_init(resume_other);
    other = cte::kcontext(cte::Area{peer_stack, peer_stack + sizeof peer_stack}, peer_loop, nullptr);
    if (!other) return 1;
  } else {
    cte::cte_init(resume_same);
  }
  for (long i = 0; i < iterations; ++i) cte::yield();
  return 0;
}
