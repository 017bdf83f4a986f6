#pragma once
// Platform members that boards provide the same way, as bases of a board's Platform (which
// passes itself as Board): the board keeps only what is its own. Board supplies
// interrupts_enabled/set_interrupts_enabled and the types and functions each base names.
// Bookkeeping a trap must not see half-done runs with interrupts off (interrupts_off.hpp).

#include <cstddef>
#include <cstdint>

#include <cte/area.hpp>
#include <cte/board/interrupts_off.hpp>

namespace cte::board {

// Pages for GuardedStack and ProtectedPage from the board's page pool, Board::Pages
// (cte/detail/page_pool.hpp).
template <class Board>
struct PoolPages {
  static std::size_t page_size() { return Board::Pages::page_size; }
  static Area map_pages(std::size_t size) {
    return with_interrupts_disabled<Board>([size] { return Board::Pages::allocate(size); });
  }
  static void unmap_pages(Area pages) {
    with_interrupts_disabled<Board>([pages] { Board::Pages::release(pages); });
  }
};

// A GuardedStack's guard as one page below the stack that Board::set_page_access makes
// inaccessible (boards with page tables).
template <class Board>
struct GuardPageBelowStack {
  static std::size_t stack_guard_size() { return Board::Pages::page_size; }
  static constexpr bool stack_guard_in_area = false;
  static bool guard_stack(Area guard) { return Board::set_page_access(guard, false); }
  static void unguard_stack(Area guard) { Board::set_page_access(guard, true); }
};

// cte::timer over the board's periodic timer, Board::Timer (periodic_timer.hpp).
template <class Board>
struct PeriodicTimerMembers {
  static bool timer_start(std::uint64_t period_us) {
    return with_interrupts_disabled<Board>([period_us] { return Board::Timer::start(period_us); });
  }
  static void timer_stop() {
    with_interrupts_disabled<Board>([] { Board::Timer::stop(); });
  }
};

}  // namespace cte::board
