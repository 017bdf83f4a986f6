#pragma once
// Seconds since the Unix epoch as a UTC calendar date and time (AM_TIMER_RTC's fields:
// month 1-12, day 1-31), in the proleptic Gregorian calendar. Pure arithmetic: every platform
// uses it, hosted and bare metal alike.

#include <cstdint>

namespace cte::am {

struct CivilTime {
  int year, month, day, hour, minute, second;
};

constexpr CivilTime civil_time(std::int64_t seconds_since_epoch) {
  constexpr std::int64_t seconds_per_day = 86400;
  std::int64_t days = seconds_since_epoch / seconds_per_day;
  std::int64_t second_of_day = seconds_since_epoch % seconds_per_day;
  if (second_of_day < 0) {
    second_of_day += seconds_per_day;
    --days;
  }
  // Count from 0000-03-01 so that the leap day is the last day of a year; 400-year eras
  // (146097 days) repeat exactly.
  constexpr std::int64_t days_per_era = 146097;
  const std::int64_t from_march_epoch = days + 719468;  // 1970-01-01 is day 719468 of it
  const std::int64_t era =
      (from_march_epoch >= 0 ? from_march_epoch : from_march_epoch - (days_per_era - 1)) / days_per_era;
  const std::int64_t day_of_era = from_march_epoch - era * days_per_era;  // [0, 146096]
  const std::int64_t year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;                    // [0, 399]
  const std::int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);  // [0, 365]
  const std::int64_t month_from_march = (5 * day_of_year + 2) / 153;                                        // [0, 11]
  const std::int64_t day = day_of_year - (153 * month_from_march + 2) / 5 + 1;                              // [1, 31]
  const std::int64_t month = month_from_march < 10 ? month_from_march + 3 : month_from_march - 9;           // [1, 12]
  const std::int64_t year = year_of_era + era * 400 + (month <= 2 ? 1 : 0);
  return {static_cast<int>(year),
          static_cast<int>(month),
          static_cast<int>(day),
          static_cast<int>(second_of_day / 3600),
          static_cast<int>(second_of_day / 60 % 60),
          static_cast<int>(second_of_day % 60)};
}

// Known dates, checked at compile time.
static_assert(civil_time(0).year == 1970 && civil_time(0).month == 1 && civil_time(0).day == 1);
static_assert(civil_time(951782400).month == 2 && civil_time(951782400).day == 29);  // 2000-02-29
static_assert(civil_time(1767225599).year == 2025 && civil_time(1767225599).month == 12 &&
              civil_time(1767225599).day == 31 && civil_time(1767225599).hour == 23 &&
              civil_time(1767225599).minute == 59 && civil_time(1767225599).second == 59);
static_assert(civil_time(-1).year == 1969 && civil_time(-1).month == 12 && civil_time(-1).day == 31);

}  // namespace cte::am
