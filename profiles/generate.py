#!/usr/bin/env python3
"""Writes the shipped seccomp profiles (default.json, strict.json, no-network.json) as OCI
linux.seccomp documents, from the kernel's syscall tables and the policy below.

    profiles/generate.py [UNISTD_DIR]   (default: the asm/ headers of this machine)

Every syscall in the x86_64 and i386 tables must be placed in exactly one policy group; a
syscall the policy does not name stops the generator (a new kernel's syscalls get a decision,
not a silent default). Names are kept even when they exist in only one table: the runtime
skips a name this libseccomp or architecture does not know.

The allow-list follows what container engines allow by default for their default capability
set (CAP_AUDIT_WRITE, CAP_KILL, CAP_NET_BIND_SERVICE, ... but never CAP_SYS_ADMIN): ordinary
process, file, memory, time-reading, signal, IPC and socket work. Unknown syscalls get ENOSYS
from the runtime (its prefix for syscalls newer than the profile), so a newer libc falls back.
"""
import json
import os
import re
import sys

# ---- policy ------------------------------------------------------------------------------
# Denied in every profile. Why, group by group:
DENIED = {
    # Kernel code and the machine: loading modules or a new kernel, rebooting, swap, the
    # process accounting file, the kernel log and raw port I/O belong to the host.
    "host": "init_module finit_module delete_module create_module get_kernel_syms query_module "
            "kexec_load kexec_file_load reboot swapon swapoff acct syslog ioperm iopl vm86 "
            "vm86old uselib nfsservctl lookup_dcookie _sysctl sysfs ustat quotactl "
            "quotactl_fd afs_syscall break ftime gtty lock mpx prof profil putpmsg getpmsg "
            "security stty tuxcall ulimit vserver idle",
    # The host's clock: setting time needs CAP_SYS_TIME, which containers do not get.
    "clock": "settimeofday stime clock_settime clock_settime64 clock_adjtime clock_adjtime64 "
             "adjtimex",
    # Keyrings are not namespaced: a container would see and fill the host user's keys.
    "keyring": "add_key request_key keyctl",
    # eBPF programs and perf events read kernel memory and other processes' behaviour; the
    # kernel's own gates (CAP_BPF, CAP_PERFMON, perf_event_paranoid) are host-wide.
    "bpf_perf": "bpf perf_event_open",
    # Another process's memory and file handles: ptrace-like access across the container
    # and handles that name files outside the container's root (the "shocker" escape).
    "handles": "open_by_handle_at name_to_handle_at kcmp",
    # io_uring performs syscalls the filter never sees; engines dropped it from their
    # defaults after a run of kernel escapes through it.
    "io_uring": "io_uring_setup io_uring_enter io_uring_register",
    # NUMA placement and page moves across processes need CAP_SYS_NICE.
    "numa": "move_pages migrate_pages",
    # userfaultfd lets an unprivileged process stall the kernel at will (race widening).
    "uffd": "userfaultfd",
    # Not a syscall a container needs; fanotify needs CAP_SYS_ADMIN for most of it.
    "misc": "fanotify_init fanotify_mark vhangup pciconfig_iobase pciconfig_read "
            "pciconfig_write bdflush oldolduname",
}

# Allowed by default, removed by strict.json.
#  - namespaces: unshare/setns and clone with CLONE_NEW* flags. The kernel asks for
#    CAP_SYS_ADMIN in the owning user namespace, so without a user namespace they fail anyway;
#    with one (a nested rootless container, buildah inside a container) they are how it works.
#  - mount: the same argument (mounts in a user namespace the container owns).
#  - ptrace: debuggers and strace; since Linux 4.8 seccomp is checked again after a tracer
#    changes a syscall, so ptrace no longer bypasses the filter.
#  - landlock and the seccomp()'s own notifier: harmless, kept for nested sandboxes.
NAMESPACES = "unshare setns"
MOUNT = ("mount umount umount2 pivot_root chroot move_mount open_tree fsopen fsconfig fsmount "
         "fspick mount_setattr open_tree_attr")
PTRACE = "process_mrelease ptrace process_vm_readv process_vm_writev process_madvise pidfd_getfd"

# Network syscalls no-network.json denies outright. socket/socketpair keep AF_UNIX only
# (arg 0 == AF_UNIX); the rest need a socket the container can no longer make, except for
# Unix sockets, which still use them (bind, connect, send*, recv*), so they stay.
NET_SOCKET = "socket socketpair"
NET_DENIED = "socketcall"  # i386's multiplexer: its arguments are in memory, not filterable

# Everything else in the tables that is allowed (no arguments filtered).
ALLOWED = """
accept accept4 access alarm arch_prctl bind brk cachestat capget capset chdir chmod chown
chown32 clock_getres clock_getres_time64 clock_gettime clock_gettime64 clock_nanosleep
clock_nanosleep_time64 close close_range connect copy_file_range creat dup dup2 dup3
epoll_create epoll_create1 epoll_ctl epoll_ctl_old epoll_pwait epoll_pwait2 epoll_wait
epoll_wait_old eventfd eventfd2 execve execveat exit exit_group faccessat faccessat2 fadvise64
fadvise64_64 fallocate fchdir fchmod fchmodat fchmodat2 fchown fchown32 fchownat fcntl fcntl64
fdatasync fgetxattr flistxattr flock fork fremovexattr fsetxattr fstat fstat64 fstatat64
fstatfs fstatfs64 fsync ftruncate ftruncate64 futex futex_requeue futex_time64 futex_wait
futex_waitv futex_wake futimesat get_mempolicy get_robust_list get_thread_area getcpu getcwd
getdents getdents64 getegid getegid32 geteuid geteuid32 getgid getgid32 getgroups getgroups32
getitimer getpeername getpgid getpgrp getpid getppid getpriority getrandom getresgid
getresgid32 getresuid getresuid32 getrlimit getrusage getsid getsockname getsockopt gettid
gettimeofday getuid getuid32 getxattr getxattrat ugetrlimit inotify_add_watch inotify_init inotify_init1
inotify_rm_watch io_cancel io_destroy io_getevents io_pgetevents io_pgetevents_time64
io_setup io_submit ioctl ioprio_get ioprio_set ipc kill landlock_add_rule
landlock_create_ruleset landlock_restrict_self lchown lchown32 lgetxattr link linkat listen
listmount listxattr listxattrat llistxattr _llseek lremovexattr lseek lsetxattr lsm_get_self_attr
lsm_list_modules lsm_set_self_attr lstat lstat64 madvise map_shadow_stack mbind membarrier
memfd_create memfd_secret mincore mkdir mkdirat mknod mknodat mlock mlock2 mlockall mmap mmap2
modify_ldt mprotect mq_getsetattr mq_notify mq_open mq_timedreceive mq_timedreceive_time64
mq_timedsend mq_timedsend_time64 mq_unlink mremap mseal msgctl msgget msgrcv msgsnd msync
munlock munlockall munmap newfstatat _newselect nanosleep nice oldfstat oldlstat oldstat
olduname open openat openat2 pause personality pidfd_open pidfd_send_signal pipe pipe2 pkey_alloc
pkey_free pkey_mprotect poll ppoll ppoll_time64 prctl pread64 preadv preadv2 prlimit64 pselect6
pselect6_time64 pwrite64 pwritev pwritev2 read readahead readdir readlink readlinkat readv
recvfrom recvmmsg recvmmsg_time64 recvmsg remap_file_pages removexattr removexattrat rename
renameat renameat2 restart_syscall rmdir rseq rt_sigaction rt_sigpending rt_sigprocmask
rt_sigqueueinfo rt_sigreturn rt_sigsuspend rt_sigtimedwait rt_sigtimedwait_time64
rt_tgsigqueueinfo sched_get_priority_max sched_get_priority_min sched_getaffinity
sched_getattr sched_getparam sched_getscheduler sched_rr_get_interval
sched_rr_get_interval_time64 sched_setaffinity sched_setattr sched_setparam sched_setscheduler
sched_yield seccomp select semctl semget semop semtimedop semtimedop_time64 send sendfile
sendfile64 sendmmsg sendmsg sendto set_mempolicy set_mempolicy_home_node set_robust_list
set_thread_area set_tid_address setdomainname setfsgid setfsgid32 setfsuid setfsuid32 setgid
setgid32 setgroups setgroups32 sethostname setitimer setpgid setpriority setregid setregid32
setresgid setresgid32 setresuid setresuid32 setreuid setreuid32 setrlimit setsid setsockopt
setuid setuid32 setxattr setxattrat sgetmask shmat shmctl shmdt shmget shutdown sigaction sigaltstack
signal signalfd signalfd4 sigpending sigprocmask sigreturn sigsuspend splice ssetmask stat
stat64 statfs statfs64 statmount statx symlink symlinkat sync sync_file_range sync_file_range2
syncfs sysinfo tee tgkill time timer_create timer_delete timer_getoverrun timer_gettime
timer_gettime64 timer_settime timer_settime64 timerfd_create timerfd_gettime
timerfd_gettime64 timerfd_settime timerfd_settime64 times tkill truncate truncate64 umask
uname unlink unlinkat uretprobe utime utimensat utimensat_time64 utimes vfork vmsplice wait4
waitid waitpid write writev
"""
# clone and clone3 get their own rules (below); uretprobe is a trampoline the kernel inserts.
PROCESS = "clone clone3"

AF_UNIX = 1
# CLONE_NEWNS | NEWCGROUP | NEWUTS | NEWIPC | NEWUSER | NEWPID | NEWNET: clone's arg 0 on x86.
CLONE_NS_FLAGS = 0x7E020000
EPERM, ENOSYS = 1, 38


def words(s):
    return s.split()


def table_names(unistd_dir):
    names = set()
    for f in ("unistd_64.h", "unistd_32.h"):
        with open(os.path.join(unistd_dir, f)) as h:
            names.update(re.findall(r"#define __NR_(\w+)\s+\d+", h.read()))
    return names


def check_policy(names):
    groups = [words(v) for v in DENIED.values()] + [
        words(NAMESPACES), words(MOUNT), words(PTRACE), words(NET_SOCKET), words(NET_DENIED),
        words(ALLOWED), words(PROCESS)]
    placed = [n for g in groups for n in g]
    twice = sorted({n for n in placed if placed.count(n) > 1})
    if twice:
        sys.exit("generate.py: syscalls with two policy decisions: " + " ".join(twice))
    unplaced = sorted(names - set(placed))
    if unplaced:
        sys.exit("generate.py: syscalls without a policy decision: " + " ".join(unplaced))
    return set(placed)


def rule(names, action="SCMP_ACT_ALLOW", args=None, errno=None):
    r = {"names": sorted(set(names)), "action": action}
    if errno is not None:
        r["errnoRet"] = errno
    if args:
        r["args"] = args
    return r


def profile(namespaces, mount, ptrace, network):
    allowed = set(words(ALLOWED))
    if mount:
        allowed |= set(words(MOUNT))
    if ptrace:
        allowed |= set(words(PTRACE))
    if namespaces:
        allowed |= set(words(NAMESPACES))
    if network:
        allowed |= set(words(NET_SOCKET)) | set(words(NET_DENIED))
    rules = [rule(allowed)]
    if not network:
        arg0_unix = [{"index": 0, "value": AF_UNIX, "op": "SCMP_CMP_EQ"}]
        # Other families get the default action (EPERM). An EAFNOSUPPORT rule for them
        # would read better, but libseccomp refuses a second rule on the same argument.
        rules.append(rule(words(NET_SOCKET), args=arg0_unix))
    if namespaces:
        rules.append(rule(["clone"]))
        rules.append(rule(["clone3"]))
    else:
        # clone without namespace flags; clone3 passes its flags in memory, where a filter
        # cannot look: ENOSYS makes libc fall back to clone, which is filtered.
        rules.append(rule(["clone"], args=[
            {"index": 0, "value": CLONE_NS_FLAGS, "valueTwo": 0, "op": "SCMP_CMP_MASKED_EQ"}]))
        rules.append(rule(["clone3"], "SCMP_ACT_ERRNO", errno=ENOSYS))
    return {
        "defaultAction": "SCMP_ACT_ERRNO",
        "defaultErrnoRet": EPERM,
        "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
        "syscalls": rules,
    }


PROFILES = {
    # What engines allow by default, plus namespaces/mount/ptrace for nested containers and
    # debuggers (the kernel's capability checks still apply).
    "default": dict(namespaces=True, mount=True, ptrace=True, network=True),
    # For untrusted code: no new namespaces (user namespaces are the largest kernel attack
    # surface an unprivileged process reaches), no mounts, no ptrace or cross-process
    # memory access. Keyrings and bpf are denied in every profile already.
    "strict": dict(namespaces=False, mount=False, ptrace=False, network=True),
    # default, but only Unix sockets can be created: no IP, packet, netlink or vsock.
    "no-network": dict(namespaces=True, mount=True, ptrace=True, network=False),
}


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    unistd = sys.argv[1] if len(sys.argv) > 1 else "/usr/include/x86_64-linux-gnu/asm"
    check_policy(table_names(unistd))
    for name, policy in PROFILES.items():
        with open(os.path.join(here, name + ".json"), "w") as f:
            json.dump(profile(**policy), f, indent=1)
            f.write("\n")


if __name__ == "__main__":
    main()
