// A standalone program, not a Catch2 case: GCC's ipa-reference ignores an asm "memory" clobber
// for file-statics whose address is never taken, and only a program this small (no calls into
// other code between the write and the read) shows it. The ports' fast_switch() must make the
// compiler assume such a static changes across the switch (see their fast_switch.hpp). The
// switch is reached both directly (inlined or not, as the compiler chooses) and through a
// function that is never inlined, whose ipa-reference summary is what its caller relies on.

#include <cte/cte.hpp>

#include <cstdio>

static cte::FastContext boot_context, writer_context;
static int written_by_writer;

static void writer(void *) {
  for (int value = 1;; ++value) {
    written_by_writer = value;
    cte::fast_switch(writer_context, boot_context);
  }
}

[[gnu::noinline]] static void switch_to_writer() { cte::fast_switch(boot_context, writer_context); }

alignas(16) static unsigned char writer_stack[64 * 1024];

int main() {
  cte::make_fast_context(writer_context, {writer_stack, writer_stack + sizeof writer_stack}, writer, nullptr);
  written_by_writer = 0;
  cte::fast_switch(boot_context, writer_context);
  const int first = written_by_writer;
  cte::fast_switch(boot_context, writer_context);
  const int second = written_by_writer;
  switch_to_writer();
  const int third = written_by_writer;
  switch_to_writer();
  const int fourth = written_by_writer;
  std::printf("fast_switch_statics: %d %d %d %d (expect 1 2 3 4)\n", first, second, third, fourth);
  return first == 1 && second == 2 && third == 3 && fourth == 4 ? 0 : 1;
}
