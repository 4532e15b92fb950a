#pragma once
// The subordinate id grants of /etc/subuid and /etc/subgid (subuid(5)): the host ids a user may
// map into a user namespace through newuidmap/newgidmap.
#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string_view>

#include "oci/spec.hpp"

namespace sandbox::linux_ {

// The first grant in FILE_CONTENTS ("owner:start:count" lines) whose owner is USER_NAME or the
// decimal ID. Blank lines, "#" comments and malformed lines (wrong field count, non-numbers,
// count 0, a range past 2^32) are skipped, as newuidmap skips them. An empty USER_NAME matches
// by id only.
std::optional<oci::IdRange> find_subid_range(std::string_view file_contents,
                                             std::string_view user_name, uint32_t id);

// The grant of UID in /etc/subuid or /etc/subgid (both files are keyed by the user, by name or by
// uid). nullopt when the file is missing or has no entry; throws Error when it cannot be read.
std::optional<oci::IdRange> read_subuid(uid_t uid);
std::optional<oci::IdRange> read_subgid(uid_t uid);

}  // namespace sandbox::linux_
