/* Reading a register of a device the platform does not have (beyond its CONFIG) is a fatal
 * error naming the register, not garbage. */
#include <am.h>

int main(const char *args) {
  (void)args;
  AM_INPUT_KEYBRD_T key;
  ioe_read(AM_INPUT_KEYBRD, &key);
  return 0;
}
