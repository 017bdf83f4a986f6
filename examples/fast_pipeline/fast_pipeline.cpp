// A firmware-style pipeline on the fast switch: a sampler thread fills a ring buffer and
// hands over to a filter thread when the buffer is full; the filter drains it and hands back.
// No handler, no interrupts: two cooperative threads and a direct switch between them.

#include <cte/cte.hpp>

#include <cstdint>

namespace {

constexpr int ring_size = 8;
constexpr int total_samples = 64;

std::uint32_t ring[ring_size];
int ring_count = 0;

cte::FastContext boot, sampler, filter;
std::uint32_t checksum = 0;
int filtered = 0;

// Stand-in for an ADC: a deterministic sequence.
std::uint32_t read_sensor(int index) { return static_cast<std::uint32_t>(index * 37 + 11) % 1000; }

void sampler_thread(void *) {
  for (int index = 0; index < total_samples; ++index) {
    ring[ring_count++] = read_sensor(index);
    if (ring_count == ring_size) cte::fast_switch(sampler, filter);
  }
  cte::fast_switch(sampler, boot);
  for (;;) cte::fast_switch(sampler, boot);  // finished: never runs again
}

void filter_thread(void *) {
  for (;;) {
    for (int i = 0; i < ring_count; ++i) {
      checksum = checksum * 31 + ring[i];
      ++filtered;
    }
    cte::putch('.');
    ring_count = 0;
    cte::fast_switch(filter, sampler);
  }
}

alignas(16) unsigned char sampler_stack[8 * 1024];
alignas(16) unsigned char filter_stack[8 * 1024];

}  // namespace

int main() {
  cte::putstr("fast-pipeline: ");
  if (!cte::make_fast_context(sampler, {sampler_stack, sampler_stack + sizeof sampler_stack}, sampler_thread,
                              nullptr) ||
      !cte::make_fast_context(filter, {filter_stack, filter_stack + sizeof filter_stack}, filter_thread, nullptr)) {
    cte::putstr("bad stacks\n");
    return 1;
  }
  cte::fast_switch(boot, sampler);
  std::uint32_t expected = 0;
  for (int index = 0; index < total_samples; ++index) expected = expected * 31 + read_sensor(index);
  cte::putstr(" ");
  cte::putdec(static_cast<std::uint64_t>(filtered));
  cte::putstr(" samples, checksum ");
  cte::putdec(checksum);
  const bool ok = filtered == total_samples && checksum == expected;
  cte::putstr(ok ? " ok\n" : " WRONG\n");
  return ok ? 0 : 1;
}
