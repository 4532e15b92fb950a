#include <gtest/gtest.h>
#include <sys/capability.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <functional>
#include <string>

#include "linux/rlimits.hpp"
#include "sys/error.hpp"

using sandbox::Error;
using sandbox::linux_::apply_rlimits;
using sandbox::linux_::rlimit_from_name;
using sandbox::oci::Rlimit;

namespace {

// Runs F in a forked child, so limits changed there do not leak into the test process, and
// returns what F returned (text, through a pipe).
std::string in_child(const std::function<std::string()>& f) {
  int p[2];
  if (::pipe(p) != 0) return "<pipe failed>";
  pid_t pid = ::fork();
  if (pid == 0) {
    ::close(p[0]);
    std::string out;
    try {
      out = f();
    } catch (const std::exception& e) {
      out = std::string("<exception> ") + e.what();
    }
    ssize_t ignored = ::write(p[1], out.data(), out.size());
    (void)ignored;
    ::_exit(0);
  }
  ::close(p[1]);
  std::string out;
  char buf[512];
  ssize_t n;
  while ((n = ::read(p[0], buf, sizeof(buf))) > 0) out.append(buf, static_cast<size_t>(n));
  ::close(p[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return out;
}

// "error: <message> (errno N)" from apply_rlimits, or "ok".
std::string apply(const std::vector<Rlimit>& limits) {
  try {
    apply_rlimits(limits);
  } catch (const Error& e) {
    return std::string("error: ") + e.what() + " (errno " + std::to_string(e.code()) + ")";
  }
  return "ok";
}

Rlimit limit(const char* name, uint64_t soft, uint64_t hard) {
  return Rlimit{name, rlimit_from_name(name), soft, hard};
}

// Without CAP_SYS_RESOURCE (a root test run has it), a hard limit can only go down.
void drop_sys_resource() {
  cap_t caps = cap_get_proc();
  cap_value_t v = CAP_SYS_RESOURCE;
  cap_set_flag(caps, CAP_EFFECTIVE, 1, &v, CAP_CLEAR);
  cap_set_proc(caps);
  cap_free(caps);
}

TEST(RlimitNames, AllSixteen) {
  struct Case {
    const char* name;
    int resource;
  };
  const Case cases[] = {
      {"RLIMIT_CPU", RLIMIT_CPU},           {"RLIMIT_FSIZE", RLIMIT_FSIZE},
      {"RLIMIT_DATA", RLIMIT_DATA},         {"RLIMIT_STACK", RLIMIT_STACK},
      {"RLIMIT_CORE", RLIMIT_CORE},         {"RLIMIT_RSS", RLIMIT_RSS},
      {"RLIMIT_NPROC", RLIMIT_NPROC},       {"RLIMIT_NOFILE", RLIMIT_NOFILE},
      {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},   {"RLIMIT_AS", RLIMIT_AS},
      {"RLIMIT_LOCKS", RLIMIT_LOCKS},       {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
      {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE}, {"RLIMIT_NICE", RLIMIT_NICE},
      {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},     {"RLIMIT_RTTIME", RLIMIT_RTTIME},
  };
  static_assert(RLIMIT_NLIMITS == 16);
  for (const auto& c : cases) EXPECT_EQ(rlimit_from_name(c.name), c.resource) << c.name;
}

TEST(RlimitNames, UnknownNames) {
  for (const char* name : {"", "RLIMIT_FOO", "rlimit_nofile", "NOFILE", "RLIMIT_NOFILE ",
                           "RLIMIT_NLIMITS", "RLIMIT_"}) {
    EXPECT_EQ(rlimit_from_name(name), -1) << name;
  }
}

TEST(RlimitApply, SetsEachLimit) {
  std::string got = in_child([] {
    apply_rlimits({limit("RLIMIT_NOFILE", 100, 200), limit("RLIMIT_CORE", 0, 0)});
    struct rlimit nofile {
    }, core{};
    ::getrlimit(RLIMIT_NOFILE, &nofile);
    ::getrlimit(RLIMIT_CORE, &core);
    return std::to_string(nofile.rlim_cur) + "/" + std::to_string(nofile.rlim_max) + " " +
           std::to_string(core.rlim_cur) + "/" + std::to_string(core.rlim_max);
  });
  EXPECT_EQ(got, "100/200 0/0");
}

TEST(RlimitApply, EmptyListChangesNothing) {
  struct rlimit before {
  }, after{};
  ::getrlimit(RLIMIT_NOFILE, &before);
  apply_rlimits({});
  ::getrlimit(RLIMIT_NOFILE, &after);
  EXPECT_EQ(before.rlim_cur, after.rlim_cur);
  EXPECT_EQ(before.rlim_max, after.rlim_max);
}

TEST(RlimitApply, RaisingTheHardLimitNamesTheCallersLimit) {
  std::string got = in_child([] {
    struct rlimit low {
      64, 128
    };
    if (::setrlimit(RLIMIT_NOFILE, &low) != 0) return std::string("<setrlimit failed>");
    drop_sys_resource();
    return apply({limit("RLIMIT_NOFILE", 64, 256)});
  });
  EXPECT_EQ(got,
            "error: rlimit RLIMIT_NOFILE (soft 64, hard 256): operation not permitted: the "
            "hard limit is above the caller's hard limit (128) (errno " +
                std::to_string(EPERM) + ")");
}

TEST(RlimitApply, StopsAtTheFirstFailure) {
  std::string got = in_child([] {
    struct rlimit low {
      0, 0
    };
    if (::setrlimit(RLIMIT_CORE, &low) != 0) return std::string("<setrlimit failed>");
    drop_sys_resource();
    std::string err = apply({limit("RLIMIT_CORE", 0, RLIM_INFINITY), limit("RLIMIT_NOFILE", 7, 7)});
    struct rlimit nofile {};
    ::getrlimit(RLIMIT_NOFILE, &nofile);
    return err + " nofile=" + std::to_string(nofile.rlim_max);
  });
  EXPECT_NE(got.find("error: rlimit RLIMIT_CORE (soft 0, hard unlimited): operation not "
                     "permitted: the hard limit is above the caller's hard limit (0)"),
            std::string::npos)
      << got;
  EXPECT_EQ(got.find("nofile=7"), std::string::npos) << got;
}

TEST(RlimitApply, NofileAboveNrOpen) {
  // fs.nr_open caps RLIMIT_NOFILE even for root.
  std::string got = in_child([] { return apply({limit("RLIMIT_NOFILE", 64, 1ULL << 40)}); });
  EXPECT_EQ(got.rfind("error: rlimit RLIMIT_NOFILE (soft 64, hard 1099511627776): operation not "
                      "permitted: the hard limit is above ",
                      0),
            0u)
      << got;
  EXPECT_NE(got.find("(errno " + std::to_string(EPERM) + ")"), std::string::npos) << got;
}

TEST(RlimitApply, SoftAboveHardIsInvalid) {
  std::string got = in_child([] { return apply({limit("RLIMIT_CORE", 10, 5)}); });
  EXPECT_EQ(got, "error: rlimit RLIMIT_CORE (soft 10, hard 5): invalid argument (errno " +
                     std::to_string(EINVAL) + ")");
}

}  // namespace
