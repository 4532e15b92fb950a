#pragma once
// The one way the runtime runs a helper program (newuidmap/newgidmap, sandbox-systemd, ps).
// The program starts clean whatever state the runtime is in: no signal blocked or ignored (a
// foreground `run` blocks every signal for its signalfd, and a blocked mask is inherited across
// execve), no fd of ours but the stdio asked for, and its stderr comes back for the error.
// Its exit is described in one wording, "exit status 3" or "killed by signal 9", as Go's
// os/exec does in runc's errors.
#include <sys/types.h>

#include <string>
#include <vector>

#include "sys/fd.hpp"

namespace sandbox::sys {

struct Program {
  std::string path;               // absolute, or a name looked up in PATH when search_path
  std::vector<std::string> args;  // after argv[0], which is path
  bool search_path = false;
  bool empty_environment = false;  // a setuid helper should see nothing of our environment
  enum class Input { Null, Socket } input = Input::Null;  // Socket: a stream we can write to
  // Null: /dev/null; Capture: read back in ProgramResult::out; Stderr: to the stderr pipe, so
  // both come back as one text, in order.
  enum class Output { Null, Capture, Stderr } output = Output::Null;
};

// A started program; our ends of its pipes are close-on-exec.
struct RunningProgram {
  pid_t pid = -1;
  std::string name;  // for messages: the program's file name
  Fd input;          // with Input::Socket (send with MSG_NOSIGNAL: a gone reader is EPIPE)
  Fd output;         // with Output::Capture
  Fd errors;         // its stderr
};

struct ProgramResult {
  int status = 0;  // as from waitpid
  std::string out, err;
  bool ok() const;
};

// "exit status N" or "killed by signal N" for a waitpid status.
std::string describe_exit(int status);

// Throws when the program cannot be started ("run PATH: reason").
RunningProgram start_program(const Program& p);
// Reads its stdout and stderr to their ends (both at once, so neither pipe can fill and stall
// it) and reaps it.
ProgramResult finish_program(RunningProgram& r);
ProgramResult run_program(const Program& p);

// Throws "NAME: exit status 1: <stderr on one line>" unless R is a success.
void check_program(const ProgramResult& r, const std::string& name);
// A helper's output as one line: its lines joined by "; ", without a "NAME: " prefix that our
// own message already carries.
std::string output_line(const std::string& output, const std::string& name);

}  // namespace sandbox::sys
