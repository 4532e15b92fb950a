// state and list: the OCI state document of one container, or of all of them.
#include <pwd.h>

#include "runtime/operations.hpp"
#include "state/container.hpp"
#include "sys/error.hpp"
#include "sys/log.hpp"

namespace sandbox::runtime {
namespace {

std::string owner_name(uid_t uid) {
  struct passwd pw {};
  struct passwd* res = nullptr;
  char buf[4096];
  if (::getpwuid_r(uid, &pw, buf, sizeof(buf), &res) == 0 && res) return res->pw_name;
  return std::string("#").append(std::to_string(uid));
}

}  // namespace

nlohmann::ordered_json container_state(const GlobalOptions& g, const std::string& id) {
  auto root = open_existing_root(g);
  // Without the lock: the files are replaced atomically, and `state` must not wait behind a
  // create (which holds the lock until it returns).
  auto dir = state::ContainerDir::open_unlocked(root, id);
  if (!dir) fail("container \"{}\" does not exist", id);
  auto st = dir->load();
  auto status = dir->status(st);
  return state::oci_state_json(st.value_or(state::ContainerState{}), status, id);
}

std::vector<ListEntry> list_containers(const GlobalOptions& g) {
  auto mode =
      g.root_given ? state::StateRoot::Mode::MustExist : state::StateRoot::Mode::MayBeMissing;
  auto root = state::StateRoot::open(g.root, mode);
  std::vector<ListEntry> out;
  for (const auto& id : root.ids()) {
    // Without the lock, as `state`. One container whose record cannot be read is skipped
    // with a warning (runc's behaviour); the others are still listed.
    std::optional<state::ContainerState> st;
    state::Status status;
    try {
      auto dir = state::ContainerDir::open_unlocked(root, id);
      if (!dir) continue;  // deleted while we listed
      st = dir->load();
      status = dir->status(st);
    } catch (const Error& e) {
      log::warning(e.what());
      continue;
    }
    ListEntry e;
    e.state = state::oci_state_json(st.value_or(state::ContainerState{}), status, id);
    e.owner = owner_name(st ? st->owner : ::geteuid());
    e.state["owner"] = e.owner;
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace sandbox::runtime
