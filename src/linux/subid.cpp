#include "linux/subid.hpp"

#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <string>
#include <vector>

#include "sys/error.hpp"
#include "sys/proc.hpp"

namespace sandbox::linux_ {
namespace {

std::string_view trim(std::string_view s) {
  const char* space = " \t\r";
  auto first = s.find_first_not_of(space);
  if (first == std::string_view::npos) return {};
  auto last = s.find_last_not_of(space);
  return s.substr(first, last - first + 1);
}

std::optional<uint32_t> parse_u32(std::string_view s) {
  uint32_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

struct Entry {
  std::string_view owner;
  oci::IdRange range;
};

// One "owner:start:count" line, or nullopt for anything else.
std::optional<Entry> parse_line(std::string_view line) {
  line = trim(line);
  if (line.empty() || line[0] == '#') return std::nullopt;
  auto c1 = line.find(':');
  if (c1 == std::string_view::npos) return std::nullopt;
  auto c2 = line.find(':', c1 + 1);
  if (c2 == std::string_view::npos || line.find(':', c2 + 1) != std::string_view::npos) {
    return std::nullopt;
  }
  auto start = parse_u32(line.substr(c1 + 1, c2 - c1 - 1));
  auto count = parse_u32(line.substr(c2 + 1));
  if (!start || !count || *count == 0) return std::nullopt;
  if (uint64_t{*start} + *count > (uint64_t{1} << 32)) return std::nullopt;
  return Entry{line.substr(0, c1), oci::IdRange{*start, *count}};
}

bool owner_matches(std::string_view owner, std::string_view user_name, uint32_t id) {
  if (owner.empty()) return false;
  if (!user_name.empty() && owner == user_name) return true;
  auto as_id = parse_u32(owner);
  return as_id && *as_id == id;
}

// The login name of UID, or "" when it has none (matching then goes by the number only).
std::string user_name_of(uid_t uid) {
  long size = ::sysconf(_SC_GETPW_R_SIZE_MAX);
  std::vector<char> buf(size > 0 ? static_cast<size_t>(size) : 16384);
  for (;;) {
    struct passwd pw {};
    struct passwd* found = nullptr;
    int rc = ::getpwuid_r(uid, &pw, buf.data(), buf.size(), &found);
    if (rc == ERANGE && buf.size() < (1u << 20)) {
      buf.resize(buf.size() * 2);
      continue;
    }
    return (rc == 0 && found) ? std::string(found->pw_name) : std::string();
  }
}

std::optional<oci::IdRange> read_grant(const std::string& path, uid_t uid) {
  std::string contents;
  try {
    contents = sys::read_file(path);
  } catch (const Error& e) {
    if (e.code() == ENOENT) return std::nullopt;
    throw;
  }
  return find_subid_range(contents, user_name_of(uid), uid);
}

}  // namespace

std::optional<oci::IdRange> find_subid_range(std::string_view file_contents,
                                             std::string_view user_name, uint32_t id) {
  while (!file_contents.empty()) {
    auto nl = file_contents.find('\n');
    std::string_view line = file_contents.substr(0, nl);
    file_contents =
        nl == std::string_view::npos ? std::string_view() : file_contents.substr(nl + 1);
    auto entry = parse_line(line);
    if (entry && owner_matches(entry->owner, user_name, id)) return entry->range;
  }
  return std::nullopt;
}

std::optional<oci::IdRange> read_subuid(uid_t uid) {
  return read_grant("/etc/subuid", uid);
}

std::optional<oci::IdRange> read_subgid(uid_t uid) {
  return read_grant("/etc/subgid", uid);
}

}  // namespace sandbox::linux_
