// sandbox-bench: times OCI runtimes side by side, round by round, for bench/run.sh.
//
//   sandbox-bench measure --label L --workdir DIR --template CONFIG --sandbox PATH
//                         --cgroups on|off [--rounds N] [--seq-rounds N] [--seq N]
//                         [--par N] [--seccomp-template CONFIG] [--only seccomp] >> raw.tsv
//   sandbox-bench report raw.tsv > report.md
//
// `measure` runs every case once per runtime in each round, in an order that rotates from
// round to round, so that a drift of the machine (another process, a warm cache) falls on all
// runtimes alike; each line it prints is one measurement:
//   label  case  runtime  round  value  unit
// `report` turns those lines into markdown tables: the median, the spread (p25-p75) and the
// median of the per-round ratio to crun. A runtime that refuses a case (crun or runc refusing
// a seccomp profile) gets one line with the value 0 and the unit "n/a: REASON" instead.
//
// With --seccomp-template (the template with profiles/default.json as linux.seccomp) it also
// measures `run` and peak RSS under that profile, and, for sandbox alone, a syscall-heavy busybox
// loop run plainly and under `sandbox seccomp record`; --only seccomp measures just those.
//
// The driver is a child subreaper: a container's process, orphaned when `create` returns, is
// reparented to it, so "wait for exit" is a real wait on the process (as conmon and the
// containerd shim do), not a poll of `state`.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using Args = std::vector<std::string>;

namespace {

// Commands that undo what is still running (the long-lived containers), run by die().
std::vector<std::vector<std::string>> g_undo;
void run_quietly(const std::vector<std::string>& argv);

[[noreturn]] void die(const std::string& msg) {
  std::fprintf(stderr, "sandbox-bench: %s\n", msg.c_str());
  auto undo = std::move(g_undo);
  for (const auto& argv : undo) run_quietly(argv);
  std::exit(1);
}

double now_ms() {
  using namespace std::chrono;
  return duration<double, std::milli>(steady_clock::now().time_since_epoch()).count();
}

// The runtimes' stderr goes here, so that a failure can be read afterwards.
int g_log_fd = -1;
std::string g_log_path;

struct Result {
  int status = 0;
  double ms = 0;
  long maxrss_kib = 0;  // ru_maxrss of the command and the descendants it reaped
};

// Runs ARGV with stdin and stdout on /dev/null and stderr on the log; times it from fork to
// reap, and takes its rusage from wait4 (the number /usr/bin/time prints as "Maximum resident
// set size").
Result run(const Args& argv) {
  std::vector<char*> cargv;
  for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  double t0 = now_ms();
  pid_t pid = fork();
  if (pid < 0) die("fork: " + std::string(std::strerror(errno)));
  if (pid == 0) {
    int null = open("/dev/null", O_RDWR);
    dup2(null, 0);
    dup2(null, 1);
    dup2(g_log_fd >= 0 ? g_log_fd : null, 2);
    execvp(cargv[0], cargv.data());
    _exit(127);
  }
  int status = 0;
  rusage ru{};
  while (wait4(pid, &status, 0, &ru) < 0) {
    if (errno != EINTR) die("wait4: " + std::string(std::strerror(errno)));
  }
  Result r;
  r.ms = now_ms() - t0;
  r.status = status;
  r.maxrss_kib = ru.ru_maxrss;
  return r;
}

void run_quietly(const Args& argv) {
  pid_t pid = fork();
  if (pid == 0) {
    int null = open("/dev/null", O_RDWR);
    dup2(null, 0);
    dup2(null, 1);
    dup2(null, 2);
    std::vector<char*> c;
    for (const auto& a : argv) c.push_back(const_cast<char*>(a.c_str()));
    c.push_back(nullptr);
    execvp(c[0], c.data());
    _exit(127);
  }
  if (pid > 0) waitpid(pid, nullptr, 0);
}

std::string join(const Args& a) {
  std::string s;
  for (const auto& x : a) s += (s.empty() ? "" : " ") + x;
  return s;
}

Result must(const Args& argv) {
  Result r = run(argv);
  if (!WIFEXITED(r.status) || WEXITSTATUS(r.status) != 0)
    die("failed (status " + std::to_string(r.status) + "): " + join(argv) + " (see " + g_log_path +
        ")");
  return r;
}

// Reaps orphans that were reparented to us and already exited.
void reap_orphans() {
  while (waitpid(-1, nullptr, WNOHANG) > 0) {
  }
}

// Waits for PID (a process reparented to us) to exit and reaps it.
void wait_exit(pid_t pid) {
  int fd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  if (fd < 0) return;  // gone and reaped already
  siginfo_t si{};
  while (waitid(static_cast<idtype_t>(P_PIDFD), fd, &si, WEXITED) < 0) {
    if (errno == ECHILD) {
      // Not our child after all: wait for the pidfd to say it exited.
      pollfd p{fd, POLLIN, 0};
      poll(&p, 1, -1);
      break;
    }
    if (errno != EINTR) die("waitid: " + std::string(std::strerror(errno)));
  }
  close(fd);
}

pid_t read_pid(const fs::path& file) {
  std::ifstream in(file);
  pid_t pid = 0;
  in >> pid;
  if (pid <= 0) die("no pid in " + file.string());
  return pid;
}

// A runtime under test: the command line before the subcommand, and its bundles.
struct Runtime {
  std::string name;
  Args global;
  bool lifecycle = true;  // a real runtime (create/start/exec); false for the floor references
  Args floor_cmd;         // for the references: the whole command that stands for `run`
};

struct Options {
  std::string label;
  fs::path workdir, template_config, sandbox;
  fs::path seccomp_template;  // empty: no seccomp cases
  bool only_seccomp = false;
  bool cgroups = false;
  int rounds = 30, seq_rounds = 3, seq = 100, par = 20;
  bool root = geteuid() == 0;
};

// "root, cgroups off-crun-true" -> "root-cgroups-off-crun-true": paths without blanks.
std::string slug(const std::string& s) {
  std::string out;
  for (char c : s) {
    bool keep = std::isalnum(static_cast<unsigned char>(c));
    if (keep)
      out += c;
    else if (!out.empty() && out.back() != '-')
      out += '-';
  }
  return out;
}

// One bundle per runtime and use (cgroupsPath must differ between containers that live at
// once); all share one rootfs, by absolute root.path, so every runtime starts the same files.
fs::path make_bundle(const Options& o, const std::string& rt, const std::string& use,
                     const Args& args, const fs::path& template_config = {}) {
  std::ifstream in(template_config.empty() ? o.template_config : template_config);
  nlohmann::json c = nlohmann::json::parse(in);
  c["root"]["path"] = (o.workdir / "rootfs").string();
  c["process"]["args"] = args;
  c["process"]["terminal"] = false;
  if (o.cgroups && o.root)
    c["linux"]["cgroupsPath"] = "/sandbox-bench/" + rt + "-" + use;
  else
    c["linux"].erase("cgroupsPath");  // the runtime's default (a systemd scope, rootless)
  fs::path dir = o.workdir / "bundles" / slug(o.label + "-" + rt + "-" + use);
  fs::create_directories(dir);
  std::ofstream(dir / "config.json") << c.dump(1);
  return dir;
}

struct Measure {
  const Options& o;
  std::vector<Runtime> runtimes;
  int serial = 0;

  void emit(const std::string& what, const std::string& rt, int round, double value,
            const std::string& unit) {
    std::printf("%s\t%s\t%s\t%d\t%.4f\t%s\n", o.label.c_str(), what.c_str(), rt.c_str(), round,
                value, unit.c_str());
    std::fflush(stdout);
  }

  std::string new_id(const std::string& rt) {
    return "b" + std::to_string(getpid()) + "-" + rt + "-" + std::to_string(++serial);
  }

  Args cmd(const Runtime& r, Args tail) {
    Args a = r.global;
    a.insert(a.end(), tail.begin(), tail.end());
    return a;
  }

  // (a) a foreground `run` of /bin/true, container removed afterwards.
  Result run_once(const Runtime& r, const fs::path& bundle) {
    if (!r.lifecycle) return must(r.floor_cmd);
    return must(cmd(r, {"run", "--bundle", bundle.string(), new_id(r.name)}));
  }

  // The order of the runtimes in round ROUND: rotated by one each round.
  std::vector<const Runtime*> order(int round, bool lifecycle_only) {
    std::vector<const Runtime*> v;
    for (const auto& r : runtimes)
      if (!lifecycle_only || r.lifecycle) v.push_back(&r);
    if (!v.empty()) std::rotate(v.begin(), v.begin() + (round % v.size()), v.end());
    return v;
  }

  // Peak RSS of INNER, as /usr/bin/time -v reports it, in MiB.
  double peak_rss_mib(const Args& inner) {
    fs::path out = o.workdir / "time-v.txt";
    Args a = {"/usr/bin/time", "-v", "-o", out.string()};
    a.insert(a.end(), inner.begin(), inner.end());
    must(a);
    std::ifstream in(out);
    std::string line;
    long kib = -1;
    while (std::getline(in, line)) {
      auto p = line.find("Maximum resident set size (kbytes):");
      if (p != std::string::npos) kib = std::stol(line.substr(line.rfind(':') + 1));
    }
    if (kib < 0) die("no maximum resident set size in " + out.string());
    return kib / 1024.0;
  }

  void go() {
    if (!o.only_seccomp) standard_cases();
    if (!o.seccomp_template.empty()) seccomp_cases();
  }

  void standard_cases() {
    std::map<std::string, fs::path> true_bundle, sleep_bundle, par_bundle;
    for (const auto& r : runtimes) {
      if (!r.lifecycle) continue;
      true_bundle[r.name] = make_bundle(o, r.name, "true", {"/bin/true"});
      sleep_bundle[r.name] = make_bundle(o, r.name, "sleeper", {"/bin/sleep", "100000"});
      par_bundle[r.name] = make_bundle(o, r.name, "par", {"/bin/true"});
    }
    // A long-running container per runtime for (d), started before the rounds.
    std::map<std::string, std::string> sleeper;
    for (const auto& r : runtimes) {
      if (!r.lifecycle) continue;
      std::string id = new_id(r.name);
      g_undo.push_back(cmd(r, {"delete", "--force", id}));
      must(cmd(r, {"run", "--detach", "--bundle", sleep_bundle[r.name].string(), id}));
      sleeper[r.name] = id;
    }
    // Warm-up: one of everything, unrecorded (page cache, first-use costs).
    for (const auto& r : runtimes) run_once(r, true_bundle[r.name]);

    for (int round = 1; round <= o.rounds; ++round) {
      for (const Runtime* r : order(round, false)) {
        Result res = run_once(*r, true_bundle[r->name]);
        emit("run", r->name, round, res.ms, "ms");
      }
      for (const Runtime* r : order(round, true)) {
        // (b) create, start, wait for exit, delete: each its own command, each timed.
        std::string id = new_id(r->name);
        fs::path pidfile = o.workdir / ("pid-" + id);
        Result c = must(cmd(*r, {"create", "--bundle", true_bundle[r->name].string(), "--pid-file",
                                 pidfile.string(), id}));
        pid_t pid = read_pid(pidfile);
        fs::remove(pidfile);
        Result s = must(cmd(*r, {"start", id}));
        double t0 = now_ms();
        wait_exit(pid);
        double waited = now_ms() - t0;
        Result d = must(cmd(*r, {"delete", id}));
        emit("create", r->name, round, c.ms, "ms");
        emit("start", r->name, round, s.ms, "ms");
        emit("wait", r->name, round, waited, "ms");
        emit("delete", r->name, round, d.ms, "ms");
        emit("create+start+wait+delete", r->name, round, c.ms + s.ms + waited + d.ms, "ms");
      }
      for (const Runtime* r : order(round, true)) {
        // (d) exec of /bin/true into the running container.
        Result e = must(cmd(*r, {"exec", sleeper[r->name], "/bin/true"}));
        emit("exec", r->name, round, e.ms, "ms");
      }
      for (const Runtime* r : order(round, false)) {
        // (e) peak RSS of the runtime, as /usr/bin/time -v reports it.
        Args inner =
            r->lifecycle
                ? cmd(*r, {"run", "--bundle", true_bundle[r->name].string(), new_id(r->name)})
                : r->floor_cmd;
        emit("peak RSS", r->name, round, peak_rss_mib(inner), "MiB");
      }
      reap_orphans();
    }

    for (int round = 1; round <= o.seq_rounds; ++round) {
      for (const Runtime* r : order(round, false)) {
        // (c) N sequential runs.
        double t0 = now_ms();
        for (int i = 0; i < o.seq; ++i) run_once(*r, true_bundle[r->name]);
        emit(std::to_string(o.seq) + " sequential runs", r->name, round, now_ms() - t0, "ms");
      }
      for (const Runtime* r : order(round, false)) {
        // (f) two loops of N runs at once (each its own bundle: cgroupsPath differs).
        double t0 = now_ms();
        pid_t kids[2];
        for (int k = 0; k < 2; ++k) {
          kids[k] = fork();
          if (kids[k] == 0) {
            const fs::path& b = k == 0 ? true_bundle[r->name] : par_bundle[r->name];
            for (int i = 0; i < o.par; ++i) run_once(*r, b);
            std::fflush(stdout);
            _exit(0);
          }
        }
        bool ok = true;
        for (pid_t k : kids) {
          int st = 0;
          while (waitpid(k, &st, 0) < 0 && errno == EINTR) {
          }
          ok = ok && WIFEXITED(st) && WEXITSTATUS(st) == 0;
        }
        if (!ok) die("a parallel loop of " + r->name + " failed (see " + g_log_path + ")");
        emit("2 parallel loops of " + std::to_string(o.par), r->name, round, now_ms() - t0, "ms");
      }
      reap_orphans();
    }

    g_undo.clear();
    for (const auto& r : runtimes) {
      if (!r.lifecycle) continue;
      must(cmd(r, {"delete", "--force", sleeper[r.name]}));
    }
    reap_orphans();
  }

  // The last line the runtimes logged after byte OFFSET of the log: why one refused a case.
  static std::string logged_since(off_t offset) {
    std::ifstream in(g_log_path);
    in.seekg(offset);
    std::istringstream text(std::string(std::istreambuf_iterator<char>(in), {}));
    std::string line, last = "no message";
    while (std::getline(text, line))
      if (!line.empty()) last = line;
    for (char& c : last)
      if (c == '\t' || c == '|') c = ' ';
    return last.substr(0, 160);
  }

  // `run` and peak RSS under the seccomp template (profiles/default.json), every real runtime
  // with the same config; then, for sandbox, a syscall-heavy loop run plainly and recorded.
  void seccomp_cases() {
    const std::string run_case = "run, seccomp default", rss_case = "peak RSS, seccomp default";
    std::map<std::string, fs::path> bundle;
    for (const auto& r : runtimes) {
      if (!r.lifecycle) continue;
      fs::path b = make_bundle(o, r.name, "seccomp", {"/bin/true"}, o.seccomp_template);
      struct stat st {};
      fstat(g_log_fd, &st);
      std::string id = new_id(r.name);
      Result res = run(cmd(r, {"run", "--bundle", b.string(), id}));  // also the warm-up
      if (WIFEXITED(res.status) && WEXITSTATUS(res.status) == 0) {
        bundle[r.name] = b;
        continue;
      }
      run_quietly(cmd(r, {"delete", "--force", id}));
      std::string why = "n/a: " + logged_since(st.st_size);
      emit(run_case, r.name, 0, 0, why);
      emit(rss_case, r.name, 0, 0, why);
    }
    for (int round = 1; round <= o.rounds; ++round) {
      for (const Runtime* r : order(round, true)) {
        if (!bundle.count(r->name)) continue;
        Result res = must(cmd(*r, {"run", "--bundle", bundle[r->name].string(), new_id(r->name)}));
        emit(run_case, r->name, round, res.ms, "ms");
      }
      for (const Runtime* r : order(round, true)) {
        if (!bundle.count(r->name)) continue;
        Args inner = cmd(*r, {"run", "--bundle", bundle[r->name].string(), new_id(r->name)});
        emit(rss_case, r->name, round, peak_rss_mib(inner), "MiB");
      }
      reap_orphans();
    }

    // The recording slowdown: 2000 opens, writes and closes of a file on a tmpfs, each a few
    // syscalls, every one of them a notification to the agent while recording.
    const Runtime& s = runtimes.front();  // sandbox
    fs::path loop = make_bundle(
        o, s.name, "syscall-loop",
        {"/bin/sh", "-c", "i=0; while [ $i -lt 2000 ]; do echo x > /tmp/f; i=$((i+1)); done"});
    nlohmann::json c = nlohmann::json::parse(std::ifstream(loop / "config.json"));
    c["mounts"].push_back({{"destination", "/tmp"},
                           {"type", "tmpfs"},
                           {"source", "tmpfs"},
                           {"options", {"nosuid", "nodev", "mode=1777"}}});
    std::ofstream(loop / "config.json") << c.dump(1);
    fs::path profile = o.workdir / "recorded-profile.json";
    auto plain = [&] { return must(cmd(s, {"run", "--bundle", loop.string(), new_id(s.name)})); };
    auto record = [&] {
      return must(cmd(s, {"seccomp", "record", "--bundle", loop.string(), "--output",
                          profile.string(), new_id(s.name)}));
    };
    plain();  // warm-up
    record();
    for (int round = 1; round <= std::max(1, o.rounds / 3); ++round) {
      double p = 0, r = 0;
      if (round % 2) {
        p = plain().ms;
        r = record().ms;
      } else {
        r = record().ms;
        p = plain().ms;
      }
      emit("syscall loop, run", s.name, round, p, "ms");
      emit("syscall loop, seccomp record", s.name, round, r, "ms");
      emit("recording slowdown, record / run", s.name, round, r / p, "×");
      reap_orphans();
    }
  }
};

int measure(const Options& o) {
  if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) die("PR_SET_CHILD_SUBREAPER failed");
  fs::create_directories(o.workdir / "logs");
  g_log_path = (o.workdir / "logs" / (o.label + ".log")).string();
  g_log_fd = open(g_log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
  if (g_log_fd < 0) die("cannot open " + g_log_path);
  // Not O_CLOEXEC in the children: dup2 clears it on fd 2.

  Measure m{o, {}};
  auto state = [&](const std::string& rt) {
    return (o.workdir / ("state-" + slug(o.label) + "-" + rt)).string();
  };
  bool rootless = !o.root;
  // Every runtime gets the same cgroup handling: none at all, or a cgroup of its own (cgroupfs
  // under the benchmark's cgroup as root, a systemd user scope rootless).
  {
    Runtime s{"sandbox", {o.sandbox.string(), "--root", state("sandbox")}};
    if (!o.cgroups)
      s.global.insert(s.global.end(), {"--cgroup-manager", "disabled"});
    else if (rootless)
      s.global.push_back("--systemd-cgroup");
    m.runtimes.push_back(s);
  }
  {
    Runtime c{"crun", {"crun", "--root", state("crun")}};
    if (!o.cgroups)
      c.global.push_back("--cgroup-manager=disabled");
    else if (rootless)
      c.global.push_back("--systemd-cgroup");
    m.runtimes.push_back(c);
  }
  // runc has no way to run without cgroups as root, and its rootless systemd driver needs
  // cgroup v2: there it is left out. Rootless without cgroups is its default on cgroup v1
  // (it cannot write to the v1 hierarchies and, with no limits asked for, goes on without).
  if (o.cgroups ? o.root : rootless)
    m.runtimes.push_back(Runtime{"runc", {"runc", "--root", state("runc")}});
  std::string rootfs = (o.workdir / "rootfs").string();
  m.runtimes.push_back(Runtime{"bwrap --unshare-all",
                               {},
                               false,
                               {"bwrap", "--unshare-all", "--ro-bind", rootfs, "/", "/bin/true"}});
  m.runtimes.push_back(Runtime{"exec /bin/true", {}, false, {rootfs + "/bin/true"}});
  m.go();
  return 0;
}

// ---- report ----

struct Row {
  std::string label, what, rt, unit;
  int round;
  double value;
};

double quantile(std::vector<double> v, double q) {
  if (v.empty()) return NAN;
  std::sort(v.begin(), v.end());
  double pos = q * (v.size() - 1);
  size_t lo = static_cast<size_t>(std::floor(pos)), hi = static_cast<size_t>(std::ceil(pos));
  return v[lo] + (v[hi] - v[lo]) * (pos - lo);
}

std::string fmt_num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, v >= 100 ? "%.0f" : (v >= 10 ? "%.1f" : "%.2f"), v);
  return buf;
}

int report(const std::string& path) {
  std::ifstream in(path);
  if (!in) die("cannot read " + path);
  std::vector<Row> rows;
  std::string line;
  // A line whose unit is "n/a: REASON" says that a runtime refused a case.
  while (std::getline(in, line)) {
    std::istringstream ls(line);
    Row r;
    std::string round, value;
    if (!std::getline(ls, r.label, '\t') || !std::getline(ls, r.what, '\t') ||
        !std::getline(ls, r.rt, '\t') || !std::getline(ls, round, '\t') ||
        !std::getline(ls, value, '\t') || !std::getline(ls, r.unit, '\t'))
      continue;
    r.round = std::stoi(round);
    r.value = std::stod(value);
    rows.push_back(r);
  }
  // Keep first-seen order of labels, cases and runtimes.
  auto seen = [](std::vector<std::string>& v, const std::string& s) {
    if (std::find(v.begin(), v.end(), s) == v.end()) v.push_back(s);
  };
  std::vector<std::string> labels;
  for (const auto& r : rows) seen(labels, r.label);
  for (const auto& label : labels) {
    std::vector<std::string> cases, rts;
    std::map<std::string, std::string> unit;
    std::map<std::pair<std::string, std::string>, std::map<int, double>> val;
    std::map<std::pair<std::string, std::string>, std::string> refused;
    for (const auto& r : rows) {
      if (r.label != label) continue;
      seen(cases, r.what);
      seen(rts, r.rt);
      if (r.unit.rfind("n/a", 0) == 0) {
        refused[{r.what, r.rt}] = r.unit;
        continue;
      }
      unit[r.what] = r.unit;
      val[{r.what, r.rt}][r.round] = r.value;
    }
    // sandbox first, then the runtimes it is compared with, then the floors.
    auto rank = [](const std::string& rt) {
      const char* order[] = {"sandbox", "crun", "runc", "bwrap --unshare-all", "exec /bin/true"};
      for (int i = 0; i < 5; ++i)
        if (rt == order[i]) return i;
      return 5;
    };
    std::stable_sort(rts.begin(), rts.end(),
                     [&](const std::string& a, const std::string& b) { return rank(a) < rank(b); });
    std::printf("\n### %s\n\n", label.c_str());
    std::printf("Median, (p25-p75), and the median of the per-round ratio to crun.\n\n");
    std::printf("| case |");
    for (const auto& rt : rts) std::printf(" %s |", rt.c_str());
    std::printf("\n|---|");
    for (size_t i = 0; i < rts.size(); ++i) std::printf("---|");
    std::printf("\n");
    for (const auto& c : cases) {
      std::printf("| %s (%s) |", c.c_str(), unit[c].c_str());
      const auto& crun = val[{c, "crun"}];
      for (const auto& rt : rts) {
        auto it = val.find({c, rt});
        if (it == val.end() || it->second.empty()) {
          auto why = refused.find({c, rt});
          std::printf(" %s |", why == refused.end() ? "n/a" : why->second.c_str());
          continue;
        }
        std::vector<double> v, ratios;
        for (const auto& [round, x] : it->second) {
          v.push_back(x);
          auto cr = crun.find(round);
          if (cr != crun.end() && cr->second > 0) ratios.push_back(x / cr->second);
        }
        std::string cell = fmt_num(quantile(v, 0.5)) + " (" + fmt_num(quantile(v, 0.25)) + "-" +
                           fmt_num(quantile(v, 0.75)) + ")";
        if (!ratios.empty() && rt != "crun") {
          char buf[32];
          std::snprintf(buf, sizeof buf, " **%.2f×**", quantile(ratios, 0.5));
          cell += buf;
        }
        std::printf(" %s |", cell.c_str());
      }
      std::printf("\n");
    }
  }
  return 0;
}

int usage() {
  std::fprintf(stderr,
               "usage: sandbox-bench measure --label L --workdir DIR --template CONFIG "
               "--sandbox PATH --cgroups on|off [--rounds N] [--seq-rounds N] [--seq N] "
               "[--par N] [--seccomp-template CONFIG] [--only seccomp]\n"
               "       sandbox-bench report RAW.tsv\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage();
  std::string verb = argv[1];
  if (verb == "report") return argc == 3 ? report(argv[2]) : usage();
  if (verb != "measure") return usage();
  Options o;
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    if (i + 1 >= argc) return usage();
    std::string v = argv[++i];
    if (a == "--label")
      o.label = v;
    else if (a == "--workdir")
      o.workdir = v;
    else if (a == "--template")
      o.template_config = v;
    else if (a == "--sandbox")
      o.sandbox = v;
    else if (a == "--cgroups")
      o.cgroups = v == "on";
    else if (a == "--rounds")
      o.rounds = std::stoi(v);
    else if (a == "--seq-rounds")
      o.seq_rounds = std::stoi(v);
    else if (a == "--seq")
      o.seq = std::stoi(v);
    else if (a == "--par")
      o.par = std::stoi(v);
    else if (a == "--seccomp-template")
      o.seccomp_template = v;
    else if (a == "--only" && v == "seccomp")
      o.only_seccomp = true;
    else
      return usage();
  }
  if (o.label.empty() || o.workdir.empty() || o.template_config.empty() || o.sandbox.empty() ||
      (o.only_seccomp && o.seccomp_template.empty()))
    return usage();
  return measure(o);
}
