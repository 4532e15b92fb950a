#pragma once
// `run` and `exec` in the foreground: the runtime stays between the caller and the container's
// process until it exits. Every catchable signal the runtime gets goes on to the process; with a
// terminal, the caller's terminal is put in raw mode and bytes are proxied both ways, window
// size changes included; orphans that reach us as a subreaper are reaped.
#include <signal.h>
#include <sys/types.h>

#include <functional>

#include "oci/spec.hpp"
#include "sys/fd.hpp"

namespace sandbox::runtime {

// Blocks the signals the foreground loop handles (from construction, so that none sent while
// the container starts is lost) and reads them from a signalfd. Children reset their mask.
class SignalGate {
 public:
  SignalGate();
  ~SignalGate();
  SignalGate(const SignalGate&) = delete;
  SignalGate& operator=(const SignalGate&) = delete;
  int fd() const { return fd_.get(); }

 private:
  sigset_t old_{};
  Fd fd_;
};

struct ForegroundProcess {
  pid_t pid = 0;
  int pidfd = -1;  // signals go through it, so a reused pid is never hit
  Fd terminal;     // the pty master, or none
  // Called when an extra fd becomes readable (e.g. the sd_notify proxy); returns false to stop
  // watching it.
  int extra_fd = -1;
  std::function<bool()> on_extra;
};

// Returns the process's exit code, 128+signal when a signal ended it.
int supervise(const SignalGate& gate, ForegroundProcess& p);

// A foreground process with a terminal and no process.consoleSize starts with the size of the
// caller's terminal (stdin), set on its pty before it runs: copied only once the proxy starts,
// a quick `stty size` could see 0x0.
void inherit_terminal_size(oci::Process& p);

// The exit code a shell would report for a wait status.
int exit_code_of(int status);

}  // namespace sandbox::runtime
