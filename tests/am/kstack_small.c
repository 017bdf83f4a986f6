/* A stack below the platform's minimum: AM's kcontext cannot fail, so cte's is a fatal error at
 * the call that names both sizes (never a NULL the kernel does not check). */
#include <am.h>

static unsigned char stack[1024] __attribute__((aligned(16)));

static void body(void *arg) { (void)arg; }

int main(const char *args) {
  (void)args;
  Context *context = kcontext((Area){stack, stack + sizeof stack}, body, NULL);
  putch(context ? 'C' : 'N'); /* not reached */
  return 0;
}
