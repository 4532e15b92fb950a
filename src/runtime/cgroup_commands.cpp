// pause, resume and update: the commands that act on a live container's cgroups.
#include <unistd.h>

#include "cgroup/container_cgroup.hpp"
#include "runtime/cgroup_update.hpp"
#include "runtime/operations.hpp"
#include "state/container.hpp"
#include "sys/error.hpp"
#include "sys/file_io.hpp"
#include "sys/log.hpp"
#include "sys/proc.hpp"

namespace sandbox::runtime {
namespace {

struct Live {
  state::ContainerState st;
  state::Status status;
  std::unique_ptr<cgroup::ContainerCgroup> cgroups;
};

// Loads ID and checks it runs (created, running or paused), under the state lock.
Live load_live(const state::ContainerDir& dir, const std::string& id, const char* verb) {
  auto st = dir.load();
  auto status = dir.status(st);
  if (status == state::Status::Stopped)
    fail("cannot {} container \"{}\": container not running", verb, id);
  return {*st, status, cgroup::open_cgroup(cgroup::record_from_json(st->cgroup))};
}

void check_freezable(const Live& c, const std::string& id, const char* verb) {
  std::string why;
  if (!c.cgroups->can_freeze(&why)) fail("cannot {} container \"{}\": {}", verb, id, why);
}

nlohmann::json read_resources_json(const std::string& source) {
  std::string text = source == "-" ? sys::read_fd(STDIN_FILENO)
                                   : wrap("update", [&] { return sys::read_file(source); });
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded())
    fail("update: {}: not valid JSON", source == "-" ? "resources (stdin)" : source);
  return j;
}

}  // namespace

void pause_container(const GlobalOptions& g, const std::string& id) {
  auto root = open_existing_root(g);
  auto dir = state::ContainerDir::open(root, id);
  Live c = load_live(dir, id, "pause");
  if (c.status == state::Status::Paused)
    fail("cannot pause container \"{}\": it is already paused", id);
  check_freezable(c, id, "pause");
  c.cgroups->freeze();
}

void resume_container(const GlobalOptions& g, const std::string& id) {
  auto root = open_existing_root(g);
  auto dir = state::ContainerDir::open(root, id);
  Live c = load_live(dir, id, "resume");
  if (c.status != state::Status::Paused)
    fail("cannot resume container \"{}\": container not paused", id);
  c.cgroups->thaw();
}

void update_container(const GlobalOptions& g, const std::string& id, const UpdateFlags& f) {
  std::optional<nlohmann::json> file;
  if (!f.resources.empty()) file = read_resources_json(f.resources);
  oci::Resources res = update_resources(f, file);
  auto root = open_existing_root(g);
  auto dir = state::ContainerDir::open(root, id);
  Live c = load_live(dir, id, "update");
  update_cgroup(*c.cgroups, std::move(res), ::geteuid() == 0 && sys::in_initial_user_namespace(),
                id);
}

}  // namespace sandbox::runtime
