/* AM's IOE through <am.h> and amdev.h: the timer (uptime advancing with the ticks, the RTC a
 * valid calendar date), the UART, and devices the platform lacks reporting present = false. */
#include <am.h>

#define TICKS 3
#define TICK_US 10000 /* cte_init's tick, as AM's */

static volatile int ticks;

static void print(const char *text) {
  while (*text) putch(*text++);
}

static void fail(const char *why) {
  print("ioe: FAIL: ");
  print(why);
  putch('\n');
  halt(1);
}

static Context *on_event(Event event, Context *context) {
  if (event.event == EVENT_IRQ_TIMER) ticks++;
  return context;
}

static uint64_t uptime(void) {
  AM_TIMER_UPTIME_T value;
  ioe_read(AM_TIMER_UPTIME, &value);
  return value.us;
}

int main(const char *args) {
  (void)args;
  if (!ioe_init()) fail("ioe_init");

  AM_TIMER_CONFIG_T timer;
  ioe_read(AM_TIMER_CONFIG, &timer);
  if (!timer.present || !timer.has_rtc) fail("timer config");

  /* Uptime never goes back, and TICKS timer interrupts take at least TICKS - 1 periods. */
  cte_init(on_event);
  const uint64_t before = uptime();
  uint64_t last = before;
  iset(true);
  while (ticks < TICKS) {
    const uint64_t now = uptime();
    if (now < last) fail("uptime went back");
    last = now;
  }
  iset(false);
  if (uptime() - before < (uint64_t)(TICKS - 1) * TICK_US) fail("uptime did not advance with the ticks");

  AM_TIMER_RTC_T rtc;
  ioe_read(AM_TIMER_RTC, &rtc);
  if (rtc.year < 2024 || rtc.year > 2200 || rtc.month < 1 || rtc.month > 12 || rtc.day < 1 || rtc.day > 31 ||
      rtc.hour < 0 || rtc.hour > 23 || rtc.minute < 0 || rtc.minute > 59 || rtc.second < 0 || rtc.second > 60)
    fail("rtc is not a date");

  AM_UART_CONFIG_T uart;
  ioe_read(AM_UART_CONFIG, &uart);
  if (!uart.present) fail("uart config");
  print("ioe: uart ");
  AM_UART_TX_T tx = {'U'};
  ioe_write(AM_UART_TX, &tx);
  putch('\n');

  /* Devices cte does not have: present = false, as AM on platforms without them. */
  AM_INPUT_CONFIG_T input = {true};
  AM_GPU_CONFIG_T gpu = {true, true, 1, 1, 1};
  AM_AUDIO_CONFIG_T audio = {true, 1};
  AM_DISK_CONFIG_T disk = {true, 1, 1};
  AM_NET_CONFIG_T net = {true};
  ioe_read(AM_INPUT_CONFIG, &input);
  ioe_read(AM_GPU_CONFIG, &gpu);
  ioe_read(AM_AUDIO_CONFIG, &audio);
  ioe_read(AM_DISK_CONFIG, &disk);
  ioe_read(AM_NET_CONFIG, &net);
  if (input.present || gpu.present || gpu.width || audio.present || disk.present || net.present)
    fail("an absent device reports present");
  print("ioe: ok\n");
  return 0;
}
