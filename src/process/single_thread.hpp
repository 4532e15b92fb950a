#pragma once
// The child of each clone3 of the runtime (the init, exec's helper) runs C++ that allocates and
// throws before it execs. That is safe only because the runtime has one thread: a clone copies
// just the calling thread, and a lock (malloc's, the unwinder's) held by another thread at that
// moment would stay locked forever in the child. Nothing else enforces it, so every clone site
// checks it first.
namespace sandbox::process {

// Throws an internal error naming WHERE when this process has more than one thread. Costs one
// read of /proc/self/stat; when /proc cannot tell, it stays quiet.
void require_single_thread(const char* where);

// Field 20 of a /proc/PID/stat text (num_threads), or -1 when it cannot be read. For the tests.
long threads_in_stat(const char* stat, long len);

}  // namespace sandbox::process
