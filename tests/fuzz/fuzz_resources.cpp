// The resources document of `update -r FILE`, merged with runc's per-field flags as `update`
// does (runtime::update_resources). Input: an optional first line "#flag=value flag=value ..."
// (update's flags, long names without the dashes), then the document; without a document only
// the flags are merged (`update --memory 1g ID`).
#include <charconv>
#include <string>
#include <string_view>

#include "fuzz_json.hpp"
#include "runtime/update_request.hpp"

namespace {

using sandbox::runtime::UpdateFlags;

// A number flag as CLI11 takes it: a value that does not convert is refused before update runs.
template <typename T>
void number(std::optional<T>& field, std::string_view text) {
  T v{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec == std::errc() && end == text.data() + text.size()) field = v;
}

void set_flag(UpdateFlags& f, std::string_view name, std::string_view value) {
  std::string v(value);
  if (name == "memory")
    f.memory = v;
  else if (name == "memory-reservation")
    f.memory_reservation = v;
  else if (name == "memory-swap")
    f.memory_swap = v;
  else if (name == "kernel-memory")
    f.kernel_memory = v;
  else if (name == "kernel-memory-tcp")
    f.kernel_memory_tcp = v;
  else if (name == "pids-limit")
    number(f.pids_limit, value);
  else if (name == "cpu-share")
    number(f.cpu_shares, value);
  else if (name == "cpu-period")
    number(f.cpu_period, value);
  else if (name == "cpu-rt-period")
    number(f.cpu_rt_period, value);
  else if (name == "cpu-burst")
    number(f.cpu_burst, value);
  else if (name == "cpu-quota")
    number(f.cpu_quota, value);
  else if (name == "cpu-rt-runtime")
    number(f.cpu_rt_runtime, value);
  else if (name == "cpu-idle")
    number(f.cpu_idle, value);
  else if (name == "cpuset-cpus")
    f.cpuset_cpus = v;
  else if (name == "cpuset-mems")
    f.cpuset_mems = v;
  else if (name == "blkio-weight")
    number(f.blkio_weight, value);
  else if (name == "l3-cache-schema")
    f.l3_cache_schema = v;
  else if (name == "mem-bw-schema")
    f.mem_bw_schema = v;
}

void parse_flag_line(UpdateFlags& f, std::string_view line) {
  while (!line.empty()) {
    size_t end = line.find(' ');
    std::string_view word = line.substr(0, end);
    size_t eq = word.find('=');
    if (eq != std::string_view::npos) set_flag(f, word.substr(0, eq), word.substr(eq + 1));
    if (end == std::string_view::npos) break;
    line.remove_prefix(end + 1);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  UpdateFlags flags;
  flags.resources = "resources.json";
  if (!input.empty() && input[0] == '#') {
    size_t nl = input.find('\n');
    parse_flag_line(flags, input.substr(1, nl == std::string_view::npos ? nl : nl - 1));
    input.remove_prefix(nl == std::string_view::npos ? input.size() : nl + 1);
  }
  std::optional<nlohmann::json> doc;
  if (input.find_first_not_of(" \t\r\n") != std::string_view::npos) {
    doc =
        sandbox::fuzz::parse_document(reinterpret_cast<const uint8_t*>(input.data()), input.size());
    if (!doc) return 0;
  }
  sandbox::fuzz::expect_only_errors([&] { sandbox::runtime::update_resources(flags, doc); });
  return 0;
}
