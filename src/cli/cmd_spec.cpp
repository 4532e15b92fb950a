// spec: write a template config.json; never overwrite one.
#include <fcntl.h>
#include <unistd.h>

#include "cli/commands.hpp"
#include "linux/idmap.hpp"
#include "linux/subid.hpp"
#include "oci/template.hpp"
#include "sys/error.hpp"
#include "sys/fd.hpp"

namespace sandbox::cli {
namespace {

struct SpecFlags {
  std::string bundle = ".";
  bool rootless = false;
};

int write_spec(const SpecFlags& f) {
  oci::TemplateOptions t;
  t.rootless = f.rootless;
  t.uid = ::geteuid();
  t.gid = ::getegid();
  std::string why;
  // The subordinate ranges only help when the setuid helpers can map them.
  if (f.rootless && linux_::find_id_map_helpers(&why)) {
    t.subuid = linux_::read_subuid(t.uid);
    t.subgid = linux_::read_subgid(t.uid);
  }
  // Tab-indented, as runc writes it.
  std::string text = oci::spec_template(t).dump(1, '\t');  // no final newline either
  std::string path = f.bundle + "/config.json";
  Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644));
  if (!fd) {
    if (errno == EEXIST) fail("{}: already exists; remove it to write a new one", path);
    throw_errno("write " + path);
  }
  if (::write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size()))
    throw_errno("write " + path);
  return 0;
}

}  // namespace

void add_spec_command(CLI::App& app, Action& action) {
  auto flags = std::make_shared<SpecFlags>();
  auto* cmd = app.add_subcommand("spec", "write a template config.json into the bundle");
  cmd->add_option("-b,--bundle", flags->bundle, "bundle directory (default: .)");
  cmd->add_flag("--rootless", flags->rootless,
                "map the caller to root, plus the caller's /etc/subuid range when granted");
  cmd->callback([&action, flags] { action = [flags] { return write_spec(*flags); }; });
}

}  // namespace sandbox::cli
