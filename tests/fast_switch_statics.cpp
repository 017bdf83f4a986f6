// A standalone program, not a Catch2 case: GCC's ipa-reference ignores an asm "memory" clobber
// for file-statics whose address is never taken, and only a program this small (no calls into
// other code between the write and the read) shows it. The ports' fast_switch() must make the
// compiler assume such a static changes across the switch (see their fast_switch.hpp).

#include <cte/cte.hpp>

#include <cstdio>

static cte::FastContext boot_context, writer_context;
static int written_by_writer;

static void writer(void *) {
  written_by_writer = 1;
  cte::fast_switch(writer_context, boot_context);
  written_by_writer = 2;
  for (;;) cte::fast_switch(writer_context, boot_context);
}

alignas(16) static unsigned char writer_stack[64 * 1024];

int main() {
  cte::make_fast_context(writer_context, {writer_stack, writer_stack + sizeof writer_stack}, writer, nullptr);
  written_by_writer = 0;
  cte::fast_switch(boot_context, writer_context);
  const int first = written_by_writer;
  cte::fast_switch(boot_context, writer_context);
  const int second = written_by_writer;
  std::printf("fast_switch_statics: %d %d (expect 1 2)\n", first, second);
  return first == 1 && second == 2 ? 0 : 1;
}
