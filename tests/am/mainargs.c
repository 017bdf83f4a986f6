/* main's argument: hosted the `mainargs` environment variable, on a board the command line
 * the boot loader passes (QEMU -append), or the image's build-time value without one. */
#include <am.h>

int main(const char *args) {
  const char *text = "mainargs: [";
  while (*text) putch(*text++);
  while (*args) putch(*args++);
  putch(']');
  putch('\n');
  return 0;
}
