// The one Catch2 main of the suite (compiled once).
#define CATCH_CONFIG_MAIN
// cte owns the fault signals (they become Events); Catch2 must not replace its handlers.
#define CATCH_CONFIG_NO_POSIX_SIGNALS
#include <catch2/catch.hpp>
