// spec: write a template config.json; never overwrite one.
#include <fcntl.h>
#include <unistd.h>

#include "cli/commands.hpp"
#include "linux/idmap.hpp"
#include "linux/seccomp.hpp"
#include "linux/subid.hpp"
#include "oci/parse.hpp"
#include "oci/template.hpp"
#include "seccomp_profiles/library.hpp"
#include "sys/error.hpp"
#include "sys/fd.hpp"
#include "sys/sealed_exe.hpp"

namespace sandbox::cli {
namespace {

struct SpecFlags {
  std::string bundle = ".";
  bool rootless = false;
  std::string seccomp;  // a profile name or file; "" for none (runc's template has none)
};

// The profile for the template's own capabilities and this machine, in linux.seccomp. It is
// compiled once here, so a profile this libseccomp cannot load fails now, not at create.
void add_seccomp(nlohmann::ordered_json& t, const std::string& name_or_file) {
  seccomp_profile::DockerTarget target;
  target.caps = t["process"]["capabilities"]["bounding"].get<std::vector<std::string>>();
  target.arch = seccomp_profile::native_arch();
  target.kernel = seccomp_profile::running_kernel();
  auto dirs = seccomp_profile::profile_dirs(sys::original_exe());
  t["linux"]["seccomp"] = seccomp_profile::load_profile(name_or_file, dirs, target);
  try {
    oci::Spec spec = oci::parse_spec_text(t.dump());
    linux_::compile_seccomp(*spec.linux.seccomp);
  } catch (const Error& e) {
    rethrow_with(e, "seccomp profile " + name_or_file);
  }
}

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
  nlohmann::ordered_json doc = oci::spec_template(t);
  if (!f.seccomp.empty()) add_seccomp(doc, f.seccomp);
  // Tab-indented, as runc writes it.
  std::string text = doc.dump(1, '\t');  // no final newline either
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
  cmd->add_option("--seccomp", flags->seccomp,
                  "put a seccomp profile into linux.seccomp: a shipped profile's NAME (default, "
                  "strict, no-network) or a FILE (OCI linux.seccomp or docker format)");
  cmd->callback([&action, flags] { action = [flags] { return write_spec(*flags); }; });
}

}  // namespace sandbox::cli
