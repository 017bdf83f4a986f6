/* An AM kernel compiled with AM's own C flags whose main ends without a return statement: as
 * in any hosted C program since C99 it returns 0, so the run ends with status 0. */
#include <am.h>

int main(const char *args) {
  (void)args;
  putch('m');
  putch('\n');
}
