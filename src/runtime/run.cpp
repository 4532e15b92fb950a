// run: create + start, then either return (-d) or stay in the foreground: forward signals,
// wait for the container's process, delete the container, and exit with its status.
#include <sys/prctl.h>
#include <sys/wait.h>

#include <csignal>

#include "process/sync.hpp"
#include "runtime/operations.hpp"
#include "sys/error.hpp"
#include "sys/log.hpp"

namespace sandbox::runtime {
namespace {

volatile sig_atomic_t g_forward_pid = 0;

void forward_signal(int sig) {
  if (g_forward_pid > 0) ::kill(g_forward_pid, sig);
}

// Every signal a user can send to the runtime goes to the container's process instead, as with
// runc; faults and the unblockable signals stay ours.
void forward_signals_to(pid_t pid) {
  g_forward_pid = pid;
  struct sigaction sa {};
  sa.sa_handler = forward_signal;
  sa.sa_flags = SA_RESTART;
  sigemptyset(&sa.sa_mask);
  for (int sig = 1; sig < SIGRTMIN; sig++) {
    switch (sig) {
      case SIGKILL:
      case SIGSTOP:
      case SIGCHLD:
      case SIGSEGV:
      case SIGBUS:
      case SIGFPE:
      case SIGILL:
      case SIGTRAP:
      case SIGSYS:
        continue;
      default:
        ::sigaction(sig, &sa, nullptr);
    }
  }
}

int exit_code(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 255;
}

// Waits for the exec of the user program: EOF on the sync socket. An error message instead
// means the init failed after `start` (the checks during create make that rare).
void await_exec(const CreatedContainer& c) {
  process::SyncMessage m;
  if (process::sync_recv(c.sync.get(), m) && m.type == process::SyncType::Error)
    throw Error(m.text, m.err);
}

int wait_for(pid_t pid) {
  for (;;) {
    int status = 0;
    pid_t r = ::waitpid(-1, &status, 0);  // as a subreaper we also reap orphans
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) throw_errno("wait for container process");
    if (r == pid) return exit_code(status);
  }
}

}  // namespace

int run_container(const GlobalOptions& g, const RunOptions& o) {
  if (!o.detach && !o.no_subreaper) ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  CreatedContainer c = create_container(g, o);
  try {
    start_container(g, o.id);
    await_exec(c);
  } catch (const Error&) {
    try {
      delete_container(g, o.id, true);
    } catch (const Error&) {
    }
    throw;
  }
  if (o.detach) return 0;

  forward_signals_to(c.pid);
  int code = wait_for(c.pid);
  g_forward_pid = 0;
  log::debug("container {} exited with code {}", o.id, code);
  if (!o.keep) delete_container(g, o.id, true);
  return code;
}

}  // namespace sandbox::runtime
