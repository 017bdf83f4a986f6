// The bare-metal test runner's main: runs every registered case on the boot context, each
// starting with interrupts off and the timer stopped, and reports.

#include "runner.hpp"

namespace {
// Between cases: ticks and software interrupts a case left pending are dropped; anything else
// is a failure of the case that just ran.
cte::Context *drain(cte::Event event, cte::Context *context) {
  if (!cte::is_interrupt(event.kind)) {
    cte_bm::print("    unexpected event after the case: ");
    cte_bm::print(cte::to_string(event.kind));
    cte_bm::print("\n");
    ++cte_bm::Registry::failed_checks;
  }
  return context;
}

void quiesce() {
  cte::cte_init(drain);
  cte::iset(false);
  cte::timer::stop();
  cte::iset(true);  // takes whatever is still pending
  cte::iset(false);
}
}  // namespace

int main() {
  using cte_bm::Registry;
  cte_bm::print("cte bare-metal tests on ");
  cte_bm::print(cte::TargetPlatform::name);
  cte_bm::print(" (");
  cte_bm::print(cte::TargetPlatform::Mode::name);
  cte_bm::print(" mode): ");
  cte::putdec(static_cast<std::uint64_t>(Registry::count));
  cte_bm::print(" cases\n");
  int passed = 0, failed = 0, skipped = 0;
  for (const cte_bm::Case *test = Registry::first; test; test = test->next) {
    Registry::failed_checks = 0;
    Registry::skip_reason = nullptr;
    quiesce();
    cte_bm::print("case ");
    cte_bm::print(test->name);
    cte_bm::print("\n");
    test->run();
    quiesce();
    if (Registry::failed_checks) {
      ++failed;
      cte_bm::print("  FAILED\n");
    } else if (Registry::skip_reason) {
      ++skipped;
      cte_bm::print("  skipped: ");
      cte_bm::print(Registry::skip_reason);
      cte_bm::print("\n");
    } else {
      ++passed;
      cte_bm::print("  ok\n");
    }
  }
  if (skipped) {
    cte::putdec(static_cast<std::uint64_t>(skipped));
    cte_bm::print(" skipped (do not apply on this board)\n");
  }
  cte::putdec(static_cast<std::uint64_t>(passed));
  cte_bm::print(" passed, ");
  cte::putdec(static_cast<std::uint64_t>(failed));
  cte_bm::print(" failed\n");
  return failed == 0 ? 0 : 1;
}
