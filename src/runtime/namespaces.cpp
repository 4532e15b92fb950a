#include "runtime/namespaces.hpp"

#include <fcntl.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include "oci/namespace_table.hpp"
#include "sys/error.hpp"
#include "sys/syscalls.hpp"

namespace sandbox::runtime {

int clone_flag(oci::NamespaceType t) {
  return static_cast<int>(oci::namespace_kind(t).clone_flag);
}

namespace {

ino_t inode_of(int fd) {
  struct stat st {};
  return ::fstat(fd, &st) == 0 ? st.st_ino : 0;
}

// A user who is not root may only join a namespace owned by a user namespace in which it holds
// capabilities, which for another container's namespace means that container's user namespace.
// So, like `podman run --network container:A`, the container joins the owner instead of making
// a user namespace of its own, and shares its id mappings.
void join_owner_user_namespace(NamespacePlan& plan, const oci::Linux& linux) {
  Fd own(::open("/proc/self/ns/user", O_RDONLY | O_CLOEXEC));
  ino_t own_ino = own ? inode_of(own.get()) : 0;
  for (const auto& j : plan.join) {
    Fd owner(::ioctl(j.fd.get(), NS_GET_USERNS));
    if (!owner || inode_of(owner.get()) == own_ino) continue;
    if (!plan.auto_user_namespace && (!linux.uid_mappings.empty() || !linux.gid_mappings.empty()))
      fail(
          "config.json: linux.namespaces: the {} namespace to join belongs to another user "
          "namespace; add that user namespace too ({{\"type\": \"user\", \"path\": ...}}) "
          "instead of uidMappings",
          oci::namespace_name(j.type));
    plan.clone_flags &= ~static_cast<uint64_t>(CLONE_NEWUSER);
    plan.new_user_namespace = plan.auto_user_namespace = false;
    plan.join.insert(plan.join.begin(), {oci::NamespaceType::User, std::move(owner)});
    return;
  }
}

}  // namespace

NamespacePlan plan_namespaces(const oci::Linux& linux, bool caller_is_root) {
  NamespacePlan plan;
  std::vector<NamespaceToJoin> user_join;
  for (size_t i = 0; i < linux.namespaces.size(); i++) {
    const auto& ns = linux.namespaces[i];
    std::string where = fmt::format("config.json: linux.namespaces[{}]", i);
    if (ns.path.empty()) {
      plan.clone_flags |= static_cast<uint64_t>(clone_flag(ns.type));
      continue;
    }
    Fd fd(::open(ns.path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) throw_errno(where + ".path: open " + ns.path);
    int type = ::ioctl(fd.get(), NS_GET_NSTYPE);
    if (type < 0) fail("{}.path: {} is not a namespace", where, ns.path);
    if (type != clone_flag(ns.type))
      fail("{}.path: {} is not a {} namespace", where, ns.path, oci::namespace_name(ns.type));
    auto& list = ns.type == oci::NamespaceType::User ? user_join : plan.join;
    list.push_back({ns.type, std::move(fd)});
  }
  // Without a mount namespace of its own, the container's mounts and pivot_root would happen
  // in the caller's mount namespace (as root: the host's), so one is required (runc too): a new
  // one, or another one given by path (the container then sets up in it, as with runc and crun).
  if (!(plan.clone_flags & CLONE_NEWNS) &&
      namespace_source(plan, oci::NamespaceType::Mount) != NamespaceSource::Joined)
    fail(
        "config.json: linux.namespaces: a mount namespace is required (without one the "
        "container's mounts would change the caller's own)");
  plan.new_user_namespace = plan.clone_flags & CLONE_NEWUSER;
  // As crun does: a user who is not root gets a user namespace even when config.json has none,
  // since nothing else can be done without privileges.
  if (!caller_is_root && !linux.has_namespace(oci::NamespaceType::User)) {
    plan.clone_flags |= CLONE_NEWUSER;
    plan.new_user_namespace = plan.auto_user_namespace = true;
  }
  if (!caller_is_root && user_join.empty()) join_owner_user_namespace(plan, linux);
  // Root joins the other namespaces with its own privileges, then the user namespace; a user
  // who is not root has privileges only inside the user namespace, so joins it first.
  auto pos = caller_is_root ? plan.join.end() : plan.join.begin();
  plan.join.insert(pos, std::make_move_iterator(user_join.begin()),
                   std::make_move_iterator(user_join.end()));
  return plan;
}

NamespaceSource namespace_source(const NamespacePlan& plan, oci::NamespaceType t) {
  if (plan.clone_flags & static_cast<uint64_t>(clone_flag(t))) return NamespaceSource::New;
  for (const auto& j : plan.join) {
    if (j.type != t) continue;
    std::string own = fmt::format("/proc/self/ns/{}", oci::namespace_kind(t).proc_name);
    struct stat ours {
    }, theirs{};
    if (::fstat(j.fd.get(), &theirs) != 0) return NamespaceSource::Host;
    if (::stat(own.c_str(), &ours) == 0 && ours.st_ino == theirs.st_ino &&
        ours.st_dev == theirs.st_dev)
      return NamespaceSource::Host;
    return NamespaceSource::Joined;
  }
  return NamespaceSource::Host;
}

}  // namespace sandbox::runtime
