#pragma once
// libsystemd's sd-bus, loaded with dlopen the first time the systemd driver needs it.
// Linking libsystemd (and with it libgcrypt, liblzma, libzstd, liblz4) into every invocation
// cost about 3 ms of dynamic loading per command on a machine where page faults are dear;
// only the systemd cgroup driver talks to systemd, so only it pays for the library.
#include <systemd/sd-bus.h>

namespace sandbox::cgroup {

// The entry points the systemd driver uses, with libsystemd's own signatures.
struct SdBusLibrary {
  decltype(&::sd_bus_open_user) open_user;
  decltype(&::sd_bus_open_system) open_system;
  decltype(&::sd_bus_close_unref) close_unref;
  decltype(&::sd_bus_is_ready) is_ready;
  decltype(&::sd_bus_process) process;
  decltype(&::sd_bus_wait) wait;
  decltype(&::sd_bus_set_method_call_timeout) set_method_call_timeout;
  decltype(&::sd_bus_get_property_string) get_property_string;
  decltype(&::sd_bus_match_signal) match_signal;
  decltype(&::sd_bus_slot_unref) slot_unref;
  decltype(&::sd_bus_call) call;
  decltype(&::sd_bus_call_method) call_method;
  decltype(&::sd_bus_message_new_method_call) message_new_method_call;
  decltype(&::sd_bus_message_unref) message_unref;
  decltype(&::sd_bus_message_append) message_append;
  decltype(&::sd_bus_message_open_container) message_open_container;
  decltype(&::sd_bus_message_close_container) message_close_container;
  decltype(&::sd_bus_message_read) message_read;
  decltype(&::sd_bus_error_free) error_free;
  decltype(&::sd_bus_error_is_set) error_is_set;
  decltype(&::sd_bus_error_has_name) error_has_name;
};

// Loads libsystemd.so.0 once; throws sandbox::Error with a one-line reason ("the systemd cgroup
// driver needs libsystemd.so.0: ...") when it or one of the symbols is missing.
const SdBusLibrary& sd_bus_library();

}  // namespace sandbox::cgroup
