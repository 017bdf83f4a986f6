#pragma once
// Death tests: run a function in a forked child and collect how it ended and what it wrote
// to stderr (cte's fatal reports go there).

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <string>

namespace cte_test {

struct ChildOutcome {
  bool signaled = false;
  int signal = 0;
  int exit_code = -1;
  std::string stderr_text;
};

template <class Function>
ChildOutcome run_in_child(Function function) {
  int pipe_fds[2];
  if (::pipe(pipe_fds) != 0) return {};
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(pipe_fds[1], 2);
    ::close(pipe_fds[0]);
    function();
    ::_exit(0);
  }
  ::close(pipe_fds[1]);
  ChildOutcome outcome;
  char buffer[512];
  for (ssize_t n; (n = ::read(pipe_fds[0], buffer, sizeof buffer)) > 0;)
    outcome.stderr_text.append(buffer, static_cast<std::size_t>(n));
  ::close(pipe_fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  outcome.signaled = WIFSIGNALED(status);
  outcome.signal = outcome.signaled ? WTERMSIG(status) : 0;
  outcome.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return outcome;
}

}  // namespace cte_test
