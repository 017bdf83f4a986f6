#pragma once
// The pc's wall clock: the MC146818-compatible CMOS real-time clock (index port 0x70, data
// port 0x71). QEMU keeps it in BCD, 24-hour mode, set to the host's time (UTC by default).
// Read twice until two readings agree, so an update in between cannot tear the result.

#include <cstdint>

#include <cte/x86_64/board/pc/cpu.hpp>

namespace cte::x86_64::pc {

struct CmosClock {
  static constexpr std::uint16_t index = 0x70, data = 0x71;
  static constexpr std::uint8_t seconds = 0x00, minutes = 0x02, hours = 0x04, day = 0x07, month = 0x08, year = 0x09,
                                status_a = 0x0a, status_b = 0x0b;
  static constexpr std::uint8_t update_in_progress = 1u << 7;  // status A
  static constexpr std::uint8_t binary_mode = 1u << 2;         // status B: DM (else BCD)

  static std::uint8_t read(std::uint8_t reg) {
    outb(index, reg);
    return inb(data);
  }
  struct Reading {
    std::uint8_t second, minute, hour, day, month, year;
    bool operator==(const Reading &) const = default;
  };
  static Reading read_all() {
    while (read(status_a) & update_in_progress) {
    }
    return {read(seconds), read(minutes), read(hours), read(day), read(month), read(year)};
  }
  static std::uint64_t from_bcd(std::uint8_t value, bool binary) {
    return binary ? value : (value >> 4) * 10u + (value & 0x0f);
  }
  // Days from 1970-01-01 to year-month-day (proleptic Gregorian calendar).
  static std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
  }
  static std::uint64_t seconds_since_epoch() {
    Reading r = read_all();
    for (Reading again = read_all(); !(again == r); again = read_all()) r = again;
    const bool binary = read(status_b) & binary_mode;
    const std::int64_t days = days_from_civil(2000 + static_cast<std::int64_t>(from_bcd(r.year, binary)),
                                              static_cast<unsigned>(from_bcd(r.month, binary)),
                                              static_cast<unsigned>(from_bcd(r.day, binary)));
    return static_cast<std::uint64_t>(days) * 86400 + from_bcd(r.hour, binary) * 3600 +
           from_bcd(r.minute, binary) * 60 + from_bcd(r.second, binary);
  }
};

}  // namespace cte::x86_64::pc
