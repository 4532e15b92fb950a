#include "cgroup/sd_bus_library.hpp"

#include <dlfcn.h>

#include "sys/error.hpp"

namespace sandbox::cgroup {
namespace {

constexpr const char* kSoname = "libsystemd.so.0";

template <typename Fn>
void bind(void* handle, Fn& slot, const char* name) {
  void* sym = dlsym(handle, name);
  if (!sym) fail("the systemd cgroup driver needs {}: it has no symbol {}", kSoname, name);
  slot = reinterpret_cast<Fn>(sym);
}

SdBusLibrary load() {
  // RTLD_NODELETE: the function pointers stay valid for the life of the process.
  void* handle = dlopen(kSoname, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
  if (!handle) {
    const char* why = dlerror();
    fail("the systemd cgroup driver needs {} (Debian: libsystemd0): {}", kSoname,
         why ? why : "cannot load it");
  }
  SdBusLibrary lib{};
  bind(handle, lib.open_user, "sd_bus_open_user");
  bind(handle, lib.open_system, "sd_bus_open_system");
  bind(handle, lib.close_unref, "sd_bus_close_unref");
  bind(handle, lib.is_ready, "sd_bus_is_ready");
  bind(handle, lib.process, "sd_bus_process");
  bind(handle, lib.wait, "sd_bus_wait");
  bind(handle, lib.set_method_call_timeout, "sd_bus_set_method_call_timeout");
  bind(handle, lib.get_property_string, "sd_bus_get_property_string");
  bind(handle, lib.match_signal, "sd_bus_match_signal");
  bind(handle, lib.slot_unref, "sd_bus_slot_unref");
  bind(handle, lib.call, "sd_bus_call");
  bind(handle, lib.call_method, "sd_bus_call_method");
  bind(handle, lib.message_new_method_call, "sd_bus_message_new_method_call");
  bind(handle, lib.message_unref, "sd_bus_message_unref");
  bind(handle, lib.message_append, "sd_bus_message_append");
  bind(handle, lib.message_open_container, "sd_bus_message_open_container");
  bind(handle, lib.message_close_container, "sd_bus_message_close_container");
  bind(handle, lib.message_read, "sd_bus_message_read");
  bind(handle, lib.error_free, "sd_bus_error_free");
  bind(handle, lib.error_is_set, "sd_bus_error_is_set");
  bind(handle, lib.error_has_name, "sd_bus_error_has_name");
  return lib;
}

}  // namespace

const SdBusLibrary& sd_bus_library() {
  // A failed load throws out of the initializer, so the next call tries again.
  static const SdBusLibrary lib = load();
  return lib;
}

}  // namespace sandbox::cgroup
