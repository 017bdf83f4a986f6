// The boards' page pool (cte/detail/page_pool.hpp), tested hosted: first fit, alignment,
// release and reuse, exhaustion and refusal of impossible sizes.

#include <catch2/catch.hpp>
#include <cte/detail/page_pool.hpp>

#include <cstdint>

namespace {
using Pool = cte::detail::PagePool<4096, 8>;
auto address(const void *pointer) { return reinterpret_cast<std::uintptr_t>(pointer); }
}  // namespace

TEST_CASE("page pool: first fit, aligned to its size, pages reused after release") {
  CHECK(address(Pool::area().start) % Pool::bytes == 0);
  const cte::Area a = Pool::allocate(1);
  const cte::Area b = Pool::allocate(4096 * 3);
  REQUIRE(a.start != nullptr);
  REQUIRE(b.start != nullptr);
  CHECK(a.start == Pool::area().start);
  CHECK(cte::area_size(a) == 4096);
  CHECK(b.start == a.end);
  CHECK(cte::area_size(b) == 3 * 4096);

  Pool::release(a);
  const cte::Area c = Pool::allocate(4096);
  CHECK(c.start == a.start);  // the freed hole is reused first
  const cte::Area too_big_for_the_hole = Pool::allocate(2 * 4096);
  CHECK(too_big_for_the_hole.start == b.end);  // does not fit before b: placed after it

  // Exhaustion: 1 + 3 + 2 pages are taken, two are left.
  CHECK(Pool::allocate(3 * 4096).start == nullptr);
  const cte::Area last = Pool::allocate(2 * 4096);
  CHECK(last.start != nullptr);
  CHECK(Pool::allocate(1).start == nullptr);

  for (cte::Area area : {b, c, too_big_for_the_hole, last}) Pool::release(area);
  const cte::Area everything = Pool::allocate(Pool::bytes);
  CHECK(everything.start == Pool::area().start);
  Pool::release(everything);
}

TEST_CASE("page pool: size 0 and sizes beyond the pool are refused") {
  CHECK(Pool::allocate(0).start == nullptr);
  CHECK(Pool::allocate(Pool::bytes + 1).start == nullptr);
  CHECK(Pool::allocate(SIZE_MAX).start == nullptr);
}
