#pragma once
// --console-socket: the engine listens on a unix socket; the runtime connects, sends the pty
// master of the container's terminal as one SCM_RIGHTS fd (with the pty's name as the payload,
// which must be at least one byte), and closes.
#include <string>

namespace sandbox::runtime {

void send_to_console_socket(const std::string& path, int master);

// runc's rules for the flags: a detached process with a terminal needs a console socket, and a
// console socket is only for a detached process with a terminal.
void check_terminal_flags(bool terminal, bool detached, const std::string& console_socket);

}  // namespace sandbox::runtime
