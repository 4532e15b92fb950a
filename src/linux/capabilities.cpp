#include "linux/capabilities.hpp"

#include <sys/capability.h>
#include <sys/prctl.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <memory>
#include <type_traits>

#include "sys/error.hpp"
#include "sys/log.hpp"
#include "sys/proc.hpp"

namespace sandbox::linux_ {
namespace {

bool contains(const std::vector<int>& caps, int cap) {
  return std::find(caps.begin(), caps.end(), cap) != caps.end();
}

// Asked of the kernel itself (PR_CAPBSET_READ fails with EINVAL past the last capability it
// knows), never of /proc/sys/kernel/cap_last_cap: after pivot_root that path is the image's,
// and an image saying "5" would keep capabilities 6 and up in the bounding set.
int read_last_cap() {
  int cap = 0;
  while (cap < 64 && ::prctl(PR_CAPBSET_READ, cap + 1, 0, 0, 0) >= 0) cap++;
  return cap;
}

// The caps of LIST that this kernel knows, as libcap wants them.
std::vector<cap_value_t> known(const std::vector<int>& list) {
  std::vector<cap_value_t> out;
  for (int cap : list)
    if (cap >= 0 && cap <= last_cap()) out.push_back(cap);
  return out;
}

void set_flag(cap_t c, cap_flag_t flag, const std::vector<int>& list) {
  auto caps = known(list);
  if (caps.empty()) return;
  if (cap_set_flag(c, flag, static_cast<int>(caps.size()), caps.data(), CAP_SET) != 0) {
    throw_errno("capabilities: build capability set");
  }
}

void set_proc_caps(const oci::Capabilities& caps) {
  std::unique_ptr<std::remove_pointer_t<cap_t>, int (*)(void*)> c(cap_init(), cap_free);
  if (!c) throw_errno("capabilities: cap_init");
  set_flag(c.get(), CAP_EFFECTIVE, caps.effective);
  set_flag(c.get(), CAP_PERMITTED, caps.permitted);
  set_flag(c.get(), CAP_INHERITABLE, caps.inheritable);
  if (cap_set_proc(c.get()) != 0) throw_errno("capabilities: set effective/permitted/inheritable");
}

// The kernel only lets a capability into the ambient set when it is both permitted and
// inheritable. Configs from older `runc spec` ask for ambient caps with an empty inheritable set,
// and runc drops them silently (buildah puts eleven there), so a cap that cannot be raised is
// skipped, said only at --debug, rather than failing the container: stderr stays clean.
void raise_ambient(const oci::Capabilities& caps) {
  for (cap_value_t cap : known(caps.ambient)) {
    if (!contains(caps.permitted, cap) || !contains(caps.inheritable, cap)) {
      log::debug(
          "capabilities: ambient {} skipped: it must also be in the permitted and inheritable sets",
          capability_name(cap));
      continue;
    }
    if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) != 0) {
      log::warning(fmt::format("capabilities: ambient {} skipped: raise: {}", capability_name(cap),
                               errno_text(errno)));
    }
  }
}

// Clearing is not optional: an inherited ambient cap would survive into the container's exec.
void clear_ambient() {
  if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) == 0) return;
  // Kernels before 4.3 have no ambient set, so there is nothing to clear (EINVAL says so).
  if (errno == EINVAL) return;
  throw_errno("capabilities: clear ambient set");
}

}  // namespace

int last_cap() {
  static const int cached = read_last_cap();
  return cached;
}

void drop_bounding_set(const std::vector<int>& keep) {
  for (int cap = 0; cap <= last_cap(); cap++) {
    if (contains(keep, cap)) continue;
    int in_set = ::prctl(PR_CAPBSET_READ, cap, 0, 0, 0);
    if (in_set < 0) throw_errno("capabilities: read bounding set " + capability_name(cap));
    if (in_set == 0) continue;
    if (::prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0) {
      throw_errno("capabilities: drop " + capability_name(cap) + " from the bounding set");
    }
  }
}

void set_capabilities(const oci::Capabilities& caps) {
  set_proc_caps(caps);
  clear_ambient();
  raise_ambient(caps);
}

std::string capability_name(int cap) {
  if (cap < 0) return fmt::format("capability {}", cap);
  std::unique_ptr<char, int (*)(void*)> name(cap_to_name(cap), cap_free);
  // libcap answers with the bare number for a capability it has no name for.
  if (!name || std::isdigit(static_cast<unsigned char>(name.get()[0]))) {
    return fmt::format("capability {}", cap);
  }
  std::string s = name.get();
  for (char& ch : s) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return s;
}

std::vector<std::string> known_capability_names() {
  // libcap names the capabilities it was built with; it answers a bare number beyond them.
  // Capabilities are bits of a 64-bit set, so there are at most 64.
  std::vector<std::string> out;
  for (int cap = 0; cap < 64; cap++) {
    std::unique_ptr<char, int (*)(void*)> name(cap_to_name(cap), cap_free);
    if (!name || std::isdigit(static_cast<unsigned char>(name.get()[0]))) break;
    out.push_back(capability_name(cap));
  }
  return out;
}

}  // namespace sandbox::linux_
